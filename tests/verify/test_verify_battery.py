"""The battery on synthetic samples: each test's null calibration, known positives, reproducibility, combination."""

import numpy as np
import pytest

from distillscope.errors import InputError
from distillscope.stats.power import rejection_rate
from distillscope.verify import BatteryConfig, PromptSamples, SampleSet, run_battery

LETTERS = np.array(list("abcdef "))


def _text(rng, favour):
    p = np.ones(len(LETTERS))
    p[favour % len(LETTERS)] += 2
    return "".join(rng.choice(LETTERS, size=30, p=p / p.sum()))


def _set(rng, P=6, n=8, text_shift=0, score_shift=0.0, lp_shift=0.0, lp_noise=1e-6):
    groups = []
    for p in range(P):
        groups.append(PromptSamples(
            prompt=f"p{p}",
            endpoint=[_text(rng, p + text_shift) for _ in range(n)],
            reference=[_text(rng, p) for _ in range(n)],
            endpoint_scores=rng.normal(score_shift, 1, n) + p,
            reference_scores=rng.normal(0, 1, n) + p,
            logprob_diffs=[rng.normal(lp_shift, lp_noise, 12) for _ in range(n)],
            aligned=[True] * n,
        ))
    return SampleSet(groups)


def _pvals(rng, trials=80, n_perm=99, **kw):
    out = {}
    for t in range(trials):
        for e in run_battery(_set(rng, **kw), BatteryConfig(n_perm=n_perm, seed=t)):
            out.setdefault(e.name, []).append(e.p_value)
    return out


def test_null_calibrated_for_every_test():
    ps = _pvals(np.random.default_rng(0))
    assert set(ps) == {"verify.mmd_hamming", "verify.likelihood_rank", "verify.logprob_shift",
                       "verify.logprob_match", "verify.combined"}
    for name, p in ps.items():
        assert rejection_rate(p, 0.05).low <= 0.05, name
    for name in ("verify.mmd_hamming", "verify.likelihood_rank"):
        assert np.mean(np.array(ps[name]) < 0.5) == pytest.approx(0.5, abs=0.17), name  # roughly uniform


@pytest.mark.parametrize("kw,name", [
    ({"text_shift": 1}, "verify.mmd_hamming"),
    ({"score_shift": 1.0}, "verify.likelihood_rank"),
    ({"score_shift": -1.0}, "verify.likelihood_rank"),  # two-sided: flatter endpoints too
    ({"lp_shift": 0.02, "lp_noise": 0.05}, "verify.logprob_shift"),
    ({"lp_shift": 0.0, "lp_noise": 0.01}, "verify.logprob_match"),  # different numerics, no net shift
])
def test_known_positives(kw, name):
    ps = _pvals(np.random.default_rng(1), trials=20, n_perm=299, **kw)
    assert rejection_rate(ps[name], 0.05).rate >= 0.8
    # The combination pays for testing several nulls (Bonferroni over up to 3 parts) when only one carries
    # signal, so it keeps most, not all, of the component's power.
    assert rejection_rate(ps["verify.combined"], 0.05).rate >= 0.5


def test_reproducible_and_effect_signs():
    ss = _set(np.random.default_rng(2), score_shift=1.5)
    a = run_battery(ss, BatteryConfig(n_perm=199, seed=4))
    b = run_battery(ss, BatteryConfig(n_perm=199, seed=4))
    assert [e.p_value for e in a] == [e.p_value for e in b]
    rank = next(e for e in a if e.name == "verify.likelihood_rank")
    assert rank.effect_size > 0.2  # endpoint completions out-score the reference's
    assert a[-1].name == "verify.combined" and "npc" in next(iter(a[-1].params["parts"]))


def test_black_box_runs_mmd_only_and_bad_input():
    rng = np.random.default_rng(3)
    ss = SampleSet([PromptSamples(f"p{p}", [_text(rng, p) for _ in range(4)], [_text(rng, p) for _ in range(4)])
                    for p in range(3)])
    ev = run_battery(ss, BatteryConfig(n_perm=99))
    assert [e.name for e in ev] == ["verify.mmd_hamming", "verify.combined"]
    assert ev[-1].p_value == ev[0].p_value
    with pytest.raises(InputError):
        BatteryConfig(n_perm=5)
    with pytest.raises(InputError):
        run_battery(SampleSet([PromptSamples("p", ["a"], ["b"])]))
    with pytest.raises(InputError):
        run_battery(ss, BatteryConfig(tests=("verify.nope",)))
