"""Measured utility cost of a watermark or an output perturbation, on real text, from the model's own logits.

For each position of each text we compare the clean next-token distribution ``p`` with the distorted one ``q``
(perturbation, then watermark, exactly as :class:`~distillscope.watermark.model.WatermarkedModel` samples):

* ``kl``: KL(q || p) in nats per token, how far sampling moved from the model;
* ``logprob_drop``: E_p[log p] - E_q[log p], how much less likely under the clean model the sampled tokens are
  (an expected per-token perplexity cost, in nats);
* ``top1_agreement``: fraction of positions whose most likely token is unchanged.
Logit noise is averaged over ``n_noise`` draws. Defences that only coarsen the served log-probabilities do not
change sampling and cost nothing here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from distillscope.watermark.config import WatermarkConfig
from distillscope.watermark.model import Perturbation, WatermarkedModel
from distillscope.watermark.schemes import make_scheme


@torch.no_grad()
def utility_cost(model: Any, texts: Sequence[str], watermark: WatermarkConfig | None = None,
                 perturbation: Perturbation | None = None, n_noise: int = 4, seed: int = 0,
                 max_len: int = 256) -> dict[str, float]:
    """Per-token distortion of sampling (see module docstring) over ``texts`` for a white-box ``model``."""
    base = model.base if isinstance(model, WatermarkedModel) else model
    scheme = make_scheme(watermark, base.vocab_size) if watermark is not None else None
    gen = torch.Generator().manual_seed(seed)
    kl_sum = drop_sum = agree = n = 0.0
    for text in texts:
        ids = base.encode(text)[:max_len]
        if len(ids) < 2:
            continue
        logits = base.logits([ids])[0, :-1]  # predicts ids[1:]
        logp = torch.log_softmax(logits, -1)
        p = logp.exp()
        draws = n_noise if perturbation is not None and perturbation.logit_noise > 0 else 1
        for _ in range(draws):
            z = logits
            if perturbation is not None:
                z = perturbation.apply(z, generator=gen)
            if scheme is not None:
                ctx = max(scheme.context, 1)
                windows = torch.tensor([([0] * ctx + ids[: t + 1])[-ctx:] for t in range(len(ids) - 1)])
                z = scheme.transform_positions(windows, z)
            logq = torch.log_softmax(z, -1)
            q = logq.exp()
            kl_sum += float((q * (logq - logp)).sum(-1).sum()) / draws
            drop_sum += float(((p - q) * logp).sum(-1).sum()) / draws
            agree += float((z.argmax(-1) == logits.argmax(-1)).float().sum()) / draws
        n += len(ids) - 1
    if n == 0:
        return {"kl": 0.0, "logprob_drop": 0.0, "top1_agreement": 1.0, "tokens": 0}
    return {"kl": kl_sum / n, "logprob_drop": drop_sum / n, "top1_agreement": agree / n, "tokens": int(n)}
