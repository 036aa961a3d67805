"""Counting watermark hits over token sequences with deduplication, and their exact null p-values.

Under the null (the text does not depend on the watermark key), each *distinct* scored n-gram is a fresh
Bernoulli(p0) draw per trial, so the total number of hits over ``n`` distinct n-grams is Binomial(n * trials, p0)
exactly: a sum of independent Bernoullis. Repeated n-grams are the same draw again; counting them twice is what
makes clean text look watermarked, so every scorer here counts each n-gram once. (One refinement: KGW with
lefthash seeding draws each context's green list as exactly ``gamma * V`` tokens, so distinct tokens after the same
context are drawn without replacement and the hit count is a little *less* spread than the binomial, by the factor
``(V - m) / (V - 1)`` on the variance for ``m`` distinct tokens after one context: the binomial upper tail is then
slightly conservative. It matters only on long reads, e.g. 1M tokens of a 2,048-token bigram student: about 90
distinct tokens per context, variance factor 0.96.)

Capped-count weighting (``count_cap`` > 1) keeps the information in repeats without that error: each distinct
n-gram is still one draw, but it counts ``w = min(occurrences, count_cap)`` times, and the p-value is the exact tail
of ``sum_w w * Binomial(n_w * trials, p0)`` (:mod:`distillscope.stats.weighted_binomial`), whose spread grows with
the weights. The weights depend on the text only, never on the key, so the null stays exact. A model that learned
the watermark repeats its green continuations more often than its red ones; once the scored text covers most of
the n-grams the model can produce (a small vocabulary or a long read), the first-occurrence count loses that signal
while the weighted one keeps it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import special, stats

from distillscope.errors import InputError
from distillscope.stats.weighted_binomial import weighted_binom_logsf
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
    count_cap: int = 1  # a distinct n-gram weighs min(occurrences, count_cap); 1: counted once (plain binomial)
    seen: set[tuple[int, ...]] = field(default_factory=set, repr=False)
    occurrences: dict[tuple[int, ...], int] = field(default_factory=dict, repr=False)  # only when count_cap > 1
    tuple_hits: dict[tuple[int, ...], int] = field(default_factory=dict, repr=False)  # only when count_cap > 1

    def __post_init__(self) -> None:
        if int(self.count_cap) < 1:
            raise InputError(f"count_cap must be a positive integer, got {self.count_cap}.")

    @property
    def weighted(self) -> bool:
        return self.count_cap > 1

    def _weights(self) -> dict[tuple[int, ...], int]:
        return {k: min(c, self.count_cap) for k, c in self.occurrences.items()}

    @property
    def weighted_trials(self) -> int:
        """Trials counted with their weights (equals :attr:`trials` when ``count_cap`` is 1)."""
        if not self.weighted:
            return self.trials
        return sum(self._weights().values()) * self.trials_per

    @property
    def weighted_hits(self) -> int:
        """Hits counted with their tuples' weights (equals :attr:`hits` when ``count_cap`` is 1)."""
        if not self.weighted:
            return self.hits
        w = self._weights()
        return sum(w[k] * h for k, h in self.tuple_hits.items())

    @property
    def trials(self) -> int:
        return self.n_scored * self.trials_per

    @property
    def rate(self) -> float:
        t = self.weighted_trials
        return self.weighted_hits / t if t else float("nan")

    @property
    def z(self) -> float:
        t = self.trials
        if not t:
            return 0.0
        if self.weighted:
            sq = sum(w * w for w in self._weights().values()) * self.trials_per
            return (self.weighted_hits - self.p0 * self.weighted_trials) / math.sqrt(sq * self.p0 * (1 - self.p0))
        return (self.hits - self.p0 * t) / math.sqrt(t * self.p0 * (1 - self.p0))

    @property
    def p_value(self) -> float:
        """Exact one-sided p-value: P(Binomial(trials, p0) >= hits), or its capped-count weighted analogue."""
        if not self.trials:
            return 1.0
        if self.weighted:
            return math.exp(self._weighted_logsf())
        return float(stats.binom.sf(self.hits - 1, self.trials, self.p0))

    def _weighted_logsf(self) -> float:
        by_weight: Counter[int] = Counter(self._weights().values())
        return weighted_binom_logsf({w: m * self.trials_per for w, m in by_weight.items()}, self.weighted_hits,
                                    self.p0)

    @property
    def log10_p(self) -> float:
        """log10 of :attr:`p_value`, finite even where the p-value underflows to 0 (log-sum of the pmf tail)."""
        if not self.trials or self.weighted_hits <= 0:
            return 0.0
        if self.weighted:
            return self._weighted_logsf() / math.log(10)
        ks = np.arange(self.hits, self.trials + 1)
        return float(special.logsumexp(stats.binom.logpmf(ks, self.trials, self.p0))) / math.log(10)

    def add(self, key: tuple[int, ...], hits: int) -> None:
        self.seen.add(key)
        self.n_scored += 1
        self.hits += int(hits)
        if self.weighted:
            self.occurrences[key] = 1
            self.tuple_hits[key] = int(hits)

    def repeat(self, key: tuple[int, ...]) -> None:
        """Record another occurrence of an already scored n-gram (it adds weight only when ``count_cap`` > 1)."""
        self.n_repeated += 1
        if self.weighted:
            self.occurrences[key] += 1

    def to_dict(self) -> dict[str, float | int]:
        d = {"n_scored": self.n_scored, "hits": self.hits, "trials": self.trials, "p0": self.p0,
             "rate": self.rate, "z": self.z, "p_value": self.p_value, "log10_p": self.log10_p,
             "n_repeated": self.n_repeated,
             "n_excluded": self.n_excluded, "n_over_budget": self.n_over_budget}
        if self.weighted:
            d.update(count_cap=self.count_cap, weighted_hits=self.weighted_hits,
                     weighted_trials=self.weighted_trials)
        return d


def ngrams_of(scheme: Scheme, ids: Sequence[int]) -> set[tuple[int, ...]]:
    """Every scorable n-gram (as :meth:`Scheme.ngram` keys) occurring in ``ids``."""
    c = scheme.context
    return {scheme.ngram(ids[:i], ids[i]) for i in range(c, len(ids))}


def count_hits(scheme: Scheme, sequences: Iterable[Sequence[int]], dedup: bool = True,
               exclude: set[tuple[int, ...]] | None = None, counts: HitCounts | None = None,
               max_scored: int | None = None, count_cap: int = 1) -> HitCounts:
    """Score every token that has enough context, counting each distinct n-gram once (``dedup``).

    The budget ``max_scored`` caps the distinct n-grams scored (in reading order, so the tokens scored do not
    depend on the key and the null stays exact); the positions left unread are counted in ``n_over_budget``.

    Args:
        scheme: the watermark scheme.
        sequences: token id sequences (completions only: no prompt tokens).
        dedup: count each n-gram once across all sequences.
        exclude: n-grams never to score (for example those of the prompts the text answers).
        counts: accumulate into an existing :class:`HitCounts`.
        max_scored: the most distinct n-grams to score (the budget); None scores all. Reading stops at the
            first new n-gram past the budget; repeats read before that add weight when ``count_cap`` > 1.
        count_cap: weigh each distinct n-gram by min(occurrences, count_cap) (see the module docstring); 1 counts
            each once. Needs ``dedup``.
    """
    if count_cap > 1 and not dedup:
        raise InputError("count_cap > 1 weighs each distinct n-gram by its repeats: it needs dedup=True.")
    out = counts or HitCounts(trials_per=scheme.trials, p0=scheme.p0, count_cap=count_cap)
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
                out.repeat(key)
                continue
            out.add(key, scheme.hits(ids[:i], ids[i]))
    return out
