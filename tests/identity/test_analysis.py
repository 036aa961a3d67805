"""Analysis: rates, consistency, and the tests' behaviour under the null (FPR <= alpha) and a known positive."""

from __future__ import annotations

import numpy as np
import pytest

from distillscope.errors import InputError
from distillscope.identity.analysis import (
    Response,
    compare,
    consistency,
    expected_identity,
    foreign_claims,
    is_foreign,
    language_dependence,
    permutation_chi2,
    rates,
)
from distillscope.identity.claims import Claim

ALPHA = 0.05


def resp(label: str | None, lang: str = "en", probe: str = "model") -> Response:
    claims = [] if label is None else [Claim(0, 1, label, label, None, "asserted", label)]
    return Response(lang, probe, label or "", claims)


def draw(rng, probs: dict[str | None, float], n: int, lang: str = "en", probe: str = "model") -> list[Response]:
    labels = list(probs)
    idx = rng.choice(len(labels), size=n, p=np.array(list(probs.values())))
    return [resp(labels[i], lang, probe) for i in idx]


def test_rates_and_consistency_on_known_counts():
    rs = [resp("qwen")] * 6 + [resp("claude")] * 2 + [resp(None)] * 2
    r = rates(rs, by=("language",))["en"]
    assert r["n"] == 10 and r["labels"]["qwen"]["k"] == 6 and r["labels"]["none"]["k"] == 2
    assert r["labels"]["qwen"]["low"] < 0.6 < r["labels"]["qwen"]["high"]
    c = consistency(rs)
    assert c["index"] == pytest.approx((6 * 5 + 2 * 1) / (8 * 7)) and c["coverage"] == 0.8 and c["mode"] == "qwen"
    assert consistency([resp("qwen")] * 5)["index"] == 1.0
    assert consistency([resp(None)] * 5)["index"] is None


def test_expected_identity_and_foreignness():
    assert expected_identity("Qwen") == "qwen" and expected_identity("通义千问") == "qwen"
    assert expected_identity(None, ["gpt-4o-mini-2024-07-18"]) == "gpt"
    assert expected_identity(None, ["smollm2-135m-instruct"]) == "smollm"
    assert expected_identity("Aster") == "aster" and expected_identity(None, ["acme-7b"]) is None
    assert not is_foreign("qwen", "qwen") and is_foreign("gpt", "qwen")
    assert not is_foreign("maker:google", "gemma") and is_foreign("maker:google", "claude")


def _compare_p(rng, pa, pb, n=12, n_perm=199, seed=0):
    a, b = [], []
    for probe, (da, db) in enumerate(zip(pa, pb)):
        a += draw(rng, da, n, probe=str(probe))
        b += draw(rng, db, n, probe=str(probe))
    return compare(a, b, n_perm=n_perm, seed=seed).p_value


@pytest.mark.slow
def test_compare_null_fpr_and_uniform_pvalues():
    rng = np.random.default_rng(1)
    # Same distribution for both models, but a different one per probe (stratum).
    strata = [{"qwen": 0.5, None: 0.3, "gpt": 0.2}, {"claude": 0.7, None: 0.3}, {"qwen": 0.2, "gpt": 0.2, None: 0.6}]
    ps = np.array([_compare_p(rng, strata, strata, seed=i) for i in range(300)])
    fpr = np.mean(ps < ALPHA)
    assert fpr <= ALPHA + 2 * np.sqrt(ALPHA * (1 - ALPHA) / len(ps)), fpr
    assert 0.42 < ps.mean() < 0.62 and np.mean(ps < 0.2) < 0.25


def test_compare_known_positive():
    rng = np.random.default_rng(2)
    a = [{"qwen": 0.6, None: 0.4}, {"qwen": 0.5, "claude": 0.5}]
    b = [{"qwen": 0.05, None: 0.95}, {"qwen": 0.05, "claude": 0.95}]
    ps = [_compare_p(rng, a, b, n=20, n_perm=499, seed=i) for i in range(20)]
    assert np.mean(np.array(ps) < ALPHA) >= 0.9
    e = compare(draw(rng, {"qwen": 1.0}, 30), draw(rng, {"claude": 1.0}, 30), n_perm=499)
    assert e.p_value < 0.01 and e.effect_size == pytest.approx(1.0) and e.name == "identity.compare"
    assert e.details["rates"]["A"]["qwen"]["low"] > 0.8


def test_permutation_chi2_degenerate_and_errors():
    assert permutation_chi2(np.array([0, 0, 1, 1]), np.array([2, 2, 2, 2]))[1] == 1.0
    with pytest.raises(InputError):
        permutation_chi2(np.array([0, 1]), np.array([0]))
    with pytest.raises(InputError):
        compare([], [resp("qwen")])


def test_language_dependence_null_and_positive():
    rng = np.random.default_rng(3)
    langs = ["en", "zh-Hans", "ja", "fr"]
    ps = []
    for i in range(200):
        rs = [r for lang in langs for r in draw(rng, {"qwen": 0.3, "aster": 0.7}, 15, lang=lang)]
        ps.append(language_dependence(rs, "aster", n_perm=199, seed=i).p_value)
    ps = np.array(ps)
    assert np.mean(ps < ALPHA) <= ALPHA + 2 * np.sqrt(ALPHA * (1 - ALPHA) / len(ps))
    rs = draw(rng, {"qwen": 0.5, "aster": 0.5}, 20, lang="zh-Hans") + [
        r for lang in langs[:1] + langs[2:] for r in draw(rng, {"aster": 1.0}, 20, lang=lang)]
    assert language_dependence(rs, "aster", n_perm=499).p_value < 0.01


def test_foreign_claims_null_and_positive():
    rng = np.random.default_rng(4)
    tol = 0.05
    ps = [foreign_claims(draw(rng, {"gpt": tol, "claude": 1 - tol}, 80), "claude", tolerance=tol).p_value
          for _ in range(300)]
    assert np.mean(np.array(ps) < ALPHA) <= ALPHA  # exact binomial test: conservative
    rs = draw(rng, {"claude": 0.8, "gpt": 0.2}, 40, lang="zh-Hans") + draw(rng, {"claude": 1.0}, 40)
    e = foreign_claims(rs, "claude")
    assert e.p_value < 1e-6 and e.details["languages_excluding_zero"] == ["zh-Hans"]
    assert e.details["by_language"]["en"]["k"] == 0
    with pytest.raises(InputError):
        foreign_claims([], "claude")


def test_default_null_allowance_is_the_measured_extractor_error():
    """Without --tolerance, the foreign-claim null allows what the extractor's measured false assertions could
    produce: on blind labelled real answers scored with the rules in use, per language where there are enough
    answers (pooled otherwise); the report carries that measurement."""
    from distillscope.identity.probing import (
        MIN_LANGUAGE_ANSWERS,
        MIN_WORSE_ANSWERS,
        analyse,
        measured_tolerance,
    )

    tol, v = measured_tolerance()
    if isinstance(tol, dict):  # real answers scored with these rules
        null = v["foreign_null"]
        pooled = null["all"]["high"]
        assert tol["*"] == pooled and v["current_rules"]
        own = {k for k, e in null.items() if k != "all" and (
            e["n"] >= MIN_LANGUAGE_ANSWERS or (e["n"] >= MIN_WORSE_ANSWERS and e["value"] > pooled))}
        assert {k for k in tol if k != "*"} == own
        assert all(tol[k] == null[k]["high"] for k in own)
        assert all(0 < x < 0.15 for x in tol.values())
    else:
        fa = v["false_assertion_rate"]
        assert tol == fa["high"] and fa["low"] <= fa["value"] <= fa["high"] < 0.1
    rng = np.random.default_rng(5)
    rs = draw(rng, {"claude": 1.0}, 30) + draw(rng, {"gpt": 1.0}, 30, lang="zh-Hans")
    report = analyse(rs, expect="claude", n_perm=99)
    assert report.params["tolerance"] == tol and report.extractor_validation["sets"] == v["sets"]
    foreign = next(e for e in report.evidence if e.name == "identity.foreign_claims")
    assert foreign.params["tolerance"] == tol and foreign.p_value < 1e-6
    assert analyse(rs, expect="claude", tolerance=0.9, n_perm=99).params["tolerance"] == 0.9


def test_per_language_tolerance_null_and_positive():
    """A tolerance per language (Poisson-binomial null): FPR <= alpha when each language errs at its own
    tolerance; a language exceeding its tolerance is found; the exact tail matches scipy for one group."""
    from scipy import stats

    from distillscope.identity.analysis import poisson_binomial_sf, tolerance_of

    assert poisson_binomial_sf(3, [(20, 0.1)]) == pytest.approx(stats.binom.sf(2, 20, 0.1))
    assert poisson_binomial_sf(0, [(5, 0.2), (7, 0.4)]) == pytest.approx(1.0)
    tol = {"en": 0.01, "zh-Hans": 0.08, "*": 0.03}
    assert tolerance_of(tol, "ja") == 0.03 and tolerance_of(0.02, "en") == 0.02
    with pytest.raises(InputError):
        tolerance_of({"en": 0.01}, "ja")
    rng = np.random.default_rng(6)
    ps = []
    for _ in range(300):
        rs = (draw(rng, {"gpt": 0.01, "claude": 0.99}, 60) + draw(rng, {"gpt": 0.08, "claude": 0.92}, 60, "zh-Hans")
              + draw(rng, {"gpt": 0.03, "claude": 0.97}, 60, "ja"))
        ps.append(foreign_claims(rs, "claude", tolerance=tol).p_value)
    assert np.mean(np.array(ps) < ALPHA) <= ALPHA  # exact: conservative
    rs = draw(rng, {"gpt": 0.15, "claude": 0.85}, 200) + draw(rng, {"gpt": 0.08, "claude": 0.92}, 60, "zh-Hans")
    e = foreign_claims(rs, "claude", tolerance=tol)
    assert e.p_value < 1e-6 and "en 1.0%" in e.null


def test_implied_claims_count_only_when_asked():
    rs = [Response("en", "model", "", [Claim(0, 1, "OpenAI", None, "openai", "implied", "gpt")])] * 10
    rs += [resp("claude")] * 10
    assert foreign_claims(rs, "claude", tolerance=0.01).params["k"] == 0
    e = foreign_claims(rs, "claude", tolerance=0.01, statuses=("asserted", "implied"))
    assert e.params["k"] == 10 and e.p_value < 1e-6 and "implies" in e.null
    with pytest.raises(InputError):
        foreign_claims(rs, "claude", statuses=("sure",))
