"""The blind3 corpus builder's parsers and its committed files (no mirrors needed).

    PYTHONPATH=src python -m pytest -q tests/bench/test_real_answers_blind3.py
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
import real_answers_blind3 as b3
from real_answers_blind2 import gold_main

REAL = ROOT / "tests" / "identity" / "data" / "real"


def test_api_text_reads_each_provider_shape():
    anthropic = {"type": "message", "content": [{"type": "thinking", "thinking": "plan"},
                                                {"type": "text", "text": "answer"}]}
    chat = repr({"choices": [{"message": {"content": "answer", "reasoning_content": "plan"}}]})
    responses = {"output": [{"type": "reasoning", "summary": [{"type": "summary_text", "text": "plan"}]},
                            {"type": "message", "content": [{"type": "output_text", "text": "answer"}]}]}
    gemini = {"candidates": [{"content": {"parts": [{"text": "plan", "thought": True}, {"text": "answer"}]}}]}
    for resp in (anthropic, chat, responses, gemini):
        assert b3.api_text(resp) == ("plan", "answer")
    assert b3.api_text({"choices": [{"message": {"content": "only"}}]}) == ("", "only")
    assert b3.with_trace("plan", "answer") == "<think>\nplan\n</think>\n\nanswer"
    assert b3.with_trace("", "answer") == "answer"


def test_families_of_the_new_models():
    assert b3.blind3_family("Magpie-Align/Llama-3-8B-ShareGPT-112K") == ("llama", "magpie-align")
    assert b3.blind3_family("kimi/kimi-k2p5") == ("kimi", None)
    assert b3.blind3_family("reka/reka-edge") == ("reka", None)
    assert b3.blind3_family("stormy") == ("calm", "izumi-lab")
    assert b3.blind3_family("anthropic/claude-opus-4-6")[0] == "claude"
    assert b3.blind3_family("openai/o3-2025-04-16")[0] == "gpt"


def test_committed_sets_match_the_labels_and_the_sample():
    corpus = REAL / "blind3_corpus.jsonl.gz"
    if not corpus.exists():
        pytest.skip("blind3 corpus not committed in this checkout")
    with gzip.open(corpus, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    dev, test = b3.sample(rows)
    assert abs(len(dev) - len(test)) <= 1 and not {r["id"] for r in dev} & {r["id"] for r in test}
    labels = dict(line.split("\t")[:2] for line in (REAL / "blind3.labels.tsv").read_text("utf-8").splitlines()
                  if line and not line.startswith("#"))
    for half, rs in (("dev", dev), ("test", test)):
        meta = [line.split("\t") for line in (REAL / f"blind3_{half}.meta.tsv").read_text("utf-8").splitlines()
                if not line.startswith("#")]
        tsv = [line.split("\t") for line in (REAL / f"blind3_{half}.tsv").read_text("utf-8").splitlines()
               if not line.startswith("#")]
        assert [m[0] for m in meta] == [r["id"] for r in rs]
        for m, t in zip(meta, tsv):
            assert m[-1] == labels[m[0]]
            assert t[1] == gold_main(m[-1])
            assert m[5] != "none" or m[-1] == "-"  # no claim without a name of the alias table
