"""verify() end to end on tiny models: calibration on the null, a substituted model, the store, and a served
endpoint over loopback through the real openai client."""

import numpy as np
import pytest

from distillscope.stats.power import rejection_rate
from distillscope.store import SampleStore
from distillscope.verify import BatteryConfig, VerifyConfig, collect, run_battery, verify
from distillscope.verify.data import PromptSamples, SampleSet

PROMPTS = ["Name a color.", "Say a word.", "Tell a joke.", "Write a slogan.", "Pick a name.", "Greet me."]


def _cfg(samples, **kw):
    return VerifyConfig(samples=samples, max_tokens=8, battery=BatteryConfig(n_perm=199, **kw))


@pytest.mark.slow
def test_null_calibration_on_tiny_model_and_known_positive(sharp, make_sharp):
    # One pool of 48 completions per prompt from the same model: random halves are exact null draws; a pool of 24
    # from another model gives the alternative draws (12 per prompt per trial, so trials vary on both sides).
    store = SampleStore(":memory:")
    cfg = VerifyConfig(samples=24, max_tokens=10, battery=BatteryConfig(n_perm=99))
    pool, _, _ = collect(sharp, sharp, PROMPTS, cfg, store=store)  # 24 + 24 per prompt, all from one model
    other, _, _ = collect(make_sharp(7), sharp, PROMPTS, cfg, store=store)
    rng = np.random.default_rng(0)
    null_p, alt_p = [], []
    for t in range(80):
        groups, alt = [], []
        for g, o in zip(pool.prompts, other.prompts):
            texts = g.endpoint + g.reference
            scores = np.concatenate([g.endpoint_scores, g.reference_scores])
            idx = rng.permutation(len(texts))
            a, b = idx[:12], idx[12:24]
            groups.append(PromptSamples(g.prompt, [texts[i] for i in a], [texts[i] for i in b],
                                        scores[a], scores[b]))
            j = rng.permutation(len(o.endpoint))[:12]
            alt.append(PromptSamples(g.prompt, [o.endpoint[i] for i in j], [texts[i] for i in b],
                                     o.endpoint_scores[j], scores[b]))
        cfg = BatteryConfig(n_perm=99, seed=t)
        null_p.append([e.p_value for e in run_battery(SampleSet(groups), cfg)])
        alt_p.append([e.p_value for e in run_battery(SampleSet(alt), cfg)])
    null_p, alt_p = np.array(null_p), np.array(alt_p)  # columns: mmd, rank, combined
    for col in range(null_p.shape[1]):
        assert rejection_rate(null_p[:, col], 0.05).low <= 0.05
    # Random tiny models emit partial UTF-8 bytes whose re-encoding makes scores noisy, so the effect is moderate
    # and depends on the draw of the pools: over sampling seeds 0 and 1 the rank test's rate was 0.83 and 0.80
    # (combined 0.78 and 0.68) in 40 trials each (with 6 tokens instead of 10: 0.68, 0.90, 1.00 over 3 seeds).
    assert rejection_rate(alt_p[:, 1], 0.05).rate >= 0.6  # the likelihood rank test sees the substitution
    assert rejection_rate(alt_p[:, 2], 0.05).rate >= 0.6


def test_store_makes_reruns_pay_only_for_new_samples(sharp, make_sharp):
    store = SampleStore(":memory:")
    r1 = verify(make_sharp(3), sharp, PROMPTS[:2], _cfg(3), store=store)
    assert (r1.spend.calls_new, r1.spend.calls_cached) == (6, 0)
    assert r1.spend.cost_usd > 0 and r1.spend.completion_tokens > 0
    r2 = verify(make_sharp(3), sharp, PROMPTS[:2], _cfg(5), store=store)
    assert (r2.spend.calls_new, r2.spend.calls_cached) == (4, 6)
    d = r2.to_dict()
    assert d["spend"]["calls_new"] == 4 and d["evidence"][-1]["name"] == "verify.combined"


@pytest.mark.slow
def test_served_endpoint_over_loopback_honest_and_substituted(sharp, make_sharp):
    from distillscope.models import load_model
    from distillscope.serve import serve_in_thread

    store = SampleStore(":memory:")
    cfg = _cfg(6)
    with serve_in_thread(make_sharp(0), name="sharp-tiny") as url:
        honest = verify(load_model(f"openai:sharp-tiny@{url}"), sharp, PROMPTS, cfg, store=store)
    with serve_in_thread(make_sharp(7), name="sharp-tiny") as url:
        swapped = verify(load_model(f"openai:sharp-tiny@{url}"), sharp, PROMPTS, cfg, store=store)
    names = [e.name for e in honest.evidence]
    assert "verify.logprob_match" in names and "verify.likelihood_rank" in names  # logprobs came back
    assert not honest.substituted, honest.verdict
    match = next(e for e in honest.evidence if e.name == "verify.logprob_match")
    assert match.details["median_abs_diff"] < 1e-4
    assert swapped.substituted, swapped.verdict
    assert swapped.combined.p_value < 0.01
    assert honest.declared_models == ["sharp-tiny"]
