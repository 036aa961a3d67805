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


# --- defect 2: token quota bypass --------------------------------------------------------------------------------
class ByteTokenModel:
    """A black-box upstream that bills one prompt token per UTF-8 byte (a byte-level tokenizer's worst case)."""

    spec = "test:bytes"
    capabilities = frozenset({"text"})

    def generate(self, reqs, progress=None):
        from distillscope.models.base import Completion

        out = []
        for r in reqs:
            p = sum(len(c.encode()) for _, c in r.messages)
            out.append(Completion(text="ok " * r.max_tokens, finish_reason="length",
                                  usage={"prompt_tokens": p, "completion_tokens": r.max_tokens}))
        return out

    def close(self):
        pass


def _used(r) -> int:
    return r.json()["usage"]["prompt_tokens"] + r.json()["usage"]["completion_tokens"] if r.status_code == 200 else 0


def _concurrent(c, bodies, headers, threads=8):
    out, lock = [], threading.Lock()
    it = iter(bodies)

    def worker():
        while True:
            with lock:
                b = next(it, None)
            if b is None:
                return
            r = c.post("/v1/chat/completions", json=b, headers=headers)
            with lock:
                out.append(r)

    ts = [threading.Thread(target=worker) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return out


@pytest.mark.parametrize("text,n", [("文" * 140, 1), ("😀" * 100, 1), ("数据蒸馏" * 20, 3)], ids=["cjk", "emoji", "n3"])
def test_defect02_token_quota_is_never_exceeded_by_cjk_emoji_or_n(make_gateway, text, n):
    gw, key = make_gateway(upstreams=[ByteTokenModel()], token_limit="3000/minute")
    c = TestClient(create_gateway_app(gw), raise_server_exceptions=False)
    h = {"Authorization": f"Bearer {key}"}
    body = {"messages": [{"role": "user", "content": text}], "max_tokens": 16, "n": n}
    res = _concurrent(c, [body] * 48, h)
    used = sum(_used(r) for r in res)
    ok = sum(r.status_code == 200 for r in res)
    assert ok >= 1 and {r.status_code for r in res} <= {200, 429}
    assert used <= 3000, f"{used} tokens served on a 3000-token quota ({ok} answers)"
    assert all("Retry-After" in r.headers for r in res if r.status_code == 429)


@pytest.mark.slow
def test_defect02_white_box_prompt_tokens_counted_with_its_tokenizer(make_gateway):
    from distillscope.models import load_model

    m = load_model("zoo:tiny-llama")
    gw, key = make_gateway(upstreams=[m], token_limit="1000/minute")
    c = TestClient(create_gateway_app(gw), raise_server_exceptions=False)
    h = {"Authorization": f"Bearer {key}"}
    body = {"messages": [{"role": "user", "content": "蒸馏😀 " * 40}], "max_tokens": 4}
    res = [c.post("/v1/chat/completions", json=body, headers=h) for _ in range(12)]
    assert sum(_used(r) for r in res) <= 1000 and res[0].status_code == 200
    assert {r.status_code for r in res} == {200, 429}
    # the reservation is the exact prompt + max_tokens: the quota admits exactly floor(1000 / that) answers
    per = res[0].json()["usage"]["prompt_tokens"] + 4
    assert sum(r.status_code == 200 for r in res) == 1000 // per


def test_defect02_a_request_that_can_never_fit_gets_400_not_429(make_gateway):
    gw, key = make_gateway(token_limit="100/hour")
    c = TestClient(create_gateway_app(gw), raise_server_exceptions=False)
    r = c.post("/v1/chat/completions", json={**GOOD, "max_tokens": 500}, headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "tokens_exceed_quota"
    assert "Retry-After" not in r.headers


# --- defect 4: upstream spec leaks to clients --------------------------------------------------------------------
class LeakyUpstream:
    spec = "openai:internal-model@http://svc-user:s3cret@10.9.8.7:8443/v1"
    capabilities = frozenset({"text"})

    def generate(self, reqs, progress=None):
        raise ConnectionError(f"cannot reach {self.spec.split('@', 1)[1]}")

    def close(self):
        pass


def test_defect04_clients_never_see_upstream_specs_urls_or_errors(tmp_path, caplog):
    from distillscope.gateway import ExchangeLog, Gateway, KeyStore, Quotas, Upstreams

    keys = KeyStore(tmp_path / "keys.json")
    key, _ = keys.add("acct")
    gw = Gateway(Upstreams([LeakyUpstream(), LeakyUpstream()]), keys, Quotas("100/minute", "100000/hour"),
                 ExchangeLog(tmp_path / "log"))
    try:
        c = TestClient(create_gateway_app(gw), raise_server_exceptions=False)
        h = {"Authorization": f"Bearer {key}"}
        models = c.get("/v1/models", headers=h)
        assert [m["id"] for m in models.json()["data"]] == ["internal-model"]
        with caplog.at_level("WARNING", logger="distillscope.gateway"):
            r = c.post("/v1/chat/completions", json={**GOOD, "model": "internal-model"}, headers=h)
        assert r.status_code == 502
        for secret in ("s3cret", "svc-user", "10.9.8.7", "openai:", "ConnectionError", "http"):
            assert secret not in r.text and secret not in models.text, secret
        assert "ConnectionError" in caplog.text and "s3cret" not in caplog.text  # details: server log, redacted
    finally:
        gw.close()
    from distillscope.gateway.app import public_model_name

    assert public_model_name("hf:/srv/models/my-llm") == "my-llm"
    assert public_model_name("zoo:smollm2-135m-instruct+kgw-1a2b") == "smollm2-135m-instruct"


# --- defect 6: revocation needed a restart -----------------------------------------------------------------------
@pytest.mark.slow
def test_defect06_running_gateway_sees_a_revoke_under_load_within_seconds(make_gateway, tmp_path):
    from distillscope.gateway import KeyStore

    gw, key = make_gateway()
    c = TestClient(create_gateway_app(gw), raise_server_exceptions=False)
    h = {"Authorization": f"Bearer {key}"}
    log: list[tuple[float, int]] = []
    stop = threading.Event()

    def client():
        while not stop.is_set():
            log.append((time.monotonic(), c.post("/v1/chat/completions", json=GOOD, headers=h).status_code))

    threads = [threading.Thread(target=client) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    other = KeyStore(tmp_path / "keys.json")  # what `gateway revoke` does, from another process
    new_key, _ = other.add("acct-new")  # and a key issued while the gateway runs works without a restart
    t_revoke = time.monotonic()
    other.revoke(gw.keys.records()[0].key_id)
    time.sleep(4.0)
    stop.set()
    for t in threads:
        t.join()
    assert {s for _, s in log} <= {200, 401}  # nothing in flight failed
    assert any(s == 200 for t, s in log if t < t_revoke)
    late = [s for t, s in log if t > t_revoke + 2.5]
    assert late and set(late) == {401}
    first_401 = min(t for t, s in log if s == 401)
    assert first_401 - t_revoke < 2.5
    r = c.post("/v1/chat/completions", json=GOOD, headers={"Authorization": f"Bearer {new_key}"})
    assert r.status_code == 200


# --- defect 9: disk-fill through rejected requests; tiny Parquet segments ---------------------------------------
def _folder_bytes(p) -> int:
    return sum(f.stat().st_size for f in p.rglob("*") if f.is_file())


@pytest.mark.slow
def test_defect09_refused_requests_are_logged_without_bodies_and_rate_limited(make_gateway, tmp_path):
    gw, key = make_gateway(request_limit="1/hour", max_body_bytes=2_000_000)
    gw.reject_log_limit = __import__("limits").parse("20/minute")
    c = TestClient(create_gateway_app(gw), raise_server_exceptions=False)
    h = {"Authorization": f"Bearer {key}"}
    assert c.post("/v1/chat/completions", json=GOOD, headers=h).status_code == 200
    big = {**GOOD, "messages": [{"role": "user", "content": "x" * 900_000}]}
    statuses = [c.post("/v1/chat/completions", json=big, headers=h).status_code for _ in range(60)]
    assert statuses == [429] * 60
    gw.log.close()
    rows = read_log(tmp_path / "log").to_pylist()
    refused = [r for r in rows if r["status"] == 429]
    assert len(refused) == 20 and gw.rejections_not_logged == 40  # at most the limit per key, the rest counted
    assert all(r["prompt"] == "" for r in refused)
    import json

    extra = json.loads(refused[0]["extra"])
    assert extra["prompt_bytes"] >= 900_000 and len(extra["prompt_sha256"]) == 64
    assert _folder_bytes(tmp_path / "log") < 200_000  # 54 MB of refused prompts are not on disk


def test_defect09_parquet_segments_are_compacted_and_a_crash_leaves_no_duplicates(tmp_path):
    import shutil

    log = ExchangeLog(tmp_path / "log", compact_every=16)
    for i in range(100):
        log.write(_ex(i))  # one row per batch: the worst case
    n_files_open = len(list((tmp_path / "log").glob("*.parquet")))
    log.close()
    files = list((tmp_path / "log").glob("*.parquet"))
    assert n_files_open <= 16 and len(files) <= 7  # 100 one-row batches -> 6 merged files + the rest merged on close
    assert sorted(r["exchange_id"] for r in read_log(tmp_path / "log").to_pylist()) == sorted(
        f"ex-{i}" for i in range(100))
    # a crash after a merged file was renamed into place but before its segments were removed
    log2 = ExchangeLog(tmp_path / "log2", compact_every=1000)
    for i in range(5):
        log2.write(_ex(i))
    segs = sorted((tmp_path / "log2").glob("*.parquet"))
    keep = tmp_path / "keep"
    keep.mkdir()
    for f in segs:
        shutil.copy(f, keep / f.name)
    log2.close()  # merges and removes the segments
    for f in keep.iterdir():
        shutil.copy(f, tmp_path / "log2" / f.name)  # as if the removal had not happened
    ExchangeLog(tmp_path / "log2").close()  # the next log on the folder removes covered segments
    ids = [r["exchange_id"] for r in read_log(tmp_path / "log2").to_pylist()]
    assert sorted(ids) == [f"ex-{i}" for i in range(5)]


# --- defect 11: quotas charged failures, logs missed them --------------------------------------------------------
class FlakyUpstream:
    """Fails its first ``n`` calls, then echoes."""

    spec = "test:flaky"
    capabilities = frozenset({"text"})

    def __init__(self, n: int) -> None:
        self.left = n

    def generate(self, reqs, progress=None):
        from distillscope.models.base import Completion

        if self.left > 0:
            self.left -= 1
            raise TimeoutError("upstream timed out")
        return [Completion(text="fine", finish_reason="stop", usage={"prompt_tokens": 3, "completion_tokens": 1})
                for _ in reqs]

    def close(self):
        pass


def test_defect11_failed_upstream_calls_are_logged_and_not_charged(make_gateway, tmp_path):
    gw, key = make_gateway(upstreams=[FlakyUpstream(5)], request_limit="3/minute", token_limit="1000/minute")
    c = TestClient(create_gateway_app(gw), raise_server_exceptions=False)
    h = {"Authorization": f"Bearer {key}"}
    statuses = [c.post("/v1/chat/completions", json=GOOD, headers=h).status_code for _ in range(8)]
    assert statuses == [502] * 5 + [200] * 3  # the 5 failures cost nothing: the 3 allowed requests still answer
    assert c.post("/v1/chat/completions", json=GOOD, headers=h).status_code == 429
    gw.log.close()
    rows = read_log(tmp_path / "log").to_pylist()
    failed = [r for r in rows if r["status"] == 502]
    assert len(failed) == 5 and all(r["completion"] == "" and r["prompt"] == "user: hi" for r in failed)


def test_defect11_a_refusal_by_one_quota_does_not_consume_the_other(make_gateway):
    gw, key = make_gateway(request_limit="2/minute", token_limit="200/minute")
    c = TestClient(create_gateway_app(gw), raise_server_exceptions=False)
    h = {"Authorization": f"Bearer {key}"}
    assert c.post("/v1/chat/completions", json={**GOOD, "max_tokens": 60}, headers=h).status_code == 200
    r = c.post("/v1/chat/completions", json={**GOOD, "max_tokens": 150}, headers=h)
    assert r.status_code == 429 and r.json()["error"]["code"] == "tokens_exceeded"
    # the token refusal did not use the second request of the quota
    assert c.post("/v1/chat/completions", json={**GOOD, "max_tokens": 8}, headers=h).status_code == 200
    # and request refusals do not use tokens
    rec = gw.keys.records()[0]
    ti = gw.quotas.default_tokens
    before = gw.quotas.limiter.get_window_stats(ti, "tok", rec.key_id).remaining
    for _ in range(5):
        r = c.post("/v1/chat/completions", json={**GOOD, "max_tokens": 8}, headers=h)
        assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limit_exceeded"
    assert gw.quotas.limiter.get_window_stats(ti, "tok", rec.key_id).remaining == before


# --- defect 12: `serve` buffered the whole body before 413 -------------------------------------------------------
def test_defect12_serve_stops_reading_a_huge_chunked_body_at_the_limit():
    import asyncio

    from distillscope.models import load_model
    from distillscope.serve import MAX_BODY_BYTES, create_app

    app = create_app(load_model("mock:echo"), name="m")
    chunk = b"x" * 65536
    total = 300 * 1024 * 1024
    sent = {"bytes": 0}
    out: list[dict] = []

    async def receive():
        if sent["bytes"] >= total:
            return {"type": "http.request", "body": b"", "more_body": False}
        sent["bytes"] += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(msg):
        out.append(msg)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/v1/chat/completions", "raw_path": b"/v1/chat/completions", "query_string": b"",
             "root_path": "", "headers": [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")],
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
    asyncio.run(app(scope, receive, send))
    assert out[0]["status"] == 413
    assert sent["bytes"] <= MAX_BODY_BYTES + 2 * len(chunk)  # stopped at the limit: 300 MB were never read


# --- defect 13: world-readable logs and store --------------------------------------------------------------------
def _modes(root) -> dict[str, int]:
    import os

    return {str(p.relative_to(root)): os.stat(p).st_mode & 0o777 for p in [root, *root.rglob("*")]}


def test_defect13_logs_and_store_are_private_to_their_owner(tmp_path):
    import os

    from distillscope.models import GenRequest, load_model
    from distillscope.store import CachedModel, SampleStore

    old = os.umask(0o022)  # the usual umask: files 0644 unless the code says otherwise
    try:
        seen: dict[str, int] = {}
        for name in ("log", "j/log.jsonl", "d/log.duckdb"):
            log = ExchangeLog(tmp_path / "logs" / name, compact_every=3)
            for i in range(4):
                log.write(_ex(i))
                seen.update(_modes(tmp_path / "logs"))  # including the WAL while the database is open
            log.close()
            seen.update(_modes(tmp_path / "logs"))
        store = SampleStore(tmp_path / "store" / "samples.duckdb")
        CachedModel(load_model("mock:echo"), store).generate([GenRequest.chat(f"q{i}") for i in range(3)])
        seen.update({"store/" + k: v for k, v in _modes(tmp_path / "store").items()})
        assert os.umask(0o022) == 0o022  # the process umask is restored
    finally:
        os.umask(old)
    assert any(k.endswith(".parquet") for k in seen) and any(k.endswith(".wal") for k in seen)
    open_to_others = {k: oct(v) for k, v in seen.items() if v & 0o077}
    assert open_to_others == {}, open_to_others


# --- must show: a fuzz over chat requests (lone surrogates, NUL) that never gets a 5xx ---------------------------
def _fuzz_text():
    from hypothesis import strategies as st

    nasty = st.sampled_from(["\ud800", "\udfff", "\x00", "\ud83d\ude00", "数据", "\u202e", "\ufeff", "\\", '"', "\n"])
    return st.lists(st.one_of(nasty, st.text(max_size=8)), max_size=6).map("".join)


def _fuzz_body():
    import json as _json

    from hypothesis import strategies as st

    scalar = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=False), _fuzz_text())

    def mostly(valid):  # valid values most of the time, so that fuzzed text reaches the model, the log and back
        return st.one_of(valid, valid, valid, scalar)

    message = st.fixed_dictionaries(
        {"role": mostly(st.sampled_from(["user", "system", "assistant", "developer"])),
         "content": mostly(st.one_of(_fuzz_text(), st.lists(st.fixed_dictionaries(
             {"type": st.just("text"), "text": _fuzz_text()}), max_size=2)))})
    req = st.fixed_dictionaries(
        {"messages": st.one_of(st.lists(message, min_size=1, max_size=3), st.lists(message, max_size=1))},
        optional={"model": mostly(st.just("gw-model")), "max_tokens": mostly(st.integers(1, 64)),
                  "n": mostly(st.integers(1, 3)), "temperature": mostly(st.floats(0, 2)),
                  "top_p": mostly(st.floats(0.01, 1)), "stream": mostly(st.booleans()),
                  "stop": mostly(st.one_of(_fuzz_text(), st.lists(_fuzz_text(), max_size=2))),
                  "seed": mostly(st.integers(0, 2**31)), "logprobs": mostly(st.booleans()),
                  "user": mostly(_fuzz_text())})
    encoded = req.map(lambda d: _json.dumps(d, ensure_ascii=True).encode())  # lone surrogates as \\udXXX escapes
    raw = st.tuples(encoded, st.integers(0, 400), st.binary(max_size=4)).map(
        lambda t: t[0][: t[1]] + t[2] + t[0][t[1]:])  # and bodies with bytes spliced in
    return st.one_of(encoded, encoded, raw)


@pytest.mark.slow
@pytest.mark.parametrize("sink", ["log", "log.jsonl", "log.duckdb"])
def test_fuzz_chat_requests_with_surrogates_and_nul_never_get_5xx(tmp_path, sink):
    from hypothesis import HealthCheck, given, settings

    from distillscope.gateway import Gateway, KeyStore, Quotas, Upstreams
    from distillscope.models import load_model
    from distillscope.serve import create_app

    keys = KeyStore(tmp_path / "keys.json")
    key, _ = keys.add("acct")
    gw = Gateway(Upstreams([load_model("mock:echo")]), keys, Quotas("100000/minute", "100000000/hour"),
                 ExchangeLog(tmp_path / sink), model_name="gw-model")
    try:
        c = TestClient(create_gateway_app(gw), raise_server_exceptions=False)
        s = TestClient(create_app(load_model("mock:echo"), name="gw-model"), raise_server_exceptions=False)
        h = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        seen: dict[int, int] = {}

        @settings(max_examples=150, deadline=None, derandomize=True,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
        @given(_fuzz_body())
        def check(raw: bytes) -> None:
            for client in (c, s):
                r = client.post("/v1/chat/completions", content=raw, headers=h)
                seen[r.status_code] = seen.get(r.status_code, 0) + 1
                assert r.status_code < 500, (r.status_code, raw[:300], r.text[:300])
                if r.status_code == 200 and "text/event-stream" not in r.headers.get("content-type", ""):
                    assert r.json()["choices"]

        check()
        assert seen.get(200, 0) > 0 and sum(v for k, v in seen.items() if 400 <= k < 500) > 0
        assert c.post("/v1/chat/completions", json=GOOD, headers=h).status_code == 200  # still serving
    finally:
        gw.close()


# --- issue 14, "also": opt-in docs, a quiet /healthz, strict numbers ----------------------------------------------
def test_also_docs_are_opt_in_and_healthz_tells_strangers_nothing(make_gateway):
    gw, key = make_gateway()
    c = TestClient(create_gateway_app(gw), raise_server_exceptions=False)
    assert c.get("/docs").status_code == 404 and c.get("/openapi.json").status_code == 404
    assert c.get("/healthz").json() == {"ok": True}
    assert c.get("/healthz", headers={"Authorization": "Bearer dsk-nope"}).status_code == 401
    assert "log_rows" in c.get("/healthz", headers={"Authorization": f"Bearer {key}"}).json()
    gw2, _ = make_gateway(public_docs=True)
    c2 = TestClient(create_gateway_app(gw2), raise_server_exceptions=False)
    assert c2.get("/openapi.json").status_code == 200 and c2.get("/docs").status_code == 200


@pytest.mark.parametrize("field,value", [("max_tokens", "100"), ("max_tokens", True), ("n", "2"), ("n", 2.0),
                                         ("temperature", "0.5"), ("stream", 1), ("logprobs", "true"),
                                         ("seed", "7")])
def test_also_numbers_and_flags_must_have_their_json_type(make_gateway, field, value):
    gw, key = make_gateway()
    c = TestClient(create_gateway_app(gw), raise_server_exceptions=False)
    h = {"Authorization": f"Bearer {key}"}
    r = c.post("/v1/chat/completions", json={**GOOD, field: value}, headers=h)
    assert r.status_code == 400 and r.json()["error"]["param"] == field
    ok = {"max_tokens": 100, "n": 2, "temperature": 1, "stream": False, "logprobs": False, "seed": 7}[field]
    assert c.post("/v1/chat/completions", json={**GOOD, field: ok}, headers=h).status_code == 200
