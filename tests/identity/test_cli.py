"""CLI: `identity claims` annotates JSONL line by line; `identity probe` runs on a scripted mock model."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from distillscope.cli import app

runner = CliRunner()


def test_claims_jsonl(tmp_path):
    src = tmp_path / "chats.jsonl"
    rows = [{"id": 1, "response": "我不是ChatGPT，我是通义千问。"}, {"id": 2, "response": "Hello!"},
            {"id": 3, "response": {"nested": "I am Claude."}}]
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows[:2]) + "\n\n", encoding="utf-8")
    res = runner.invoke(app, ["identity", "claims", str(src), "--field", "response"])
    assert res.exit_code == 0, res.output
    out = [json.loads(x) for x in res.stdout.splitlines() if x.strip()]
    assert [o["id"] for o in out] == [1, 2]
    assert out[0]["identity"] == "qwen" and out[1]["identity"] == "none"
    assert {(c["label"], c["status"]) for c in out[0]["claims"]} == {("gpt", "negated"), ("qwen", "asserted")}
    # nested fields, chat-message lists and an --out file
    src.write_text(json.dumps(rows[2]) + "\n" + json.dumps(
        {"response": {"nested": [{"role": "user", "content": "Who are you?"},
                                  {"role": "assistant", "content": "I am Aster."}]}}) + "\n")
    dst = tmp_path / "out.jsonl"
    res = runner.invoke(app, ["identity", "claims", "--jsonl", str(src), "-f", "response.nested", "--expect",
                              "Aster", "-o", str(dst)])
    assert res.exit_code == 0, res.output
    assert [json.loads(x)["identity"] for x in dst.read_text().splitlines()] == ["claude", "aster"]


def test_claims_bad_field_is_a_clear_error(tmp_path):
    src = tmp_path / "x.jsonl"
    src.write_text('{"text": "I am Claude"}\n')
    res = runner.invoke(app, ["identity", "claims", str(src), "--field", "response"])
    assert res.exit_code == 2 and "no field 'response'" in res.stderr and res.stdout == ""


def test_probe_mock_json(tmp_path):
    spec = "mock:choice=I am Qwen, made by Alibaba Cloud.|我是通义千问。|I'm Claude, made by Anthropic."
    res = runner.invoke(app, ["identity", "probe", spec, "-l", "en,zh-Hans", "-n", "3", "--expect", "claude",
                              "--probes", "model,maker", "--store", str(tmp_path / "s.duckdb"), "--json"])
    assert res.exit_code == 1, res.output  # two of three answers claim a foreign identity: evidence, exit 1
    d = json.loads(res.stdout)
    assert d["evidence_found"] and d["expected"] == "claude" and len(d["responses"]) == 2 * 2 * 3
    assert {e["name"] for e in d["evidence"]} == {"identity.foreign_claims", "identity.language_dependence"}
    assert {r["language"] for r in d["summary"]} == {"en", "zh-Hans"}
    res = runner.invoke(app, ["identity", "probe", spec, "-l", "en", "-n", "2", "--probes", "model",
                              "--store", str(tmp_path / "s.duckdb")])
    # expected identity from the declared name (qwen); a Claude claim in one of two answers is evidence
    assert res.exit_code == 1 and "identity of" in res.stderr and res.stdout == ""
    assert "evidence against the null" in " ".join(res.stderr.split())


@pytest.mark.slow
def test_compare_two_mock_models(tmp_path):
    a = "mock:choice=我是通义千问。|I am Qwen.|Hello!"
    b = "mock:choice=I am Claude.|Hello!"
    res = runner.invoke(app, ["identity", "compare", a, b, "-l", "en,zh-Hans", "-n", "8", "--permutations", "499",
                              "--probes", "model,maker,name",
                              "--store", str(tmp_path / "s.duckdb"), "--json"])
    assert res.exit_code == 1, res.output  # the two models differ: evidence, exit 1
    d = json.loads(res.stdout)
    assert d["name"] == "identity.compare" and d["p_value"] < 0.01 and d["effect_size"] > 0.5


def test_compare_a_model_with_itself_finds_nothing(tmp_path):
    a = "mock:choice=I am Qwen.|I am Claude.|Hello!"
    res = runner.invoke(app, ["identity", "compare", a, a, "-l", "en", "-n", "6", "--permutations", "199",
                              "--probes", "model,maker", "--store", str(tmp_path / "s.duckdb"), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["p_value"] > 0.5


def test_claims_with_a_judge_keeps_both_verdicts(tmp_path):
    src = tmp_path / "chats.jsonl"
    rows = [{"response": "That goes against OpenAI's usage policies."}, {"response": "I am Claude."}]
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    verdict = '{"claims": [{"name": "OpenAI", "status": "asserted"}]}'
    res = runner.invoke(app, ["identity", "claims", str(src), "--field", "response", "--judge",
                              f"mock:fixed={verdict}", "--audit", "0"])
    assert res.exit_code == 0, res.output
    out = [json.loads(x) for x in res.stdout.splitlines() if x.strip().startswith("{")]
    assert out[0]["judge"]["rules"] == {"gpt": "implied"} and out[0]["judge"]["judge"] == {"gpt": "asserted"}
    assert [c["status"] for c in out[0]["claims"]] == ["implied"]  # the judge did not override the rules
    assert "judge" not in out[1]
    assert "Cohen's kappa" in res.output
