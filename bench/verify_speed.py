"""Wall time of one `verify` run with a white-box reference (SmolLM2), first run and cached rerun, and where the
time goes.

Run:  .venv/bin/python bench/verify_speed.py [--prompts 20] [--samples 10] [--max-tokens 40]

The endpoint is a recorded-text mock (``mock:choice=...``): an endpoint's own latency is the provider's, not ours,
so what is timed is the local part of the audit: loading the reference, sampling its completions, scoring every
completion under it (likelihood rank and proxy features), the battery, and the sample store's writes. The store is
a fresh file in a temporary folder; the rerun uses the same store and the same loaded models (a second
``verify`` in the same process: every sample comes from the store). Phases are read from a profile of the
first run (cumulative seconds of the functions that do the work).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import time
from pathlib import Path

import torch

PHASES = {
    "reference sampling (hf loop)": "_hf.py:{_generate}",
    "store reads+writes": "_store.py:{put_many}|_store.py:{get_many}",
    "likelihood scoring": "scoring.py:{score_texts}",
    "proxy features": "features.py:{features}",
    "battery": "battery.py:{run_battery}",
}


def _phase_times(prof: cProfile.Profile) -> dict[str, float]:
    st = pstats.Stats(prof)
    out = {}
    for name, pats in PHASES.items():
        tot = 0.0
        for pat in pats.split("|"):
            file, fn = pat.split(":")
            fn = fn.strip("{}")
            tot += sum(v[3] for (f, _, func), v in st.stats.items() if f.endswith(file) and func == fn)
        out[name] = tot
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--prompts", type=int, default=20)
    ap.add_argument("--samples", type=int, default=10)
    ap.add_argument("--max-tokens", type=int, default=40)
    ap.add_argument("--batch", type=int, default=32, help="reference sampling batch size")
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    from distillscope.models import load_model
    from distillscope.store import SampleStore
    from distillscope.verify import VerifyConfig, verify
    from distillscope.verify.config import BatteryConfig
    from distillscope.verify.prompts import default_prompts

    prompts = default_prompts()[: a.prompts]
    cfg = VerifyConfig(samples=a.samples, max_tokens=a.max_tokens, battery=BatteryConfig(n_perm=1000))
    endpoint = load_model("mock:choice=Sure, here you go.|I think so.|Hello there!|Here is a short answer.")
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        reference = load_model("zoo:smollm2-135m-instruct", batch_size=a.batch)
        t_load = time.perf_counter() - t0
        store = SampleStore(Path(d) / "samples.duckdb")
        t_open = time.perf_counter() - t0 - t_load
        prof = cProfile.Profile()
        t1 = time.perf_counter()
        prof.enable()
        rep = verify(endpoint, reference, prompts, cfg, store=store)
        prof.disable()
        first = time.perf_counter() - t1
        t2 = time.perf_counter()
        rep2 = verify(endpoint, reference, prompts, cfg, store=store)
        rerun = time.perf_counter() - t2
    total = t_load + t_open + first
    print(f"verify, white-box reference {reference.spec}, {a.prompts} prompts x {a.samples} samples x "
          f"{a.max_tokens} tokens (endpoint: recorded-text mock), batch {a.batch}, {a.threads} thread(s)")
    print(f"first run: {total:.1f} s (model load {t_load:.1f} s, store open {t_open:.2f} s, verify {first:.1f} s); "
          f"cached rerun: {rerun:.1f} s (calls from the store: {rep2.spend.calls_cached}); goal < 180 s "
          f"(ratio {total / 180:.2f} of it)")
    ph = _phase_times(prof)
    print("first run by phase (cumulative s, profiled): " + ", ".join(f"{k} {v:.1f}" for k, v in ph.items()))
    print(f"verdict: {rep.verdict}")


if __name__ == "__main__":
    main()
