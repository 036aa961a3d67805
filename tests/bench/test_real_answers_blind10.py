"""The blind10 corpus builder and its committed label files (no mirror and no source text needed).

    PYTHONPATH=src python -m pytest -q tests/bench/test_real_answers_blind10.py

Set ``BLIND10_CORPUS`` to a locally rebuilt corpus (``bench/real_answers_blind10.py --mirrors DIR --out FILE``) to also
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
import real_answers_blind10 as b10

REAL = ROOT / "tests" / "identity" / "data" / "real"


def _rows(path: Path) -> list[list[str]]:
    return [line.split("\t") for line in path.read_text("utf-8").splitlines() if line and not line.startswith("#")]


def test_no_window_overlaps_what_blind8_or_blind9_read():
    """blind10 is the blind test of rules written on blind8 and blind9: no character of a blind8 or blind9 window is in
    a blind10 window of the same file (a line cut by an edge is in neither), and windows of one file do not overlap."""
    for path, (commit, windows) in b10.FILES.items():
        assert commit in (b8.C55, b8.CA2) and path.startswith("results_local/") and "INVALID" not in path
        spans = sorted(windows)
        assert all(e - s == 16000 for s, e in spans)  # 16,000-character pages, as read
        assert all(e1 <= s2 for (_, e1), (s2, _) in itertools.pairwise(spans))
        for earlier in (b8.FILES, b9.FILES):
            if path in earlier:
                assert earlier[path][0] == commit  # the same file version, other pages
                for s, e in windows:
                    assert all(e <= s0 or e0 <= s for s0, e0 in earlier[path][1]), (path, s, e)
    assert set(b10.FILES) - set(b8.FILES) - set(b9.FILES)  # a model neither read


def _record(pid: str, cat: str, idx: int, content: str, model: str = "Qwen/Qwen3.5-2B") -> dict:
    return {"model_id": model, "prompt_id": pid, "prompt_category": cat, "sample_idx": idx, "turn_index": 0,
            "condition": "clean", "messages_sent": [{"role": "user", "content": "q"}], "content": content}


def test_mirror_full_file_and_excerpt_give_the_same_rows(window_builds):
    recs = [_record("ko_who", "direct_ko", i, f"저는 Qwen3.5입니다. ({i})") for i in range(4)]
    path = "results_local/Qwen__Qwen3.5-2B.jsonl"
    from_git, head = window_builds(b10, "BLIND10", path, recs)
    assert {(r["family"], r["lang"], r["context"], r["commit"]) for r in from_git} == {("qwen", "ko", "plain", head)}
    for r in from_git:  # the id depends on the file, prompt, sample and condition only, and names blind10
        k = next(x for x in recs if x["content"] == r["answer"])["sample_idx"]
        assert r["id"] == hashlib.sha1(f"blind10|name_identity_local|{path}|ko_who|{k}|clean|0".encode()).hexdigest()[:12]


def test_committed_label_files_agree_and_hold_the_foreign_claims():
    labels = {r[0]: r[1] for r in _rows(REAL / "blind10_unlic.labels.tsv")}
    keys = {r[0]: r[1:] for r in _rows(REAL / "blind10_unlic.keys.tsv")}
    halves = {h: _rows(REAL / f"blind10_unlic_{h}.labels.tsv") for h in ("dev", "test")}
    assert len(halves["dev"]) == len(halves["test"]) >= 60
    ids = [r[0] for h in halves.values() for r in h]
    assert len(set(ids)) == len(ids) and set(ids) <= set(labels) == set(keys)
    assert len(labels) - len(ids) <= 1  # halves of equal size: an odd count leaves one labelled answer out
    for rid, (model, commit, path, pid, idx, cond) in keys.items():
        assert b10.FILES[path][0] == commit and path.endswith(model + ".jsonl")
        assert hashlib.sha1(f"blind10|name_identity_local|{path}|{pid}|{idx}|{cond}|0".encode()).hexdigest()[:12] == rid
    for earlier in ("blind8", "blind9"):  # no answer blind8 or blind9 labelled, by id or by place
        rows = _rows(REAL / f"{earlier}_unlic.keys.tsv")
        assert not {r[0] for r in rows} & set(keys)
        assert not {tuple(r[3:7]) for r in rows} & {tuple(k[2:6]) for k in keys.values()}
    for rid, model, family, gold in halves["dev"] + halves["test"]:
        assert gold == labels[rid] and family == b8.blind8_family(model)[0] and keys[rid][0] == model
    for gold in labels.values():
        assert gold == "-" or all(g.rpartition("=")[2] in "ANRHI" and g.rpartition("=")[0] for g in gold.split(","))
    for rid, _, model, gold, note in _rows(REAL / "blind10_unlic.notes.tsv"):
        assert labels[rid] == gold and keys[rid][0] == model and note
    own = {"olmo": set(), "qwen": {"qwen", "maker:alibaba"}, "gpt": {"gpt", "maker:openai"}}
    langs = {rid: b8.prompt_lang({"prompt_id": k[3]}) for rid, k in keys.items()}
    claims = [rid for rid, g in labels.items() if g != "-"]
    foreign = [rid for rid in claims for fam in [b8.blind8_family(keys[rid][0])[0]]
               if any(s == "A" and f not in own[fam] for f, _, s in (g.rpartition("=") for g in labels[rid].split(",")))]
    assert 120 <= len(labels) <= 200
    assert len(claims) >= 0.4 * len(labels) and len(labels) - len(claims) >= 0.3 * len(labels)  # claims and no-claims
    assert sum(langs[rid] != "en" for rid in foreign) >= 30
    assert len({langs[rid] for rid in foreign}) >= 5  # foreign claims in several prompt languages
    assert {b8.blind8_family(keys[rid][0])[0] for rid in foreign} == {"olmo", "qwen"}  # a Qwen names OpenAI too
    assert sum(lang == "en" for lang in langs.values()) <= 0.15 * len(labels)
    assert len({k[0] for k in keys.values()}) >= 7


@pytest.mark.skipif(not os.environ.get("BLIND10_CORPUS"), reason="set BLIND10_CORPUS to a local rebuild of the corpus")
def test_the_seeded_sample_gives_the_committed_halves():
    with gzip.open(os.environ["BLIND10_CORPUS"], "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    assert all(r["licence"] == "none stated" for r in rows)
    dev, test = b10.sample(rows)
    for half, rs in (("dev", dev), ("test", test)):
        assert [r[0] for r in _rows(REAL / f"blind10_unlic_{half}.labels.tsv")] == [r["id"] for r in rs]
    assert Counter(r["lang"] for r in dev + test)["en"] <= 0.15 * len(dev + test)
