"""The openai: backend against `serve` over loopback, with the real openai SDK."""

from __future__ import annotations

import time

import openai
import pytest

from distillscope.errors import EndpointError
from distillscope.models import GenRequest, load_model
from distillscope.serve import free_port, serve_in_thread
from distillscope.store import CachedModel, SampleStore


@pytest.fixture(scope="module")
def served():
    tiny = load_model("zoo:tiny-llama")
    with serve_in_thread(tiny, name="tiny-served") as url:
        yield tiny, url


def test_openai_backend_roundtrip(served, tmp_path):
    tiny, url = served
    m = load_model(f"openai:whatever@{url}")
    reqs = [GenRequest.chat("hello", max_tokens=6, seed=1, seed_index=i, logprobs=True, top_logprobs=3)
            for i in range(4)]
    out = m.generate(reqs)
    assert all(c.declared_model == "tiny-served" for c in out)
    assert all(c.system_fingerprint and c.usage["completion_tokens"] >= 1 for c in out)
    assert all(len(c.logprobs) == c.usage["completion_tokens"] and len(c.logprobs[0].top) == 3 for c in out)
    assert len({c.text for c in out}) > 1  # seeded samples differ
    assert [c.text for c in m.generate(reqs)] == [c.text for c in out]  # and are reproducible
    # served logprobs are the local model's own: the reference can score the endpoint's tokens
    local = tiny.generate([GenRequest.chat("hello", max_tokens=6, seed=1_000_003, seed_index=0, logprobs=True)])[0]
    assert local.text == out[0].text and local.logprobs[0].logprob == pytest.approx(out[0].logprobs[0].logprob, abs=1e-4)


def test_openai_backend_through_store_makes_no_new_calls(served, tmp_path):
    _, url = served
    store = SampleStore(tmp_path / "s.duckdb")
    reqs = [GenRequest.chat("q", max_tokens=4, seed_index=i) for i in range(3)]
    CachedModel(load_model(f"openai:x@{url}"), store).generate(reqs)
    again = CachedModel(load_model("openai:x@http://127.0.0.1:9/v1"), store)
    again.spec = f"openai:x@{url}"
    again.generate(reqs)  # would fail if it tried the dead URL
    assert again.misses == 0


def test_sdk_features_stream_n_and_errors(served):
    _, url = served
    c = openai.OpenAI(base_url=url, api_key="k")
    assert c.models.list().data[0].id == "tiny-served"
    r = c.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}], n=3, max_tokens=5, seed=2)
    assert len(r.choices) == 3 and r.usage.completion_tokens >= 3
    full = c.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}], max_tokens=8, seed=4)
    stream = c.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}], max_tokens=8, seed=4,
                                       stream=True)
    assert "".join(ch.choices[0].delta.content or "" for ch in stream) == full.choices[0].message.content
    with pytest.raises(openai.BadRequestError, match="messages"):
        c.chat.completions.create(model="m", messages=[], max_tokens=5)
    with pytest.raises(openai.BadRequestError, match="temperature"):
        c.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}], temperature=5)


@pytest.mark.slow
def test_unreachable_endpoint_fails_with_url_after_bounded_retries():
    url = f"http://127.0.0.1:{free_port()}/v1"
    m = load_model(f"openai:x@{url}", max_retries=2, timeout=2)
    t0 = time.monotonic()
    with pytest.raises(EndpointError) as e:
        m.generate([GenRequest.chat("hi")])
    assert url in str(e.value) and "2 retries" in str(e.value)
    assert time.monotonic() - t0 < 30


@pytest.mark.slow
def test_concurrent_requests_are_batched_without_changing_outputs():
    tiny = load_model("zoo:tiny-llama", batch_size=16)
    sizes: list[int] = []
    inner = tiny._generate

    def spy(requests, progress=None):
        sizes.append(len(requests))
        return inner(requests, progress)

    tiny._generate = spy  # type: ignore[method-assign]
    reqs = [GenRequest.chat(f"q{i % 3}", max_tokens=24, seed_index=i) for i in range(16)]
    with serve_in_thread(tiny) as url:
        out = load_model(f"openai:x@{url}", concurrency=16).generate(reqs)
    assert max(sizes) > 1  # some requests shared a batch
    # the client sends seed = seed_index here; the server samples index 0 under that seed
    served = [GenRequest.chat(f"q{i % 3}", max_tokens=24, seed=i, seed_index=0) for i in range(16)]
    direct = load_model("zoo:tiny-llama", batch_size=1).generate(served)
    assert [c.text for c in out] == [c.text for c in direct]


@pytest.mark.slow
def test_openai_backend_retries_429_and_5xx_then_succeeds():
    from fastapi import FastAPI
    from fastapi.responses import JSONResponse

    from distillscope.serve import run_app_in_thread

    hits = {"n": 0}
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def flaky() -> JSONResponse:
        hits["n"] += 1
        if hits["n"] == 1:
            return JSONResponse({"error": {"message": "slow down"}}, status_code=429, headers={"retry-after": "0"})
        if hits["n"] == 2:
            return JSONResponse({"error": {"message": "oops"}}, status_code=503, headers={"retry-after": "0"})
        return JSONResponse({"id": "x", "object": "chat.completion", "created": 0, "model": "flaky-1",
                             "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"},
                                          "finish_reason": "stop"}],
                             "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})

    with run_app_in_thread(app) as base:
        c = load_model(f"openai:m@{base}/v1", max_retries=3).generate([GenRequest.chat("hi")])[0]
        assert c.text == "ok" and c.declared_model == "flaky-1" and hits["n"] == 3
        hits["n"] = 0
        with pytest.raises(EndpointError, match="HTTP 429"):
            load_model(f"openai:m@{base}/v1", max_retries=0).generate([GenRequest.chat("hi")])


def test_hostile_bodies_get_400_not_500():
    from distillscope.serve import MAX_BODY_BYTES, RequestError, parse_chat_request

    for raw in (b"[" * 100_000 + b"]" * 100_000, b"\xff\xfe", b"null", b'{"messages": "hi"}',
                b'{"messages": [{"role": "wizard", "content": "x"}]}', b" " * (MAX_BODY_BYTES + 1)):
        with pytest.raises(RequestError) as e:
            parse_chat_request(raw)
        assert 400 <= e.value.status < 500


def test_a_failing_model_gives_a_generic_502_that_names_no_spec_or_exception(tmp_path):
    """The spec of a served model may hold a local path or an upstream URL: a 502 body must not show it."""
    import httpx

    with serve_in_thread(load_model("mock:fail"), name="public-name") as url:
        r = httpx.post(f"{url}/chat/completions", json={"model": "public-name",
                                                        "messages": [{"role": "user", "content": "hi"}]})
    assert r.status_code == 502
    assert "mock:fail" not in r.text and "server log" in r.json()["error"]["message"]
