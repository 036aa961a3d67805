"""Where the identity claim extractor spends its time: CPU microseconds per answer, stage by stage, on the
throughput texts of bench/identity_extractor.py (the labelled answers, short and padded to ~1,500 characters).

    .venv/bin/python bench/identity_extractor_stages.py             # --rounds 5; --rules 15 rules listed
    .venv/bin/python bench/identity_extractor_stages.py --bounds    # also: the time if some regex work were free

For each text set: the extractor's own time per answer (best pass, unwrapped); then, from a pass with each stage of
``ClaimExtractor.extract`` wrapped in a timer, what folding and lower-casing, the name scan, the rule decisions
(``rules.decide``, every name), the role-play scene pass and the speaker-turn segmentation cost, the rest being
the per-name set-up (sentence bounds, quotation spans) and the other answer-level passes; then the rules that cost
most (from a pass with each rule timed). Single-threaded CPU time (``time.process_time``), less one clock reading
per timed call; estimates good to a few µs (the speaker-turn pass's label scans count in the name scan too). Run it
through the machine's CPU-slot wrapper when the machine is shared.

``--bounds`` prints ceilings for a faster engine: the time per answer when the results of the cue-set searches
(``trie.PatternUnion``), of the name scan (``NameScanner.scan``) or of the cues after a name (``Cues.post_role``)
are replayed from a recorded pass instead of computed (extraction is deterministic, so each call gets its own
result back): no scheme that still computes them can be faster than that.
"""

from __future__ import annotations

import argparse
import os
import re
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from identity_extractor import DATA, FILLER, held_out_files  # bench/ is on the path when this script runs

import distillscope.identity.claims as claims_mod
from distillscope.identity import rules as rules_mod
from distillscope.identity import trie as trie_mod
from distillscope.identity.claims import ClaimExtractor
from distillscope.identity.scoring import load_labelled


def texts() -> tuple[list[str], list[str]]:
    """The throughput texts of bench/identity_extractor.py: every labelled answer, and each padded with prose."""
    short = [i.text for i in load_labelled(sorted(DATA.glob("claims_*.tsv")) + held_out_files())]
    return short, [(FILLER * 3)[:700] + " " + t + " " + (FILLER * 3)[:700] for t in short]


def best_pass(ex: ClaimExtractor, ts: list[str], rounds: int, reset: Callable[[], None] = lambda: None) -> float:
    """The fastest of ``rounds`` passes (CPU seconds); ``reset`` runs before each pass."""
    best = float("inf")
    for _ in range(rounds):
        reset()
        t0 = time.process_time()
        for t in ts:
            ex.extract(t)
        best = min(best, time.process_time() - t0)
    return best


class Stages:
    """Timers wrapped around the extractor's stages (module functions and instance methods, restored on exit)."""

    def __init__(self, ex: ClaimExtractor, rules: bool = False) -> None:
        self.ex, self.rules = ex, rules
        self.spent: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._undo: list[Callable[[], None]] = []

    def _timed(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        spent, calls, clock = self.spent, self.calls, time.process_time

        def wrapper(*args: Any, **kw: Any) -> Any:
            t0 = clock()
            try:
                return fn(*args, **kw)
            finally:
                spent[name] += clock() - t0
                calls[name] += 1
        return wrapper

    def _patch(self, owner: Any, attr: str, new: Any) -> None:
        had = attr in vars(owner)
        old = vars(owner).get(attr)
        setattr(owner, attr, new)
        self._undo.append(lambda: setattr(owner, attr, old) if had else delattr(owner, attr))

    def __enter__(self) -> Stages:  # noqa: PYI034
        ex = self.ex
        if self.rules:  # (each rule on its own: the stages are not wrapped in this run)
            self._patch(claims_mod, "decide", self._decide)
            return self
        self._patch(claims_mod, "fold", self._timed("fold + lower-case", claims_mod.fold))
        self._patch(claims_mod, "lower", self._timed("fold + lower-case", claims_mod.lower))
        self._patch(ex.names, "scan", self._timed("name scan", ex.names.scan))
        self._patch(claims_mod, "decide", self._timed("rule decisions", rules_mod.decide))
        self._patch(ex, "_apply_scenes", self._timed("role-play scenes", ex._apply_scenes))
        self._patch(ex.segmenter, "segment", self._timed("speaker turns", ex.segmenter.segment))
        return self

    def _decide(self, s: rules_mod.Site) -> Any:
        spent, calls, clock = self.spent, self.calls, time.process_time
        for rule in rules_mod.RULES:
            t0 = clock()
            res = rule(s)
            spent[rule.__name__] += clock() - t0
            calls[rule.__name__] += 1
            if res is not rules_mod.GO_ON:
                return res
        return None

    def __exit__(self, *exc: object) -> None:
        for undo in reversed(self._undo):
            undo()

    def reset(self) -> None:
        self.spent.clear()
        self.calls.clear()


def clock_read(reps: int = 50000) -> float:
    """CPU seconds of one clock reading: what a timer adds to the time it measures."""
    clock = time.process_time
    t0 = clock()
    for _ in range(reps):
        clock()
    return (clock() - t0) / reps


def timed_run(ex: ClaimExtractor, ts: list[str], rounds: int, rules: bool) -> dict[str, float]:
    """µs per answer of each stage (or rule), from the fastest of ``rounds`` wrapped passes, less one clock reading
    per timed call."""
    best, spent, calls = float("inf"), {}, {}
    with Stages(ex, rules) as st:
        for _ in range(rounds):
            el = best_pass(ex, ts, 1, st.reset)
            if el < best:
                best, spent, calls = el, dict(st.spent), dict(st.calls)
    read = clock_read()
    return {k: (v - calls[k] * read) / len(ts) * 1e6 for k, v in spent.items()}


def report(label: str, ts: list[str], rounds: int, n_rules: int) -> None:
    ex = ClaimExtractor()
    ex.extract(ts[0])
    plain = best_pass(ex, ts, rounds)
    total = plain / len(ts) * 1e6
    print(f"\n{label}: {len(ts)} answers, ~{sum(map(len, ts)) // len(ts)} characters; extract {total:.1f} µs per "
          f"answer ({1e6 / total:,.0f}/s), best of {rounds} passes")
    per = timed_run(ex, ts, rounds, False)
    per["the rest (per-name set-up, other passes)"] = total - sum(per.values())
    print("  stages (µs per answer, share of extract)")
    for k, v in sorted(per.items(), key=lambda kv: -kv[1]):
        print(f"    {k:<42}{v:>8.1f}  {100 * v / total:5.1f}%")
    rules = timed_run(ex, ts, rounds, True)
    print(f"  costliest rules (µs per answer, with their cue searches; {n_rules} of {len(rules_mod.RULES)})")
    for k, v in sorted(rules.items(), key=lambda kv: -kv[1])[:n_rules]:
        print(f"    {k:<42}{v:>8.1f}")


def replayed(ex: ClaimExtractor, ts: list[str], rounds: int, targets: list[tuple[Any, str]]) -> float:
    """Best pass (CPU seconds) with the calls of ``targets`` (owner, attribute) answered from a recorded pass."""
    record: list[Any] = []
    saved = [(owner, attr, vars(owner).get(attr), attr in vars(owner)) for owner, attr in targets]

    def recorder(fn: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kw: Any) -> Any:
            res = fn(*args, **kw)
            res = res if res is None or isinstance(res, (str, re.Match)) else list(res)
            record.append(res)
            return res
        return call

    for owner, attr in targets:
        setattr(owner, attr, recorder(getattr(owner, attr)))
    for t in ts:
        ex.extract(t)
    feed = [iter(record)]
    try:
        for owner, attr in targets:
            setattr(owner, attr, lambda *a, **k: next(feed[0]))
        return best_pass(ex, ts, rounds, lambda: feed.__setitem__(0, iter(record)))
    finally:
        for owner, attr, old, had in saved:
            if had:
                setattr(owner, attr, old)
            else:
                delattr(owner, attr)


def bounds(ts: list[str], rounds: int) -> None:
    ex = ClaimExtractor()
    ex.extract(ts[0])
    plain = best_pass(ex, ts, rounds)
    print(f"  ceilings (µs per answer; as computed: {plain / len(ts) * 1e6:.1f})")
    union = [(trie_mod.PatternUnion, "search"), (trie_mod.PatternUnion, "finditer")]
    for label, targets in (("cue-set searches replayed", union), ("name scan replayed", [(ex.names, "scan")]),
                           ("cues after a name replayed", [(ex.cues, "post_role")]),
                           ("all three replayed", [*union, (ex.names, "scan"), (ex.cues, "post_role")])):
        el = replayed(ex, ts, rounds, targets)
        print(f"    {label:<42}{el / len(ts) * 1e6:>8.1f}  ({plain / el:.2f}x)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5, help="passes per measurement (the fastest counts)")
    ap.add_argument("--rules", type=int, default=15, help="how many of the costliest rules to list")
    ap.add_argument("--bounds", action="store_true", help="also time passes with some regex work replayed")
    args = ap.parse_args()
    short, long = texts()
    for label, ts in (("short answers", short), ("long answers", long)):
        report(label, ts, args.rounds, args.rules)
        if args.bounds:
            bounds(ts, args.rounds)
    print(f"\n(machine load now: {' '.join(f'{x:.2f}' for x in os.getloadavg())})")


if __name__ == "__main__":
    main()
