"""Watermark generation and detection: known positives, exact-null calibration, dedup, perturbation cost."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from distillscope.errors import InputError
from distillscope.models import GenRequest
from distillscope.watermark import (
    Perturbation,
    WatermarkConfig,
    count_hits,
    detect,
    make_scheme,
    utility_cost,
    watermark_model,
)

V = 2048  # tiny-llama vocabulary


def test_config_ids_and_validation():
    a, b = WatermarkConfig(key="s1"), WatermarkConfig(key="s1", gamma=0.5)
    assert a.key_id == WatermarkConfig(key="s1", delta=5.0).key_id  # strength, not identity
    assert a.key_id == WatermarkConfig(key="s1").key_id != b.key_id
    assert "s1" not in str(a.public_dict()) and a.public_dict()["key_id"] == a.key_id
    assert a.hashing_key != WatermarkConfig(key="s2").hashing_key
    with pytest.raises(InputError, match="context_width"):
        WatermarkConfig.load({"key": "x", "context_width": 2})
    with pytest.raises(InputError, match="gamma"):
        WatermarkConfig.load({"key": "x", "gamma": 1.5})
    assert WatermarkConfig.load("bare-secret").key == "bare-secret"


def test_kgw_known_positive_and_clean_negative(kgw_texts, kgw_cfg, teacher):
    wm, clean = kgw_texts
    per, pooled, ev = detect([c.token_ids for c in wm], kgw_cfg, vocab_size=V)
    assert pooled.counts.n_scored > 150
    assert ev.p_value < 1e-10 and pooled.counts.log10_p < -10
    assert all(d.counts.p_value < 1e-2 for d in per)
    _, pooled_c, _ = detect([c.token_ids for c in clean], kgw_cfg, vocab_size=V)
    assert pooled_c.counts.p_value > 1e-3
    # strings go through the tokenizer; the watermark survives decode/re-encode
    _, pooled_s, _ = detect([c.text for c in wm], kgw_cfg, tokenizer=teacher.tokenizer, vocab_size=V)
    assert pooled_s.counts.p_value < 1e-6


def test_kgw_counts_match_transformers_detector(kgw_texts, kgw_cfg):
    wm, _ = kgw_texts
    scheme = make_scheme(kgw_cfg, V)
    per, _, _ = detect([c.token_ids for c in wm], kgw_cfg, vocab_size=V)
    for d, c in zip(per, wm):
        mine = count_hits(scheme, [c.token_ids])
        assert (d.counts.n_scored, d.counts.hits) == (mine.n_scored, mine.hits)


def test_synthid_known_positive_and_clean_negative(synthid_texts, synthid_cfg):
    wm, clean = synthid_texts
    _, pooled, _ = detect([c.token_ids for c in wm], synthid_cfg, vocab_size=V)
    assert pooled.counts.trials == pooled.counts.n_scored * 12
    assert pooled.counts.p_value < 1e-10
    _, pooled_c, _ = detect([c.token_ids for c in clean], synthid_cfg, vocab_size=V)
    assert pooled_c.counts.p_value > 1e-3


@pytest.mark.slow
def test_null_pvalues_uniform_over_keys(kgw_texts):
    """Clean text scored against 200 unrelated keys: FPR <= alpha and p-values roughly uniform."""
    _, clean = kgw_texts
    seqs = [c.token_ids for c in clean]
    ps = np.array([count_hits(make_scheme(WatermarkConfig(key=f"null-{k}"), V), seqs).p_value for k in range(200)])
    for alpha in (0.01, 0.05, 0.1):
        # exact binomial tails are conservative; allow binomial sampling noise over 200 keys
        assert (ps < alpha).mean() <= alpha + 3 * np.sqrt(alpha * (1 - alpha) / 200)
    assert stats.kstest(ps, "uniform").pvalue > 1e-3


@pytest.mark.slow
def test_repeated_ngrams_counted_once(kgw_texts):
    """Repeating one clean text inflates naive counts into false positives; dedup keeps the null."""
    _, clean = kgw_texts
    seq = clean[0].token_ids
    naive, dedup = [], []
    for k in range(200):
        sch = make_scheme(WatermarkConfig(key=f"rep-{k}"), V)
        naive.append(count_hits(sch, [seq] * 30, dedup=False).p_value)
        c = count_hits(sch, [seq] * 30)
        single = count_hits(sch, [seq])
        assert (c.n_scored, c.hits) == (single.n_scored, single.hits)
        dedup.append(c.p_value)
    assert np.mean(np.array(naive) < 0.05) > 0.2  # the failure dedup prevents
    assert np.mean(np.array(dedup) < 0.05) <= 0.05 + 3 * np.sqrt(0.05 * 0.95 / 200)


def test_watermarked_model_contract(teacher, kgw_cfg, kgw_texts):
    wm_model = watermark_model(teacher, kgw_cfg)
    assert wm_model.spec != teacher.spec and kgw_cfg.key_id in wm_model.spec
    assert watermark_model(teacher) is teacher
    req = [GenRequest.chat("Say something about item 0.", max_tokens=40, temperature=1.0, seed_index=0)]
    assert wm_model.generate(req)[0].token_ids == kgw_texts[0][0].token_ids  # reproducible per request
    a = wm_model.score("hello", " world")
    b = teacher.score("hello", " world")
    assert [round(x.logprob, 5) for x in a] == [round(x.logprob, 5) for x in b]  # scoring sees the clean model
    with pytest.raises(InputError, match="white-box"):
        from distillscope.models import load_model

        watermark_model(load_model("mock:echo"), kgw_cfg)


def test_perturbation_changes_samples_reproducibly(teacher):
    req = [GenRequest.chat("Say something.", max_tokens=24, temperature=1.0, seed_index=0)]
    p = watermark_model(teacher, perturbation=Perturbation(logit_noise=2.0))
    a, b = p.generate(req)[0].token_ids, p.generate(req)[0].token_ids
    assert a == b and a != teacher.generate(req)[0].token_ids
    with pytest.raises(InputError):
        Perturbation(temperature_factor=0)


def test_utility_cost_is_measured_and_monotone(teacher, kgw_cfg):
    texts = ["The quick brown fox jumps over the lazy dog. " * 3, "Distillation copies a model's behaviour."]
    none = utility_cost(teacher, texts)
    assert none["kl"] == pytest.approx(0.0, abs=1e-6) and none["top1_agreement"] == 1.0
    n1 = utility_cost(teacher, texts, perturbation=Perturbation(logit_noise=0.5))
    n2 = utility_cost(teacher, texts, perturbation=Perturbation(logit_noise=2.0))
    assert 0 < n1["kl"] < n2["kl"]
    t = utility_cost(teacher, texts, perturbation=Perturbation(temperature_factor=2.0))
    assert t["kl"] > 0 and t["logprob_drop"] > 0
    w1 = utility_cost(teacher, texts, watermark=WatermarkConfig(key="u", delta=1.0))
    w3 = utility_cost(teacher, texts, watermark=WatermarkConfig(key="u", delta=3.0))
    assert 0 < w1["kl"] < w3["kl"]


def test_exact_binomial_pvalue_and_its_log():
    from distillscope.watermark import HitCounts

    c = HitCounts(n_scored=100, hits=35, trials_per=1, p0=0.25)
    assert c.p_value == pytest.approx(stats.binom.sf(34, 100, 0.25))
    assert 10 ** c.log10_p == pytest.approx(c.p_value, rel=1e-9)
    huge = HitCounts(n_scored=5000, hits=2600, trials_per=1, p0=0.25)
    assert huge.p_value == 0.0 and -500 < huge.log10_p < -300  # still finite where the p-value underflows
    assert HitCounts().p_value == 1.0 and HitCounts().log10_p == 0.0
