"""The blind12 corpus builder and its committed label files (no mirror and no source text needed).

    PYTHONPATH=src python -m pytest -q tests/bench/test_real_answers_blind12.py

Set ``BLIND12_CORPUS`` to a locally rebuilt corpus (``bench/real_answers_blind12.py --mirrors DIR --out FILE``) to also
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
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
import real_answers_blind8 as b8
import real_answers_blind9 as b9
import real_answers_blind10 as b10
import real_answers_blind11 as b11
import real_answers_blind12 as b12

REAL = ROOT / "tests" / "identity" / "data" / "real"
ALIASES = ROOT / "src" / "distillscope" / "identity" / "data" / "aliases.yaml"
EARLIER = {"blind8": b8.FILES, "blind9": b9.FILES, "blind10": b10.FILES, "blind11": b11.FILES}


def _rows(path: Path) -> list[list[str]]:
    return [line.split("\t") for line in path.read_text("utf-8").splitlines() if line and not line.startswith("#")]


def test_no_window_overlaps_what_blind8_to_11_read():
    """blind12 is a blind test of rules written on blind8-11: no character of their windows is in a blind12 window of
    the same file (a line cut by an edge is in neither), and windows of one file do not overlap."""
    for path, (commit, windows) in b12.FILES.items():
        assert commit in (b8.C55, b8.CA2) and path.startswith("results_local/") and "INVALID" not in path
        assert "judgments" not in path
        spans = sorted(windows)
        assert all(e - s == 16000 and s % 16000 == 0 for s, e in spans)  # 16,000-character pages, as read
        assert all(e1 <= s2 for (_, e1), (s2, _) in itertools.pairwise(spans))
        for files in EARLIER.values():
            if path in files:
                assert files[path][0] == commit  # the same file version, other pages
                for s, e in windows:
                    assert all(e <= s0 or e0 <= s for s0, e0 in files[path][1]), (path, s, e)
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
    labels = {r[0]: r[1] for r in _rows(REAL / "blind12_unlic.labels.tsv")}
    keys = {r[0]: r[1:] for r in _rows(REAL / "blind12_unlic.keys.tsv")}
    halves = {h: _rows(REAL / f"blind12_unlic_{h}.labels.tsv") for h in ("dev", "test")}
    assert len(halves["dev"]) == len(halves["test"]) >= 100
    ids = [r[0] for h in halves.values() for r in h]
    assert len(set(ids)) == len(ids) and set(ids) <= set(labels) == set(keys)
    assert len(labels) - len(ids) <= 1  # halves of equal size: an odd count leaves one labelled answer out
    for rid, (model, commit, path, pid, idx, cond) in keys.items():
        assert b12.FILES[path][0] == commit and path.endswith(model + ".jsonl") and cond in ("clean", "shipped")
        assert hashlib.sha1(f"blind12|name_identity_local|{path}|{pid}|{idx}|{cond}|0".encode()).hexdigest()[:12] == rid
    for earlier in EARLIER:  # no answer blind8-11 labelled, by id or by place
        rows = _rows(REAL / f"{earlier}_unlic.keys.tsv")
        assert not {r[0] for r in rows} & set(keys)
        assert not {tuple(r[3:7]) for r in rows} & {tuple(k[2:6]) for k in keys.values()}
    for rid, model, family, gold in halves["dev"] + halves["test"]:
        assert gold == labels[rid] and family == b8.blind8_family(model)[0] and keys[rid][0] == model
    table = yaml.safe_load(ALIASES.read_text("utf-8"))
    known = set(table["families"]) | {f"maker:{m}" for m in table["makers"]}
    for gold in labels.values():  # every label id is a family of the alias table or maker:<maker id>
        assert gold == "-" or all(g.rpartition("=")[2] in "ANRHI" and g.rpartition("=")[0] in known
                                  for g in gold.split(","))
    for rid, _, model, gold, note in _rows(REAL / "blind12_unlic.notes.tsv"):
        assert labels[rid] == gold and keys[rid][0] == model and note
    own = {"olmo": set(), "qwen": {"qwen", "maker:alibaba"}, "gpt": {"gpt", "maker:openai"}}
    langs = {rid: b8.prompt_lang({"prompt_id": k[3]}) for rid, k in keys.items()}
    claims = [rid for rid, g in labels.items() if g != "-"]
    foreign = [rid for rid in claims for fam in [b8.blind8_family(keys[rid][0])[0]]
               if any(s == "A" and f not in own[fam] for f, _, s in (g.rpartition("=") for g in labels[rid].split(",")))]
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
    with gzip.open(os.environ["BLIND12_CORPUS"], "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    assert all(r["licence"] == "none stated" for r in rows)
    dev, test = b12.sample(rows)
    for half, rs in (("dev", dev), ("test", test)):
        assert [r[0] for r in _rows(REAL / f"blind12_unlic_{half}.labels.tsv")] == [r["id"] for r in rs]
    assert Counter(r["lang"] for r in dev + test)["en"] <= 0.2 * len(dev + test)
