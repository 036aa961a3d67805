import json

import pytest
from typer.testing import CliRunner

from distillscope.cli import app


@pytest.mark.slow
def test_simulate_then_scan_the_folder(tmp_path):
    r = CliRunner().invoke(app, ["monitor", "simulate", str(tmp_path), "--exchanges", "4000", "--accounts", "200",
                                 "--campaigns", "2", "--campaign-accounts", "30", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["accounts"] == 200
    # the folder simulate wrote (log.parquet next to truth.parquet) scans as it is
    r = CliRunner().invoke(app, ["monitor", "scan", str(tmp_path), "--json", "--out", str(tmp_path / "out")])
    d = json.loads(r.stdout)
    flagged = [c for c in d["campaigns"] if c["flagged"]]
    assert r.exit_code == (1 if flagged else 0), r.output
    assert flagged, "the simulated campaigns are found"
    assert d["summary"]["exchanges"] > 3000 and (tmp_path / "out" / "campaigns.json").exists()
    # scanning again, with scan's own results inside the folder, reads the same log only
    r2 = CliRunner().invoke(app, ["monitor", "scan", str(tmp_path), "--json"])
    assert json.loads(r2.stdout)["summary"]["exchanges"] == d["summary"]["exchanges"]
    # the human table lists account ids and points to the explanation of its terms
    r = CliRunner().invoke(app, ["monitor", "scan", str(tmp_path / "log.parquet")], env={"COLUMNS": "300"})
    assert "account ids" in r.stderr and str(flagged[0]["accounts"][0]) in r.stderr and r.stdout == ""


def test_scan_bad_engine_and_help():
    r = CliRunner().invoke(app, ["monitor", "scan", "x.parquet", "--engine", "oracle"])
    assert r.exit_code == 2 and "error: --engine must be duckdb or spark" in r.stderr
    r = CliRunner().invoke(app, ["monitor", "scan", "--help"])
    out = " ".join(r.output.split())
    assert r.exit_code == 0 and "cohesion =" in out and "infra (shared IP" in out and "Null hypothesis" in out
