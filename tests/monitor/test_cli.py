import json

from typer.testing import CliRunner

from distillscope.cli import app


def test_simulate_then_scan_json(tmp_path):
    r = CliRunner().invoke(app, ["monitor", "simulate", str(tmp_path), "--exchanges", "4000", "--accounts", "200",
                                 "--campaigns", "2", "--campaign-accounts", "30", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["accounts"] == 200
    r = CliRunner().invoke(app, ["monitor", "scan", str(tmp_path / "log.parquet"), "--json", "--out",
                                 str(tmp_path / "out")])
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["summary"]["exchanges"] > 3000 and "campaigns" in d
    assert (tmp_path / "out" / "campaigns.json").exists()


def test_scan_bad_engine_and_help():
    r = CliRunner().invoke(app, ["monitor", "scan", "x.parquet", "--engine", "oracle"])
    assert r.exit_code != 0
    r = CliRunner().invoke(app, ["monitor", "--help"])
    assert r.exit_code == 0 and "scan" in r.output and "simulate" in r.output
