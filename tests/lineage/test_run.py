"""run_lineage and `distillscope lineage`: planning by access, Holm across methods, verdicts and exit codes."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from distillscope.cli import app
from distillscope.lineage.run import LineageConfig, plan, run_lineage
from distillscope.models import load_model

runner = CliRunner()
PROMPTS = ["Hello", "Name a color.", "Write a poem.", "Tell a joke.", "Count to five.", "Describe rain."]


@pytest.fixture(scope="module")
def panel():
    return [load_model(f"zoo:tiny-llama-s{i}") for i in (1, 2, 3)]


def test_plan_follows_access(panel):
    cfg = LineageConfig()
    steps = {s.method: s for s in plan(load_model("mock:echo"), panel[0], panel[1:], cfg)}
    assert steps["blackbox"].runs
    assert not steps["weights"].runs and "local weights" in steps["weights"].reason
    steps = {s.method: s for s in plan(panel[0], panel[1], panel[2:], cfg)}
    assert not steps["blackbox"].runs and ">= 2 other models" in steps["blackbox"].reason
    assert not steps["functional"].runs and "control models" in steps["functional"].reason
    assert steps["weights"].runs and steps["tokenizer"].runs
    with pytest.raises(Exception, match="Unknown lineage method"):
        LineageConfig(methods=("bogus",)).validate()


@pytest.mark.slow  # loads five tiny models and runs three white-box methods twice
def test_known_positive_and_null_with_holm(panel, tmp_path):
    """A model tested against itself is derived; an independent seed is not (weights + representations)."""
    from distillscope.store import SampleStore

    cand = load_model("zoo:tiny-llama")
    cfg = LineageConfig(methods=("weights", "representations", "tokenizer"))
    same = run_lineage(load_model("zoo:tiny-llama"), cand, panel, PROMPTS, cfg, store=SampleStore(tmp_path / "s"))
    assert same.derived and "Evidence that" in same.verdict
    assert all(e.p_adjusted is not None and e.p_adjusted >= e.p_value for e in same.evidence)
    # An independent seed shares the candidate's tokenizer by construction (every tiny-llama uses the zoo's BPE):
    # the tokenizer test rejects, but a shared tokenizer is reported, never the reason for a "derived" verdict.
    cfg = LineageConfig(methods=("weights", "tokenizer"))
    other = run_lineage(load_model("zoo:tiny-llama-s4"), cand, panel, PROMPTS, cfg)
    tok = next(e for e in other.evidence if e.name == "lineage.tokenizer")
    w = next(e for e in other.evidence if e.name == "lineage.weights")
    assert tok.significant(0.05) and not w.significant(0.05)
    assert not other.derived and "No evidence that" in other.verdict and "tokenizer is derived" in other.verdict


def test_cli_json_exit_codes_and_skips(tmp_path):
    p = tmp_path / "p.txt"
    p.write_text("\n".join(PROMPTS))
    args = ["lineage", "zoo:tiny-llama", "--candidate", "zoo:tiny-llama", "--panel", "zoo:tiny-llama-s1,zoo:tiny-llama-s2",
            "--methods", "weights,tokenizer", "--store", str(tmp_path / "s.duckdb"), "-p", str(p), "--json"]
    r = runner.invoke(app, args)
    assert r.exit_code == 1, r.output
    d = json.loads(r.stdout)
    assert d["derived"] is True and [e["name"] for e in d["evidence"]] == ["lineage.weights", "lineage.tokenizer"]
    assert d["evidence"][0]["p_adjusted"] < 0.05
    off = runner.invoke(app, [*args, "--no-white-box"])
    assert off.exit_code == 0, off.output
    skipped = {s["method"]: s["reason"] for s in json.loads(off.stdout)["steps"] if not s["runs"]}
    assert set(skipped) == {"weights", "tokenizer"} and "switched off" in skipped["weights"]
    bad = runner.invoke(app, ["lineage", "zoo:tiny-llama", "--candidate", "zoo:tiny-llama", "--methods", "nope"])
    assert bad.exit_code == 2 and "Unknown lineage method" in bad.stderr
