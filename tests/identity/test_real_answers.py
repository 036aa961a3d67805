"""The real-answer identity sets (tests/identity/data/real): they parse, their sidecars line up with them and with
the corpus, only licensed sources are committed, and the bench's foreign-null count does what it says."""

from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path

import pytest

from distillscope.identity.scoring import Labelled, load_labelled, recorded_first_score

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "tests" / "identity" / "data" / "real"


def _bench():
    spec = importlib.util.spec_from_file_location("identity_real_answers", ROOT / "bench" / "identity_real_answers.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def corpus() -> dict[str, dict]:
    with gzip.open(REAL / "corpus.jsonl.gz", "rt", encoding="utf-8") as f:
        return {r["id"]: r for r in map(json.loads, f)}


def test_corpus_is_licensed_multi_source_and_multilingual(corpus):
    rows = list(corpus.values())
    assert len(rows) >= 3000
    assert {r["licence"] for r in rows} <= {"Apache-2.0", "MIT"}
    assert len({r["source"] for r in rows}) >= 4
    assert len({r["lang"] for r in rows}) >= 3
    assert len({r["family"] for r in rows}) >= 10
    assert all(r["answer"].strip() for r in rows)


@pytest.mark.parametrize("half", ["dev", "test"])
def test_labelled_half_lines_up_with_meta_and_corpus(half, corpus):
    items = load_labelled([REAL / f"real_{half}.tsv"])
    meta = _bench().load_meta(REAL / f"real_{half}.meta.tsv")
    assert len(items) == len(meta) >= 400
    for it, m in zip(items, meta):
        row = corpus[m["id"]]
        assert (row["lang"], row["source"], row["model"]) == (it.lang, m["source"], m["model"])
        # the text is the corpus answer with tabs and odd line breaks flattened
        assert it.text.split("\n")[0][:40].strip() in row["answer"].replace("\t", " ")
        main = {f"{lab}={st[0].upper()}" for lab, st in it.gold}
        full = set() if m["gold_full"] == "-" else set(m["gold_full"].split(","))
        assert main == {g for g in full if not g.endswith("=I")}
    assert recorded_first_score(REAL / f"real_{half}.tsv") is not None


def test_foreign_null_counts_only_unlabelled_foreign_assertions():
    b = _bench()
    items = [Labelled("en", "a", frozenset()), Labelled("en", "b", frozenset({("gpt", "asserted")})),
             Labelled("en", "c", frozenset()), Labelled("ko", "d", frozenset())]
    meta = [{"family": "llama"}, {"family": "llama"}, {"family": "claude"}, {"family": "gpt"}]
    preds = [frozenset({("gpt", "asserted")}),             # foreign, not in gold: counts
             frozenset({("gpt", "asserted")}),             # foreign but labelled: not in the null set
             frozenset({("maker:anthropic", "asserted")}), # own maker: not foreign
             frozenset({("claude", "negated")})]           # not asserted
    out = b.foreign_null(items, meta, preds)
    assert (out["all"]["k"], out["all"]["n"]) == (1, 3)
    assert (out["en"]["k"], out["en"]["n"]) == (1, 2) and out["ko"]["k"] == 0
    assert out["all"]["low"] < 1 / 3 < out["all"]["high"]
