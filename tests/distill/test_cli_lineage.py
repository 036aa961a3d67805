"""CLI (distill, provenance show/verify, zoo build-lineage) and the lineage zoo on a tiny teacher."""

from __future__ import annotations

import json

import pytest
import torch
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
def test_lineage_zoo_test_size_builds_members_with_known_ancestry(tmp_path):
    from distillscope.distill.provenance import read_manifest
    from distillscope.models import load_model
    from distillscope.zoo.lineage import MEMBERS, build_lineage_zoo, read_lineage

    paths = build_lineage_zoo(tmp_path / "zoo", size="test", show_progress=False)
    assert set(paths) == set(MEMBERS)
    info = read_lineage(tmp_path / "zoo")
    assert info["teacher"] == "zoo:tiny-llama"
    rel = {n: m["relation"] for n, m in info["members"].items()}
    assert rel["logit-distilled"] == rel["quantized"] == rel["fine-tuned"] == "derived"
    assert rel["control-corpus"] == rel["control-other-teacher"] == "control"
    for name, p in paths.items():
        assert read_manifest(p)["lineage"]["member"] == name
    teacher = load_model("zoo:tiny-llama")
    q = load_model(info["members"]["quantized"]["spec"])
    ft = load_model(info["members"]["fine-tuned"]["spec"])
    w_t = teacher.model.model.layers[0].mlp.up_proj.weight
    w_q = q.model.model.layers[0].mlp.up_proj.weight
    assert not torch.equal(w_t, w_q) and torch.allclose(w_t, w_q, atol=float(w_t.detach().abs().max()) / 7 + 1e-6)
    assert len(torch.unique(w_q[0, :32])) <= 16  # 4-bit: at most 16 levels per group
    assert not torch.equal(w_t, ft.model.model.layers[0].mlp.up_proj.weight)
    # students of different members start from different seeds
    a = load_model(info["members"]["logit-distilled"]["spec"]).model
    b = load_model(info["members"]["control-corpus"]["spec"]).model
    assert not torch.equal(a.model.layers[0].mlp.up_proj.weight, b.model.layers[0].mlp.up_proj.weight)
    # cached: a second call builds nothing and returns the same folders
    mtime = (paths["quantized"] / "provenance.json").stat().st_mtime_ns
    assert build_lineage_zoo(tmp_path / "zoo", size="test", show_progress=False) == paths
    assert (paths["quantized"] / "provenance.json").stat().st_mtime_ns == mtime
    res = runner.invoke(app, ["zoo", "build-lineage", "--size", "test", "--out", str(tmp_path / "zoo"), "--json"])
    assert _json(res)["members"]["sequence-distilled"]["method"] == "sequences"


def test_unknown_zoo_size():
    from distillscope.errors import InputError
    from distillscope.zoo.lineage import build_lineage_zoo

    with pytest.raises(InputError, match="size"):
        build_lineage_zoo("/nonexistent-never-created", size="huge")
