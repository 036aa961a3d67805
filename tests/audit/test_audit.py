"""audit: plan within a hard call budget, run, write case.json / report.html / statement.json; resumable; exit
codes; verify-statement. Mock endpoints only (fast)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from distillscope.audit.budget import Budget, BudgetExceeded, Metered
from distillscope.audit.run import AuditConfig, audit
from distillscope.cli import app
from distillscope.errors import InputError
from distillscope.models import GenRequest, load_model
from distillscope.report import CaseFile
from distillscope.report.statement import verify_statement
from distillscope.store import SampleStore

GPT = "mock:fixed=I am ChatGPT, a model developed by OpenAI."
QWEN_A = "mock:choice=I am Qwen, made by Alibaba Cloud.|Hello! I am Qwen, how can I help?"
QWEN_B = "mock:choice=Hello! I am Qwen, how can I help?|I am Qwen, made by Alibaba Cloud."


def _run(tmp_path, suspect, reference, budget=None, **kw):
    return audit(load_model(suspect), reference=load_model(reference) if reference else None,
                 config=AuditConfig(budget=budget, expect="qwen", permutations=500), store=SampleStore(
                     tmp_path / "s.duckdb"), out=tmp_path / "out", command=["distillscope", "audit"], **kw)


@pytest.mark.slow
def test_known_positive_writes_every_file(tmp_path):
    res = _run(tmp_path, GPT, QWEN_A)
    v = res.case.verdict
    assert v.finding and v.linked_candidate is None  # no lineage test ran, so no teacher is named
    rejected = {r["name"] for r in v.rejected}
    assert {"identity.foreign_claims", "verify.combined"} <= rejected
    assert {x["explanation"] for x in v.explanations} >= {"relay_substitution", "distillation", "contamination"}
    assert set(res.paths) == {"case", "html", "statement"}
    d = json.loads(res.paths["case"].read_text())
    assert CaseFile.from_dict(d).verdict.headline == v.headline  # validates against the schema
    ex = d["examples"]["identity.foreign_claims"]
    assert ex and all("openai" in x["note"] or "gpt" in x["note"] for x in ex)
    assert "claimed identity, en" in res.paths["html"].read_text()
    assert verify_statement(res.paths["statement"])["ok"]
    assert {s["step"] for s in d["skipped"]} >= {"lineage", "watermark.radioactivity"}


@pytest.mark.slow
def test_null_endpoint_is_not_flagged(tmp_path):
    res = _run(tmp_path, QWEN_A, QWEN_B)
    assert not res.case.verdict.finding, res.case.verdict.headline
    assert len([e for e in res.case.evidence if e.p_value is not None]) >= 3


@pytest.mark.slow
def test_budget_is_never_exceeded(tmp_path):
    suspect, ref = load_model(GPT), load_model(QWEN_A)
    res = audit(suspect, reference=ref, config=AuditConfig(budget=60, expect="qwen", permutations=200),
                store=SampleStore(tmp_path / "s.duckdb"))
    plan = {r.step: r for r in res.plan}
    assert plan["identity"].runs and plan["identity"].new_calls == 56
    assert not plan["verify"].runs and plan["verify"].skip_reason.startswith("budget: needs 96")
    assert suspect.calls + ref.calls == res.case.spend["calls"] == 56
    res = audit(load_model(GPT), config=AuditConfig(budget=10, expect="qwen"), store=SampleStore(tmp_path / "t"))
    assert res.case.spend["calls"] == 0 and res.case.verdict.rule == "no_tests"


def test_meter_refuses_past_the_budget(tmp_path):
    m = Metered(load_model("mock:echo"), Budget(3))
    reqs = [GenRequest.chat("hi", seed_index=i) for i in range(4)]
    m.generate(reqs[:3])
    with pytest.raises(BudgetExceeded, match="budget of 3"):
        m.generate(reqs[3:])
    assert m.inner.calls == 3


@pytest.mark.slow
def test_rerun_is_free_and_reproduces_every_p_value(tmp_path):
    a = _run(tmp_path, GPT, QWEN_A).case.to_dict()
    b = _run(tmp_path, GPT, QWEN_A)
    assert b.case.spend["calls"] == 0 and all(r.new_calls == 0 for r in b.plan if r.runs)
    b = b.case.to_dict()
    assert [(e["name"], e["p_value"], e["p_adjusted"]) for e in a["evidence"]] == [
        (e["name"], e["p_value"], e["p_adjusted"]) for e in b["evidence"]]
    assert a["samples"] == b["samples"]


@pytest.mark.slow
def test_cli_exit_codes_signing_and_verify_statement(tmp_path):
    run = CliRunner().invoke
    assert run(app, ["audit", "keygen", str(tmp_path / "k")]).exit_code == 0
    common = ["--expect", "qwen", "--store", str(tmp_path / "s.duckdb"), "--budget", "400"]
    r = run(app, ["audit", "--suspect", GPT, "--reference", QWEN_A, "--out", str(tmp_path / "pos"),
                  "--key", str(tmp_path / "k.pem"), *common])
    assert r.exit_code == 1, r.output
    assert "planned cost: 152 new model call(s) of a budget of 400" in r.output
    st = tmp_path / "pos" / "statement.json"
    assert run(app, ["audit", "verify-statement", str(st), "--key", str(tmp_path / "k.pub")]).exit_code == 0
    assert run(app, ["audit", "verify-statement", str(st)]).exit_code == 1  # signed: the key is required
    case = tmp_path / "pos" / "case.json"
    case.write_text(case.read_text().replace("ChatGPT", "Qwen"))
    r = run(app, ["audit", "verify-statement", str(st), "--key", str(tmp_path / "k.pub"), "--json"])
    assert r.exit_code == 1 and '"ok": false' in r.output
    r = run(app, ["audit", "--suspect", QWEN_A, "--reference", QWEN_B, "--out", str(tmp_path / "neg"), *common])
    assert r.exit_code == 0, r.output


def test_input_errors():
    with pytest.raises(InputError, match="two languages"):
        AuditConfig(languages="en")
    with pytest.raises(InputError, match="own spec"):
        audit(load_model("mock:echo"), reference=load_model("mock:echo"))


@pytest.mark.slow
def test_radioactivity_step_with_a_key(tmp_path):
    from distillscope.watermark.config import WatermarkConfig

    res = audit(load_model(QWEN_A), candidate=load_model("zoo:tiny-llama"), watermark=WatermarkConfig.load("k1"),
                config=AuditConfig(expect="qwen", identity_samples=1, watermark_prompts=6, permutations=200),
                store=SampleStore(tmp_path / "s.duckdb"))
    plan = {r.step: r for r in res.plan}
    assert plan["watermark.radioactivity"].runs and plan["watermark.radioactivity"].new_calls == 6
    ev = {e.name: e for e in res.case.evidence}
    assert ev["watermark.radioactivity.closed"].p_value is not None
    assert res.case.verdict.linked_candidate is None  # unwatermarked mock text is not linked to the candidate


@pytest.mark.slow
def test_remote_suspect_with_local_reference_gets_the_tokenizer_test(tmp_path):
    """A mock endpoint reports 1 prompt token whatever it is sent: verify's usage-count tokenizer test (run
    inside the verify step) rejects the local reference's tokenizer, and its calls are in the plan's cost."""
    suspect = load_model(QWEN_A)
    res = audit(suspect, reference=load_model("zoo:tiny-llama"),
                config=AuditConfig(expect="qwen", identity_samples=1, verify_prompts=3, verify_samples=2,
                                   permutations=200, budget=200),
                store=SampleStore(tmp_path / "s.duckdb"))
    plan = {r.step: r for r in res.plan}
    assert plan["verify"].runs and plan["verify"].new_calls == 3 * 2 * 2 + 10
    ev = {e.name: e for e in res.case.evidence}
    assert ev["lineage.tokenizer.consistency"].significant(0.05)
    assert {"relay_substitution"} <= {x["explanation"] for x in res.case.verdict.explanations}
    assert res.case.spend["calls"] <= 200 and suspect.calls <= plan["identity"].new_calls + 3 * 2 + 10
