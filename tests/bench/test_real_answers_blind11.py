"""The blind11 corpus builder and its committed label files (no mirror and no source text needed).

    PYTHONPATH=src python -m pytest -q tests/bench/test_real_answers_blind11.py

Set ``BLIND11_CORPUS`` to a locally rebuilt corpus (``bench/real_answers_blind11.py --mirrors DIR --out FILE``) to also
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
import real_answers_blind11 as b11
import window_sets as ws
from window_sets import b8

EARLIER = {"blind8": b8, "blind9": b9, "blind10": b10}


def test_no_window_overlaps_what_blind8_9_or_10_read():
    """blind11 is a blind test of rules written on blind8-10: no character of their windows is in a blind11 window of
    the same file (a line cut by an edge is in neither), and windows of one file do not overlap."""
    ws.check_windows(b11, EARLIER)
    read_before = set().union(*(m.FILES for m in EARLIER.values()))
    assert set(b11.FILES) - read_before  # a model none of the earlier sets read
    assert sum(len(w) for p, (_, w) in b11.FILES.items() if "Olmo" not in p) >= 5  # not one model family


def _record(pid: str, cat: str, idx: int, content: str, model: str = "Qwen/Qwen3.6-35B-A3B") -> dict:
    return {"model_id": model, "prompt_id": pid, "prompt_category": cat, "sample_idx": idx, "turn_index": 0,
            "condition": "clean", "messages_sent": [{"role": "user", "content": "q"}], "content": content}


def test_mirror_full_file_and_excerpt_give_the_same_rows(window_builds):
    recs = [_record("es_who", "direct_es", i, f"Soy Qwen, desarrollado por Alibaba Cloud. ({i})") for i in range(4)]
    path = "results_local/Qwen__Qwen3.6-35B-A3B.jsonl"
    from_git, head = window_builds(b11, "BLIND11", path, recs)
    assert {(r["family"], r["lang"], r["context"], r["commit"]) for r in from_git} == {("qwen", "es", "plain", head)}
    for r in from_git:  # the id depends on the file, prompt, sample and condition only, and names blind11
        k = next(x for x in recs if x["content"] == r["answer"])["sample_idx"]
        assert r["id"] == hashlib.sha1(f"blind11|name_identity_local|{path}|es_who|{k}|clean|0".encode()).hexdigest()[:12]


def test_committed_label_files_agree_and_hold_the_foreign_claims():
    labels, keys, _ = ws.check_label_files("blind11", b11, EARLIER)
    langs = {rid: b8.prompt_lang({"prompt_id": k[3]}) for rid, k in keys.items()}
    claims = [rid for rid, g in labels.items() if g != "-"]
    foreign = ws.foreign_claims(labels, keys)
    statuses = Counter(g.rpartition("=")[2] for rid in claims for g in labels[rid].split(","))
    assert 200 <= len(labels) <= 400
    assert len(claims) >= 0.4 * len(labels) and len(labels) - len(claims) >= 0.3 * len(labels)  # claims and no-claims
    assert sum(langs[rid] in ("es", "vi", "ru", "fr") for rid in foreign) >= 40  # the weakest languages first
    assert all(sum(langs[rid] == lang for rid in foreign) >= 5 for lang in ("es", "vi", "ru", "fr"))
    assert {b8.blind8_family(keys[rid][0])[0] for rid in foreign} == {"olmo", "qwen"}  # a Qwen names OpenAI too
    assert statuses["N"] >= 5 and statuses["H"] + statuses["R"] >= 3  # not only asserted claims
    assert sum(lang == "en" for lang in langs.values()) <= 0.15 * len(labels)
    assert len({k[0] for k in keys.values()}) >= 6 and any(k[0] == "Qwen3.6-35B-A3B" for k in keys.values())


@pytest.mark.skipif(not os.environ.get("BLIND11_CORPUS"), reason="set BLIND11_CORPUS to a local rebuild of the corpus")
def test_the_seeded_sample_gives_the_committed_halves():
    both = ws.seeded_halves("blind11", b11, os.environ["BLIND11_CORPUS"])
    assert Counter(r["lang"] for r in both)["en"] <= 0.15 * len(both)
