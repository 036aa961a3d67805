"""How long `distillscope demo` takes on a fresh machine: first run (GGUF conversion, model building, every sample
generated) in an empty DISTILLSCOPE_HOME, then a rerun (everything from the caches). Goal: first run <= 10 minutes.

    .venv/bin/python bench/demo.py            # prints one line per run and the machine's load

The venv must be installed (`make install`); `make demo` on a fresh clone adds the install time (pip) to the first
line's figure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _run(home: Path, out: Path) -> tuple[float, dict]:
    env = {**os.environ, "DISTILLSCOPE_HOME": str(home), "DISTILLSCOPE_STORE": str(home / "samples.duckdb")}
    exe = Path(sys.executable).with_name("distillscope")
    t0 = time.perf_counter()
    r = subprocess.run([str(exe), "demo", "--out", str(out), "--json"], env=env, capture_output=True, text=True,
                       check=False)
    dt = time.perf_counter() - t0
    if r.returncode not in (0, 1):
        sys.exit(f"demo failed (exit {r.returncode}):\n{r.stderr[-3000:]}")
    return dt, json.loads(r.stdout)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home, out = Path(tmp) / "home", Path(tmp) / "demo"
        load0 = os.getloadavg()[0]
        first, summary = _run(home, out)
        again, _ = _run(home, out)
        load1 = os.getloadavg()[0]
    print(f"demo first run (empty DISTILLSCOPE_HOME): {first:.0f} s ({first / 60:.1f} min; goal <= 10 min)")
    print(f"demo rerun (models and samples cached):   {again:.0f} s")
    print(f"load average {load0:.1f} -> {load1:.1f} on {os.cpu_count()} cores")
    for name, case in summary["cases"].items():
        print(f"  {name}: {case['verdict']}")


if __name__ == "__main__":
    main()
