"""Output defences (fingerprint bias, log-probability coarsening, antidistillation tilt) and the token budget of
closed-setting radioactivity: exact null (uniform p-values under unrelated keys) and known positives."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import stats

from distillscope.errors import InputError
from distillscope.models import GenRequest
from distillscope.models.base import Completion, TokenLogprob
from distillscope.watermark import (
    Perturbation,
    WatermarkConfig,
    closed_radioactivity,
    make_scheme,
    tokens_needed,
    utility_cost,
    watermark_model,
)
from distillscope.watermark.defences import (
    AntidistillationTilt,
    coarsen_logprobs,
    coarsen_tensor,
    decoy_logprobs,
    fingerprint_mask,
    redact_trace,
)


def test_fingerprint_mask_is_keyed_and_sized():
    a, b = fingerprint_mask("k1", 1000, 0.25), fingerprint_mask("k2", 1000, 0.25)
    assert a.sum() == 250 and b.sum() == 250
    assert torch.equal(a, fingerprint_mask("k1", 1000, 0.25)) and not torch.equal(a, b)
    with pytest.raises(InputError, match="fingerprint_key"):
        Perturbation(fingerprint_bias=1.0)


def test_fingerprint_bias_moves_samples_towards_the_mask(teacher):
    """Known positive: with bias 4 most sampled tokens are fingerprinted (vs ~25% of a uniform pick)."""
    reqs = [GenRequest.chat(f"Tell me about {i}.", max_tokens=24, temperature=1.0, seed_index=i) for i in range(4)]
    pert = Perturbation(fingerprint_bias=4.0, fingerprint_key="fp", fingerprint_gamma=0.25)
    mask = fingerprint_mask("fp", teacher.vocab_size, 0.25)

    def rate(outs):
        toks = [t for o in outs for t in o.token_ids]
        return float(mask[toks].mean())

    clean, fp = rate(teacher.generate(reqs)), rate(watermark_model(teacher, perturbation=pert).generate(reqs))
    assert fp > clean + 0.3
    assert utility_cost(teacher, ["a few words of text here"], perturbation=pert)["kl"] > 0


def test_coarsen_logprobs_rounds_and_truncates_without_touching_text(teacher):
    req = [GenRequest.chat("Hi.", max_tokens=8, temperature=1.0, logprobs=True, top_logprobs=5)]
    c = teacher.generate(req)[0]
    (d,) = coarsen_logprobs([c], step=0.5, top_max=2)
    assert d.text == c.text and d.token_ids == c.token_ids
    for a, b in zip(c.logprobs, d.logprobs):
        assert len(b.top) == 2 and [s for s, _ in b.top] == [s for s, _ in a.top[:2]]
        assert abs(b.logprob - a.logprob) <= 0.25 + 1e-9 and b.logprob <= 0
        assert all(math.isclose(v / 0.5, round(v / 0.5), abs_tol=1e-9) for _, v in b.top)
    assert torch.equal(coarsen_tensor(torch.tensor([-0.3, -1.2]), 1.0), torch.tensor([-0.0, -1.0]))


def _completion(tokens: list[str], top: list[list[tuple[str, float]]]) -> Completion:
    lps = [TokenLogprob(t, dict(tp).get(t, tp[-1][1]), i, tp) for i, (t, tp) in enumerate(zip(tokens, top))]
    return Completion("".join(tokens), token_ids=list(range(len(tokens))), logprobs=lps)


def test_decoy_raises_the_runner_up_and_keeps_the_top_token_first():
    top = [[("a", math.log(0.9)), ("b", math.log(0.05)), ("c", math.log(0.01))],
           [("x", math.log(0.55)), ("y", math.log(0.45))], [("z", 0.0)]]
    c = _completion(["a", "y", "z"], top)
    (d,) = decoy_logprobs([c], margin=0.25)
    assert d.text == c.text and d.token_ids == c.token_ids
    (a0, v0), (a1, v1), (a2, v2) = d.logprobs[0].top
    assert (a0, a1, a2) == ("a", "b", "c") and v0 - v1 == pytest.approx(0.25) and v0 > v1
    # renormalised for the mass added to the runner-up: the three served alternatives now hold 0.96 + added mass
    added = 0.9 * math.exp(-0.25) - 0.05
    assert math.exp(v0) == pytest.approx(0.9 / (1 + added)) and math.exp(v2) == pytest.approx(0.01 / (1 + added))
    assert d.logprobs[0].logprob == pytest.approx(v0)
    # a runner-up already within the margin is not lowered; the sampled runner-up's own logprob follows it
    assert d.logprobs[1].top == c.logprobs[1].top and d.logprobs[1].logprob == pytest.approx(math.log(0.45))
    assert d.logprobs[2] == c.logprobs[2]  # a single alternative: nothing to raise
    with pytest.raises(InputError, match="margin"):
        decoy_logprobs([c], margin=0.0)


def test_redact_trace_withholds_the_trace_text_tokens_and_logprobs():
    toks = ["Sure", " <th", "ink>", "3+4", "=7", " so", "</think>", " 7", ".", " <think>", "again"]
    c = _completion(toks, [[(t, -0.1), ("?", -3.0)] for t in toks])
    (d,) = redact_trace([c], "<think>", "</think>", "[hidden]")
    assert d.text == "Sure <think>[hidden]</think> 7. <think>[hidden]"  # an unclosed trace runs to the end
    assert "".join(t.token for t in d.logprobs) == d.text
    assert [t.token for t in d.logprobs] == ["Sure", " <th", "ink>", "[hidden]", "</think>", " 7", ".",
                                            " <think>", "[hidden]"]
    hidden = [t for t in d.logprobs if "[hidden]" in t.token]
    assert all(t.logprob == 0.0 and t.token_id is None and t.top == [(t.token, 0.0)] for t in hidden)
    assert d.token_ids == [0, 1, 2, 6, 7, 8, 9]  # the trace's tokens (3, 4, 5, 10) are not served
    # a token that straddles a marker keeps the marker's characters next to the placeholder
    (e,) = redact_trace([_completion(["a<t>x", "y</t>b"], [[("a<t>x", 0.0)], [("y</t>b", 0.0)]])], "<t>", "</t>",
                        "_")
    assert e.text == "a<t>_</t>b" and [t.token for t in e.logprobs] == ["a<t>_</t>b"] and e.token_ids == []
    # no trace: unchanged; tokens that do not add up to the text: no logprobs or ids are served at all
    assert redact_trace([_completion(["no", " trace"], [[("no", 0.0)], [(" trace", 0.0)]])], "<t>", "")[0].text \
        == "no trace"
    odd = Completion("x<t>secret", token_ids=[1, 2], logprobs=[TokenLogprob("x", 0.0, 1), TokenLogprob("?", 0.0, 2)])
    (f,) = redact_trace([odd], "<t>", "", "_")
    assert f.text == "x<t>_" and f.logprobs is None and f.token_ids is None
    with pytest.raises(InputError, match="trace_open"):
        Perturbation(trace_close="</t>")


def test_antidistillation_tilt_is_the_directional_derivative():
    """The +-eps finite difference equals the exact Jacobian-vector product of log p along the direction."""
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    m = GPT2LMHeadModel(GPT2Config(vocab_size=11, n_embd=16, n_layer=1, n_head=2, n_positions=16,
                                   bos_token_id=0, eos_token_id=0, attn_implementation="eager")).double()
    with pytest.raises(InputError, match="eval"):
        AntidistillationTilt.from_loss(m, lambda mod: mod(input_ids=torch.zeros(1, 2, dtype=torch.long)).logits.sum(),
                                       eps=1e-4)(torch.zeros(1, 2, dtype=torch.long))
    m.eval()
    x = torch.randint(0, 11, (3, 5))
    y = torch.randint(0, 11, (3,))

    def loss(mod):
        return torch.nn.functional.cross_entropy(mod(input_ids=x).logits[:, -1], y)

    tilt = AntidistillationTilt.from_loss(m, loss, eps=1e-4)
    names = [k for k, _ in m.named_parameters()]
    params = dict(m.named_parameters())
    direction = {k: (tilt.plus[k] - tilt.minus[k]) / (2 * tilt.eps) for k in names}

    def logp(*ps):
        out = torch.func.functional_call(m, dict(zip(names, ps)), args=(), kwargs={"input_ids": x})
        return torch.log_softmax(out.logits[:, -1], -1)

    _, jvp = torch.func.jvp(logp, tuple(params[k].detach() for k in names), tuple(direction[k] for k in names))
    got = tilt(x).double()
    assert torch.allclose(got, jvp, atol=1e-4, rtol=1e-3), float((got - jvp).abs().max())
    norm = math.sqrt(sum(float((direction[k] ** 2).sum()) for k in names))
    assert norm == pytest.approx(1.0, rel=1e-6)
    # training on the tokens the tilt favours raises the proxy's loss: one SGD step on argmax(tilt) vs argmin
    up, down = got.argmax(-1), got.argmin(-1)
    after = {}
    for name, tok in (("up", up), ("down", down)):
        m2 = GPT2LMHeadModel(m.config).double().eval()
        m2.load_state_dict(m.state_dict())
        opt = torch.optim.SGD(m2.parameters(), lr=1e-2)
        torch.nn.functional.cross_entropy(m2(input_ids=x).logits[:, -1], tok).backward()
        opt.step()
        with torch.no_grad():
            after[name] = float(loss(m2))
    assert after["up"] > after["down"]


# --- closed-setting radioactivity with a token budget -------------------------------------------------------------
V = 512


def _bigram(seed: int, succ: int = 24) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    z = torch.full((V, V), -1e9)
    for a in range(V):
        z[a, torch.randperm(V, generator=g)[:succ]] = torch.randn(succ, generator=g)
    return z


def _sample(z: torch.Tensor, n: int, length: int, seed: int) -> list[list[int]]:
    g = torch.Generator().manual_seed(seed)
    cur = torch.randint(0, V, (n,), generator=g)
    out = [cur]
    for _ in range(length - 1):
        cur = torch.multinomial(torch.softmax(z[cur], -1), 1, generator=g)[:, 0]
        out.append(cur)
    return torch.stack(out, 1).tolist()


@pytest.mark.slow
def test_budget_caps_scored_tuples_and_keeps_the_null_exact():
    """Null: text from a model that never saw the key; 200 unrelated keys at a budget -> uniform p-values."""
    texts = _sample(_bigram(1), 40, 100, 0)
    ev = closed_radioactivity(texts, WatermarkConfig(key="k"), vocab_size=V, max_scored=500)
    c = ev.details["counts"]
    assert c["n_scored"] == 500 and c["n_over_budget"] > 0 and ev.params["max_scored"] == 500
    ps = [closed_radioactivity(texts, WatermarkConfig(key=f"null-{j}"), vocab_size=V, max_scored=1500).p_value
          for j in range(200)]
    assert stats.kstest(ps, "uniform").pvalue > 1e-3
    for alpha in (0.05, 0.01):
        assert np.mean(np.asarray(ps) < alpha) <= alpha + 3 * math.sqrt(alpha * (1 - alpha) / 200)


def test_small_watermarked_fraction_is_detected_given_enough_tuples():
    """Known positive: a suspect whose bigrams are a 10% watermarked mixture is caught at a large budget, not at a
    tiny one, and tokens_needed predicts the budget within a factor of a few."""
    cfg = WatermarkConfig(key="secret", delta=2.0)
    scheme = make_scheme(cfg, V)
    green = torch.stack([scheme.token_scores([a]) for a in range(V)])
    z = _bigram(2)
    p = 0.9 * torch.softmax(z, -1) + 0.1 * torch.softmax(z + 2.0 * green, -1)
    excess = float((p * green).sum(-1).mean()) - scheme.p0
    texts = _sample(torch.log(p), 120, 100, 3)
    small = closed_radioactivity(texts, cfg, vocab_size=V, max_scored=200)
    big = closed_radioactivity(texts, cfg, vocab_size=V)
    assert big.details["counts"]["n_scored"] > 5000
    assert big.p_value < 1e-4 < small.p_value
    need = tokens_needed(excess, alpha=1e-4, power=0.5)
    assert need < 4 * big.details["counts"]["n_scored"]
    assert closed_radioactivity(texts, WatermarkConfig(key="other"), vocab_size=V).p_value > 1e-3


def test_tokens_needed_shrinks_with_the_excess():
    assert tokens_needed(0.01) > tokens_needed(0.02) > tokens_needed(0.1) > 0
    # p0 = 0.25, excess 0.0125 (5% of a 0.25 excess), alpha 1e-6, power 0.9: tens of thousands of tuples
    assert 20_000 < tokens_needed(0.0125) < 60_000
    with pytest.raises(InputError):
        tokens_needed(0.0)
