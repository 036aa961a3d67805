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
    # shift a normal by s: delta = Phi(s / sqrt 2) - 1/2; stratified Mann-Whitney via summed z's (vectorised)
    rng = np.random.default_rng(0)
    s, P, n, trials = 0.3, 10, 8, 400
    delta = stats.norm.cdf(s / np.sqrt(2)) - 0.5
    x = rng.normal(s, 1, (trials, P, n))
    y = rng.normal(0, 1, (trials, P, n))
    ranks = stats.rankdata(np.concatenate([x, y], -1), axis=-1)[..., :n]
    u = ranks.sum(-1) - n * (n + 1) / 2
    z = ((u - n * n / 2) / np.sqrt(n * n * (2 * n + 1) / 12)).sum(-1) / np.sqrt(P)
    hits = np.mean(np.abs(z) > stats.norm.isf(0.025))
    assert abs(hits - rank_test_power(delta, P, n)) < 0.07


def test_rejection_rate_interval():
    r = rejection_rate([0.01, 0.2, 0.04, 0.9], 0.05)
    assert (r.k, r.n) == (2, 4) and r.low < 0.5 < r.high
