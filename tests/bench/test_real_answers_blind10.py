"""The blind10 corpus builder and its committed label files (no mirror and no source text needed).

    PYTHONPATH=src python -m pytest -q tests/bench/test_real_answers_blind10.py

Set ``BLIND10_CORPUS`` to a locally rebuilt corpus (``bench/real_answers_blind10.py --mirrors DIR --out FILE``) to also
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
import real_answers_blind10 as b10
import window_sets as ws
from window_sets import b8

EARLIER = {"blind8": b8, "blind9": b9}


def test_no_window_overlaps_what_blind8_or_blind9_read():
    """blind10 is the blind test of rules written on blind8 and blind9: no character of a blind8 or blind9 window is in
    a blind10 window of the same file (a line cut by an edge is in neither), and windows of one file do not overlap."""
    ws.check_windows(b10, EARLIER)
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
    labels, keys, _ = ws.check_label_files("blind10", b10, EARLIER)
    langs = {rid: b8.prompt_lang({"prompt_id": k[3]}) for rid, k in keys.items()}
    claims = [rid for rid, g in labels.items() if g != "-"]
    foreign = ws.foreign_claims(labels, keys)
    assert 120 <= len(labels) <= 200
    assert len(claims) >= 0.4 * len(labels) and len(labels) - len(claims) >= 0.3 * len(labels)  # claims and no-claims
    assert sum(langs[rid] != "en" for rid in foreign) >= 30
    assert len({langs[rid] for rid in foreign}) >= 5  # foreign claims in several prompt languages
    assert {b8.blind8_family(keys[rid][0])[0] for rid in foreign} == {"olmo", "qwen"}  # a Qwen names OpenAI too
    assert sum(lang == "en" for lang in langs.values()) <= 0.15 * len(labels)
    assert len({k[0] for k in keys.values()}) >= 7


@pytest.mark.skipif(not os.environ.get("BLIND10_CORPUS"), reason="set BLIND10_CORPUS to a local rebuild of the corpus")
def test_the_seeded_sample_gives_the_committed_halves():
    both = ws.seeded_halves("blind10", b10, os.environ["BLIND10_CORPUS"])
    assert Counter(r["lang"] for r in both)["en"] <= 0.15 * len(both)
