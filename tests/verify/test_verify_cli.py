"""The verify CLI: help, JSON output and exit codes, bad input, and the planner."""

import json

import pytest
from typer.testing import CliRunner

from distillscope.cli import app

runner = CliRunner()


def test_help_lists_options():
    r = runner.invoke(app, ["verify", "--help"])
    assert r.exit_code == 0
    for flag in ("--reference", "--samples", "--alpha", "--prompts", "--json"):
        assert flag in r.output


@pytest.mark.slow
def test_verdicts_and_exit_codes_on_known_pairs(tmp_path):
    """Known-identical sources (the same seeded stochastic mock) must pass (exit 0, not substituted); a source that
    always gives one answer against a four-answer reference must be flagged (exit 1, substituted)."""
    prompts = tmp_path / "p.txt"
    prompts.write_text("one\ntwo\nthree\n")
    store = str(tmp_path / "s.duckdb")
    source = "mock:choice=red|blue|green|teal"
    same = runner.invoke(app, ["verify", source, "-r", source,
                               "--prompts", str(prompts), "--samples", "8", "--store", store, "--json"])
    d = json.loads(same.stdout)
    assert d["evidence"][0]["name"] == "verify.mmd_hamming" and d["spend"]["calls_new"] == 24
    assert d["substituted"] is False and same.exit_code == 0
    diff_args = ["verify", "mock:fixed=always the same answer", "-r", source,
                 "--prompts", str(prompts), "--samples", "8", "--store", store]
    diff = runner.invoke(app, [*diff_args, "--json"])
    assert json.loads(diff.stdout)["substituted"] is True and diff.exit_code == 1
    human = runner.invoke(app, diff_args)
    out = " ".join(human.output.split())  # undo Rich's line wrapping
    assert human.exit_code == 1 and "DIFFERS" in out and "cost estimate" in out and "calls: 0 new" in out


def test_bad_input_is_a_clear_error(tmp_path):
    r = runner.invoke(app, ["verify", "mock:echo", "-r", "mock:echo", "--samples", "1"])
    assert r.exit_code == 2 and r.stderr.startswith("error:") and "--samples" in r.stderr
    r = runner.invoke(app, ["verify", "mock:echo", "-r", "mock:echo", "--prompts", str(tmp_path / "missing.txt")])
    assert r.exit_code == 2 and "no such file" in r.stderr


def test_plan():
    r = runner.invoke(app, ["verify-plan", "--delta", "0.1", "--prompt-counts", "10,25", "--json"])
    rows = json.loads(r.stdout)
    assert [x["prompts"] for x in rows] == [10, 25]
    assert all(x["power"] >= 0.9 for x in rows) and rows[0]["samples"] > rows[1]["samples"]


def test_plan_from_a_text_only_pilot(tmp_path):
    prompts = tmp_path / "p.txt"
    prompts.write_text("one\ntwo\nthree\n")
    args = ["verify-plan", "--pilot", "mock:fixed=always the same answer", "-r", "mock:choice=red|blue|green|teal",
            "--prompts", str(prompts), "--pilot-samples", "8", "--trials", "10", "--store",
            str(tmp_path / "s.duckdb")]
    r = runner.invoke(app, [*args, "--json"])
    assert r.exit_code == 0, r.output
    plans = {p["test"]: p for p in json.loads(r.stdout)}
    assert "verify.proxy_likelihood" not in plans  # black-box reference, no --proxy: no proxy test
    comb = plans["verify.combined"]
    assert comb["samples"] is not None and comb["calls"] == 3 * comb["samples"] and comb["cost_usd"] > 0
    human = runner.invoke(app, args)
    assert human.exit_code == 0 and "samples/prompt" in " ".join(human.output.split())
    bad = runner.invoke(app, ["verify-plan", "--pilot", "mock:echo"])
    assert bad.exit_code == 2 and "--reference" in bad.stderr
