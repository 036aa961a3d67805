"""Identity claim extractor on real answers: blind scores per source and language, and the null's tolerance.

    .venv/bin/python bench/identity_real_answers.py                 # dev and test halves
    .venv/bin/python bench/identity_real_answers.py --json out.json # also write the figures

Reads the hand-labelled real-answer sets ``tests/identity/data/real/real_{dev,test}.tsv`` (answers that deployed
models produced, from public benchmark repositories; see ``tests/identity/data/real/README.md`` and
``docs/identity-labelling.md``) with their sidecars ``real_*.meta.tsv`` (source, answering model, its true family).
Prints precision/recall per claim status, pooled and per source and per language, and the **foreign-assertion
rate on answers the labels say contain no foreign claim**: the share of answers where the extractor asserts a
family other than the answering model's own although the labels assert none (with a Wilson 95% interval, per
language where there are at least ``--min-null`` answers). That rate is the per-answer false-positive tolerance
the foreign-identity test's null must allow on real traffic.

The test half is kept for the final score: do not read its errors while changing rules.
"""

from __future__ import annotations

import argparse
import json
import subprocess
from collections import defaultdict
from pathlib import Path

import yaml

from distillscope.identity.claims import rules_fingerprint
from distillscope.identity.scoring import Labelled, load_labelled, normalise_gold, predict, score
from distillscope.stats.intervals import wilson

REAL = Path(__file__).resolve().parents[1] / "tests" / "identity" / "data" / "real"
ALIASES = Path(__file__).resolve().parents[1] / "src" / "distillscope" / "identity" / "data" / "aliases.yaml"
STATUSES = ("asserted", "negated", "reported", "hypothetical")


def load_meta(path: Path) -> list[dict[str, str]]:
    """The sidecar of a labelled real-answer file, one dict per answer in file order."""
    cols = ("id", "source", "model", "family", "context", "stratum", "gold_full")
    out = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line and not line.startswith("#"):
            out.append(dict(zip(cols, line.split("\t"))))
    return out


def load_set(half: str) -> tuple[list[Labelled], list[dict[str, str]]]:
    items = load_labelled([REAL / f"real_{half}.tsv"])
    meta = load_meta(REAL / f"real_{half}.meta.tsv")
    if len(items) != len(meta):
        raise SystemExit(f"real_{half}.tsv has {len(items)} answers but its meta file {len(meta)}")
    return items, meta


def own_labels(family: str) -> set[str]:
    """Labels that name the answering model's own maker or a family of that maker (anything else it asserts is
    foreign); none for a family the alias table does not know (every name it asserts is foreign)."""
    fams = yaml.safe_load(ALIASES.read_text(encoding="utf-8"))["families"]
    if family not in fams:
        return set()
    maker = fams[family]["maker"]
    return {f for f, spec in fams.items() if spec["maker"] == maker} | {f"maker:{maker}"}


def foreign_null(items: list[Labelled], meta: list[dict[str, str]], preds) -> dict[str, dict]:
    """Per language (and ``all``): answers whose gold asserts no foreign family, and how many of them the
    extractor makes assert one."""
    items = normalise_gold(items)
    acc: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for it, m, pr in zip(items, meta, preds):
        if m["family"] == "mixture":  # a mixture of several models has no single own family
            continue
        own = own_labels(m["family"])
        gold_foreign = {lab for lab, st in it.gold if st == "asserted" and lab not in own}
        if gold_foreign:
            continue
        hit = any(st == "asserted" and lab not in own for lab, st in pr)
        for key in (it.lang, "all"):
            acc[key][0] += hit
            acc[key][1] += 1
    out = {}
    for key, (k, n) in sorted(acc.items()):
        lo, hi = wilson(k, n)
        out[key] = {"k": k, "n": n, "rate": k / n if n else 0.0, "low": float(lo), "high": float(hi)}
    return out


def status_table(items: list[Labelled]) -> dict[str, dict]:
    r = score(items)
    return {st: {k: r[st][k] for k in ("precision", "recall", "tp", "fp", "fn")} for st in STATUSES} | {"n": r["n"]}


def report(half: str, min_null: int) -> dict:
    items, meta = load_set(half)
    out = {"half": half, "n": len(items), "pooled": status_table(items), "by_source": {}, "by_language": {}}
    groups: dict[str, dict[str, list[Labelled]]] = {"by_source": defaultdict(list), "by_language": defaultdict(list)}
    for it, m in zip(items, meta):
        groups["by_source"][m["source"]].append(it)
        groups["by_language"][it.lang].append(it)
    for g, d in groups.items():
        for key, its in sorted(d.items()):
            out[g][key] = status_table(its)
    preds = predict([i.text for i in items])
    out["foreign_null"] = foreign_null(items, meta, preds)
    print(f"\nreal_{half}.tsv: {len(items)} answers")
    print(f"  {'group':<26}{'n':>5}" + "".join(f"{st[:4] + ' P/R':>15}" for st in STATUSES))
    for name, tab in [("pooled", out["pooled"])] + [(f"source {k}", v) for k, v in out["by_source"].items()] + \
            [(f"language {k}", v) for k, v in out["by_language"].items()]:
        cells = "".join(f"{tab[st]['precision']:>7.2f}/{tab[st]['recall']:<4.2f}({tab[st]['tp']})" for st in STATUSES)
        print(f"  {name:<26}{tab['n']:>5}  {cells}")
    print("  foreign assertions on answers labelled with none (Wilson 95%):")
    for key, v in out["foreign_null"].items():
        note = "" if v["n"] >= min_null else f"  (fewer than {min_null} answers: no per-language tolerance)"
        print(f"    {key:<6}{v['k']:>4}/{v['n']:<5}{v['rate']:.4f} [{v['low']:.4f}, {v['high']:.4f}]{note}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--halves", nargs="+", default=["dev", "test"])
    ap.add_argument("--min-null", type=int, default=100, help="answers a language needs for its own tolerance")
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            check=False, cwd=Path(__file__).resolve().parent).stdout.strip()
    print(f"rules fingerprint {rules_fingerprint()}, code at commit {commit or '?'}")
    res = {"rules": rules_fingerprint(), "commit": commit, "sets": [report(h, args.min_null) for h in args.halves]}
    if args.json:
        args.json.write_text(json.dumps(res, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
