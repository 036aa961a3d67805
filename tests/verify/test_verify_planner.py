"""Power planner: delta estimated from a pilot, plans that reach the target, subsampled power."""

import numpy as np
import pytest
from scipy import stats

from distillscope.errors import InputError
from distillscope.stats.power import rank_test_power
from distillscope.verify.data import PromptSamples, SampleSet
from distillscope.verify.planner import empirical_power, estimate_delta, plan_from_pilot


def _pilot(shift, P=8, n=30, seed=0):
    rng = np.random.default_rng(seed)
    return SampleSet([PromptSamples(f"p{p}", [f"e{i}" for i in range(n)], [f"r{i}" for i in range(n)],
                                    rng.normal(shift, 1, n), rng.normal(0, 1, n)) for p in range(P)])


def test_delta_estimate_and_plan():
    s = 0.5
    truth = stats.norm.cdf(s / np.sqrt(2)) - 0.5
    d, rows = plan_from_pilot(_pilot(s), power=0.9, prompt_options=(10, 25))
    assert d == pytest.approx(truth, abs=0.05)
    assert all(r.power >= 0.9 for r in rows)
    same = SampleSet([PromptSamples("p", ["a", "b"], ["c", "d"], np.array([1.0, 2.0]), np.array([1.0, 2.0]))])
    with pytest.raises(InputError):
        plan_from_pilot(same)  # no distortion in the pilot: nothing to plan for


def test_subsampled_power_agrees_with_analytic_and_null_holds():
    s = 0.4
    delta = stats.norm.cdf(s / np.sqrt(2)) - 0.5
    res = empirical_power(_pilot(s, n=60), [6], trials=60)
    rate = res[6]["verify.likelihood_rank"].rate
    assert abs(rate - rank_test_power(delta, 8, 6)) < 0.2
    null = empirical_power(_pilot(0.0, n=60, seed=3), [6], trials=60)[6]["verify.likelihood_rank"]
    assert null.low <= 0.05
    assert estimate_delta(_pilot(-s)) < 0
