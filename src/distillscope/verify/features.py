"""Per-completion features for the text-only tests of `verify`: how a local proxy LM sees each completion, and
cheap format statistics.

    from distillscope.models import load_model
    from distillscope.verify.features import ProxyScorer, format_features
    proxy = ProxyScorer(load_model("zoo:smollm2-135m-instruct"))
    f = proxy.features([(request, "completion text"), ...])      # (N, 4) array, columns PROXY_FEATURES
    g = format_features(["text", ...], ["stop", ...])             # (N, 3) array, columns FORMAT_FEATURES

The proxy is any white-box LM (the reference itself when it is white-box, or any local model when the reference is
a black-box API): it only turns each text into numbers. Both sides' completions go through the same function of
their text, so the features are exchangeable between endpoint and reference under the null whatever the proxy;
a proxy closer to the reference gives more power, never a wrong p-value.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from distillscope.models.base import GenRequest, require_white_box


@dataclass
class TokenRecord:
    """One completion as a proxy LM saw it, token by token (the input of the centered token kernel).

    Attributes:
        ids: ``(T,)`` the completion's token ids (the proxy's tokenization of its text).
        context: the last :data:`CONTEXT_KEEP` token ids of the rendered prompt before it.
        topk_ids / topk_p: ``(T, K)`` the proxy's K most likely next tokens at each position and their
            probabilities.
    """

    ids: np.ndarray
    context: np.ndarray
    topk_ids: np.ndarray
    topk_p: np.ndarray

PROXY_FEATURES = ("mean_logprob", "mean_surprise", "mean_entropy", "mean_log_rank")
TOP_K = 32  # reference probabilities kept per token for the centered token kernel (the rest counts as 0)
CONTEXT_KEEP = 4  # prompt tokens kept before each completion, so that a token's previous tokens are known
FORMAT_FEATURES = ("log_length", "stopped", "refusal")

# Opening phrases of refusals and deflections (English); a completion matching one counts as a refusal.
REFUSAL = re.compile(
    r"^\s*(i'?m sorry|i am sorry|sorry,|i can(no|')t|i cannot|i'?m (not able|unable)|i am (not able|unable)|"
    r"as an ai|i (won'?t|will not)|unfortunately,? i|i apologi[sz]e)", re.IGNORECASE)


class ProxyScorer:
    """Features of completions under a white-box proxy LM, by teacher forcing after the proxy's prompt rendering.

    Per completion (means over its tokens, re-encoded by the proxy's tokenizer):

    - ``mean_logprob``: log p(token) under the proxy;
    - ``mean_surprise``: log p(token) + H(next-token distribution); its expectation is 0 for text sampled from
      the proxy at temperature 1, and it moves with temperature, truncation (top-p) and reweighting
      (watermarks) while varying less across prompts than the log-probability itself;
    - ``mean_entropy``: H of the proxy's next-token distribution along the completion;
    - ``mean_log_rank``: log(1 + rank of the token among the proxy's candidates).

    Args:
        proxy: a :class:`~distillscope.models.WhiteBox` model.
        batch_size: completions per forward pass.
    """

    def __init__(self, proxy: Any, batch_size: int = 8) -> None:
        self.proxy = require_white_box(proxy, "The proxy-likelihood test")
        self.batch_size = batch_size
        self._cache: dict[tuple[tuple[int, ...], str], np.ndarray] = {}
        self._sums: dict[tuple[tuple[int, ...], str], float] = {}
        self._records: dict[tuple[tuple[int, ...], str], TokenRecord] = {}
        self.tokens_scored = 0

    @property
    def spec(self) -> str:
        return str(getattr(self.proxy, "spec", "proxy"))

    def features(self, items: Sequence[tuple[GenRequest, str]]) -> np.ndarray:
        """``(len(items), 4)`` features (columns :data:`PROXY_FEATURES`); NaN rows for empty texts."""
        keys = self._compute(items)
        return np.stack([self._cache[k] for k in keys]) if keys else np.zeros((0, len(PROXY_FEATURES)))

    def summed_logprobs(self, items: Sequence[tuple[GenRequest, str]]) -> np.ndarray:
        """Log-likelihood of each text (sum over its tokens; 0 for an empty text) from the same forward pass as
        :meth:`features`: with the reference as proxy, the score of the likelihood rank test at no extra cost."""
        return np.array([self._sums[k] for k in self._compute(items)], dtype=float)

    def token_records(self, items: Sequence[tuple[GenRequest, str]]) -> list[TokenRecord]:
        """Per-token records of each text (:class:`TokenRecord`) from the same forward pass as :meth:`features`."""
        return [self._records[k] for k in self._compute(items)]

    def _compute(self, items: Sequence[tuple[GenRequest, str]]) -> list[tuple[tuple[int, ...], str]]:
        ctxs: dict[tuple[Any, ...], tuple[int, ...]] = {}
        keys = []
        for req, text in items:
            base = (req.messages, req.prompt)
            if base not in ctxs:
                ctxs[base] = tuple(self.proxy.encode(self.proxy.render(GenRequest(messages=req.messages,
                                                                                   prompt=req.prompt))))
            keys.append((ctxs[base], text))
        # batches of similar total length pad little
        todo = sorted({k for k in keys if k not in self._cache}, key=lambda k: (len(k[0]) + len(k[1]), k))
        for s in range(0, len(todo), self.batch_size):
            self._score(todo[s : s + self.batch_size])
        return keys

    @torch.no_grad()
    def _score(self, batch: list[tuple[tuple[int, ...], str]]) -> None:
        conts = [list(self.proxy.encode(text)) if text else [] for _, text in batch]
        rows = [(list(c), x) for (c, _), x in zip(batch, conts)]
        width = max(len(c) + len(x) for c, x in rows)
        pad = int(self.proxy.tokenizer.pad_token_id or 0)
        ids = torch.full((len(rows), width), pad, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for r, (c, x) in enumerate(rows):
            ids[r, : len(c) + len(x)] = torch.tensor(c + x)
            mask[r, : len(c) + len(x)] = 1
        logits = self.proxy.logits(ids, mask)
        for r, (key, (c, x)) in enumerate(zip(batch, rows)):
            ctx_tail = np.asarray(c[-CONTEXT_KEEP:], dtype=np.int64)
            if not x:
                self._cache[key] = np.full(len(PROXY_FEATURES), np.nan)
                self._sums[key] = 0.0
                self._records[key] = TokenRecord(np.zeros(0, np.int64), ctx_tail, np.zeros((0, TOP_K), np.int64),
                                                 np.zeros((0, TOP_K), np.float32))
                continue
            lg = logits[r, len(c) - 1 : len(c) + len(x) - 1].float()
            logp = torch.log_softmax(lg, -1)
            tok = torch.tensor(x).unsqueeze(1)
            lp = logp.gather(1, tok).squeeze(1)
            ent = -(logp.exp() * logp).sum(-1)
            rank = (lg > lg.gather(1, tok)).sum(-1).double()
            self._cache[key] = np.array([float(lp.mean()), float((lp + ent).mean()), float(ent.mean()),
                                         float(torch.log1p(rank).mean())])
            self._sums[key] = float(lp.double().sum())
            tp, ti = logp.exp().topk(min(TOP_K, logp.shape[-1]), dim=-1)
            self._records[key] = TokenRecord(np.asarray(x, np.int64), ctx_tail, ti.numpy().astype(np.int64),
                                             tp.numpy().astype(np.float32))
            self.tokens_scored += len(x)


def format_features(texts: Sequence[str], finish_reasons: Sequence[str | None] | None = None) -> np.ndarray:
    """``(N, 3)`` format statistics (columns :data:`FORMAT_FEATURES`): log(1 + characters), whether the
    completion stopped on its own (finish reason ``stop``; 0 when unknown) and whether it opens like a refusal."""
    fr = list(finish_reasons) if finish_reasons is not None else [None] * len(texts)
    return np.array([[np.log1p(len(t)), float(f == "stop"), float(bool(REFUSAL.match(t)))]
                     for t, f in zip(texts, fr)], dtype=float).reshape(len(texts), len(FORMAT_FEATURES))
