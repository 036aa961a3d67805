"""The contract with the gateway: whatever its ExchangeLog writes, the monitor reads back whole."""

import pytest

from distillscope.gateway import log as gw
from distillscope.monitor.ingest import read_logs


@pytest.mark.parametrize("sink", ["folder", "log.jsonl", "log.duckdb"])
def test_gateway_log_round_trip(tmp_path, sink):
    path = tmp_path / sink
    log = gw.ExchangeLog(path, fsync=False)
    for i in range(25):
        log.write({"account_id": f"acct_{i % 5}", "key_id": f"key_{i % 5}", "ts": 1767225600 + i,
                   "ip": "203.0.113.7", "user_agent": "python-httpx/0.27", "model": "smollm2",
                   "prompt": [{"role": "user", "content": f"question {i}"}], "completion": f"answer {i}",
                   "prompt_tokens": 7, "completion_tokens": 3, "org_id": "org_1" if i % 2 else None})
    log.close()
    r = read_logs([path])
    assert r.n_bad == 0 and r.n_rows == 25
    rows = sorted(r.table.to_pylist(), key=lambda x: x["ts"])
    assert rows[3]["prompt"] == "user: question 3" and rows[3]["org_id"] == "org_1" and rows[2]["org_id"] is None
    assert int(rows[0]["ts"].timestamp()) == 1767225600
