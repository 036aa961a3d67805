"""Watermark detection in text: per-text and pooled z-scores and exact p-values, repeated n-grams ignored.

KGW counts come from ``transformers.WatermarkDetector(ignore_repeated_ngrams=True)``; the p-value reported is the
exact binomial tail of those counts (the detector's own normal-approximation p-value is kept as ``p_value_z``).
SynthID is scored by the mean g-value over distinct n-grams, whose null is Binomial(n * depth, p0).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from distillscope.errors import InputError
from distillscope.evidence import Evidence
from distillscope.watermark.config import WatermarkConfig
from distillscope.watermark.schemes import KGWScheme, Scheme, make_scheme
from distillscope.watermark.scoring import HitCounts, count_hits


@dataclass
class Detection:
    """Result for one text (``index``) or for all texts pooled (``index=None``)."""

    index: int | None
    counts: HitCounts
    p_value_z: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"index": self.index, **self.counts.to_dict()}
        if self.p_value_z is not None:
            d["p_value_z"] = self.p_value_z
        return {**d, **self.extra}


def _kgw_detector(scheme: KGWScheme) -> Any:
    from transformers import WatermarkDetector

    c = scheme.config
    return WatermarkDetector(
        model_config=SimpleNamespace(bos_token_id=-1, is_encoder_decoder=False, vocab_size=scheme.vocab_size),
        device="cpu", ignore_repeated_ngrams=True,
        watermarking_config={"greenlist_ratio": c.gamma, "bias": c.delta, "hashing_key": c.hashing_key,
                             "seeding_scheme": c.seeding_scheme, "context_width": c.context_width})


def _kgw_counts(scheme: KGWScheme, detector: Any, ids: list[int]) -> tuple[HitCounts, float | None]:
    import torch

    counts = HitCounts(trials_per=1, p0=scheme.p0)
    if len(ids) <= scheme.config.context_width - (1 if scheme.selfhash else 0):
        return counts, None
    out = detector(torch.tensor([ids]), return_dict=True)
    counts.n_scored = int(out.num_tokens_scored[0])
    counts.hits = int(out.num_green_tokens[0])
    return counts, float(out.p_value[0])


def detect(texts: Sequence[str] | Sequence[Sequence[int]], config: WatermarkConfig, tokenizer: Any = None,
           vocab_size: int | None = None) -> tuple[list[Detection], Detection, Evidence]:
    """Detect ``config``'s watermark in each text and in all texts pooled.

    Args:
        texts: strings (tokenized with ``tokenizer``, no special tokens) or token id lists. Pass completions
            only: prompt tokens are not watermarked.
        config: the deployment's watermark config.
        tokenizer: the watermarked model's tokenizer (needed for strings).
        vocab_size: logits width of the watermarked model (default: ``len(tokenizer)``).

    Returns:
        (per-text detections, pooled detection with n-grams deduplicated across texts, Evidence for the pool).
    """
    if vocab_size is None:
        if tokenizer is None:
            raise InputError("detect() needs the tokenizer or vocab_size of the watermarked model.")
        vocab_size = len(tokenizer)
    scheme: Scheme = make_scheme(config, vocab_size)
    seqs: list[list[int]] = []
    for i, t in enumerate(texts):
        if isinstance(t, str):
            if tokenizer is None:
                raise InputError("Texts given as strings need the watermarked model's tokenizer.")
            seqs.append(list(tokenizer(t, add_special_tokens=False)["input_ids"]))
        else:
            try:
                seqs.append([int(x) for x in t])
            except (TypeError, ValueError) as e:
                raise InputError(f"Text {i} is neither a string nor a list of token ids.") from e
    per: list[Detection] = []
    detector = _kgw_detector(scheme) if isinstance(scheme, KGWScheme) else None
    for i, ids in enumerate(seqs):
        if isinstance(scheme, KGWScheme):
            c, pz = _kgw_counts(scheme, detector, ids)
            per.append(Detection(i, c, pz))
        else:
            per.append(Detection(i, count_hits(scheme, [ids])))
    pooled = Detection(None, count_hits(scheme, seqs))
    c = pooled.counts
    ev = Evidence(
        name=f"watermark.detect.{config.scheme}",
        null=f"the texts were written without watermark key {config.key_id} (each distinct n-gram is a "
             f"Bernoulli({c.p0:.4f}) draw per trial)",
        statistic=c.z, p_value=c.p_value, effect_size=c.rate - c.p0 if c.trials else None,
        effect_name="hit rate minus its null expectation",
        params={**config.public_dict(), "n_texts": len(seqs), "dedup": True},
        details={"pooled": c.to_dict(), "per_text": [d.to_dict() for d in per]},
        caveats=["Repeated n-grams are counted once; texts shorter than the watermark context are not scored."],
    )
    return per, pooled, ev
