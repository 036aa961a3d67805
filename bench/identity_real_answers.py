"""Identity claim extractor on real answers: blind scores per source and language, and the null's tolerance.

    .venv/bin/python bench/identity_real_answers.py                 # every set, dev and test halves
    .venv/bin/python bench/identity_real_answers.py --json out.json # also write the figures
    .venv/bin/python bench/identity_real_answers.py --sets blind2_dev blind2_test --blind2-unlicensed-corpus u.jsonl.gz
        # the blind2 sets (real_answers_blind2.py): zh/en text committed, the unlicensed sources' labels joined
        # with a local rebuild (real_answers_blind2.py --mirrors DIR --unlicensed --out u.jsonl.gz)
    .venv/bin/python bench/identity_real_answers.py --sets blind3_dev blind3_test --blind3-unlicensed-corpus u3.jsonl.gz
        # the blind3 sets (real_answers_blind3.py), the same way
    .venv/bin/python bench/identity_real_answers.py --sets blind4_dev blind4_test
        # the blind4 sets (real_answers_blind4.py: ru/zh/ja claims, de/fr/ko nulls; all text committed)
    .venv/bin/python bench/identity_real_answers.py --sets --blind8-unlicensed-corpus u8.jsonl.gz
        # only the blind8 sets (real_answers_blind8.py: labels only, text from a local rebuild); blind9-12 the same way

Reads the hand-labelled real-answer sets ``tests/identity/data/real/{real,real_id,real_ko_id,fresh}_{dev,test}.tsv``
(``real``: a stratified sample of all sources; ``real_id``: answers to AlpacaEval's questions about the model itself;
``real_ko_id``: Korean answers to a self-description question and two role requests; ``fresh``: a second, blind set
from six other repositories, jailbreak personas included, see ``bench/real_answers_fresh.py``; answers that deployed
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
import gzip
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
CODES = {"A": "asserted", "N": "negated", "R": "reported", "H": "hypothetical", "I": "implied"}


def load_meta(path: Path) -> list[dict[str, str]]:
    """The sidecar of a labelled real-answer file, one dict per answer in file order."""
    cols = ("id", "source", "model", "family", "context", "stratum", "gold_full")
    out = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line and not line.startswith("#"):
            out.append(dict(zip(cols, line.split("\t"))))
    return out


def load_unlicensed(labels: Path, corpus: Path) -> tuple[list[Labelled], list[dict[str, str]]]:
    """A label file without text (``id, model, family, gold_full``) joined with a locally rebuilt corpus of a source
    that may not be redistributed (``bench/real_answers_corpus.py --unlicensed``)."""
    with gzip.open(corpus, "rt", encoding="utf-8") as f:
        rows = {r["id"]: r for r in map(json.loads, f)}
    items, meta = [], []
    for line in labels.read_text(encoding="utf-8").split("\n"):
        if not line or line.startswith("#"):
            continue
        rid, model, family, gold_full = line.split("\t")
        if rid not in rows:
            raise SystemExit(f"{labels.name}: answer {rid} is not in {corpus}; rebuild it at the pinned commit")
        gold = frozenset((lab, CODES[code]) for lab, _, code in (g.rpartition("=") for g in gold_full.split(","))
                         if gold_full != "-" and code in CODES)
        r = rows[rid]
        items.append(Labelled(r["lang"], r["answer"], gold, f"{labels.name}:{rid}"))
        meta.append({"id": rid, "source": r["source"], "model": model, "family": family, "context": r["context"],
                     "stratum": "all", "gold_full": gold_full})
    return items, meta


def load_set(name: str) -> tuple[list[Labelled], list[dict[str, str]]]:
    items = load_labelled([REAL / f"{name}.tsv"])
    meta = load_meta(REAL / f"{name}.meta.tsv")
    if len(items) != len(meta):
        raise SystemExit(f"{name}.tsv has {len(items)} answers but its meta file {len(meta)}")
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


def report(name: str, min_null: int, zh_corpus: Path | None = None) -> dict:
    items, meta = load_unlicensed(REAL / f"{name}.labels.tsv", zh_corpus) if zh_corpus else load_set(name)
    out = {"set": name, "n": len(items), "pooled": status_table(items), "by_source": {}, "by_language": {}}
    groups: dict[str, dict[str, list[Labelled]]] = {"by_source": defaultdict(list), "by_language": defaultdict(list)}
    for it, m in zip(items, meta):
        groups["by_source"][m["source"]].append(it)
        groups["by_language"][it.lang].append(it)
    for g, d in groups.items():
        for key, its in sorted(d.items()):
            out[g][key] = status_table(its)
    preds = predict([i.text for i in items])
    out["foreign_null"] = foreign_null(items, meta, preds)
    print(f"\n{name}: {len(items)} answers")
    print(f"  {'group':<26}{'n':>5}" + "".join(f"{st + ' P/R (tp/fp/fn)':>26}" for st in STATUSES))
    for group, tab in [("pooled", out["pooled"])] + [(f"source {k}", v) for k, v in out["by_source"].items()] + \
            [(f"language {k}", v) for k, v in out["by_language"].items()]:
        cells = "".join(f"{tab[st]['precision']:>10.2f}/{tab[st]['recall']:.2f} ({tab[st]['tp']}/{tab[st]['fp']}/{tab[st]['fn']})"
                        .rjust(26) for st in STATUSES)
        print(f"  {group:<26}{tab['n']:>5}{cells}")
    print("  foreign assertions on answers labelled with none (Wilson 95%):")
    for key, v in out["foreign_null"].items():
        note = "" if v["n"] >= min_null else f"  (fewer than {min_null} answers: no per-language tolerance)"
        print(f"    {key:<6}{v['k']:>4}/{v['n']:<5}{v['rate']:.4f} [{v['low']:.4f}, {v['high']:.4f}]{note}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", nargs="*", default=[f"{s}_{h}" for s in ("real", "real_id", "real_ko_id", "fresh")
                                                  for h in ("dev", "test")])
    ap.add_argument("--min-null", type=int, default=100, help="answers a language needs for its own tolerance")
    ap.add_argument("--json", type=Path, help="write the figures here")
    ap.add_argument("--zh-corpus", type=Path, help="a locally rebuilt Carena-hard corpus (real_answers_corpus.py "
                    "--unlicensed): also score its labels real_zh.labels.tsv")
    ap.add_argument("--blind2-unlicensed-corpus", type=Path, help="a locally rebuilt corpus of the blind2 sources "
                    "without a licence (real_answers_blind2.py --unlicensed): also score blind2_unlic_{dev,test}")
    ap.add_argument("--blind3-unlicensed-corpus", type=Path, help="a locally rebuilt corpus of the blind3 sources "
                    "without a licence (real_answers_blind3.py --unlicensed): also score blind3_unlic_{dev,test}")
    for n in (8, 9, 10, 11, 12):
        ap.add_argument(f"--blind{n}-unlicensed-corpus", type=Path, help=f"a locally rebuilt blind{n} corpus (its "
                        f"source states no licence: real_answers_blind{n}.py --mirrors/--raw ... --out): also score "
                        f"blind{n}_unlic_{{dev,test}}")
    args = ap.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            check=False, cwd=Path(__file__).resolve().parent).stdout.strip()
    print(f"rules fingerprint {rules_fingerprint()}, code at commit {commit or '?'}")
    res = {"rules": rules_fingerprint(), "commit": commit, "sets": [report(h, args.min_null) for h in args.sets]}
    if args.zh_corpus:
        res["sets"].append(report("real_zh", args.min_null, args.zh_corpus))
    if args.blind2_unlicensed_corpus:
        res["sets"] += [report(f"blind2_unlic_{h}", args.min_null, args.blind2_unlicensed_corpus)
                        for h in ("dev", "test")]
    for tag, corpus in (("blind3", args.blind3_unlicensed_corpus), ("blind8", args.blind8_unlicensed_corpus),
                        ("blind9", args.blind9_unlicensed_corpus), ("blind10", args.blind10_unlicensed_corpus),
                        ("blind11", args.blind11_unlicensed_corpus), ("blind12", args.blind12_unlicensed_corpus)):
        if corpus:
            res["sets"] += [report(f"{tag}_unlic_{h}", args.min_null, corpus) for h in ("dev", "test")]
    if args.json:
        args.json.write_text(json.dumps(res, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
