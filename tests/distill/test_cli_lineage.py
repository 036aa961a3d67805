"""CLI: distill (options checked before loading, --config), provenance show/verify; the lineage zoo is tested in tests/zoo."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from distillscope.cli import app

runner = CliRunner()


def _json(res):
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


@pytest.mark.slow
def test_cli_distill_then_provenance_show_and_verify(tmp_path):
    out = tmp_path / "st"
    res = runner.invoke(app, ["distill", "--teacher", "zoo:tiny-llama", "--student-config", "tiny", "--method",
                              "logits", "--n-data", "6", "--max-len", "24", "--steps", "2", "--batch-size", "2",
                              "--k", "5", "--out", str(out), "--json"])
    s = _json(res)
    assert s["method"] == "logits" and s["steps"] == 2 and s["cache"]["k"] == 5
    shown = _json(runner.invoke(app, ["provenance", "show", str(out), "--json"]))
    assert shown["teacher"]["spec"] == "zoo:tiny-llama" and shown["hyperparameters"]["k"] == 5
    assert runner.invoke(app, ["provenance", "show", str(out)]).exit_code == 0
    ok = _json(runner.invoke(app, ["provenance", "verify", str(out), "--json"]))
    assert ok["ok"]
    (out / "config.json").write_text((out / "config.json").read_text().replace("}", ' ,"x": 1}', 1))
    bad = runner.invoke(app, ["provenance", "verify", str(out), "--json"])
    assert bad.exit_code == 1 and not json.loads(bad.stdout)["ok"]


def test_cli_bad_options_are_clear_errors_before_any_model_loads(tmp_path, monkeypatch):
    import distillscope.models

    def no_loading(*a, **k):
        raise AssertionError("a model was loaded before the options were checked")

    monkeypatch.setattr(distillscope.models, "load_model", no_loading)
    base = ["distill", "--teacher", "zoo:tiny-llama", "--out", str(tmp_path / "x")]
    for extra, msg in [(["--method", "magic"], "logits, sequences, text"), (["--loss", "bogus"], "--loss must be"),
                       (["--student-config", "huge"], "--student-config must be"),
                       (["--warmup", "50", "--steps", "5"], "--warmup 50 exceeds --steps 5"),
                       (["--prompts", str(tmp_path / "missing.txt")], "no such file")]:
        res = runner.invoke(app, [*base, *extra])
        errors = [ln for ln in res.stderr.splitlines() if ln.startswith("error:")]
        assert res.exit_code == 2 and len(errors) == 1 and msg in errors[0], (extra, res.output)
    assert not (tmp_path / "x").exists()  # nothing written for a typo


def test_cli_distill_reads_a_config_file_and_clips_the_default_warmup(tmp_path):
    cfg = tmp_path / "run.yaml"
    cfg.write_text("teacher: zoo:tiny-llama\nmethod: text\nn-data: 4\nmax_len: 24\nsteps: 2\nbatch_size: 2\n")
    out = tmp_path / "st"
    s = _json(runner.invoke(app, ["distill", "--config", str(cfg), "--out", str(out), "--steps", "3", "--json"]))
    shown = _json(runner.invoke(app, ["provenance", "show", str(out), "--json"]))
    assert s["steps"] == 3 and shown["method"] == "text"  # the flag overrides the file
    assert shown["hyperparameters"]["warmup"] == 1  # default 20 clipped to half of 3 steps


@pytest.mark.slow
def test_unknown_zoo_size():
    from distillscope.errors import InputError
    from distillscope.zoo.lineage import build_lineage_zoo

    with pytest.raises(InputError, match="size"):
        build_lineage_zoo("/nonexistent-never-created", size="huge")
