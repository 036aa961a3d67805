"""Identity claim extractor: accuracy on the hand-labelled sets and on real answers, and throughput on one core.

    .venv/bin/python bench/identity_extractor.py            # --rounds 50 for steadier timings
    .venv/bin/python bench/identity_extractor.py --no-synthetic --rounds 9   # real answers and timings only
    .venv/bin/python bench/identity_extractor.py --timings-only --extractor-only   # throughput only

Real answers (tests/identity/data/real, answers deployed models wrote; see its README): the blind scores recorded
in identity/data/extractor_validation.json (the corpus' first score, the score before any rule read it, the final
score of the test half at a named commit), then both halves scored with the rules in use, per source and per
language (the dev half was used to change rules; the test half never was).

Prints precision/recall per claim status on the development set (tests/identity/data/claims_*.tsv, which the
rules were written against, plus the former held-out sets) and on the newest held-out set (heldoutN.tsv with the
highest N, written blind to the rules by another author and not yet used to change them), each former held-out
set's first (blind) score as recorded in its header, asserted-claim precision/recall per language, then responses per second measured side by side in one run:
the full extractor, its name scan alone, and a naive case-insensitive alternation of every alias (the first
thing one would write), on short answers and on long (~1,500-character) answers; the full extractor with the
hyperscan prefilter (identity/prefilter.py, used on answers of 400 characters or more where hyperscan is installed)
and without it (plain ``re``), their passes interleaved. Timings are CPU time of this single-threaded process: the
best of several passes (the code's speed) and the median (what the machine's load made of it).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time
from collections import defaultdict
from pathlib import Path

from distillscope.errors import InputError
from distillscope.identity import prefilter
from distillscope.identity.claims import ClaimExtractor, default_extractor, fold, load_aliases
from distillscope.identity.scoring import blind_validation, load_labelled, recorded_first_score, score

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


def timeit(fn, texts, rounds: int) -> tuple[float, float]:
    """Responses per CPU second over ``rounds`` passes through ``texts``: (best pass, median pass).

    The best pass is the code's own speed; the median shows how much the machine's load moved it (on a shared
    virtual machine the same pass varies by 2x or more from minute to minute)."""
    fn(texts[:50])  # warm caches
    times = []
    for _ in range(rounds):
        c0 = time.process_time()
        fn(texts)
        times.append(time.process_time() - c0)
    n = len(texts)
    return n / max(min(times), 1e-9), n / max(statistics.median(times), 1e-9)


def held_out_files() -> list[Path]:
    """heldout.tsv, heldout2.tsv, ... in the order they were written."""
    def num(p: Path) -> int:
        k = p.stem.removeprefix("heldout")
        return int(k) if k.isdigit() else 1
    return sorted(DATA.glob("heldout*.tsv"), key=num)


def first_scores(path: Path) -> str:
    """The blind score recorded in a held-out file's header when it was first scored."""
    r = recorded_first_score(path)
    return f"asserted P {r['precision']:.3f} R {r['recall']:.3f}" if r else "(no first score recorded)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=9, help="timed passes through the texts (best and median shown)")
    ap.add_argument("--no-synthetic", action="store_true", help="skip the hand-written labelled sets' scores")
    ap.add_argument("--extractor-only", action="store_true",
                    help="time only the full extractor (the naive alternation takes minutes on long answers)")
    ap.add_argument("--timings-only", action="store_true", help="skip every score: throughput only")
    args = ap.parse_args()
    if args.timings_only:
        files = held_out_files()
        timings(load_labelled(sorted(DATA.glob("claims_*.tsv")) + files), args.rounds, args.extractor_only)
        return
    real_answers()
    # Every held-out set was scored once when it arrived (the first score is in its header); rules were then fixed
    # after reading its errors, so all but the newest count as development data. Before changing rules after
    # reading the newest set's errors, commission the next one.
    files = held_out_files()
    *former, newest = files
    dev = load_labelled(sorted(DATA.glob("claims_*.tsv")) + former)
    held = load_labelled([newest])
    if not args.no_synthetic:
        synthetic(files, former, newest, dev, held)
    timings(dev + held, args.rounds, args.extractor_only)


def real_answers() -> None:
    """Recorded blind scores on real answers (every labelled set's history: first blind score, later scores, the
    score with the rules in use), then each recorded set and its dev half scored now, per source and language."""
    import json

    from distillscope.identity.claims import rules_fingerprint
    from distillscope.identity.scoring import VALIDATION

    sets = [s for s in json.loads(VALIDATION.read_text(encoding="utf-8"))["sets"] if s["kind"] == "real answers"]
    print("real answers: recorded blind scores (asserted claims)")
    for s in sets:
        final = s.get("note", "final, after rule work on the dev half only")
        for e in [*s.get("earlier_scores", []), {**s, "note": final}]:
            a = e["asserted"]
            pr, rc = a["tp"] / max(1, a["tp"] + a["fp"]), a["tp"] / max(1, a["tp"] + a["fn"])
            fn = e.get("foreign_null", {}).get("all")
            null = f"; false foreign assertions {fn['k']}/{fn['n']}" if fn else ""
            print(f"  {s['set']} at {e['commit']} (rules {e['rules']}): P {pr:.3f} R {rc:.3f} "
                  f"({a['tp']} tp, {a['fp']} fp, {a['fn']} fn){null} — {e['note']}")
        for group in ("by_source", "by_language"):
            cells = []
            for k, v in s.get(group, {}).items():
                a = v["asserted"]
                cells.append(f"{k} {a['tp']}/{a['fp']}/{a['fn']}")
            if cells:
                print(f"    last {group.replace('_', ' ')} (tp/fp/fn): " + ", ".join(cells))
    try:
        import identity_real_answers as real  # bench/ is on the path when this script runs
    except ImportError:
        print("  (bench/identity_real_answers.py not found: no re-scoring)")
        return
    names = []
    for s in sets:  # each recorded set and its other half ("real/fresh_test.tsv" -> fresh_dev, fresh_test)
        stem = Path(s["set"]).stem
        for half in (stem.rsplit("_", 1)[0] + "_dev", stem.rsplit("_", 1)[0] + "_test"):
            if half not in names and (real.REAL / f"{half}.tsv").exists():
                names.append(half)
    print(f"\nreal answers scored now (rules {rules_fingerprint()}):", end="")
    for name in names:
        real.report(name, min_null=100)


def synthetic(files, former, newest, dev, held) -> None:
    print("\nfirst (blind) scores of the held-out sets, each taken before any rule was changed after reading it:")
    for f in files:
        print(f"  {f.name:<16}{first_scores(f)}")
    for kinds, what, current in ((None, "all blind sets, rules of their day", False),
                                 (["probe answers"], "blind probe-answer sets, rules of their day", False),
                                 (None, "blind sets scored with the rules in use", True)):
        try:
            v = blind_validation(kinds, current_rules=current)
        except InputError as e:
            print(f"  pooled, {what}: none ({e})")
            continue
        pr, rc, fa = v["precision"], v["recall"], v["false_assertion_rate"]
        print(f"  pooled, {what} ({v['responses']} responses, as shipped in identity/data/extractor_validation.json): "
              f"asserted P {pr['value']:.3f} [{pr['low']:.3f}, {pr['high']:.3f}] R {rc['value']:.3f} "
              f"[{rc['low']:.3f}, {rc['high']:.3f}]; false assertions per response {fa['value']:.3f}")
    report(f"development set (claims_*.tsv and former held-out sets {', '.join(f.stem for f in former)})", dev)
    report(f"newest held-out set {newest.name} (blind)", held)


def timings(items, rounds: int, extractor_only: bool = False) -> None:
    """Throughput with and without the hyperscan prefilter (identity/prefilter.py), side by side: the passes of the
    runs alternate, so that the machine's load falls on all of them alike."""
    ex = default_extractor()
    plain = ClaimExtractor(prefilter=False)
    naive = naive_regex()
    short = [i.text for i in items]
    long = [(FILLER * 3)[: 700] + " " + t + " " + (FILLER * 3)[: 700] for t in short]
    on = "on" if prefilter.ENABLED else "unavailable: hyperscan not installed" if not prefilter.AVAILABLE else "off"
    runs = {
        f"extractor (full), prefilter {on}": lambda ts: [ex.extract(t) for t in ts],
        "extractor (full), no prefilter (plain re)": lambda ts: [plain.extract(t) for t in ts],
        "name scan only (plain re)": lambda ts: [ex.mentions(t) for t in ts],
        "naive IGNORECASE alternation (names only)": lambda ts: [naive.findall(fold(t)) for t in ts],
    }
    if extractor_only:
        runs = {k: v for k, v in runs.items() if k.startswith("extractor")}
    print(f"\nmachine load before timing: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for label, texts in (("short answers", short), (f"long answers (~{sum(map(len, long)) // len(long)} chars)", long)):
        print(f"\nthroughput on {label}, {len(texts)} texts, {rounds} passes (responses per CPU second):")
        base = None
        for name, (best, median) in zip(runs, timeit_alternating(list(runs.values()), texts, rounds), strict=True):
            base = base or best
            print(f"  {name:<44}best {best:>8,.0f}/s   median {median:>8,.0f}/s   ratio to full {best / base:5.2f}")
    print("\ngoal: asserted precision and recall >= 0.98 (>= 0.95 on real answers); >= 5,000 responses/s on one core "
          f"(machine load now: {' '.join(f'{x:.2f}' for x in os.getloadavg())})")


def timeit_alternating(fns, texts, rounds: int) -> list[tuple[float, float]]:
    """:func:`timeit` for several functions at once, their passes interleaved: (best, median) responses per CPU
    second for each."""
    for fn in fns:
        fn(texts[:50])  # warm caches (and build the prefilter's database)
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(rounds):
        for fn, ts in zip(fns, times, strict=True):
            c0 = time.process_time()
            fn(texts)
            ts.append(time.process_time() - c0)
    n = len(texts)
    return [(n / max(min(ts), 1e-9), n / max(statistics.median(ts), 1e-9)) for ts in times]


if __name__ == "__main__":
    main()
