"""``distillscope report show / validate / html`` on a saved case file."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from distillscope.cli import app
from distillscope.report import CaseFile


def test_report_cli(evidence, tmp_path):
    CaseFile.build(evidence, "zoo:tiny-llama").save(tmp_path)
    run = CliRunner().invoke
    r = run(app, ["report", "show", str(tmp_path / "case.json"), "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["suspect"] == "zoo:tiny-llama"
    r = run(app, ["report", "validate", str(tmp_path)])
    assert r.exit_code == 0 and "valid (4 evidence" in r.output
    r = run(app, ["report", "html", str(tmp_path / "case.json")])
    assert r.exit_code == 0 and (tmp_path / "report.html").read_text().startswith("<!DOCTYPE html>")
    d = json.loads((tmp_path / "case.json").read_text())
    d["evidence"][0]["p_value"] = -1
    (tmp_path / "case.json").write_text(json.dumps(d))
    r = run(app, ["report", "validate", str(tmp_path)])
    assert r.exit_code == 2 and "evidence/0/p_value" in r.stderr and r.stdout == ""
    r = run(app, ["report", "show", str(tmp_path / "missing.json")])
    assert r.exit_code == 2 and r.stderr.count("error:") == 1
