"""CaseFile: Holm across the case, the verdict rules (null: FWER <= alpha; known positive), schema, round trip."""

from __future__ import annotations

import json

import numpy as np
import pytest

from distillscope.errors import InputError
from distillscope.evidence import Evidence, holm
from distillscope.report import CaseFile, Example, decide, validate
from distillscope.stats.intervals import wilson


def test_build_adjusts_copies_and_validates(evidence, tmp_path):
    case = CaseFile.build(evidence, "zoo:tiny-llama", candidate="zoo:smollm2-135m-instruct",
                          command=["/x/bin/distillscope", "a b"],
                          examples={"identity.foreign_claims": [Example("s4", "I am GPT", "zoo:tiny-llama")]})
    assert all(e.p_adjusted is None for e in evidence)  # the caller's records are left alone
    ps = sorted(e.p_value for e in evidence)
    adj = {e.name: e.p_adjusted for e in case.evidence}
    # Holm by hand for 4 tests: (4p1, max(., 3p2), max(., 2p3), max(., p4))
    assert adj["lineage.blackbox.ngram"] == pytest.approx(4 * ps[0])
    assert adj["identity.foreign_claims"] == pytest.approx(max(4 * ps[0], 3 * ps[1]))
    assert adj["lineage.weights"] == pytest.approx(max(3 * ps[1], 2 * ps[2]))
    assert adj["verify.mmd_hamming"] == pytest.approx(max(2 * ps[2], ps[3]))
    assert case.command == "distillscope 'a b'"
    path = case.save(tmp_path)
    d = json.loads(path.read_text())
    validate(d)
    back = CaseFile.load(tmp_path)
    assert back.to_dict() == case.to_dict()
    assert d["samples"]["n"] == 6 and len(d["samples"]["sha256"]) == 64


def test_known_positive_names_candidate(evidence):
    v = CaseFile.build(evidence, "zoo:tiny-llama", candidate="zoo:smollm2-135m-instruct").verdict
    assert v.finding and v.strength == "strong" and v.rule == "rejected"
    assert v.linked_candidate == "zoo:smollm2-135m-instruct"
    assert {r["name"] for r in v.rejected} == {"lineage.blackbox.ngram", "identity.foreign_claims"}
    expl = {x["explanation"]: x["supported_by"] for x in v.explanations}
    assert expl["relay_substitution"] == ["identity.foreign_claims"]
    assert "lineage.blackbox.ngram" in expl["distillation"] and "lineage.blackbox.ngram" in expl["shared_base"]
    assert all(x["limits"] for x in v.explanations)


def test_identity_only_finding_links_no_candidate():
    ev = [Evidence("identity.foreign_claims", "n", 0.5, 1e-5), Evidence("verify.combined", "n", 1.0, 0.4)]
    v = CaseFile.build(ev, "s", candidate="c").verdict
    assert v.finding and v.linked_candidate is None  # identity claims do not point at the candidate


def test_raw_only_and_no_tests_rules():
    ev = [Evidence(f"lineage.blackbox.f{i}", "n", 0.0, p) for i, p in enumerate([0.03, 0.2, 0.5, 0.7])]
    v = CaseFile.build(ev, "s").verdict
    assert not v.finding and v.rule == "raw_only" and "none survives" in v.headline
    v = CaseFile.build([Evidence("compare.accuracy.m", "-", 0.5, None)], "s").verdict
    assert not v.finding and v.rule == "no_tests"
    v = CaseFile.build([Evidence("lineage.weights", "n", 0.0, 0.5)], "s").verdict
    assert not v.finding and v.rule == "nothing" and "does not show" in v.caveats[0]


def test_verdict_null_fwer_at_most_alpha():
    """Under the global null (independent uniform p-values) the verdict finds evidence in <= alpha of cases."""
    rng = np.random.default_rng(1)
    reps, alpha, found = 2000, 0.05, 0
    names = ["lineage.blackbox.ngram", "lineage.functional", "identity.foreign_claims", "verify.combined",
             "watermark.radioactivity.open"]
    for _ in range(reps):
        ev = [Evidence(n, "null", 0.0, float(p)) for n, p in zip(names, rng.uniform(size=len(names)))]
        found += decide(holm(ev), alpha=alpha).finding
    lo, _ = wilson(found, reps)
    assert lo <= alpha, f"FWER {found / reps:.3f} exceeds alpha"
    assert found > 0  # the rule does reject sometimes under the null (it is not vacuous)


def test_schema_rejects_broken_case(evidence):
    d = CaseFile.build(evidence, "s").to_dict()
    bad = json.loads(json.dumps(d))
    bad["evidence"][0]["p_value"] = 1.5
    with pytest.raises(InputError, match="evidence/0/p_value"):
        validate(bad)
    bad = json.loads(json.dumps(d))
    del bad["verdict"]
    with pytest.raises(InputError, match="verdict"):
        validate(bad)
    bad = json.loads(json.dumps(d))
    bad["evidence"][1]["p_adjusted"] = None  # a test without its adjusted p-value
    with pytest.raises(InputError, match="evidence/1"):
        validate(bad)


def test_alpha_checked():
    with pytest.raises(InputError, match="alpha"):
        CaseFile.build([], "s", alpha=1.5)


def test_shared_tokenizer_alone_names_no_teacher():
    ev = [Evidence("lineage.tokenizer", "n", 6.0, 1e-4), Evidence("lineage.blackbox.ngram", "n", 0.5, 0.6)]
    v = CaseFile.build(ev, "s", candidate="c").verdict
    assert v.finding and v.linked_candidate is None and v.explanations[0]["explanation"] == "shared_base"
    ev.append(Evidence("lineage.functional", "n", 5.0, 1e-5))
    assert CaseFile.build(ev, "s", candidate="c").verdict.linked_candidate == "c"


def test_tokenizer_consistency_supports_relay_not_shared_base():
    v = CaseFile.build([Evidence("lineage.tokenizer.consistency", "n", 9.0, 1e-9)], "s", candidate="c").verdict
    assert [x["explanation"] for x in v.explanations] == ["relay_substitution"] and v.linked_candidate is None
