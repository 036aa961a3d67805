"""The one CLI grammar: streams, exit codes, --version, help, errors, and the README's generated command table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from distillscope.cli import app
from distillscope.cli._common import command_table, leaf_commands, states_null, sync_readme

runner = CliRunner()
README = Path(__file__).resolve().parents[2] / "README.md"
TESTING = {"verify", "watermark detect", "radioactivity", "identity probe", "identity compare", "monitor scan",
           "lineage"}


def _errors(r) -> list[str]:
    return [ln for ln in r.stderr.splitlines() if ln.startswith("error:")]


def test_readme_command_table_is_generated_from_the_cli():
    assert sync_readme(README, write=False), (
        "README's command table differs from the CLI: run python -c \"from distillscope.cli._common import "
        "sync_readme; sync_readme('README.md')\"")
    rows = {ln.split("|")[1].strip(" `"): ln for ln in command_table().splitlines()[2:]}
    assert set(rows) == {p for p, _ in leaf_commands()} and "| yes |" not in rows["serve"]
    # the README names every command the table shows without --json
    no_json = {p for p, ln in rows.items() if ln.split("|")[2].strip() != "yes"}
    prose = README.read_text().split("The commands without `--json` in the table")[1].split("### Inputs")[0]
    assert no_json and all(f"`{p}`" in prose for p in no_json), no_json


def test_every_testing_command_states_its_null_and_exit_codes():
    cmds = dict(leaf_commands())
    assert {p for p, c in cmds.items() if states_null(c)} == TESTING
    for path in TESTING:
        r = runner.invoke(app, [*path.split(), "--help"])
        text = " ".join(r.output.replace("│", " ").split())
        assert r.exit_code == 0 and "Null hypothes" in text and "Exit code" in text, path


def test_version_and_unknown_groups():
    from distillscope import __version__
    from distillscope.cli import register_groups

    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0 and r.stdout.strip() == f"distillscope {__version__}"
    with pytest.raises(ModuleNotFoundError):
        register_groups(typer.Typer(), ["lineage-that-does-not-exist"])


def test_json_on_stdout_indented_human_on_stderr(tmp_path):
    r = runner.invoke(app, ["models", "list", "--json"])
    assert r.exit_code == 0 and r.stdout.startswith('{\n  "') and r.stderr == ""
    r = runner.invoke(app, ["models", "list"])
    assert r.exit_code == 0 and r.stdout == "" and "Reference zoo" in r.stderr
    r = runner.invoke(app, ["verify-plan", "--json"])
    assert r.stdout.startswith('[\n  {')


def test_square_brackets_survive_in_errors_and_tables(monkeypatch):
    r = runner.invoke(app, ["sample", "nope:x", "--prompts", __file__])
    assert r.exit_code == 2 and "[extra: distillscope[anthropic]]" in _errors(r)[0]
    # an install hint with brackets, whichever zoo models this machine happens to have installed
    from distillscope import zoo

    rows = [{**r, "installed": False} for r in zoo.list_models()]
    monkeypatch.setattr(zoo, "list_models", lambda: rows)
    r = runner.invoke(app, ["models", "list"], env={"COLUMNS": "300"})
    assert "pip install 'distillscope[gemma]'" in r.stderr


def test_generated_options_show_their_defaults():
    r = runner.invoke(app, ["distill", "--help"], env={"COLUMNS": "300"})
    assert "[default: 20]" in r.output and "--distill-weight" in r.output and "--loss" in r.output


def test_unknown_spec_options_are_rejected_with_the_valid_ones(tmp_path):
    p = tmp_path / "p.txt"
    p.write_text("hi\n")
    r = runner.invoke(app, ["sample", "mock:echo;bogus=1", "--prompts", str(p)])
    assert r.exit_code == 2 and "bogus" in _errors(r)[0] and "takes no options" in _errors(r)[0]
    r = runner.invoke(app, ["sample", "openai:m@http://127.0.0.1:9/v1;concurency=2", "--prompts", str(p)])
    assert "it takes api_key_env, concurrency, max_retries, timeout" in _errors(r)[0]


def test_store_info_does_not_create_the_store(tmp_path):
    new = tmp_path / "new.duckdb"
    r = runner.invoke(app, ["store", "info", "--store", str(new), "--json"])
    assert r.exit_code == 0 and not new.exists() and json.loads(r.stdout)["exists"] is False


def test_sample_shows_samples_and_a_cached_rerun_loads_no_model(tmp_path, monkeypatch):
    p = tmp_path / "p.jsonl"
    p.write_text('"What is red?"\n{"prompt": "And blue?"}\n')  # a bare string line is a prompt
    args = ["sample", "mock:cycle=crimson|navy", "--prompts", str(p), "-n", "2", "--store", str(tmp_path / "s.duckdb")]
    r = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert r.exit_code == 0 and "What is red?" in r.stderr and "crimson" in r.stderr and r.stdout == ""
    import distillscope.models

    def refuse(*a, **k):
        raise AssertionError("the model was loaded although every sample is in the store")

    monkeypatch.setattr(distillscope.models, "load_model", refuse)
    r = runner.invoke(app, [*args, "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["new_calls"] == 0 and d["from_store"] == 4 and {x["completion"] for x in d["rows"]} <= {"crimson", "navy"}


@pytest.mark.slow
def test_verify_exit_codes_known_null_and_known_positive(tmp_path):
    p = tmp_path / "p.txt"
    p.write_text("one\ntwo\nthree\n")
    base = ["--prompts", str(p), "-n", "6", "--store", str(tmp_path / "s.duckdb"), "--permutations", "199"]
    same = runner.invoke(app, ["verify", "mock:fixed=the same answer", "-r", "mock:fixed=the same answer", *base])
    assert same.exit_code == 0, same.output
    diff = runner.invoke(app, ["verify", "mock:fixed=another answer", "-r", "mock:fixed=the same answer", *base,
                               "--json"])
    assert diff.exit_code == 1 and json.loads(diff.stdout)["substituted"] is True


def test_verify_config_file_with_flag_override(tmp_path):
    p = tmp_path / "p.txt"
    p.write_text("one\ntwo\n")
    cfg = tmp_path / "v.yaml"
    cfg.write_text("samples: 4\npermutations: 99\nalpha: 0.01\n")
    r = runner.invoke(app, ["verify", "mock:fixed=a", "-r", "mock:fixed=a", "--prompts", str(p), "--config", str(cfg),
                            "--alpha", "0.1", "--store", str(tmp_path / "s.duckdb"), "--json"])
    d = json.loads(r.stdout)
    assert r.exit_code == 0 and d["samples_per_prompt"] == 4 and d["alpha"] == 0.1
    cfg.write_text("samples: many\n")
    r = runner.invoke(app, ["verify", "mock:fixed=a", "-r", "mock:fixed=a", "--config", str(cfg)])
    assert r.exit_code == 2 and "samples must be a int" in _errors(r)[0]


def test_ports_out_of_range_are_usage_errors():
    for argv in (["serve", "mock:echo", "--port", "99999"], ["gateway", "serve", "-u", "mock:echo", "--port", "0"]):
        r = runner.invoke(app, argv)
        assert r.exit_code == 2 and len(_errors(r)) == 1 and "--port" in _errors(r)[0] and "Traceback" not in r.output
