"""Sampling through the store at scale: N mock requests through ``CachedModel`` with a progress callback, then a
rerun that must be all cache hits. Time must grow linearly with N (issue 14, defect 8: it was quadratic).

    OMP_NUM_THREADS=1 .venv/bin/python bench/sample_store_scale.py --sizes 1000 10000 --chunk 64

Prints one line per size: requests, seconds with the progress callback, seconds per 1,000 requests, rerun seconds.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from distillscope.models import GenRequest, load_model
from distillscope.store import CachedModel, SampleStore


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--chunk", type=int, default=64, help="samples generated and committed per transaction")
    args = ap.parse_args()
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as d:
            store = SampleStore(Path(d) / "s.duckdb")
            reqs = [GenRequest.chat(f"prompt {i}", max_tokens=8) for i in range(n)]
            done: list[int] = []
            t0 = time.perf_counter()
            CachedModel(load_model("mock:echo"), store, chunk_size=args.chunk).generate(reqs, progress=done.append)
            first = time.perf_counter() - t0
            t1 = time.perf_counter()
            cm = CachedModel(load_model("mock:echo"), store, chunk_size=args.chunk)
            cm.generate(reqs)
            rerun = time.perf_counter() - t1
            print(json.dumps({"requests": n, "chunk": args.chunk, "seconds_with_progress": round(first, 2),
                              "seconds_per_1000": round(first / n * 1000, 3), "progress_total": sum(done),
                              "stored": store.count(), "rerun_seconds": round(rerun, 2), "rerun_hits": cm.hits}),
                  flush=True)


if __name__ == "__main__":
    main()
