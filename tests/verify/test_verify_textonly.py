"""The text-only tests of `verify`: proxy-likelihood and format statistics. Null calibration and known positives on
synthetic features, then on tiny models end to end (a black-box reference, the proxy a local model)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from distillscope.models.base import Model
from distillscope.stats.power import rejection_rate
from distillscope.store import SampleStore
from distillscope.verify import (
    BatteryConfig,
    PromptSamples,
    SampleSet,
    VerifyConfig,
    collect,
    run_battery,
    verify,
)
from distillscope.verify.battery import feature_statistic
from distillscope.verify.features import PROXY_FEATURES, ProxyScorer, format_features

PROMPTS = ["Name a color.", "Say a word.", "Tell a joke.", "Write a slogan.", "Pick a name.", "Greet me."]


def _set(rng, P=6, n=8, proxy_shift=0.0, longer=0, stop_e=0.5, refusals=0.0):
    groups = []
    for p in range(P):
        base = rng.normal(0, 1, 4) * 3  # prompt effects: the test must not mistake them for a difference
        ef = rng.normal(0, 1, (n, 4)) + base
        ef[:, 1] += proxy_shift
        groups.append(PromptSamples(
            prompt=f"p{p}",
            endpoint=[("I'm sorry, " if rng.random() < refusals else "") + "x" * int(rng.integers(5, 40) + longer)
                      for _ in range(n)],
            reference=["x" * int(rng.integers(5, 40)) for _ in range(n)],
            endpoint_proxy=ef, reference_proxy=rng.normal(0, 1, (n, 4)) + base,
            endpoint_finish=["stop" if rng.random() < stop_e else "length" for _ in range(n)],
            reference_finish=["stop" if rng.random() < 0.5 else "length" for _ in range(n)],
        ))
    return SampleSet(groups, proxy_spec="synthetic")


def _pvals(rng, trials=80, n_perm=99, **kw):
    out: dict[str, list[float]] = {}
    for t in range(trials):
        for e in run_battery(_set(rng, **kw), BatteryConfig(n_perm=n_perm, seed=t)):
            out.setdefault(e.name, []).append(e.p_value)
    return out


def test_null_calibrated_for_the_text_only_tests():
    ps = _pvals(np.random.default_rng(0))
    assert {"verify.proxy_likelihood", "verify.format", "verify.combined"} <= set(ps)
    for name in ("verify.proxy_likelihood", "verify.format", "verify.combined"):
        assert rejection_rate(ps[name], 0.05).low <= 0.05, name
        assert np.mean(np.array(ps[name]) < 0.5) == pytest.approx(0.5, abs=0.17), name  # roughly uniform


@pytest.mark.parametrize("kw,name", [
    ({"proxy_shift": 1.2}, "verify.proxy_likelihood"),
    ({"proxy_shift": -1.2}, "verify.proxy_likelihood"),  # two-sided
    ({"longer": 20}, "verify.format"),
    ({"stop_e": 1.0}, "verify.format"),
    ({"refusals": 0.7}, "verify.format"),
])
def test_known_positives_of_the_text_only_tests(kw, name):
    ps = _pvals(np.random.default_rng(1), trials=20, n_perm=499, **kw)
    assert rejection_rate(ps[name], 0.05).rate >= 0.9, name
    # Fisher's combination with components that carry no signal keeps most, not all, of the power
    assert rejection_rate(ps["verify.combined"], 0.05).rate >= 0.7


def test_feature_statistic_by_hand():
    # one prompt, one feature: endpoint [1, 3], reference [0, 0] -> d = 2, pooled var of [1,3,0,0] around 1 = 2,
    # se = sqrt(2 * (1/2 + 1/2)) = sqrt(2), z = 2 / sqrt(2)
    feats = np.array([[[1.0], [3.0], [0.0], [0.0]]])
    valid = np.ones((1, 4), bool)
    labels = np.array([[1.0, 1.0, 0.0, 0.0]])
    stat, z = feature_statistic(feats, valid, labels)
    assert z[0] == pytest.approx(2 / np.sqrt(2)) and stat == pytest.approx(np.sqrt(2))
    # NaN entries take the prompt mean; a constant feature contributes 0
    feats = np.array([[[1.0, 5.0], [np.nan, 5.0], [0.0, 5.0], [0.0, 5.0]]])
    stat, z = feature_statistic(feats, valid, labels)
    assert np.isfinite(z).all() and z[1] == 0.0


def test_unknown_finish_reasons_do_not_enter_the_stop_feature():
    rng = np.random.default_rng(5)
    ss = _set(rng, stop_e=1.0)
    for p in ss.prompts:  # recorded reference text: finish reasons unknown
        p.reference_finish = [""] * len(p.reference)
    ev = {e.name: e for e in run_battery(ss, BatteryConfig(n_perm=99))}
    assert ev["verify.format"].details["z"]["stopped"] == 0.0
    f = format_features(["I'm sorry, I can't", "Sure!"], ["stop", "length"])
    assert f[:, 1].tolist() == [1.0, 0.0] and f[:, 2].tolist() == [1.0, 0.0]


class _Endpoint(Model):
    """A black-box view of a model (generation only), optionally changing every request's sampling settings."""

    capabilities = frozenset({"text"})

    def __init__(self, inner, spec, **changes) -> None:
        self.inner, self.spec, self.changes = inner, spec, changes
        self.batch_size = 64

    def _generate(self, requests, progress=None):
        return self.inner.generate([dataclasses.replace(r, **self.changes) for r in requests], progress)


def test_proxy_surprise_is_centred_on_self_samples_and_moves_with_temperature(sharp):
    from distillscope.models import GenRequest

    scorer = ProxyScorer(sharp)
    out = {}
    for t in (1.0, 0.5):
        reqs = [GenRequest.chat(p, max_tokens=8, temperature=t, seed_index=i) for p in PROMPTS[:3] for i in range(40)]
        comps = sharp.generate(reqs)
        f = scorer.features([(r, c.text) for r, c in zip(reqs, comps)])
        # the random tiny model emits partial UTF-8 bytes: keep the texts whose re-encoding gives back the
        # sampled tokens, on which the features are exactly those of the sampled sequence
        same = np.array([sharp.encode(c.text) == c.token_ids and len(c.token_ids) > 0 for c in comps])
        out[t] = (f[same], f[~np.isnan(f).any(1)])
    s = PROXY_FEATURES.index("mean_surprise")
    exact = out[1.0][0][:, s]
    assert len(exact) >= 30 and abs(exact.mean()) < 4 * exact.std() / np.sqrt(len(exact))
    warm, cold = out[1.0][1][:, s], out[0.5][1][:, s]  # all texts, re-encoded the same way at both temperatures
    se = np.hypot(warm.std() / np.sqrt(len(warm)), cold.std() / np.sqrt(len(cold)))
    assert cold.mean() > warm.mean() + 4 * se  # colder sampling: more probable tokens
    assert np.isnan(scorer.features([(reqs[0], "")])).all()


@pytest.mark.slow
def test_text_only_null_and_known_positive_on_tiny_models(sharp):
    # The reference is black-box (generation only); the proxy is the same tiny model, used only to score texts.
    store = SampleStore(":memory:")
    cfg = VerifyConfig(samples=12, max_tokens=8, battery=BatteryConfig(n_perm=99))
    ref = _Endpoint(sharp, "test:black-box-ref")
    pool, _, _ = collect(_Endpoint(sharp, "test:same"), ref, PROMPTS, cfg, store=store, proxy=sharp)
    rng = np.random.default_rng(0)
    null_p = []
    for t in range(80):  # random halves of one model's 24 completions per prompt: exact null draws
        groups = []
        for g in pool.prompts:
            texts = g.endpoint + g.reference
            feats = np.concatenate([g.endpoint_proxy, g.reference_proxy])
            fin = g.endpoint_finish + g.reference_finish
            idx = rng.permutation(len(texts))
            a, b = idx[:12], idx[12:]
            groups.append(PromptSamples(g.prompt, [texts[i] for i in a], [texts[i] for i in b],
                                        endpoint_proxy=feats[a], reference_proxy=feats[b],
                                        endpoint_finish=[fin[i] for i in a], reference_finish=[fin[i] for i in b]))
        ev = run_battery(SampleSet(groups), BatteryConfig(n_perm=99, seed=t))
        null_p.append({e.name: e.p_value for e in ev})
    for name in ("verify.mmd_hamming", "verify.proxy_likelihood", "verify.format", "verify.combined"):
        assert rejection_rate([x[name] for x in null_p], 0.05).low <= 0.05, name
    # known positive: the endpoint samples at temperature 0.7 while claiming 1.0; the Hamming MMD is blind to it
    cfg = VerifyConfig(samples=12, max_tokens=8, battery=BatteryConfig(n_perm=199))
    rep = verify(_Endpoint(sharp, "test:cold", temperature=0.7), ref, PROMPTS, cfg, store=store, proxy=sharp)
    ev = {e.name: e for e in rep.evidence}
    assert ev["verify.proxy_likelihood"].p_value < 0.01 and rep.substituted
    assert ev["verify.proxy_likelihood"].details["z"]["mean_surprise"] > 0


def test_proxy_pass_gives_the_reference_likelihood(sharp):
    from distillscope.models import GenRequest
    from distillscope.verify.scoring import Scorer

    reqs = [GenRequest.chat(p, max_tokens=8, seed_index=i) for p in PROMPTS[:2] for i in range(3)]
    items = [(r, c.text) for r, c in zip(reqs, sharp.generate(reqs))] + [(reqs[0], "")]
    sums = ProxyScorer(sharp).summed_logprobs(items)
    ref = [s.sum() for s in Scorer(sharp).score_texts(items)]
    assert sums == pytest.approx(ref, abs=1e-3) and sums[-1] == 0.0
