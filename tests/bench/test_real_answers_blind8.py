"""The blind8 corpus builder's helpers and its committed label files (no mirror and no source text needed).

    PYTHONPATH=src python -m pytest -q tests/bench/test_real_answers_blind8.py

Set ``BLIND8_CORPUS`` to a locally rebuilt corpus (``bench/real_answers_blind8.py --mirrors DIR --out FILE``) to also
check that the seeded sample gives exactly the committed halves.
"""

from __future__ import annotations

import gzip
import hashlib
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

REAL = ROOT / "tests" / "identity" / "data" / "real"
ALIASES = ROOT / "src" / "distillscope" / "identity" / "data" / "aliases.yaml"


def _rows(path: Path) -> list[list[str]]:
    return [line.split("\t") for line in path.read_text("utf-8").splitlines() if line and not line.startswith("#")]


def test_families_are_alias_table_ids_or_the_olmo_lineage():
    families = set(yaml.safe_load(ALIASES.read_text("utf-8"))["families"])
    got = {b8.blind8_family(Path(p).stem.replace("__", "/"))[0] for p in b8.FILES}
    assert got == {"olmo", "qwen", "gpt"}
    assert {"qwen", "gpt"} <= families and "olmo" not in families  # OLMo has no entry: its own name is never a label
    assert b8.blind8_family("openai/gpt-oss-20b") == ("gpt", None)
    with pytest.raises(ValueError):
        b8.blind8_family("mistralai/Mistral-7B")


def test_window_lines_keep_whole_lines_only():
    text = "aa\nbbbb\ncc\ndd\n"
    assert b8.window_lines(text, 0, len(text)) == ["aa", "bbbb", "cc", "dd"]
    assert b8.window_lines(text, 0, 9) == ["aa", "bbbb"]  # "cc" is cut by the end
    assert b8.window_lines(text, 4, 12) == ["cc"]  # "bbbb" starts before the window, "dd" ends after it
    assert b8.window_lines(text, 3, 11) == ["bbbb", "cc"]  # a window that starts on a line start keeps that line


def test_prompt_and_answer_language():
    assert b8.prompt_lang({"prompt_id": "zh_who", "prompt_category": "direct_zh"}) == "zh"
    assert b8.prompt_lang({"prompt_id": "direct_model", "prompt_category": "direct_en"}) == "en"
    assert b8.prompt_lang({"prompt_id": "zh_placebo_cobalt", "prompt_category": "probe_placebo"}) == "zh"
    assert b8.prompt_lang({"prompt_id": "en_placebo_solace", "prompt_category": "probe_placebo"}) == "en"
    # the language of the final answer, not of an English trace before it
    assert b8.answer_lang("<think>\nThe user asks who I am.\n</think>\n\n我是一个人工智能助手。", "zh") == "zh"
    assert b8.answer_lang("analysisThe user asks in Korean.assistantfinal저는 인공지능 언어 모델입니다.", "ko") == "ko"
    assert b8.answer_lang("Je suis un modèle de langage, conçu pour répondre à tes questions.", "fr") == "fr"
    assert b8.answer_lang("Je suis un modèle de langage avancé, trained on a vast dataset of text and the ability "
                          "to process it for you.", "fr") == "en"
    assert b8.answer_lang("Tôi là một trợ lý AI được phát triển để trả lời câu hỏi.", "vi") == "vi"
    assert b8.answer_lang("Я — языковая модель.", "en") == "ru"


def _record(pid: str, cat: str, idx: int, content: str) -> dict:
    return {"model_id": "allenai/Olmo-3-7B-Instruct", "prompt_id": pid, "prompt_category": cat, "sample_idx": idx,
            "turn_index": 0, "condition": "clean", "messages_sent": [{"role": "user", "content": "q"}],
            "content": content, "reasoning": None}


def test_mirror_full_file_and_excerpt_give_the_same_rows(window_builds):
    recs = [_record("zh_who", "direct_zh", i, f"我是ChatGPT，第{i}个回答。") for i in range(4)]
    from_git, head = window_builds(b8, "BLIND8", "results_local/allenai__Olmo-3-7B-Instruct.jsonl", recs)
    assert {(r["family"], r["lang"], r["context"], r["commit"], r["licence"]) for r in from_git} == {
        ("olmo", "zh", "plain", head, "none stated")}


def test_committed_label_files_agree_and_hold_the_foreign_claims():
    labels = {r[0]: r[1] for r in _rows(REAL / "blind8_unlic.labels.tsv")}
    keys = {r[0]: r[1:] for r in _rows(REAL / "blind8_unlic.keys.tsv")}
    halves = {h: _rows(REAL / f"blind8_unlic_{h}.labels.tsv") for h in ("dev", "test")}
    assert len(halves["dev"]) == len(halves["test"]) >= 150
    ids = [r[0] for h in halves.values() for r in h]
    assert len(set(ids)) == len(ids) == len(labels) and set(ids) == set(labels) == set(keys)
    for rid, (model, commit, path, pid, idx, cond) in keys.items():
        assert b8.FILES[path][0] == commit and path.endswith(model + ".jsonl")
        assert hashlib.sha1(f"blind8|name_identity_local|{path}|{pid}|{idx}|{cond}|0".encode()).hexdigest()[:12] == rid
    for rid, model, family, gold in halves["dev"] + halves["test"]:
        assert gold == labels[rid] and family == b8.blind8_family(model)[0] and keys[rid][0] == model
        assert gold == "-" or all(g.rpartition("=")[2] in "ANRHI" and g.rpartition("=")[0] for g in gold.split(","))
    for rid, _, model, gold, note in _rows(REAL / "blind8_unlic.notes.tsv"):
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
    assert len({k[0] for k in keys.values()}) == 8


@pytest.mark.skipif(not os.environ.get("BLIND8_CORPUS"), reason="set BLIND8_CORPUS to a local rebuild of the corpus")
def test_the_seeded_sample_gives_the_committed_halves():
    with gzip.open(os.environ["BLIND8_CORPUS"], "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    assert all(r["licence"] == "none stated" for r in rows)
    dev, test = b8.sample(rows)
    for half, rs in (("dev", dev), ("test", test)):
        assert [r[0] for r in _rows(REAL / f"blind8_unlic_{half}.labels.tsv")] == [r["id"] for r in rs]
    assert Counter(r["lang"] for r in dev + test)["en"] <= 0.15 * len(dev + test)
