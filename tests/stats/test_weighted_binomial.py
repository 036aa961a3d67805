"""The exact weighted-binomial tail: against brute-force convolution, under its null, and at tiny p-values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from distillscope.errors import InputError
from distillscope.stats.weighted_binomial import weighted_binom_logsf, weighted_binom_sf


def _brute_pmf(groups: dict[int, int], p: float) -> np.ndarray:
    pmf = np.array([1.0])
    for w, n in groups.items():
        scaled = np.zeros(n * w + 1)
        scaled[::w] = stats.binom.pmf(np.arange(n + 1), n, p)
        pmf = np.convolve(pmf, scaled)
    return pmf


@pytest.mark.parametrize("groups", [{1: 50, 2: 10, 3: 5}, {1: 300, 4: 40, 7: 3}, {2: 20, 5: 9}])
def test_matches_brute_force_convolution_down_to_tiny_tails(groups):
    pmf = _brute_pmf(groups, 0.25)
    total = len(pmf) - 1
    for s in (1, total // 5, total // 3, total // 2, (4 * total) // 5, total):
        exact = pmf[s:].sum()
        got = weighted_binom_sf(groups, s, 0.25)
        assert got == pytest.approx(exact, rel=1e-9), (s, exact, got)
    assert weighted_binom_logsf(groups, 0, 0.25) == 0.0
    assert weighted_binom_logsf(groups, total + 1, 0.25) == -math.inf


def test_log_tail_beyond_double_precision_matches_log_space_convolution():
    groups = {1: 400, 3: 60}
    p = 0.25
    lp = np.array([0.0])  # log-space convolution: exact for tails far below 1e-308
    for w, n in groups.items():
        scaled = np.full(n * w + 1, -np.inf)
        scaled[::w] = stats.binom.logpmf(np.arange(n + 1), n, p)
        out = np.full(len(lp) + len(scaled) - 1, -np.inf)
        for i, v in enumerate(lp):
            out[i: i + len(scaled)] = np.logaddexp(out[i: i + len(scaled)], v + scaled)
        lp = out
    for s in (400, 500, 570):  # mean 145: tails from 1e-71 to 1e-253
        exact = float(np.logaddexp.reduce(lp[s:]))
        assert weighted_binom_logsf(groups, s, p) == pytest.approx(exact, rel=1e-9)


def test_single_weight_is_the_binomial_tail():
    assert weighted_binom_sf({3: 100}, 90, 0.25) == pytest.approx(stats.binom.sf(29, 100, 0.25), rel=1e-12)


def test_null_p_values_are_valid_and_near_uniform():
    """Weights fixed, coins iid Bernoulli(p): P(p-value <= a) <= a (within the binomial interval) at every a."""
    rng = np.random.default_rng(0)
    w = np.minimum(rng.geometric(0.35, size=1500), 8)  # capped counts, like repeated tuples
    groups = {int(k): int(v) for k, v in zip(*np.unique(w, return_counts=True), strict=True)}
    reps = 2000
    coins = rng.random((reps, len(w))) < 0.25
    ps = np.array([weighted_binom_sf(groups, int((w * c).sum()), 0.25) for c in coins])
    for a in (0.01, 0.05, 0.1, 0.5):
        assert np.mean(ps <= a) <= a + 3 * math.sqrt(a * (1 - a) / reps), a
        assert np.mean(ps <= a) >= a - 3 * math.sqrt(a * (1 - a) / reps) - 0.01, a  # not grossly conservative
    assert stats.kstest(ps, "uniform").pvalue > 1e-3


def test_known_positive_detects_a_shifted_rate():
    rng = np.random.default_rng(1)
    w = np.minimum(rng.geometric(0.35, size=3000), 8)
    coins = rng.random(len(w)) < 0.25 + 0.08  # +0.08 hit rate
    groups = {int(k): int(v) for k, v in zip(*np.unique(w, return_counts=True), strict=True)}
    assert weighted_binom_sf(groups, int((w * coins).sum()), 0.25) < 1e-6


def test_rejects_bad_input():
    with pytest.raises(InputError, match="positive integers"):
        weighted_binom_logsf({0: 3}, 1, 0.25)
    with pytest.raises(InputError, match="p must be"):
        weighted_binom_logsf({1: 3}, 1, 1.0)
