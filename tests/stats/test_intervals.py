"""Binomial intervals: agreement with scipy, exact coverage, edge cases and input errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from distillscope.errors import InputError
from distillscope.stats.intervals import binomial_interval, clopper_pearson, coverage, jeffreys, wilson


@pytest.mark.parametrize("k,n", [(0, 5), (1, 5), (3, 20), (17, 40), (40, 40), (1, 1000)])
def test_matches_scipy(k, n):
    ci = stats.binomtest(k, n).proportion_ci(0.95, method="wilson")
    assert wilson(k, n) == pytest.approx((ci.low, ci.high), abs=1e-9)
    ci = stats.binomtest(k, n).proportion_ci(0.95, method="exact")
    assert clopper_pearson(k, n) == pytest.approx((ci.low, ci.high), abs=1e-9)


@given(st.integers(0, 200).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
       st.sampled_from(["wilson", "clopper-pearson", "jeffreys", "agresti-coull"]))
@settings(max_examples=150, deadline=None)
def test_interval_is_ordered_contains_estimate_and_stays_in_unit(kn, method):
    k, n = kn
    lo, hi = binomial_interval(k, n, method=method)
    assert 0.0 <= lo <= hi <= 1.0
    if n:
        assert lo <= k / n + 1e-12 and k / n <= hi + 1e-12
    else:
        assert (lo, hi) == (0.0, 1.0)


def test_zero_successes_interval_starts_at_zero_and_narrows_with_n():
    assert wilson(0, 10)[0] == 0.0 and wilson(10, 10)[1] == 1.0
    assert wilson(5, 10)[1] - wilson(5, 10)[0] > wilson(50, 100)[1] - wilson(50, 100)[0]
    assert wilson(1, 30)[0] > 0  # one success: the interval excludes 0


def test_coverage_near_nominal():
    ps = np.linspace(0.02, 0.98, 49)
    for n in (20, 100):
        cov_w = np.array([coverage("wilson", p, n) for p in ps])
        cov_cp = np.array([coverage("clopper-pearson", p, n) for p in ps])
        assert abs(cov_w.mean() - 0.95) < 0.015 and cov_w.min() > 0.90
        assert cov_cp.min() >= 0.95 - 1e-9  # exact interval never under-covers


def test_simulated_coverage_of_wilson():
    rng = np.random.default_rng(0)
    p, n = 0.1, 60
    k = rng.binomial(n, p, size=4000)
    lo, hi = wilson(k, np.full_like(k, n))
    assert 0.93 <= np.mean((lo <= p) & (p <= hi)) <= 0.97


def test_vectorised_and_errors():
    lo, _ = jeffreys(np.array([0, 2, 5]), np.array([5, 5, 5]))
    assert lo.shape == (3,) and np.all(np.diff(lo) > 0)
    for bad in [(3, 2), (-1, 5), (1.5, 4)]:
        with pytest.raises(InputError):
            wilson(*bad)
    with pytest.raises(InputError):
        wilson(1, 2, confidence=1.5)
    with pytest.raises(InputError):
        binomial_interval(1, 2, method="nope")
