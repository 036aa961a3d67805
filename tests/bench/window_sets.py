"""Checks every labels-only window set of Jordine/model-name-identity (blind10 onwards) must pass, shared by their
builder tests: the windows are unread pages, the committed label, key and note files agree with each other and
with the builder, and the seeded sample gives the committed halves. Each set's own test adds what is particular to
it (its composition, a model it adds).
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import sys
from pathlib import Path
from types import ModuleType

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
import real_answers_blind8 as b8

REAL = ROOT / "tests" / "identity" / "data" / "real"
ALIASES = ROOT / "src" / "distillscope" / "identity" / "data" / "aliases.yaml"


def rows(path: Path) -> list[list[str]]:
    """The tab-separated rows of a label, key or note file, comments left out."""
    return [line.split("\t") for line in path.read_text("utf-8").splitlines() if line and not line.startswith("#")]


def check_windows(mod: ModuleType, earlier: dict[str, ModuleType]) -> None:
    """``mod``'s windows are 16,000-character pages of pinned result files that do not overlap one another nor any
    window of the ``earlier`` sets' builders in the same file (a line cut by an edge is in neither)."""
    for path, (commit, windows) in mod.FILES.items():
        assert commit in (b8.C55, b8.CA2) and path.startswith("results_local/") and "INVALID" not in path
        assert "judgments" not in path
        spans = sorted(windows)
        assert all(e - s == 16000 and s % 16000 == 0 for s, e in spans)  # 16,000-character pages, as read
        assert all(e1 <= s2 for (_, e1), (s2, _) in itertools.pairwise(spans))
        for other in earlier.values():
            if path in other.FILES:
                assert other.FILES[path][0] == commit  # the same file version, other pages
                for s, e in windows:
                    assert all(e <= s0 or e0 <= s for s0, e0 in other.FILES[path][1]), (path, s, e)


def check_label_files(tag: str, mod: ModuleType, earlier: dict[str, ModuleType]) -> tuple[dict, dict, dict]:
    """The committed ``{tag}_unlic`` label, key, note and half files agree: halves of equal size drawn from the
    labels, ids that hash the answer's place, keys in ``mod``'s files, no answer an ``earlier`` set labelled (by id
    or by place), label ids of the alias table. Returns (labels by id, keys by id, halves)."""
    labels = {r[0]: r[1] for r in rows(REAL / f"{tag}_unlic.labels.tsv")}
    keys = {r[0]: r[1:] for r in rows(REAL / f"{tag}_unlic.keys.tsv")}
    halves = {h: rows(REAL / f"{tag}_unlic_{h}.labels.tsv") for h in ("dev", "test")}
    assert len(halves["dev"]) == len(halves["test"]) >= 60
    ids = [r[0] for h in halves.values() for r in h]
    assert len(set(ids)) == len(ids) and set(ids) <= set(labels) == set(keys)
    assert len(labels) - len(ids) <= 1  # halves of equal size: an odd count leaves one labelled answer out
    for rid, (model, commit, path, pid, idx, cond) in keys.items():
        assert mod.FILES[path][0] == commit and path.endswith(model + ".jsonl") and cond in ("clean", "shipped")
        assert hashlib.sha1(f"{tag}|name_identity_local|{path}|{pid}|{idx}|{cond}|0".encode()).hexdigest()[:12] == rid
    for other in earlier:  # no answer an earlier set labelled, by id or by place
        their = rows(REAL / f"{other}_unlic.keys.tsv")
        assert not {r[0] for r in their} & set(keys)
        assert not {tuple(r[3:7]) for r in their} & {tuple(k[2:6]) for k in keys.values()}
    for rid, model, family, gold in halves["dev"] + halves["test"]:
        assert gold == labels[rid] and family == b8.blind8_family(model)[0] and keys[rid][0] == model
    table = yaml.safe_load(ALIASES.read_text("utf-8"))
    known = set(table["families"]) | {f"maker:{m}" for m in table["makers"]}
    for gold in labels.values():  # every label id is a family of the alias table or maker:<maker id>
        assert gold == "-" or all(g.rpartition("=")[2] in "ANRHI" and g.rpartition("=")[0] in known
                                  for g in gold.split(",")), gold
    for rid, _, model, gold, note in rows(REAL / f"{tag}_unlic.notes.tsv"):
        assert labels[rid] == gold and keys[rid][0] == model and note
    return labels, keys, halves


def foreign_claims(labels: dict, keys: dict) -> list[str]:
    """Ids whose label asserts a family or maker other than the answering model's own."""
    own = {"olmo": set(), "qwen": {"qwen", "maker:alibaba"}, "gpt": {"gpt", "maker:openai"}}
    return [rid for rid, gold in labels.items() if gold != "-"
            and any(s == "A" and f not in own[b8.blind8_family(keys[rid][0])[0]]
                    for f, _, s in (g.rpartition("=") for g in gold.split(",")))]


def seeded_halves(tag: str, mod: ModuleType, corpus: str) -> list[dict]:
    """The local rebuild ``corpus`` holds only unlicensed rows and ``mod.sample`` draws exactly the committed halves
    from it; returns both halves' rows."""
    with gzip.open(corpus, "rt", encoding="utf-8") as f:
        corpus_rows = [json.loads(line) for line in f]
    assert all(r["licence"] == "none stated" for r in corpus_rows)
    dev, test = mod.sample(corpus_rows)
    for half, rs in (("dev", dev), ("test", test)):
        assert [r[0] for r in rows(REAL / f"{tag}_unlic_{half}.labels.tsv")] == [r["id"] for r in rs]
    return dev + test
