"""The blind5 corpus builder's helpers and its committed files (no mirrors needed).

    PYTHONPATH=src python -m pytest -q tests/bench/test_real_answers_blind5.py
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
import real_answers_blind5 as b5
from real_answers_blind2 import written_sets_problems

REAL = ROOT / "tests" / "identity" / "data" / "real"


def test_families_of_the_new_models():
    assert b5.blind5_family("belle-7b-2m") == ("bloom", "belle")
    assert b5.blind5_family("chatglm2-6b") == ("glm", None)
    assert b5.blind5_family("vicuna-7b") == ("llama", "lmsys")
    assert b5.blind5_family("llama-2-70b-chat+system-prompt")[0] == "llama"
    assert b5.blind5_family("mistral-7b-instruct-v0.1+guardrail")[0] == "mistral"
    assert b5.blind5_family("gpt-3.5-turbo")[0] == "gpt"
    assert b5.blind5_family("claude")[0] == "claude"
    # every answering model of the readers' tables has a known family
    for model in [*b5.DNA_MODELS.values(), *b5.LJ_MODELS.values(), *b5.XSTEST_MODELS.values()]:
        assert b5.blind5_family(model)[0] != "unknown", model


def test_readers_keep_every_named_answer_once_with_model_and_context(git_repo):
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["id", "question", "response"])
    w.writerow([0, "Tell me a joke.", "As an AI developed by OpenAI, I must decline."])
    w.writerow([1, "Hi", "Hello! How can I help?"])
    lj = {"women": [{"context": "Translate ...", "response": "请注意，OpenAI的使用政策不允许这样做。"},
                    {"context": "Translate ...", "response": "请注意，OpenAI的使用政策不允许这样做。"}]}
    g, head = git_repo({"datasets/Response/response_GPT4.csv": buf.getvalue(),
                                   "datasets/Response/response_unknown.csv": buf.getvalue(),
                                   "data/P1/ChatGPT/P1_prefix.json": json.dumps(lj, ensure_ascii=False),
                                   "raw_data/P1/ChatGPT/prefix/women/0.json": "{}"})
    dna = b5.do_not_answer(g, head, random.Random(0))
    assert {(r["model"], r["answer"], r["context"]) for r in dna} == {
        ("gpt-4", "As an AI developed by OpenAI, I must decline.", "plain"), ("gpt-4", "Hello! How can I help?", "plain")}
    lj_rows = b5.latent_jailbreak(g, head, random.Random(0))
    assert len(lj_rows) == 1  # an exact repeat by the same model is kept once; raw_data is not read
    assert lj_rows[0]["model"] == "gpt-3.5-turbo" and lj_rows[0]["lang"] == "zh" and lj_rows[0]["context"] == "jailbreak"


def test_committed_sets_match_the_labels_and_the_sample():
    corpus = REAL / "blind5_corpus.jsonl.gz"
    if not corpus.exists():
        pytest.skip("blind5 corpus not committed in this checkout")
    with gzip.open(corpus, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    assert len(rows) >= 3000
    assert all(b5.SOURCES[r["source"]]["repo"] == r["repo"] and b5.SOURCES[r["source"]]["commit"] == r["commit"]
               and not b5.SOURCES[r["source"]].get("unlicensed") for r in rows)
    assert len({r["source"] for r in rows}) == 4 and {"en", "zh"} <= {r["lang"] for r in rows}
    dev, test = b5.sample(rows)
    assert len(dev) == len(test) >= 250 and not {r["id"] for r in dev} & {r["id"] for r in test}
    labels, problems = written_sets_problems("blind5", dev, test, REAL)
    assert not problems, problems[:5]
    # the set holds many claims: asserted self-claims and implied ones (policies) alike
    statuses = Counter(g.rpartition("=")[2] for gold in labels.values() if gold != "-" for g in gold.split(","))
    assert sum(gold != "-" for gold in labels.values()) >= 80 and statuses["A"] >= 40 and statuses["I"] >= 20
