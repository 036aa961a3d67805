"""The blind4 corpus builder's helpers and its committed files (no mirrors needed).

    PYTHONPATH=src python -m pytest -q tests/bench/test_real_answers_blind4.py
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
import real_answers_blind4 as b4
from real_answers_blind2 import gold_main

REAL = ROOT / "tests" / "identity" / "data" / "real"


def test_lang_of_reads_script_and_benchmark_language():
    assert b4.lang_of("Я большая языковая модель, и я отвечу на ваш вопрос подробно.") == "ru"
    assert b4.lang_of("我是一个人工智能助手，很高兴为你服务。") == "zh"
    assert b4.lang_of("私はAIアシスタントです。よろしくお願いします。") == "ja"
    assert b4.lang_of("저는 AI 어시스턴트입니다. 무엇을 도와드릴까요?") == "ko"
    de = "Ich bin ein Sprachmodell und beantworte gern deine Frage zur Geschichte Berlins."
    assert b4.lang_of(de, "de") == "de"
    assert b4.lang_of("This is the answer that you asked for, and it is in English.", "de") == "en"
    assert b4.lang_of(de) == "en"  # without a benchmark language a Latin-script answer stays en


def test_families_of_the_new_models():
    assert b4.blind4_family("gigachat_max") == ("gigachat", None)
    assert b4.blind4_family("yandex_gpt_pro_v4_26102024") == ("yandexgpt", None)
    assert b4.blind4_family("vikhr-llama3.1-8b-instruct-r-21-09-24") == ("llama", "vikhr")
    assert b4.blind4_family("lightblue__suzume-llama-3-8B-multilingual") == ("llama", "lightblue")
    assert b4.blind4_family("EXAONE-3.5-7.8B-Instruct") == ("exaone", None)
    assert b4.blind4_family("chatglm-4-flash") == ("glm", None)
    assert b4.blind4_family("aya-expanse-8b") == ("command", "cohere")
    assert b4.blind4_family("openchat-3.5-0106") == ("mistral", "other")
    assert b4.blind4_family("t-lite-instruct-0.1") == ("llama", "t-tech")
    assert b4.blind4_family("T-Tech-T-pro-it-1.0") == ("qwen", "t-tech")
    assert b4.blind4_family("Qwen__Qwen2.5-72B-Instruct")[0] == "qwen"
    assert b4.blind4_family("claude-3-opus-20240229")[0] == "claude"


def test_shaberi_skips_the_harness_checkpoints():
    for name in ("ablation-57-rafathenev2.rp.tl", "011-qwen3-8b-v2-sft", "__fsx__ubuntu__x", "spin-01-a55",
                 "checkpoint-519", "shisa-ai__chotto-14b-20251013-sft", "DeepSeek-V3-slice-jp64-gguf"):
        assert b4._SHABERI_SKIP.search(name)
    for name in ("Qwen__Qwen3-8B", "gpt-4o-2024-05-13", "claude-3-haiku-20240307", "THUDM__glm-4-9b-chat"):
        assert not b4._SHABERI_SKIP.search(name)


def test_committed_sets_match_the_labels_and_the_sample():
    corpus = REAL / "blind4_corpus.jsonl.gz"
    if not corpus.exists():
        pytest.skip("blind4 corpus not committed in this checkout")
    with gzip.open(corpus, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    assert all(b4.SOURCES[r["source"]]["repo"] == r["repo"] and not b4.SOURCES[r["source"]].get("unlicensed")
               for r in rows)
    dev, test = b4.sample(rows)
    assert abs(len(dev) - len(test)) <= 1 and not {r["id"] for r in dev} & {r["id"] for r in test}
    labels = dict(line.split("\t")[:2] for line in (REAL / "blind4.labels.tsv").read_text("utf-8").splitlines()
                  if line and not line.startswith("#"))
    assert set(labels) == {r["id"] for r in dev + test}
    for half, rs in (("dev", dev), ("test", test)):
        meta = [line.split("\t") for line in (REAL / f"blind4_{half}.meta.tsv").read_text("utf-8").splitlines()
                if not line.startswith("#")]
        tsv = [line.split("\t") for line in (REAL / f"blind4_{half}.tsv").read_text("utf-8").splitlines()
               if not line.startswith("#")]
        assert [m[0] for m in meta] == [r["id"] for r in rs]
        assert [t[0] for t in tsv] == [r["lang"] for r in rs]
        for m, t in zip(meta, tsv):
            assert m[-1] == labels[m[0]]
            assert t[1] == gold_main(m[-1])
            assert m[5] != "none" or m[-1] == "-"  # no claim without a name of the alias table
