"""The centered token kernel (`verify.token_kernel`): the Gram matrices by hand, null calibration and known positives
on a synthetic bigram language model (a KGW-style green-list watermark keyed to the previous token, a lower
temperature), and a watermarked tiny model end to end."""

from __future__ import annotations

import numpy as np
import pytest

from distillscope.stats.power import rejection_rate
from distillscope.verify import BatteryConfig, PromptSamples, SampleSet, VerifyConfig, run_battery, verify
from distillscope.verify.features import TokenRecord
from distillscope.verify.kernel import completion_grams, kernel_statistic

V = 40


def _bigram(rng):
    logits = rng.normal(0, 2.0, (V, V))
    return np.exp(logits - logits.max(1, keepdims=True))


def _sample(rng, probs, start, length, green=None, delta=0.0, temp=1.0):
    """One completion from the bigram model (optionally reweighted by green lists or a temperature) and its
    record under the unmodified model (the reference as proxy)."""
    ids, ps, prev = [], [], start
    for _ in range(length):
        p = probs[prev] / probs[prev].sum()
        q = p ** (1 / temp) * (np.exp(delta * green[prev]) if green is not None else 1.0)
        q = q / q.sum()
        x = int(rng.choice(V, p=q))
        ids.append(x)
        ps.append(p)
        prev = x
    ps = np.array(ps)
    order = np.argsort(-ps, axis=1)[:, :32]
    return TokenRecord(np.array(ids), np.array([start]), order, np.take_along_axis(ps, order, 1).astype(np.float32))


def _set(rng, probs, P=4, n=8, length=12, **kw):
    groups = []
    for p in range(P):
        e = [_sample(rng, probs, p, length, **kw) for _ in range(n)]
        r = [_sample(rng, probs, p, length) for _ in range(n)]
        groups.append(PromptSamples(prompt=f"p{p}", endpoint=["x"] * n, reference=["y"] * n,
                                    endpoint_tokens=e, reference_tokens=r))
    return SampleSet(groups, proxy_spec="bigram")


def _pvals(seed, trials, n_perm=99, **kw):
    rng = np.random.default_rng(seed)
    probs = _bigram(rng)
    out = []
    for t in range(trials):
        ev = run_battery(_set(rng, probs, **kw), BatteryConfig(n_perm=n_perm, seed=t, tests=("verify.token_kernel",)))
        out.append(ev[0].p_value)
    return np.array(out)


def test_grams_by_hand():
    # two completions of one prompt, one token each after the same previous token 7; vocab {0, 1, 2}
    a = TokenRecord(np.array([0]), np.array([7]), np.array([[0, 1]]), np.array([[0.5, 0.5]], np.float32))
    b = TokenRecord(np.array([1]), np.array([7]), np.array([[0, 2]]), np.array([[0.25, 0.75]], np.float32))
    g = completion_grams([a, b], [0, 0], keys=("prompt", "prev1", "prev4"))
    # v_a = e0 - (.5 e0 + .5 e1) = (.5, -.5, 0); v_b = e1 - (.25 e0 + .75 e2) = (-.25, 1, -.75)
    # <v_a, v_b> = -.125 - .5 = -.625; no pairs within one completion (one token each)
    for key in ("prompt", "prev1", "prev4"):
        assert g[key] == pytest.approx(np.array([[0.0, -0.625], [-0.625, 0.0]]))
    # another previous token: no keyed pair, except through the prompt key
    c = TokenRecord(np.array([1]), np.array([8]), b.topk_ids, b.topk_p)
    g = completion_grams([a, c], [0, 0], keys=("prompt", "prev1"))
    assert g["prev1"][0, 1] == 0.0 and g["prompt"][0, 1] == pytest.approx(-0.625)
    # MMD of labels (1, 0): within-endpoint 0 + within-reference 0 - 2 x between
    assert kernel_statistic(g["prompt"], np.array([1.0, 0.0])) == pytest.approx(1.25)
    # uncentered: one-hots of different tokens are orthogonal; a repeated token counts 1
    g = completion_grams([a, b, a], [0, 0, 0], keys=("prompt_raw",))["prompt_raw"]
    assert g == pytest.approx(np.array([[0.0, 0.0, 1.0], [0.0, 0.0, 0.0], [1.0, 0.0, 0.0]]))


def test_null_calibrated():
    p = _pvals(0, trials=100)
    assert rejection_rate(p, 0.05).low <= 0.05
    assert np.mean(p < 0.5) == pytest.approx(0.5, abs=0.15)  # roughly uniform


def test_known_positive_green_list_watermark():
    green = (np.random.default_rng(5).random((V, V)) < 0.25).astype(float)  # a green quarter per previous token
    p = _pvals(1, trials=20, n_perm=199, green=green, delta=2.0)
    assert rejection_rate(p, 0.05).rate >= 0.9


def test_watermarked_tiny_model_end_to_end(make_sharp):
    from distillscope.watermark import WatermarkConfig, watermark_model

    # peaked enough (x12) that completions of a prompt share tokens; random tiny models rarely repeat a context
    ref = make_sharp(0, 12.0)
    wm = watermark_model(ref, WatermarkConfig(key="k", scheme="kgw", delta=4.0, gamma=0.25))
    prompts = ["Name a color.", "Say a word.", "Tell a joke.", "Write a slogan."]
    cfg = VerifyConfig(samples=10, max_tokens=24, tokenizer_calls=0, battery=BatteryConfig(n_perm=199))
    ev = {e.name: e for e in verify(wm, ref, prompts, cfg, store=False).evidence}
    assert ev["verify.token_kernel"].p_value < 0.05
    assert set(ev["verify.token_kernel"].details["z"]) == {"prompt", "prev1", "prev4", "prompt_raw"}


def test_empty_completions_carry_nothing():
    empty = TokenRecord(np.zeros(0, np.int64), np.array([3]), np.zeros((0, 32), np.int64), np.zeros((0, 32), np.float32))
    a = TokenRecord(np.array([0]), np.array([7]), np.array([[0, 1]]), np.array([[0.5, 0.5]], np.float32))
    g = completion_grams([empty, a, empty], [0, 0, 0])
    for key, m in g.items():
        assert m.shape == (3, 3) and not m[0].any() and not m[2].any(), key
    assert not any(m.any() for m in completion_grams([empty, empty], [0, 0]).values())
