"""The exchange log: monitor schema, every sink, and durability across kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from distillscope.gateway import ExchangeLog, read_log
from distillscope.monitor.schema import COLUMNS


def _ex(i: int) -> dict:
    return {"account_id": "a", "key_id": "k", "ts": time.time(), "ip": "127.0.0.1", "user_agent": "t",
            "model": "m", "prompt": [{"role": "user", "content": f"q{i}"}], "completion": f"a{i}",
            "prompt_tokens": 3, "completion_tokens": 2, "exchange_id": f"ex-{i}", "status": 200,
            "watermark_key_id": "wm-kgw-x" if i % 2 else None}


@pytest.mark.parametrize("name", ["log", "log.jsonl", "log.duckdb"])
def test_sinks_write_monitor_schema(tmp_path, name):
    log = ExchangeLog(tmp_path / name)
    futs = [log.submit(_ex(i)) for i in range(50)]
    for f in futs:
        f.result(10)
    log.close()
    t = read_log(tmp_path / name)
    assert t.num_rows == 50 and set(COLUMNS) <= set(t.column_names)
    assert sorted(t.column("exchange_id").to_pylist()) == sorted(f"ex-{i}" for i in range(50))
    assert t.column("prompt").to_pylist()[0].startswith("user: q")


def test_parquet_log_is_read_by_the_monitor(tmp_path):
    from distillscope.monitor.ingest import read_logs

    log = ExchangeLog(tmp_path / "log")
    for i in range(5):
        log.write(_ex(i))
    res = read_logs([tmp_path / "log"])  # read while the gateway's log is still open
    assert res.n_rows == 5 and res.n_bad == 0
    log.close()


WRITER = """
import sys, time
from distillscope.gateway.log import ExchangeLog
log = ExchangeLog(sys.argv[1])
i = 0
while True:
    log.write({"account_id": "a", "key_id": "k", "ts": time.time(), "ip": "1", "user_agent": "", "model": "m",
               "prompt": "p", "completion": "c" * 200, "prompt_tokens": 1, "completion_tokens": 1,
               "exchange_id": f"ex-{i}"})
    print(f"ack ex-{i}", flush=True)
    i += 1
"""


def test_acknowledged_rows_survive_kill_9(tmp_path):
    name = "log"  # the default sink: Parquet segments
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path / name)], stdout=subprocess.PIPE, text=True)
    acked = []
    deadline = time.time() + 120
    while len(acked) < 30 and time.time() < deadline:
        line = proc.stdout.readline()
        if line.startswith("ack "):
            acked.append(line.split()[1])
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    acked += [ln.split()[1] for ln in proc.stdout.read().splitlines() if ln.startswith("ack ")]
    assert len(acked) >= 30
    logged = set(read_log(tmp_path / name).column("exchange_id").to_pylist())
    assert set(acked) <= logged
