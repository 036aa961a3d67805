"""The blind traffic simulator (bench/monitor_sim_blind.py) writes a schema-valid log with consistent ground truth,
and its scorer gives recall 1 / FPR 0 to a perfect scan and recall 0 to an empty one."""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from distillscope.monitor.schema import arrow_schema

BENCH = Path(__file__).resolve().parents[2] / "bench"
pytestmark = pytest.mark.slow


def _load(name: str):
    sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    out = tmp_path_factory.mktemp("sim")
    summary = _load("monitor_sim_blind").generate(3000, 7, out)
    return out, summary


def test_log_follows_the_schema_and_matches_the_truth(world):
    out, summary = world
    log = pq.read_table(out / "log")
    assert log.schema.remove_metadata().equals(arrow_schema().remove_metadata())
    assert log.num_rows == summary["rows"]
    with open(out / "truth" / "accounts.csv") as fh:
        truth = {r["account_id"]: r for r in csv.DictReader(fh)}
    ids = set(log.column("account_id").to_pylist())
    assert ids == set(truth)
    kinds = {c["kind"] for c in json.loads((out / "truth" / "campaigns.json").read_text())["campaigns"]}
    assert {"datacenter_easy", "residential_proxy", "mixed", "slow", "paraphrase", "coverage_sweep",
            "cot_elicitation", "max_length"} <= kinds
    assert {r["kind"] for r in truth.values() if r["label"] == "benign"} >= {"chat", "student", "eval_harness",
                                                                              "research_lab", "translation"}
    rows = pq.read_table(out / "truth" / "rows.parquet").to_pylist()
    by_id = dict(zip(log.column("exchange_id").to_pylist(), log.column("account_id").to_pylist(), strict=True))
    abusive = [r for r in rows if r["campaign_id"]]
    assert abusive and all(truth[by_id[r["exchange_id"]]]["label"] == "campaign" for r in abusive)
    # the mixed accounts also carry their own ordinary traffic
    mixed = [r for r in truth.values() if r["kind"] == "mixed"]
    assert sum(int(r["exchanges"]) for r in mixed) > sum(int(r["abusive_exchanges"]) for r in mixed)


def _scan(path: Path, groups: list[list[str]]) -> Path:
    doc = {"campaigns": [{"campaign_id": i, "accounts": g, "flagged": True, "score": 1.0}
                         for i, g in enumerate(groups)], "accounts": []}
    path.write_text(json.dumps(doc))
    return path


def test_scorer_perfect_empty_and_all_benign_scans(world, tmp_path):
    out, _ = world
    score = _load("monitor_sim_blind_score").score
    with open(out / "truth" / "accounts.csv") as fh:
        truth = list(csv.DictReader(fh))
    camps: dict[str, list[str]] = {}
    for r in truth:
        if r["label"] == "campaign":
            camps.setdefault(r["group"], []).append(r["account_id"])
    perfect = score(_scan(tmp_path / "p.json", list(camps.values())), out / "truth")
    assert perfect["accounts"]["account_recall"] == 1.0 and perfect["accounts"]["benign_fpr"] == 0.0
    assert all(k["campaign_recall"] == 1.0 for k in perfect["by_kind"].values())
    assert all(g["purity"] == 1.0 for g in perfect["reported"])
    empty = score(_scan(tmp_path / "e.json", []), out / "truth")
    assert empty["accounts"]["account_recall"] == 0.0 and empty["accounts"]["benign_fpr"] == 0.0
    benign = [r["account_id"] for r in truth if r["label"] == "benign"]
    allben = score(_scan(tmp_path / "b.json", [benign]), out / "truth")
    assert allben["accounts"]["benign_fpr"] == 1.0 and allben["accounts"]["account_recall"] == 0.0
