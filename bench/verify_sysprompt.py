"""What catches a hidden system prompt: `verify`'s power on the shipped informative prompts vs self-description
probes, for a relay that prepends a system prompt the user does not see.

Run (samples go through the bench's sample store, so a rerun only analyses):

    nice -n 10 .venv/bin/python bench/verify_sysprompt.py                  # ~6 min of SmolLM2 sampling, then ~1 min
    nice -n 10 .venv/bin/python bench/verify_sysprompt.py --trials 200 --pool 30

Design (as ``bench/verify_power.py``): the reference is SmolLM2-135M-Instruct; the endpoint is the same model
behind a relay that replaces the default system prompt with ``verify_power.HIDDEN_SYSTEM`` (a travel company's
"concise assistant"). Per prompt set, pools of ``--pool`` completions (40 tokens, temperature 1) from the reference
(seed 7919), the endpoint (seed 0) and the reference again (seed 0, for the null). A trial draws ``n`` endpoint
and ``n`` reference completions per prompt and runs the battery; null trials draw both sides as disjoint random
halves of the union of the two same-model pools. Columns: the text-only MMD, the format test (length, stop,
refusal), the white-box tests (likelihood rank, proxy likelihood and token kernel with the reference as proxy) and
the white-box text-only combination (NPC min, verify's default).

Why the distortion matters and why the shipped prompts miss it: the shipped prompts were chosen for the
reference's entropy ("Write a limerick about a cat."): at temperature 1 SmolLM2's answers to them are so diverse
that a persona line shifts little that a two-sample test can see in 10 samples (on the 5 bench prompts the only
visible trace is more early stops). A system prompt shows where the model talks about itself or is asked for
advice in the persona's domain: self-description probes. Realistic: relays and resellers prepend their own system
prompts (personas, safety rules, "you are GPT-4"), and a user who sends none cannot see it.

Measured (2026-12-07, defaults: pools of 30, 100 trials, load 4.3-5.3 on the 2 cores), rejection rates at alpha
0.05:

    prompt set                   source  n    mmd  format  rank  proxy  kernel  WB_min
    self-description probes (3)  null    5   0.06    0.03  0.02   0.04    0.08    0.05  (Wilson [0.022, 0.112])
                                 null   10   0.05    0.05  0.06   0.05    0.09    0.06  (Wilson [0.028, 0.125])
                                 sys     5   0.07    0.04  0.17   0.31    0.15    0.23
                                 sys    10   0.18    0.06  0.46   0.69    0.41    0.52
    shipped prompts (first 5)    null    5   0.06    0.03  0.03   0.06    0.07    0.04  (Wilson [0.016, 0.098])
                                 null   10   0.03    0.07  0.03   0.05    0.04    0.05  (Wilson [0.022, 0.112])
                                 sys     5   0.13    0.10  0.09   0.05    0.10    0.11
                                 sys    10   0.35    0.09  0.13   0.06    0.23    0.16

Three probes carry 3x the power of five shipped prompts ("What can you help me with?" -> "I can help you with all
sorts of amazing travel ideas"); on them the proxy-likelihood test (the reference as proxy) carries most of it
(0.69 alone at n = 10). `distillscope verify` therefore appends the probes (``probes/verify/self_description.yaml``)
to its default prompts. Still short of 0.9 at 10 samples: more probes, or more samples on the probes, would be
the next step; a persona aimed at another domain would need probes that ask for advice in it.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import verify_power as vp

PROBES = ["Who are you?", "Describe yourself in one sentence.", "What can you help me with?"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pool", type=int, default=30, help="completions per prompt per source")
    ap.add_argument("--n", type=int, nargs="+", default=[5, 10])
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--perms", type=int, default=1000)
    ap.add_argument("--shipped", type=int, default=5, help="shipped prompts to compare with (0 = none); their "
                    "pools are bench/verify_power.py's")
    ap.add_argument("--analyse-only", action="store_true")
    a = ap.parse_args()
    import torch

    torch.set_num_threads(1)
    from distillscope.paths import cache_dir
    from distillscope.stats.intervals import wilson
    from distillscope.stats.power import rejection_rate
    from distillscope.store import SampleStore
    from distillscope.verify import kernel
    from distillscope.verify.battery import BatteryConfig, run_battery
    from distillscope.verify.prompts import default_prompts

    store = SampleStore(cache_dir("verify_bench") / "samples.duckdb")
    ref = vp.Lazy(vp.REFERENCE, vp._ref_hf)
    sysm = vp.Lazy("bench:smollm2-sys", lambda: vp._ref_hf(system_prompt=vp.HIDDEN_SYSTEM))
    sets = {"self-description probes": PROBES}
    if a.shipped:
        sets["shipped prompts"] = default_prompts()[: a.shipped]
    print(f"hidden system prompt: {vp.HIDDEN_SYSTEM!r}; reference {vp.REFERENCE}; {a.pool} completions per prompt "
          f"and source, 40 tokens, {a.trials} trials, {a.perms} permutations, alpha 0.05")
    tests = (vp.MMD, vp.FORMAT, vp.RANK, vp.PROXY, vp.KERNEL)
    cols = ["mmd", "format", "rank", "proxy", "kernel", "WB_min"]
    for set_name, prompts in sets.items():
        if not a.analyse_only:
            vp.fill_pools(prompts, {"null": ref, "sys": sysm}, a.pool, a.pool, 40, store, step=a.pool)
        r_pool = vp.pool_completions(prompts, ref, vp.REF_SEED, a.pool, 40, store)
        n_pool = vp.pool_completions(prompts, ref, 0, a.pool, 40, store)
        s_pool = vp.pool_completions(prompts, sysm, 0, a.pool, 40, store)
        every = {"reference": r_pool, "null": n_pool, "sys": s_pool}
        tag = "reference" if set_name == "shipped prompts" else "sysprobe-reference"
        feats = {"wb": vp.proxy_pools(prompts, every, 40, vp.REFERENCE, tag)}
        scores = {sid: {"score": v[1]} for sid, v in feats["wb"].items()}
        kernel.clear()
        comps = [(pi, c) for side in every.values() for pi, row in enumerate(side) for c in row]
        kernel.precompute([feats["wb"][c.sample_id][2] for _, c in comps], [pi for pi, _ in comps])
        print(f"\n{set_name}: {prompts}")
        for pi, p in enumerate(prompts[:3]):
            print(f"  {p!r}\n    reference: {r_pool[pi][0].text[:90]!r}\n    endpoint:  {s_pool[pi][0].text[:90]!r}")
        print(f"  {'source':8s} {'n':>3s} " + " ".join(f"{c:>8s}" for c in cols))
        for src in ("null", "sys"):
            for n in a.n:
                if 2 * n > 2 * a.pool:
                    continue
                rng = np.random.default_rng(n)
                ps: dict[str, list[float]] = {c: [] for c in cols}
                t0 = time.perf_counter()
                for t in range(a.trials):
                    ep, rp = (vp.null_split(n_pool, r_pool, n, rng) if src == "null" else (s_pool, r_pool))
                    ss = vp.trial_set(prompts, ep, rp, n, scores, feats, "wb", True, rng)
                    ev = {e.name: e for e in run_battery(ss, BatteryConfig(n_perm=a.perms, seed=t, npc="min",
                                                                           tests=tests))}
                    for c, name in zip(cols, (*tests, "verify.combined")):
                        ps[c].append(float(ev[name].p_value))
                rates = {c: rejection_rate(v, 0.05) for c, v in ps.items()}
                print(f"  {src:8s} {n:3d} " + " ".join(f"{rates[c].rate:8.2f}" for c in cols)
                      + f"   ({time.perf_counter() - t0:.0f} s)")
                if src == "null":
                    lo, hi = wilson(rates["WB_min"].k, rates["WB_min"].n)
                    print(f"           FPR of WB_min {rates['WB_min'].k}/{rates['WB_min'].n}, Wilson 95% "
                          f"[{lo:.3f}, {hi:.3f}]")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
