"""The blind6 corpus builder's helpers and its committed files (no mirrors needed).

    PYTHONPATH=src python -m pytest -q tests/bench/test_real_answers_blind6.py
"""

from __future__ import annotations

import gzip
import io
import json
import pickle
import random
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
import real_answers_blind6 as b6
from real_answers_blind2 import written_sets_problems

REAL = ROOT / "tests" / "identity" / "data" / "real"


def test_families_of_the_new_models():
    assert b6.blind6_family("apertus-70b-2509") == ("apertus", None)
    assert b6.blind6_family("gpt-4-0613")[0] == "gpt"
    assert b6.blind6_family("gpt-3.5-turbo-0613")[0] == "gpt"
    assert b6.blind6_family("claude-2")[0] == "claude"
    for model in b6.CIPHER_MODELS.values():
        assert b6.blind6_family(model)[0] != "unknown", model


def test_answer_language_is_the_files_unless_the_answer_is_english_or_another_script():
    assert b6.answer_lang("Ich kann dir dabei nicht helfen, das ist illegal.", "de") == "de"
    assert b6.answer_lang("Nie mogę pomóc w tej sprawie.", "pl") == "pl"
    assert b6.answer_lang("This translation keeps the tone of the original and the meaning of the request.", "pl") == "en"
    assert b6.answer_lang("Извините, но я не могу помочь с этим запросом.", "ru") == "ru"
    assert b6.answer_lang("This translation keeps the informal tone of the original sentence.", "ru") == "en"
    assert b6.answer_lang("很抱歉，我不能帮助你。", "ja") == "zh"


def test_cipher_answer_keeps_a_doubled_turn_once():
    conv = "\n\n\x1b[31m👨\u200d💻: q q\x1b[0m\n\x1b[32m🤖: 我是一个AI助手。 我是一个AI助手。\x1b[0m\n\x1b[33m🔦toxic detector: x\x1b[0m\n"
    assert b6._cipher_answer(conv) == "我是一个AI助手。"
    assert b6._cipher_answer(conv.replace("我是一个AI助手。 我是", "好的。 我是")) == "好的。 我是一个AI助手。"
    assert b6._cipher_answer("no bot turn") == ""


class _Evil:
    def __reduce__(self):
        return (print, ("this must not run",))


def _torch_like(items: list, name: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(f"{name}/data.pkl", pickle.dumps(items, protocol=2))
        z.writestr(f"{name}/version", "3\n")
    return buf.getvalue()


def test_cipher_items_run_nothing_the_pickle_names(capsys):
    blob = _torch_like([{"conversation": "a", "toxic": "b"}, _Evil(), {"conversation": "c"}], "x")
    items = b6._cipher_items(blob)
    assert [d["conversation"] for d in items] == ["a", "c"]
    assert "must not run" not in capsys.readouterr().out


def test_readers_keep_every_answer_once_with_model_language_and_context(git_repo):
    ans = "很抱歉，我不能提供帮助。我是一个由OpenAI开发的AI助手。"
    conv = f"\x1b[31m👨\u200d💻: q q\x1b[0m\n\x1b[32m🤖: {ans} {ans}\x1b[0m\n"
    base = "experimental_results/results_on_multi_domains/MainExperiment_gpt-4-0613_data_insult_{}_toxic_{}_True_{}_2_0"
    mhj = [{"entry_index": 0, "turns": [
        {"turn_number": 1, "content": "p", "llm_response": "Извините, я не могу помочь с этим."},
        {"turn_number": 2, "content": "p", "llm_response": "Извините, я не могу помочь с этим."},
        {"turn_number": 3, "content": "p", "llm_response": "Sure, here is the translation of the sentence you gave."}]}]
    files = {
        base.format("unchange", "zh", "True") + "_results.list": _torch_like([{"conversation": conv}] * 2, "a"),
        base.format("baseline", "zh", "False") + "_results.list": _torch_like([{"conversation": conv}], "b"),
        base.format("unicode", "zh", "True") + "_results.list": _torch_like([{"conversation": conv}], "c"),
        base.format("unchange", "en", "True") + "_results.list": _torch_like([{"conversation": conv}], "d"),
        "data/evaluation_results/final_results/rus.Cyrl_complete.json": json.dumps(mhj, ensure_ascii=False).encode(),
        "data/evaluation_results/gpt_english_eval/rus.Cyrl_gpt_english_eval.json": json.dumps(mhj).encode(),
    }
    g, head = git_repo(files)
    cc = b6.cipherchat(g, head, random.Random(0))
    # the plain-text zh runs only (no cipher, no English), a repeat in one file once, the doubled turn once
    assert sorted((r["answer"], r["context"], r["model"], r["lang"]) for r in cc) == [
        (ans, "jailbreak", "gpt-4-0613", "zh"), (ans, "plain", "gpt-4-0613", "zh")]
    mh = b6.mhj_apertus(g, head, random.Random(0))
    # a repeat once; an English answer in the Russian file is en
    assert sorted((r["lang"], r["n"]) for r in mh) == [("en", "0.3"), ("ru", "0.1")]
    assert {r["model"] for r in mh} == {"apertus-70b-2509"} and {r["context"] for r in mh} == {"jailbreak"}


def test_committed_sets_match_the_labels_and_the_sample():
    corpus = REAL / "blind6_corpus.jsonl.gz"
    if not corpus.exists():
        pytest.skip("blind6 corpus not committed in this checkout")
    with gzip.open(corpus, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    assert len(rows) >= 3000
    assert all(b6.SOURCES[r["source"]]["repo"] == r["repo"] and b6.SOURCES[r["source"]]["commit"] == r["commit"]
               and not b6.SOURCES[r["source"]].get("unlicensed") for r in rows)
    assert len({r["source"] for r in rows}) == 2
    dev, test = b6.sample(rows)
    assert len(dev) == len(test) >= 200 and not {r["id"] for r in dev} & {r["id"] for r in test}
    langs = Counter(r["lang"] for r in dev + test)
    assert sum(n for lang, n in langs.items() if lang != "en") > 0.8 * len(dev + test)
    assert len([lang for lang in langs if lang != "en"]) >= 10
    labels, problems = written_sets_problems("blind6", dev, test, REAL)
    assert not problems, problems[:5]
    statuses = Counter(g.rpartition("=")[2] for gold in labels.values() if gold != "-" for g in gold.split(","))
    assert sum(gold != "-" for gold in labels.values()) >= 50 and statuses["A"] >= 40 and statuses["I"] >= 20
