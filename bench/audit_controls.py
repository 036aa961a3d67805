"""The audit's lineage verdict on many models with known ancestry: does it name SmolLM2 as the teacher of its
students (adjusted p < 0.01), and how often does it name it for controls that never saw SmolLM2 (FPR <= alpha)?

Run (builds the models once, about a minute each on one core; the audits then take about a minute each)::

    .venv/bin/python bench/audit_controls.py                      # 4 students, 8 hard + 12 soft controls
    .venv/bin/python bench/audit_controls.py --students 2 --hard 4 --soft 4 --out /tmp/ac

The models are the demo's recipe (``distillscope.demo.build_demo_models``): students logit-distilled from SmolLM2
on 24 prompts; hard-label controls trained on the same prompts with corpus answers (no SmolLM2); soft-label
controls logit-distilled from a hard-label control (soft labels, another teacher). Every model shares SmolLM2's
tokenizer, the hardest case for a lineage test. Each suspect is audited exactly as ``distillscope audit`` does
(black-box, functional and weight lineage, identity), with a panel of four other controls that are not its
relatives (not its teacher, its soft-label children or siblings). A suspect is *linked* when the verdict names
SmolLM2 (a lineage test rejects after Holm over every test of the case); for controls that is a false positive.
Results go to ``audit-controls.json`` in the output folder.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any


def _relatives(name: str, names: list[str]) -> set[str]:
    """The suspect itself, its teacher, and models sharing its teacher (soft-label siblings / children)."""
    def parent(n: str) -> str | None:
        if n.startswith("control-soft-"):
            return f"control-hard-{(int(n.rsplit('-', 1)[1]) + 1) // 2}"
        return None

    rel = {name}
    p = parent(name)
    if p:
        rel.add(p)
    for n in names:
        if parent(n) in (name, p) and parent(n) is not None:
            rel.add(n)
    return rel


def panel_for(name: str, names: list[str], k_hard: int = 2, k_soft: int = 2) -> list[str]:
    """Four controls unrelated to ``name``, rotated by its position so that panels vary."""
    rel = _relatives(name, names)
    idx = names.index(name)
    out = []
    for prefix, k in (("control-hard-", k_hard), ("control-soft-", k_soft)):
        pool = [n for n in names if n.startswith(prefix) and n not in rel]
        if pool:
            start = idx % len(pool)
            out += (pool[start:] + pool[:start])[:k]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--students", type=int, default=4)
    ap.add_argument("--hard", type=int, default=8)
    ap.add_argument("--soft", type=int, default=12)
    ap.add_argument("--out", default=None, help="folder for the models, cases and results (default: the cache)")
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    from distillscope.audit import AuditConfig, audit
    from distillscope.demo import N_PROMPTS, STEPS, TEACHER, build_demo_models
    from distillscope.models import load_model
    from distillscope.paths import cache_dir
    from distillscope.stats.intervals import wilson
    from distillscope.store import SampleStore

    folder = Path(args.out) if args.out else cache_dir("demo")
    t0 = time.perf_counter()
    teacher = load_model(TEACHER)
    paths = build_demo_models(folder / f"models-{N_PROMPTS}p-{STEPS}steps", teacher, show=False,
                              students=args.students, hard=args.hard, soft=args.soft)
    build_s = time.perf_counter() - t0
    names = list(paths)
    store = SampleStore(folder / "audit-controls-samples.duckdb")
    cfg = AuditConfig(identity_samples=2, identity_max_tokens=32, lineage_prompts=8, lineage_samples=3,
                      max_tokens=24, permutations=1000, alpha=args.alpha)
    models: dict[str, Any] = {}

    def get(n: str) -> Any:
        if n not in models:
            models[n] = load_model(f"hf:{paths[n]}")
        return models[n]

    rows = []
    for name in names:
        t = time.perf_counter()
        panel = panel_for(name, names)
        res = audit(get(name), candidate=teacher, panel=[get(n) for n in panel], config=cfg, store=store,
                    out=folder / "audit-controls" / name, command=["bench/audit_controls.py"])
        v = res.case.verdict
        lineage = [e for e in res.case.evidence if e.name.startswith("lineage.") and e.p_adjusted is not None]
        best = min(lineage, key=lambda e: e.p_adjusted) if lineage else None
        rows.append({"suspect": name, "derived": name.startswith("student"), "panel": panel,
                     "linked": v.linked_candidate is not None, "finding": v.finding, "headline": v.headline,
                     "min_lineage_p_adjusted": None if best is None else best.p_adjusted,
                     "min_lineage_test": None if best is None else best.name,
                     "seconds": round(time.perf_counter() - t, 1)})
        r = rows[-1]
        mp = r["min_lineage_p_adjusted"]
        print(f"{name:<18} linked={r['linked']!s:<5} min adj p {'-' if mp is None else f'{mp:.3g}':<10} "
              f"({r['min_lineage_test']}) {r['seconds']} s", flush=True)

    students = [r for r in rows if r["derived"]]
    controls = [r for r in rows if not r["derived"]]
    strong = sum(1 for r in students if r["min_lineage_p_adjusted"] is not None and r["min_lineage_p_adjusted"] < 0.01)
    fp = sum(1 for r in controls if r["linked"])
    lo, hi = (float(x) for x in wilson(fp, len(controls)))
    load = os.getloadavg()[0]
    print(f"\nstudents linked to SmolLM2 with adjusted p < 0.01: {strong}/{len(students)}")
    print(f"controls linked to SmolLM2 at alpha {args.alpha}: {fp}/{len(controls)} = {fp / len(controls):.3f} "
          f"(Wilson 95% [{lo:.3f}, {hi:.3f}]); any finding on a control: "
          f"{sum(r['finding'] for r in controls)}/{len(controls)}")
    print(f"build {build_s:.0f} s, total {time.perf_counter() - t0:.0f} s, load {load:.1f}, {args.threads} thread(s)")
    out = folder / "audit-controls.json"
    out.write_text(json.dumps({"rows": rows, "students_strong": strong, "controls_fp": fp,
                               "controls": len(controls), "wilson95": [lo, hi], "alpha": args.alpha,
                               "build_seconds": round(build_s), "load": load}, indent=2))
    print(f"results: {out}")


if __name__ == "__main__":
    main()
