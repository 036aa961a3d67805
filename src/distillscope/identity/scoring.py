"""Score the claim extractor against hand-labelled responses.

A labelled file is TSV: ``lang<TAB>gold<TAB>text`` where gold is ``-`` (no claim) or comma-separated
``label=S`` with S one of A (asserted), N (negated), R (reported), H (hypothetical), I (implied); ``\\n`` in text is a newline,
lines starting with ``#`` are comments. A label is a family id (``qwen``) or ``maker:<id>`` for a claim that
names only a maker; scoring maps the latter to the maker's family when it has only one. Scoring compares, per
response, the set of (label, status) pairs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from distillscope.errors import InputError
from distillscope.identity.claims import STATUSES, ClaimExtractor, default_extractor, rules_fingerprint
from distillscope.stats.intervals import wilson

_CODES = {"A": "asserted", "N": "negated", "R": "reported", "H": "hypothetical", "I": "implied"}


@dataclass(frozen=True)
class Labelled:
    lang: str
    text: str
    gold: frozenset[tuple[str, str]]  # (label, status)
    where: str = ""


def load_labelled(paths: Iterable[str | Path]) -> list[Labelled]:
    items = []
    for p in paths:
        p = Path(p)
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 3:
                raise InputError(f"{p}:{n}: expected 3 tab-separated fields (lang, gold, text), got {len(parts)}.")
            lang, gold_s, text = parts
            gold = set()
            if gold_s.strip() != "-":
                for g in gold_s.split(","):
                    label, _, code = g.strip().rpartition("=")
                    if code not in _CODES or not label:
                        raise InputError(f"{p}:{n}: bad gold entry {g!r}; use label=A|N|R|H|I.")
                    gold.add((label, _CODES[code]))
            items.append(Labelled(lang, text.replace("\\n", "\n"), frozenset(gold), f"{p.name}:{n}"))
    return items


def predict(item_texts: Sequence[str], extractor: ClaimExtractor | None = None) -> list[frozenset[tuple[str, str]]]:
    ex = extractor or default_extractor()
    out = []
    for t in item_texts:
        out.append(_strongest((c.label, c.status) for c in ex.extract(t)))
    return out


def _strongest(pairs: Iterable[tuple[str, str]]) -> frozenset[tuple[str, str]]:
    """One status per label, strongest first: a label both asserted and negated counts as asserted."""
    best: dict[str, str] = {}
    for label, st in sorted(pairs, key=lambda x: STATUSES.index(x[1])):
        best.setdefault(label, st)
    return frozenset(best.items())


def normalise_gold(items: Sequence[Labelled], extractor: ClaimExtractor | None = None) -> list[Labelled]:
    """Gold labels in the extractor's convention: ``maker:alibaba`` becomes ``qwen`` (a maker with one family
    is labelled by that family; ``maker:google`` stays, but folds into a Gemini or Gemma label of the same
    status), then one status per label, strongest first."""
    ex = extractor or default_extractor()
    out = []
    for it in items:
        gold = _strongest((ex.label_of(None, label[6:]) if label.startswith("maker:") else label, st)
                          for label, st in it.gold)
        # "I'm not Gemini and have nothing to do with Google": the maker folds into its family's claim.
        gold = frozenset((label, st) for label, st in gold if not (label.startswith("maker:") and any(
            f != label and st2 == st and ex.maker_of(f) == label[6:] for f, st2 in gold)))
        out.append(it if gold == it.gold else replace(it, gold=gold))
    return out


def score(items: Sequence[Labelled], extractor: ClaimExtractor | None = None) -> dict[str, Any]:
    """Precision/recall/F1 per status, plus the list of responses where prediction and gold differ."""
    items = normalise_gold(items, extractor)
    preds = predict([i.text for i in items], extractor)
    res: dict[str, Any] = {"n": len(items), "languages": sorted({i.lang for i in items})}
    for st in ("asserted", "negated", "reported", "hypothetical"):
        tp = fp = fn = 0
        for it, pr in zip(items, preds):
            g = {x for x in it.gold if x[1] == st}
            p = {x for x in pr if x[1] == st}
            tp += len(g & p)
            fp += len(p - g)
            fn += len(g - p)
        prec = tp / (tp + fp) if tp + fp else 1.0
        rec = tp / (tp + fn) if tp + fn else 1.0
        res[st] = {"tp": tp, "fp": fp, "fn": fn, "precision": prec, "recall": rec,
                   "f1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0}
    res["errors"] = [
        {"where": it.where, "lang": it.lang, "text": it.text, "gold": sorted(it.gold), "pred": sorted(pr)}
        for it, pr in zip(items, preds) if set(it.gold) != set(pr)
    ]
    res["asserted_errors"] = [
        e for e in res["errors"]
        if {x for x in e["gold"] if x[1] == "asserted"} != {x for x in e["pred"] if x[1] == "asserted"}
    ]
    return res


VALIDATION = Path(__file__).parent / "data" / "extractor_validation.json"
_FIRST_SCORE = re.compile(r"asserted P ([0-9.]+) R ([0-9.]+)(?:\s*\((\d+) tp, (\d+) fp, (\d+) fn\))?")
_COMMIT = re.compile(r"commit ([0-9a-f]{7})")


def recorded_first_score(path: str | Path) -> dict[str, Any] | None:
    """The blind score a held-out file's header records from when it was first scored: ``precision``,
    ``recall`` of asserted claims, and ``tp``, ``fp``, ``fn``, ``commit`` (None where the header gives none);
    None when the header records no score."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()[:8]
    head = " ".join(ln[1:].strip() for ln in lines if ln.startswith("#"))
    m = _FIRST_SCORE.search(head)
    if m is None:
        return None
    c = _COMMIT.search(head)
    tp, fp, fn = (int(x) if x is not None else None for x in m.group(3, 4, 5))
    return {"precision": float(m.group(1)), "recall": float(m.group(2)), "tp": tp, "fp": fp, "fn": fn,
            "commit": c.group(1) if c else None}


def blind_validation(kinds: Iterable[str] | None = None, path: str | Path | None = None,
                     current_rules: bool = False) -> dict[str, Any]:
    """The extractor's measured accuracy on text it was not tuned on: first scores of the blind held-out sets
    (``data/extractor_validation.json``), pooled, with Wilson 95% intervals.

    Args:
        kinds: only sets of these kinds (e.g. ``["probe answers"]``); default all.
        current_rules: only sets scored with the rules in use (their recorded ``rules`` fingerprint equals
            :func:`~distillscope.identity.claims.rules_fingerprint`); an InputError when there are none.

    Returns: ``precision`` and ``recall`` of asserted claims and ``false_assertion_rate`` (false asserted labels
    per response, an upper bound on how often extractor error alone makes a response "claim" an identity), each
    as ``{"value", "low", "high"}``; where the sets record it (real answers), ``foreign_null``: per language and
    ``all``, the share of answers whose labels assert no foreign identity in which the extractor asserts one; ``responses``, ``sets`` and the ``latest`` set's entry. The pooled figures
    mix rules of several commits (each set was scored with the rules of its day), so they understate the
    current rules when those improved.
    """
    p = Path(path) if path else VALIDATION
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise InputError(f"Cannot read the extractor validation file {p}: {e}") from e
    wanted = set(kinds) if kinds is not None else None
    sets = [s for s in data["sets"] if wanted is None or s["kind"] in wanted]
    if current_rules:
        fp_now = rules_fingerprint()
        sets = [s for s in sets if s.get("rules") == fp_now]
        if not sets:
            raise InputError(f"No blind set in {p} was scored with the rules in use ({fp_now}); score a new one "
                             "(bench/identity_extractor.py) or use the figures of earlier rules.")
    if not sets:
        raise InputError(f"No blind sets of kind {sorted(wanted or [])} in {p}; kinds there: "
                         f"{sorted({s['kind'] for s in data['sets']})}.")
    tp = sum(s["asserted"]["tp"] for s in sets)
    fp = sum(s["asserted"]["fp"] for s in sets)
    fn = sum(s["asserted"]["fn"] for s in sets)
    n = sum(s["responses"] for s in sets)

    def est(k: int, m: int) -> dict[str, float]:
        lo, hi = wilson(k, m)
        return {"value": k / m, "low": float(lo), "high": float(hi), "k": k, "n": m}

    null: dict[str, list[int]] = {}
    for s in sets:
        for key, c in (s.get("foreign_null") or {}).items():
            acc = null.setdefault(key, [0, 0])
            acc[0] += c["k"]
            acc[1] += c["n"]
    return {"precision": est(tp, tp + fp), "recall": est(tp, tp + fn), "false_assertion_rate": est(fp, n),
            "foreign_null": {key: est(k, m) for key, (k, m) in sorted(null.items()) if m},
            "responses": n, "sets": [s["set"] for s in sets], "kinds": sorted({s["kind"] for s in sets}),
            "current_rules": all(s.get("rules") == rules_fingerprint() for s in sets), "latest": sets[-1]}
