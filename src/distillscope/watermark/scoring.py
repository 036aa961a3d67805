"""Counting watermark hits over token sequences with deduplication, and their exact null p-values.

Under the null (the text does not depend on the watermark key), each *distinct* scored n-gram is a fresh
Bernoulli(p0) draw per trial, so the total number of hits over ``n`` distinct n-grams is Binomial(n * trials, p0)
exactly: a sum of independent Bernoullis. Repeated n-grams are the same draw again; counting them twice is what
makes clean text look watermarked, so every scorer here counts each n-gram once.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import special, stats

from distillscope.watermark.schemes import Scheme


@dataclass
class HitCounts:
    """Hits over distinct scored n-grams: ``hits`` successes out of ``n_scored * trials_per`` null draws."""

    n_scored: int = 0
    hits: int = 0
    trials_per: int = 1
    p0: float = 0.25
    n_repeated: int = 0  # scored positions skipped because their n-gram was already counted
    n_excluded: int = 0  # skipped because the n-gram was in the excluded set (e.g. the prompt)
    n_over_budget: int = 0  # scorable positions left unread once ``max_scored`` distinct n-grams were counted
    seen: set[tuple[int, ...]] = field(default_factory=set, repr=False)

    @property
    def trials(self) -> int:
        return self.n_scored * self.trials_per

    @property
    def rate(self) -> float:
        return self.hits / self.trials if self.trials else float("nan")

    @property
    def z(self) -> float:
        t = self.trials
        if not t:
            return 0.0
        return (self.hits - self.p0 * t) / math.sqrt(t * self.p0 * (1 - self.p0))

    @property
    def p_value(self) -> float:
        """Exact one-sided p-value: P(Binomial(trials, p0) >= hits)."""
        if not self.trials:
            return 1.0
        return float(stats.binom.sf(self.hits - 1, self.trials, self.p0))

    @property
    def log10_p(self) -> float:
        """log10 of :attr:`p_value`, finite even where the p-value underflows to 0 (log-sum of the pmf tail)."""
        if not self.trials or self.hits <= 0:
            return 0.0
        ks = np.arange(self.hits, self.trials + 1)
        return float(special.logsumexp(stats.binom.logpmf(ks, self.trials, self.p0))) / math.log(10)

    def add(self, key: tuple[int, ...], hits: int) -> None:
        self.seen.add(key)
        self.n_scored += 1
        self.hits += int(hits)

    def to_dict(self) -> dict[str, float | int]:
        return {"n_scored": self.n_scored, "hits": self.hits, "trials": self.trials, "p0": self.p0,
                "rate": self.rate, "z": self.z, "p_value": self.p_value, "log10_p": self.log10_p,
                "n_repeated": self.n_repeated,
                "n_excluded": self.n_excluded, "n_over_budget": self.n_over_budget}


def ngrams_of(scheme: Scheme, ids: Sequence[int]) -> set[tuple[int, ...]]:
    """Every scorable n-gram (as :meth:`Scheme.ngram` keys) occurring in ``ids``."""
    c = scheme.context
    return {scheme.ngram(ids[:i], ids[i]) for i in range(c, len(ids))}


def count_hits(scheme: Scheme, sequences: Iterable[Sequence[int]], dedup: bool = True,
               exclude: set[tuple[int, ...]] | None = None, counts: HitCounts | None = None,
               max_scored: int | None = None) -> HitCounts:
    """Score every token that has enough context, counting each distinct n-gram once (``dedup``).

    The budget ``max_scored`` caps the distinct n-grams scored (in reading order, so the tokens scored do not
    depend on the key and the null stays exact); the positions left unread are counted in ``n_over_budget``.

    Args:
        scheme: the watermark scheme.
        sequences: token id sequences (completions only: no prompt tokens).
        dedup: count each n-gram once across all sequences.
        exclude: n-grams never to score (for example those of the prompts the text answers).
        counts: accumulate into an existing :class:`HitCounts`.
        max_scored: the most distinct n-grams to score (the budget); None scores all.
    """
    out = counts or HitCounts(trials_per=scheme.trials, p0=scheme.p0)
    exclude = exclude or set()
    for ids in sequences:
        ids = [int(t) for t in ids]
        for i in range(scheme.context, len(ids)):
            if max_scored is not None and out.n_scored >= max_scored:
                out.n_over_budget += len(ids) - i
                break
            key = scheme.ngram(ids[:i], ids[i])
            if key in exclude:
                out.n_excluded += 1
                continue
            if dedup and key in out.seen:
                out.n_repeated += 1
                continue
            out.add(key, scheme.hits(ids[:i], ids[i]))
    return out
