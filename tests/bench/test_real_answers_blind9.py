"""The blind9 corpus builder and its committed label files (no mirror and no source text needed).

    PYTHONPATH=src python -m pytest -q tests/bench/test_real_answers_blind9.py

Set ``BLIND9_CORPUS`` to a locally rebuilt corpus (``bench/real_answers_blind9.py --mirrors DIR --out FILE``) to also
check that the seeded sample gives exactly the committed halves.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections import Counter
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parents[1] / "bench")]  # window_sets and the builders (--import-mode=importlib)
import real_answers_blind9 as b9
import window_sets as ws
from window_sets import b8

EARLIER = {"blind8": b8}


def test_no_window_overlaps_what_blind8_read():
    """blind9 is the blind test of rules written on blind8: no character of a blind8 window is in a blind9 window of
    the same file (a line cut by an edge is in neither), and windows of one file do not overlap each other."""
    ws.check_windows(b9, EARLIER)
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
    labels, keys, halves = ws.check_label_files("blind9", b9, EARLIER)
    assert len(halves["dev"]) >= 125 and 2 * len(halves["dev"]) == len(labels)  # every labelled answer in a half
    langs = {rid: b8.prompt_lang({"prompt_id": k[3]}) for rid, k in keys.items()}
    claims = [rid for rid, g in labels.items() if g != "-"]
    foreign = ws.foreign_claims(labels, keys)
    assert len(claims) >= 150
    assert sum(langs[rid] != "en" for rid in foreign) >= 100
    assert len({langs[rid] for rid in foreign}) == 8  # foreign claims in every prompt language
    assert sum(lang == "en" for lang in langs.values()) <= 0.15 * len(labels)
    assert len({k[0] for k in keys.values()}) >= 7


@pytest.mark.skipif(not os.environ.get("BLIND9_CORPUS"), reason="set BLIND9_CORPUS to a local rebuild of the corpus")
def test_the_seeded_sample_gives_the_committed_halves():
    both = ws.seeded_halves("blind9", b9, os.environ["BLIND9_CORPUS"])
    assert Counter(r["lang"] for r in both)["en"] <= 0.15 * len(both)
