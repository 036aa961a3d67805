"""Regression tests for issue 14 (reliability and security of the gateway and ``serve``), one per defect.

Each test is named after its defect (``test_defectNN_...``) and failed on the code before the fix.
"""

from __future__ import annotations

import threading
import time

import pytest
from fastapi.testclient import TestClient

from distillscope.gateway import ExchangeLog, create_gateway_app, read_log

GOOD = {"model": "gw-model", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 8}
SURROGATE_BODY = b'{"model": "gw-model", "messages": [{"role": "user", "content": "bad \\ud800 text"}]}'


def _ex(i: int, text: str = "q") -> dict:
    return {"account_id": "a", "key_id": "k", "ts": time.time(), "ip": "127.0.0.1", "user_agent": "t",
            "model": "m", "prompt": [{"role": "user", "content": f"{text}{i}"}], "completion": f"a{i}",
            "prompt_tokens": 3, "completion_tokens": 2, "exchange_id": f"ex-{i}", "status": 200}


# --- defect 1: one bad character fails other clients' requests -------------------------------------------------
@pytest.mark.parametrize("name", ["log", "log.jsonl", "log.duckdb"])
def test_defect01_lone_surrogate_row_does_not_fail_its_batch(tmp_path, name):
    log = ExchangeLog(tmp_path / name)
    real_write, gate, first = log.sink.write, threading.Event(), threading.Event()

    def held_write(rows):  # hold the first batch so the next rows are committed together in one batch
        if not first.is_set():
            first.set()
            gate.wait(10)
        return real_write(rows)

    log.sink.write = held_write
    blocker = log.submit(_ex(0))
    assert first.wait(10)
    futs = [log.submit(_ex(i)) for i in range(1, 4)]
    poisoned = log.submit({**_ex(4, text="bad \ud800 "), "completion": "x\udfff", "user_agent": "ua"})
    futs += [log.submit(_ex(i)) for i in range(5, 8)]
    gate.set()
    for f in [blocker, *futs]:
        f.result(10)  # the innocent rows of the poisoned batch are on disk
    poisoned.result(10)  # and the poisoned one too, with its surrogates escaped
    log.close()
    rows = {r["exchange_id"]: r for r in read_log(tmp_path / name).to_pylist()}
    assert sorted(rows) == sorted(f"ex-{i}" for i in range(8))
    assert "\\ud800" in rows["ex-4"]["prompt"] and rows["ex-4"]["completion"] == "x\\udfff"


def test_defect01_lone_surrogate_request_gets_400_and_others_are_served(make_gateway):
    gw, key = make_gateway()
    c = TestClient(create_gateway_app(gw), raise_server_exceptions=False)
    h = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    results: list[int] = []

    def innocent():
        for _ in range(10):
            results.append(c.post("/v1/chat/completions", json=GOOD, headers=h).status_code)

    threads = [threading.Thread(target=innocent) for _ in range(4)]
    for t in threads:
        t.start()
    bad = [c.post("/v1/chat/completions", content=SURROGATE_BODY, headers=h) for _ in range(10)]
    for t in threads:
        t.join()
    assert {r.status_code for r in bad} == {400} and "surrogate" in bad[0].json()["error"]["message"]
    assert results == [200] * 40
    # a valid surrogate pair (an emoji) is fine
    pair = b'{"messages": [{"role": "user", "content": "\\ud83d\\ude00"}]}'
    assert c.post("/v1/chat/completions", content=pair, headers=h).status_code == 200


def test_defect01_serve_answers_400_not_500_to_a_lone_surrogate():
    from distillscope.models import load_model
    from distillscope.serve import create_app

    c = TestClient(create_app(load_model("mock:echo"), name="m"), raise_server_exceptions=False)
    r = c.post("/v1/chat/completions", content=SURROGATE_BODY, headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "surrogate" in r.json()["error"]["message"]
    assert c.post("/v1/chat/completions", json=GOOD).status_code == 200
