"""Identity claim extractor: accuracy on the hand-labelled sets and throughput on one core.

    .venv/bin/python bench/identity_extractor.py            # add --repeat 50 for steadier timings

Prints precision/recall per claim status on the development set (tests/identity/data/claims_*.tsv: the rules
were written against it) and on the held-out set (heldout.tsv: written afterwards, never used for tuning),
asserted-claim precision/recall per language, then responses per second measured side by side in one run:
the full extractor, its name scan alone, and a naive case-insensitive alternation of every alias (the first
thing one would write), on short answers and on long (~1,500-character) answers. Timings are CPU time of this
single-threaded process (wall time too, which on a shared machine includes waiting for a core).
"""

from __future__ import annotations

import argparse
import re
import time
from collections import defaultdict
from pathlib import Path

from distillscope.identity.claims import default_extractor, fold, load_aliases
from distillscope.identity.scoring import load_labelled, score

DATA = Path(__file__).resolve().parents[1] / "tests" / "identity" / "data"

FILLER = (" I can help with many tasks, such as writing emails, summarising articles, explaining concepts in "
          "science and history, brainstorming ideas, translating between languages and solving math problems. "
          "Let me know what you need and I will do my best to give a clear and accurate answer.")


def report(name: str, items) -> None:
    r = score(items)
    print(f"\n{name}: {r['n']} responses, {len(r['languages'])} languages ({', '.join(r['languages'])})")
    print(f"  {'status':<13}{'precision':>10}{'recall':>8}{'F1':>7}{'tp':>6}{'fp':>5}{'fn':>5}")
    for st in ("asserted", "negated", "reported", "hypothetical"):
        s = r[st]
        print(f"  {st:<13}{s['precision']:>10.3f}{s['recall']:>8.3f}{s['f1']:>7.3f}{s['tp']:>6}{s['fp']:>5}{s['fn']:>5}")
    by_lang = defaultdict(list)
    for it in items:
        by_lang[it.lang].append(it)
    cells = []
    for lang, its in sorted(by_lang.items()):
        s = score(its)["asserted"]
        cells.append(f"{lang} {s['precision']:.2f}/{s['recall']:.2f}")
    print("  asserted P/R by language: " + ", ".join(cells))
    for e in r["asserted_errors"]:
        print(f"  asserted error {e['where']}: {e['text'][:80]!r} gold={e['gold']} pred={e['pred']}")


def naive_regex():
    t = load_aliases()
    names = [a for sec in ("families", "makers") for spec in t[sec].values()
             for a in (spec.get("aliases") or []) + (spec.get("exact") or [])]
    pat = "|".join(r"(?<![A-Za-z])" + re.escape(fold(a)) for a in sorted(names, key=len, reverse=True))
    return re.compile(pat, re.IGNORECASE)


def timeit(fn, texts, repeat: int) -> tuple[float, float]:
    fn(texts[:50])  # warm caches
    c0, w0 = time.process_time(), time.perf_counter()
    for _ in range(repeat):
        fn(texts)
    c1, w1 = time.process_time(), time.perf_counter()
    n = len(texts) * repeat
    return n / max(c1 - c0, 1e-9), n / max(w1 - w0, 1e-9)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=10)
    args = ap.parse_args()
    dev = load_labelled(sorted(DATA.glob("claims_*.tsv")))
    held = load_labelled([DATA / "heldout.tsv"])
    report("development set", dev)
    report("held-out set", held)

    ex = default_extractor()
    naive = naive_regex()
    short = [i.text for i in dev + held]
    long = [(FILLER * 3)[: 700] + " " + t + " " + (FILLER * 3)[: 700] for t in short]
    runs = {
        "extractor (full)": lambda ts: [ex.extract(t) for t in ts],
        "name scan only": lambda ts: [ex.mentions(t) for t in ts],
        "naive IGNORECASE alternation (names only)": lambda ts: [naive.findall(fold(t)) for t in ts],
    }
    for label, texts in (("short answers", short), (f"long answers (~{sum(map(len, long)) // len(long)} chars)", long)):
        print(f"\nthroughput on {label}, {len(texts)} texts x {args.repeat}:")
        base = None
        for name, fn in runs.items():
            cpu, wall = timeit(fn, texts, args.repeat)
            base = base or cpu
            print(f"  {name:<44}{cpu:>10,.0f} responses/s CPU {wall:>10,.0f} /s wall   ratio to full {cpu / base:5.2f}")
    print("\ngoal: asserted precision and recall >= 0.98; >= 5,000 responses/s on one core")


if __name__ == "__main__":
    main()
