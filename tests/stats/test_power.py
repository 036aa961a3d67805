"""Power planning: monotonicity, limits, agreement with simulation of the rank-sum test."""

import numpy as np
import pytest
from scipy import stats

from distillscope.errors import InputError
from distillscope.stats.power import n_for_z_test, plan_rank_test, rank_test_power, rejection_rate


def test_limits_and_monotone():
    assert rank_test_power(1e-9, 25, 10) == pytest.approx(0.05, abs=1e-4)
    assert rank_test_power(0.1, 25, 10) < rank_test_power(0.1, 25, 20) < rank_test_power(0.1, 50, 20)
    assert n_for_z_test(0.5, 0.05, 0.8) == 32  # textbook value (31.4 rounded up)


def test_plan_reaches_target():
    rows = plan_rank_test(0.1, power=0.9, prompt_options=(10, 25))
    for r in rows:
        assert r.samples > 0 and r.power >= 0.9
        assert rank_test_power(0.1, r.prompts, r.samples - 1) < 0.9  # fewest samples
    with pytest.raises(InputError):
        plan_rank_test(0.7)


def test_analytic_power_matches_simulation():
    # shift a normal by s: delta = Phi(s / sqrt 2) - 1/2; stratified Mann-Whitney via summed z's
    rng = np.random.default_rng(0)
    s, P, n = 0.3, 10, 8
    delta = stats.norm.cdf(s / np.sqrt(2)) - 0.5
    hits = 0
    trials = 300
    for _ in range(trials):
        z = 0.0
        for _p in range(P):
            x, y = rng.normal(s, 1, n), rng.normal(0, 1, n)
            u = stats.mannwhitneyu(x, y).statistic
            z += (u - n * n / 2) / np.sqrt(n * n * (2 * n + 1) / 12)
        hits += abs(z / np.sqrt(P)) > stats.norm.isf(0.025)
    pred = rank_test_power(delta, P, n)
    assert abs(hits / trials - pred) < 0.08


def test_rejection_rate_interval():
    r = rejection_rate([0.01, 0.2, 0.04, 0.9], 0.05)
    assert (r.k, r.n) == (2, 4) and r.low < 0.5 < r.high
