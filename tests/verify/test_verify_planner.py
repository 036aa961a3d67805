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


def _text_pilot(shift, P=6, n=20, seed=0):
    rng = np.random.default_rng(seed)
    groups = []
    for p in range(P):
        e, r = rng.normal(0, 1, (n, 4)), rng.normal(0, 1, (n, 4))
        e[:, 1] += shift
        groups.append(PromptSamples(f"p{p}", ["x" * 10] * n, ["x" * 10] * n, endpoint_proxy=e, reference_proxy=r,
                                    endpoint_finish=["length"] * n, reference_finish=["length"] * n))
    return SampleSet(groups, proxy_spec="synthetic")


def test_text_only_plan_from_pilot_is_truthful():
    from distillscope.verify.battery import BatteryConfig
    from distillscope.verify.planner import plan_text_only

    cfg = BatteryConfig(n_perm=99)
    plans = {p.test: p for p in plan_text_only(_text_pilot(0.5), 0.8, cfg, trials=30, prompt_tokens=20,
                                               completion_tokens=40, price_in=1.0, price_out=2.0)}
    comb = plans["verify.combined"]
    assert comb.samples is not None and comb.calls == comb.samples * 6
    assert comb.cost_usd == pytest.approx(comb.calls * (20 * 1.0 + 40 * 2.0) / 1e6)
    # the plan holds up: at the planned size, fresh pilots of that size reject at about the target rate
    n = comb.samples
    fresh = empirical_power(_text_pilot(0.5, n=2 * n + 2, seed=9), [n], trials=30, cfg=cfg)[n]
    assert fresh["verify.combined"].rate >= 0.6
    # a stronger distortion needs fewer samples; no distortion gives no plan (power indistinguishable from alpha)
    strong = {p.test: p for p in plan_text_only(_text_pilot(1.5), 0.8, cfg, trials=30)}["verify.combined"]
    assert strong.samples is not None and strong.samples < n and not strong.extrapolated
    null = {p.test: p for p in plan_text_only(_text_pilot(0.0), 0.8, cfg, trials=30)}["verify.combined"]
    assert null.samples is None
