"""CLI: sample through the store, models list, clear errors."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from distillscope.cli import app

runner = CliRunner()


def test_sample_twice_second_run_is_free(tmp_path):
    prompts = tmp_path / "p.txt"
    prompts.write_text("one\ntwo\n\nthree\n")
    store = tmp_path / "s.duckdb"
    args = ["sample", "mock:choice=x|y|z", "--prompts", str(prompts), "-n", "4", "--store", str(store), "--json",
            "--out", str(tmp_path / "o.jsonl")]
    r1 = runner.invoke(app, args)
    assert r1.exit_code == 0, r1.output
    s1 = json.loads(r1.stdout)
    assert s1["samples"] == 12 and s1["new_calls"] == 12
    r2 = runner.invoke(app, args)
    s2 = json.loads(r2.stdout)
    assert s2["new_calls"] == 0 and s2["from_store"] == 12
    lines = [json.loads(x) for x in (tmp_path / "o.jsonl").read_text().splitlines()]
    assert len(lines) == 12 and all(x["cached"] for x in lines)


def test_models_list_json():
    r = runner.invoke(app, ["models", "list", "--json"])
    assert r.exit_code == 0
    d = json.loads(r.stdout)
    names = [x["name"] for x in d["zoo"]]
    assert "zoo:smollm2-135m-instruct" in names and "openai" in d["backends"]


def test_store_export_cli(tmp_path):
    prompts = tmp_path / "p.jsonl"
    prompts.write_text(json.dumps({"prompt": "raw text"}) + "\n" + json.dumps("chat text") + "\n")
    store = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["sample", "mock:echo", "-p", str(prompts), "--store", str(store)]).exit_code == 0
    r = runner.invoke(app, ["store", "export", str(tmp_path / "x.parquet"), "--store", str(store)])
    assert r.exit_code == 0 and (tmp_path / "x.parquet").exists()


def test_bad_prompt_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "p.jsonl"
    bad.write_text('{"prompt": "ok"}\n{oops\n')
    r = runner.invoke(app, ["sample", "mock:echo", "-p", str(bad), "--store", str(tmp_path / "s.duckdb")])
    assert r.exit_code == 2 and r.stderr.startswith("error:") and "p.jsonl:2" in r.stderr
