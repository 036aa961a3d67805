"""Request validation: clear 4xx for malformed, oversize, unauthenticated and over-cap requests, and a fuzz of
1,000 malformed bodies that must all get a 4xx with the gateway still serving afterwards."""

from __future__ import annotations

import json
import random

import pytest
from fastapi.testclient import TestClient

from distillscope.gateway import create_gateway_app

GOOD = {"model": "gw-model", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 8}


def _client(gw):
    return TestClient(create_gateway_app(gw), raise_server_exceptions=False)


def test_clear_client_errors(make_gateway):
    gw, key = make_gateway(max_body_bytes=4096, max_tokens_cap=64)
    c = _client(gw)
    h = {"Authorization": f"Bearer {key}"}
    assert c.post("/v1/chat/completions", json=GOOD, headers=h).status_code == 200
    r = c.post("/v1/chat/completions", json=GOOD)
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert r.json()["error"]["type"] == "authentication_error"
    r = c.post("/v1/chat/completions", content=b"{not json", headers=h)
    assert r.status_code == 400 and "not valid JSON" in r.json()["error"]["message"]
    r = c.post("/v1/chat/completions", json={**GOOD, "temperature": 9}, headers=h)
    assert r.status_code == 400 and r.json()["error"]["param"] == "temperature"
    r = c.post("/v1/chat/completions", json={**GOOD, "max_tokens": 1000}, headers=h)
    assert r.status_code == 400 and "cap" in r.json()["error"]["message"]
    big = {**GOOD, "messages": [{"role": "user", "content": "x" * 10_000}]}
    r = c.post("/v1/chat/completions", json=big, headers=h)
    assert r.status_code == 413 and "4096" in r.json()["error"]["message"]
    r = c.post("/v1/chat/completions", content=json.dumps(big).encode(),
               headers={**h, "Content-Length": "100"})  # a lying Content-Length still cannot smuggle a big body
    assert r.status_code in (400, 413)
    r = c.post("/v1/chat/completions", content=b"[" * 100_000 + b"]" * 100_000, headers=h)
    assert r.status_code in (400, 413)
    assert c.get("/v1/models").status_code == 401


def _malformed(rng: random.Random) -> bytes:
    """One request body that is not a valid chat request."""
    kind = rng.randrange(12)
    if kind == 0:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
    if kind == 1:
        s = json.dumps(GOOD)
        return s[: rng.randrange(len(s))].encode()  # truncated
    if kind == 2:
        return json.dumps(rng.choice([None, 1, "x", [], [GOOD], True, 1.5])).encode()
    if kind == 3:
        d = dict(GOOD)
        d.pop("messages")
        return json.dumps(d).encode()
    if kind == 4:
        bad = rng.choice([None, "hi", 5, {}, [], [None], [{"role": "user"}, 3], [{"content": "x"}],
                          [{"role": "wizard", "content": "x"}], [{"role": 1, "content": "x"}]])
        return json.dumps({**GOOD, "messages": bad}).encode()
    if kind == 5:
        field, val = rng.choice([("temperature", -1), ("temperature", "hot"), ("temperature", 1e308 * 10),
                                 ("top_p", 0), ("top_p", 2), ("n", 0), ("n", 10_000), ("max_tokens", 0),
                                 ("max_tokens", -5), ("max_tokens", 10**30), ("max_tokens", "many"),
                                 ("logprobs", "perhaps"), ("top_logprobs", 99), ("stream", "maybe"),
                                 ("stop", 7), ("stop", [1, 2]), ("seed", "s"), ("messages", "x" * 10)])
        return json.dumps({**GOOD, field: val}).encode()
    if kind == 6:
        depth = rng.randrange(50, 5000)
        return b"{\"messages\": " + b"[" * depth + b"]" * depth + b"}"
    if kind == 7:
        return b"\xef\xbb\xbf" + bytes(rng.randrange(256) for _ in range(20))  # BOM + junk
    if kind == 8:
        return ("{\"messages\": [{\"role\": \"user\", \"content\": \"\\ud800" + "\"}]").encode()  # broken
    if kind == 9:
        return json.dumps({**GOOD, "messages": [{"role": "user", "content": rng.choice([1, 2.5, {"a": 1}, [1]])}]}
                          ).encode()
    if kind == 10:
        return b"NaN" if rng.random() < 0.5 else b"{\"messages\": NaN}"
    return b""


@pytest.mark.slow
def test_fuzz_malformed_bodies_get_4xx(make_gateway):
    gw, key = make_gateway()
    c = _client(gw)
    h = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    rng = random.Random(6)
    statuses = {}
    for _ in range(1000):
        body = _malformed(rng)
        r = c.post("/v1/chat/completions", content=body, headers=h)
        statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
        assert 400 <= r.status_code < 500, (r.status_code, body[:200], r.text[:300])
        assert "error" in r.json()
    assert sum(statuses.values()) == 1000 and gw.log.rows_written == 0
    assert c.post("/v1/chat/completions", json=GOOD, headers=h).status_code == 200  # still serving
