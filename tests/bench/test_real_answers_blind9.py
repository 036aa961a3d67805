"""The blind9 corpus builder and its committed label files (no mirror and no source text needed).

    PYTHONPATH=src python -m pytest -q tests/bench/test_real_answers_blind9.py

Set ``BLIND9_CORPUS`` to a locally rebuilt corpus (``bench/real_answers_blind9.py --mirrors DIR --out FILE``) to also
check that the seeded sample gives exactly the committed halves.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import os
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
import real_answers_blind8 as b8
import real_answers_blind9 as b9

REAL = ROOT / "tests" / "identity" / "data" / "real"


def _rows(path: Path) -> list[list[str]]:
    return [line.split("\t") for line in path.read_text("utf-8").splitlines() if line and not line.startswith("#")]


def test_no_window_overlaps_what_blind8_read():
    """blind9 is the blind test of rules written on blind8: no character of a blind8 window is in a blind9 window of
    the same file (a line cut by an edge is in neither), and windows of one file do not overlap each other."""
    for path, (commit, windows) in b9.FILES.items():
        assert commit in (b8.C55, b8.CA2) and path.startswith("results_local/") and "INVALID" not in path
        spans = sorted(windows)
        assert all(s < e for s, e in spans)
        assert all(e1 <= s2 for (_, e1), (s2, _) in itertools.pairwise(spans))
        if path in b8.FILES:
            assert b8.FILES[path][0] == commit  # the same file version as blind8, other pages
            for s, e in windows:
                assert all(e <= s8 or e8 <= s for s8, e8 in b8.FILES[path][1]), (path, s, e)
    assert len(set(b9.FILES) - set(b8.FILES)) >= 3  # models blind8 did not read at all


def _record(pid: str, cat: str, idx: int, content: str, model: str = "Qwen/Qwen3.5-2B") -> dict:
    return {"model_id": model, "prompt_id": pid, "prompt_category": cat, "sample_idx": idx, "turn_index": 0,
            "condition": "clean", "messages_sent": [{"role": "user", "content": "q"}], "content": content}


def test_mirror_full_file_and_excerpt_give_the_same_rows(window_builds):
    recs = [_record("ko_who", "direct_ko", i, f"저는 Qwen3.5입니다. ({i})") for i in range(4)]
    path = "results_local/Qwen__Qwen3.5-2B.jsonl"
    from_git, head = window_builds(b9, "BLIND9", path, recs)
    assert {(r["family"], r["lang"], r["context"], r["commit"]) for r in from_git} == {("qwen", "ko", "plain", head)}
    for r in from_git:  # the id depends on the file, prompt, sample and condition only, and names blind9
        k = next(x for x in recs if x["content"] == r["answer"])["sample_idx"]
        assert r["id"] == hashlib.sha1(f"blind9|name_identity_local|{path}|ko_who|{k}|clean|0".encode()).hexdigest()[:12]


def test_committed_label_files_agree_and_hold_the_foreign_claims():
    labels = {r[0]: r[1] for r in _rows(REAL / "blind9_unlic.labels.tsv")}
    keys = {r[0]: r[1:] for r in _rows(REAL / "blind9_unlic.keys.tsv")}
    halves = {h: _rows(REAL / f"blind9_unlic_{h}.labels.tsv") for h in ("dev", "test")}
    assert len(halves["dev"]) == len(halves["test"]) >= 125
    ids = [r[0] for h in halves.values() for r in h]
    assert len(set(ids)) == len(ids) == len(labels) and set(ids) == set(labels) == set(keys)
    for rid, (model, commit, path, pid, idx, cond) in keys.items():
        assert b9.FILES[path][0] == commit and path.endswith(model + ".jsonl")
        assert hashlib.sha1(f"blind9|name_identity_local|{path}|{pid}|{idx}|{cond}|0".encode()).hexdigest()[:12] == rid
    blind8_ids = {r[0] for r in _rows(REAL / "blind8_unlic.keys.tsv")}
    blind8_keys = {tuple(r[3:7]) for r in _rows(REAL / "blind8_unlic.keys.tsv")}
    assert not blind8_ids & set(keys)
    assert not blind8_keys & {tuple(k[2:6]) for k in keys.values()}  # no (path, prompt, sample, condition) shared
    for rid, model, family, gold in halves["dev"] + halves["test"]:
        assert gold == labels[rid] and family == b8.blind8_family(model)[0] and keys[rid][0] == model
        assert gold == "-" or all(g.rpartition("=")[2] in "ANRHI" and g.rpartition("=")[0] for g in gold.split(","))
    for rid, _, model, gold, note in _rows(REAL / "blind9_unlic.notes.tsv"):
        assert labels[rid] == gold and keys[rid][0] == model and note
    own = {"olmo": set(), "qwen": {"qwen", "maker:alibaba"}, "gpt": {"gpt", "maker:openai"}}
    langs = {rid: b8.prompt_lang({"prompt_id": k[3]}) for rid, k in keys.items()}
    claims = [rid for rid, g in labels.items() if g != "-"]
    foreign = [rid for rid in claims for fam in [b8.blind8_family(keys[rid][0])[0]]
               if any(s == "A" and f not in own[fam] for f, _, s in (g.rpartition("=") for g in labels[rid].split(",")))]
    assert len(claims) >= 150
    assert sum(langs[rid] != "en" for rid in foreign) >= 100
    assert len({langs[rid] for rid in foreign}) == 8  # foreign claims in every prompt language
    assert sum(lang == "en" for lang in langs.values()) <= 0.15 * len(labels)
    assert len({k[0] for k in keys.values()}) >= 7


@pytest.mark.skipif(not os.environ.get("BLIND9_CORPUS"), reason="set BLIND9_CORPUS to a local rebuild of the corpus")
def test_the_seeded_sample_gives_the_committed_halves():
    with gzip.open(os.environ["BLIND9_CORPUS"], "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    assert all(r["licence"] == "none stated" for r in rows)
    dev, test = b9.sample(rows)
    for half, rs in (("dev", dev), ("test", test)):
        assert [r[0] for r in _rows(REAL / f"blind9_unlic_{half}.labels.tsv")] == [r["id"] for r in rs]
    assert Counter(r["lang"] for r in dev + test)["en"] <= 0.15 * len(dev + test)
