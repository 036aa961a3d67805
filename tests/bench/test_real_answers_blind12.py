"""The blind12 corpus builder and its committed label files (no mirror and no source text needed).

    PYTHONPATH=src python -m pytest -q tests/bench/test_real_answers_blind12.py

Set ``BLIND12_CORPUS`` to a locally rebuilt corpus (``bench/real_answers_blind12.py --mirrors DIR --out FILE``) to also
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
import real_answers_blind12 as b12
import window_sets as ws
from window_sets import b8

EARLIER = {"blind8": b8, "blind9": b9, "blind10": b10, "blind11": b11}


def test_no_window_overlaps_what_blind8_to_11_read():
    """blind12 is a blind test of rules written on blind8-11: no character of their windows is in a blind12 window of
    the same file, and windows of one file do not overlap (window_sets.check_windows)."""
    ws.check_windows(b12, EARLIER)
    assert sum(len(w) for p, (_, w) in b12.FILES.items() if "Olmo" not in p) >= 5  # not one model family


def _record(pid: str, cat: str, idx: int, content: str, cond: str = "shipped",
            model: str = "allenai/Olmo-3-7B-Instruct") -> dict:
    return {"model_id": model, "prompt_id": pid, "prompt_category": cat, "sample_idx": idx, "turn_index": 0,
            "condition": cond, "messages_sent": [{"role": "user", "content": "q"}], "content": content}


def test_mirror_full_file_and_excerpt_give_the_same_rows(window_builds):
    recs = [_record("es_who_made", "creator_es", i, f" soy un modelo de lenguaje entrenado por OpenAI. ({i})")
            for i in range(4)]
    path = "results_local/allenai__Olmo-3-7B-Instruct.jsonl"
    from_git, head = window_builds(b12, "BLIND12", path, recs)
    assert {(r["family"], r["lang"], r["context"], r["commit"]) for r in from_git} == {("olmo", "es", "plain", head)}
    for r in from_git:  # the id depends on the file, prompt, sample and condition only, and names blind12
        k = next(x for x in recs if x["content"] == r["answer"])["sample_idx"]
        assert r["answer"].startswith(" soy")  # the content verbatim, a leading space included
        assert r["id"] == hashlib.sha1(f"blind12|name_identity_local|{path}|es_who_made|{k}|shipped|0".encode()).hexdigest()[:12]
    # the same prompt and sample in the other condition is another answer with another id
    clean = b8.corpus_rows(path, head, [_record("es_who_made", "creator_es", 1, "x", cond="clean")], "blind12")
    assert clean[0]["id"] not in {r["id"] for r in from_git}


def test_committed_label_files_agree_and_hold_the_foreign_claims():
    labels, keys, halves = ws.check_label_files("blind12", b12, EARLIER)
    assert len(halves["dev"]) >= 100
    langs = {rid: b8.prompt_lang({"prompt_id": k[3]}) for rid, k in keys.items()}
    claims = [rid for rid, g in labels.items() if g != "-"]
    foreign = ws.foreign_claims(labels, keys)
    statuses = Counter(g.rpartition("=")[2] for rid in claims for g in labels[rid].split(","))
    assert 250 <= len(labels) <= 400
    assert len(claims) >= 0.5 * len(labels) and len(labels) - len(claims) >= 0.2 * len(labels)  # claims and no-claims
    assert sum(langs[rid] in ("es", "vi", "ru", "fr", "ko") for rid in foreign) >= 50  # the weakest languages first
    assert all(sum(langs[rid] == lang for rid in foreign) >= 5 for lang in ("es", "vi", "ru", "fr", "ko"))
    assert {b8.blind8_family(keys[rid][0])[0] for rid in foreign} == {"olmo", "qwen"}  # a Qwen names Claude too
    assert statuses["N"] >= 10  # not only asserted claims
    assert sum(lang == "en" for lang in langs.values()) <= 0.2 * len(labels)
    assert Counter(k[5] for k in keys.values())["shipped"] >= 100  # the condition the earlier sets read little
    assert len({k[0] for k in keys.values()}) >= 6


@pytest.mark.skipif(not os.environ.get("BLIND12_CORPUS"), reason="set BLIND12_CORPUS to a local rebuild of the corpus")
def test_the_seeded_sample_gives_the_committed_halves():
    both = ws.seeded_halves("blind12", b12, os.environ["BLIND12_CORPUS"])
    assert Counter(r["lang"] for r in both)["en"] <= 0.2 * len(both)
