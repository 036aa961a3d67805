"""The recorded-text reference: the endpoint's n completions per prompt against m > n recorded reference texts,
both seen only through a proxy LM that is NOT the reference (here a synthetic bigram model different from the
reference's). Null calibration of the text-only tests and of their combination (NPC min, the default) with
unequal sides, and known positives (a green-list watermark keyed to the previous token, a lower temperature)."""

from __future__ import annotations

import numpy as np
import pytest

from distillscope.stats.power import rejection_rate
from distillscope.verify import BatteryConfig, PromptSamples, SampleSet, run_battery
from distillscope.verify.features import TokenRecord

V = 40
TESTS = ("verify.mmd_hamming", "verify.proxy_likelihood", "verify.token_kernel")


def _bigram(rng, scale=2.0):
    p = np.exp(rng.normal(0, scale, (V, V)))
    return p / p.sum(1, keepdims=True)


def _related(rng, ref, noise=1.0):
    """Another model of the same language: the reference's log-probabilities shrunk and perturbed (a proxy LM
    is useful for the likelihood features only as far as its preferences correlate with the reference's)."""
    p = np.exp(0.7 * np.log(ref) + rng.normal(0, noise, ref.shape))
    return p / p.sum(1, keepdims=True)


def _complete(rng, ref, proxy, start, length=12, green=None, delta=0.0, temp=1.0):
    """One completion of the reference bigram model (optionally reweighted), as the proxy sees it: its text, its
    proxy features (mean logprob, surprise, entropy, log rank) and its token record."""
    ids, prev = [], start
    for _ in range(length):
        q = ref[prev] ** (1 / temp) * (np.exp(delta * green[prev]) if green is not None else 1.0)
        x = int(rng.choice(V, p=q / q.sum()))
        ids.append(x)
        prev = x
    ctx = np.array([start, *ids[:-1]])
    p = proxy[ctx]  # the proxy's next-token distributions along the completion
    lp = np.log(p[np.arange(length), ids])
    ent = -(p * np.log(p)).sum(1)
    rank = (p > p[np.arange(length), ids][:, None]).sum(1)
    feats = np.array([lp.mean(), (lp + ent).mean(), ent.mean(), np.log1p(rank).mean()])
    order = np.argsort(-p, axis=1)[:, :32]
    rec = TokenRecord(np.array(ids), np.array([start]), order, np.take_along_axis(p, order, 1).astype(np.float32))
    return "".join(chr(0x61 + i) for i in ids), feats, rec


def _set(rng, ref, proxy, P=4, n=6, m=18, **endpoint):
    groups = []
    for s in range(P):
        e = [_complete(rng, ref, proxy, s, **endpoint) for _ in range(n)]
        r = [_complete(rng, ref, proxy, s) for _ in range(m)]
        groups.append(PromptSamples(
            prompt=f"p{s}", endpoint=[x[0] for x in e], reference=[x[0] for x in r],
            endpoint_proxy=np.array([x[1] for x in e]), reference_proxy=np.array([x[1] for x in r]),
            endpoint_tokens=[x[2] for x in e], reference_tokens=[x[2] for x in r]))
    return SampleSet(groups, proxy_spec="another bigram model")


def _pvals(seed, trials, n_perm=99, **kw):
    rng = np.random.default_rng(seed)
    ref = _bigram(rng)
    proxy = _related(rng, ref)  # not the reference: a different model of the same language
    out: dict[str, list[float]] = {}
    for t in range(trials):
        for e in run_battery(_set(rng, ref, proxy, **kw), BatteryConfig(n_perm=n_perm, seed=t, tests=TESTS)):
            out.setdefault(e.name, []).append(e.p_value)
    return out


def test_default_combination_is_min():
    assert BatteryConfig().npc == "min"


def test_null_calibrated_with_more_recorded_reference_texts_than_endpoint_samples():
    ps = _pvals(0, trials=100)
    assert set(ps) == {*TESTS, "verify.combined"}
    for name, p in ps.items():
        assert rejection_rate(p, 0.05).low <= 0.05, name
        assert np.mean(np.array(p) < 0.5) == pytest.approx(0.5, abs=0.15), name  # roughly uniform


@pytest.mark.parametrize("kw,name", [
    ({"green": "quarter", "delta": 2.0}, "verify.token_kernel"),
    ({"temp": 0.7}, "verify.proxy_likelihood"),
])
def test_known_positives_through_a_proxy_that_is_not_the_reference(kw, name):
    if kw.get("green") == "quarter":
        kw = {**kw, "green": (np.random.default_rng(5).random((V, V)) < 0.25).astype(float)}
    ps = _pvals(1, trials=20, n_perm=199, **kw)
    assert rejection_rate(ps[name], 0.05).rate >= 0.8, name
    assert rejection_rate(ps["verify.combined"], 0.05).rate >= 0.8
