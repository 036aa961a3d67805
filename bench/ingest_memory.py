"""Peak memory of ``monitor`` ingest on large JSONL files (issue 14, defect 14: 143 MB took 1.54 GB RSS).

    OMP_NUM_THREADS=1 .venv/bin/python bench/ingest_memory.py --mb 143 --long-lines 2 --long-mb 50

Each case runs in a fresh process: RSS after imports (baseline), peak RSS during ``read_logs`` (ru_maxrss), the
increase over the baseline as a multiple of the file size (target: under ~3x), rows and seconds.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = """
import json, resource, sys, time
from distillscope.monitor.ingest import read_logs
import duckdb, pyarrow  # noqa: F401 - imported before the baseline
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
r = read_logs([sys.argv[1]])
dt = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"rows": r.n_rows, "bad": r.n_bad, "seconds": round(dt, 1), "base_kb": base, "peak_kb": peak}))
"""


def row(i: int, prompt: str) -> str:
    return json.dumps({"account_id": f"acct{i % 500}", "key_id": f"k{i % 700}", "ts": 1_700_000_000 + i,
                       "ip": f"10.0.{i % 250}.{i % 200}", "user_agent": "bench/1", "model": "m", "prompt": prompt,
                       "completion": "answer " * 20, "prompt_tokens": 30, "completion_tokens": 20}) + "\n"


def measure(path: Path, label: str) -> None:
    out = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, check=True)
    d = json.loads(out.stdout.strip().splitlines()[-1])
    mb = path.stat().st_size / 1e6
    inc = (d["peak_kb"] - d["base_kb"]) / 1e3
    print(json.dumps({"case": label, "file_mb": round(mb, 1), "baseline_rss_mb": round(d["base_kb"] / 1e3),
                      "peak_rss_mb": round(d["peak_kb"] / 1e3), "increase_mb": round(inc),
                      "increase_x_file": round(inc / mb, 2), "peak_x_file": round(d["peak_kb"] / 1e3 / mb, 2),
                      "rows": d["rows"], "bad_rows": d["bad"], "seconds": d["seconds"]}), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=143, help="size of the many-rows file")
    ap.add_argument("--long-lines", type=int, default=2)
    ap.add_argument("--long-mb", type=float, default=50, help="size of each long line")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "many.jsonl"
        t0 = time.perf_counter()
        with open(p, "w") as f:
            i = 0
            while f.tell() < args.mb * 1e6:
                f.write(row(i, f"prompt {i} " + "lorem ipsum dolor " * 20))
                i += 1
        print(json.dumps({"generated_s": round(time.perf_counter() - t0, 1)}), flush=True)
        measure(p, "many rows")
        p.unlink()
        q = Path(d) / "long.jsonl"
        with open(q, "w") as f:
            for i in range(args.long_lines):
                f.write(row(i, "x" * int(args.long_mb * 1e6)))
        measure(q, f"{args.long_lines} lines of {args.long_mb:g} MB")


if __name__ == "__main__":
    main()
