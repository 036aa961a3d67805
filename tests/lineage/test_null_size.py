"""Null models far smaller than suspect and candidate make a lenient null: the caveat, and what the verdict does."""

from __future__ import annotations

from distillscope.evidence import Evidence, holm
from distillscope.lineage.run import NULL_SIZE_RATIO, null_size_caveat, parameter_count, run_lineage
from distillscope.models import load_model
from distillscope.report import decide
from distillscope.report.verdict import LENIENT_NULL


def test_caveat_only_when_every_null_model_is_far_smaller():
    big, small = 135_000_000, 2_000_000
    cav = null_size_caveat(big, 2 * big, [small, small])
    assert cav is not None and LENIENT_NULL in cav and f"{small:,}" in cav
    # one null model of comparable size is enough; so is a small suspect (a tiny student of a big teacher)
    assert null_size_caveat(big, big, [small, int(NULL_SIZE_RATIO * big) + 1]) is None
    assert null_size_caveat(small, big, [small, small]) is None
    # unknown sizes (a black-box model anywhere) or no null models: nothing is claimed
    assert null_size_caveat(None, big, [small]) is None
    assert null_size_caveat(big, big, [small, None]) is None
    assert null_size_caveat(big, big, []) is None


def _lineage_rejection(lenient: bool) -> Evidence:
    e = Evidence("lineage.weights", "B's weights match A's no more than independent models' do", 9.0, 1e-6, 3.0,
                 "z", [])
    if lenient:
        e.caveats.append(null_size_caveat(10**8, 10**8, [10**6]))
    return e


def test_verdict_on_a_lenient_null_is_a_lead_that_names_no_teacher():
    ev = holm([_lineage_rejection(True), Evidence("lineage.functional", "no closer than controls", 0.1, 0.7, 0.0,
                                                  "t", [])])
    v = decide(ev, alpha=0.05, suspect="gemma", candidate="smollm2")
    assert v.finding and v.strength == "lead" and v.linked_candidate is None
    assert "lead, not a finding of lineage" in v.headline
    assert any(LENIENT_NULL in c for c in v.caveats)
    # the same rejection against a null of the right size links the candidate
    v2 = decide(holm([_lineage_rejection(False)]), alpha=0.05, suspect="student", candidate="smollm2")
    assert v2.linked_candidate == "smollm2" and v2.strength == "strong"


def test_run_lineage_on_same_size_models_adds_no_caveat():
    s, c = load_model("zoo:tiny-llama-s1"), load_model("zoo:tiny-llama-s2")
    panel = [load_model("zoo:tiny-llama-s3"), load_model("zoo:tiny-llama-s4")]
    assert parameter_count(s) == parameter_count(panel[0]) > 0
    rep = run_lineage(s, c, panel, prompts=["Say hello.", "Count to three."], cfg=None)
    assert rep.evidence and not any(LENIENT_NULL in cv for e in rep.evidence for cv in e.caveats)
