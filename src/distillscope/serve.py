"""``distillscope serve MODEL``: a minimal OpenAI-compatible server in front of any Model.

Endpoints: ``GET /v1/models``, ``POST /v1/chat/completions`` (n, temperature, top_p, max_tokens /
max_completion_tokens, seed, stop, logprobs/top_logprobs, stream). Generation runs in one worker thread that merges
concurrent requests into batches (CPU models are not re-entrant); a request whose client disconnected before its batch
started is dropped, so a client that timed out and retried does not leave work behind. Streaming sends the finished completion token by token as server-sent events.

The request parsing and response building below are public: the gateway reuses them.

Run:  distillscope serve zoo:smollm2-135m-instruct --port 8000
"""

from __future__ import annotations

import asyncio
import json
import logging
import queue
import re
import secrets
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from distillscope.models.base import Completion, GenRequest, Model

MAX_BODY_BYTES = 1_000_000


class RequestError(Exception):
    """A client error: becomes an OpenAI-style error body with this HTTP status."""

    def __init__(self, status: int, message: str, param: str | None = None, code: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.param, self.code = status, message, param, code
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        kind = {401: "authentication_error", 429: "rate_limit_error", 413: "invalid_request_error"}.get(
            self.status, "invalid_request_error" if self.status < 500 else "server_error")
        return {"error": {"message": self.message, "type": kind, "param": self.param, "code": self.code}}


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: str
    content: str | list[dict[str, Any]] | None = None

    @field_validator("role")
    @classmethod
    def _role(cls, v: str) -> str:
        if v not in {"system", "user", "assistant", "developer", "tool"}:
            raise ValueError(f"unknown role {v!r}")
        return v

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(str(p.get("text", "")) for p in self.content if isinstance(p, dict))
        return self.content or ""


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    model: str = ""
    messages: list[ChatMessage] = Field(min_length=1)
    n: int = Field(1, ge=1, le=64)
    temperature: float = Field(1.0, ge=0.0, le=2.0)
    top_p: float = Field(1.0, gt=0.0, le=1.0)
    max_tokens: int | None = Field(None, ge=1, le=8192)
    max_completion_tokens: int | None = Field(None, ge=1, le=8192)
    seed: int | None = None
    stop: str | list[str] | None = None
    logprobs: bool = False
    top_logprobs: int | None = Field(None, ge=0, le=20)
    stream: bool = False
    user: str | None = None

    @property
    def max_new(self) -> int:
        return self.max_completion_tokens or self.max_tokens or 256


async def read_body_limited(request: Request, limit: int) -> bytes:
    """The request body, or a 413 :class:`RequestError` as soon as it is known to exceed ``limit`` bytes.

    A declared Content-Length above the limit is refused before reading; a chunked (or lying) body is read only
    up to the limit, so a huge upload never sits in memory.
    """
    cl = request.headers.get("content-length")
    if cl is not None:
        try:
            n = int(cl)
        except ValueError:
            raise RequestError(400, "Content-Length is not a number.") from None
        if n > limit:
            raise RequestError(413, f"Request body is {n} bytes; the limit is {limit}.")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise RequestError(413, f"Request body exceeds the limit of {limit} bytes.")
    return bytes(body)


def parse_chat_request(raw: bytes) -> ChatCompletionRequest:
    """Parse and validate a request body, raising :class:`RequestError` (4xx) with a precise message."""
    if len(raw) > MAX_BODY_BYTES:
        raise RequestError(413, f"Request body is {len(raw)} bytes; the limit is {MAX_BODY_BYTES}.")
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise RequestError(400, f"Request body is not valid JSON: {e}") from e
    except RecursionError as e:
        raise RequestError(400, "Request body is nested too deeply to be a chat request.") from e
    if not isinstance(body, dict):
        raise RequestError(400, "Request body must be a JSON object.")
    _reject_lone_surrogates(raw, body)
    try:
        return ChatCompletionRequest.model_validate(body)
    except ValidationError as e:
        err = e.errors()[0]
        param = ".".join(str(x) for x in err.get("loc", ()))
        raise RequestError(400, f"Invalid value for '{param}': {err.get('msg')}", param=param or None) from e


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _reject_lone_surrogates(raw: bytes, body: Any) -> None:
    """400 for a JSON string holding a lone UTF-16 surrogate (``"\\ud800"``): it is not Unicode, cannot be
    tokenized, logged or echoed as UTF-8. Only bodies with a surrogate escape pay for the check."""
    if not _SURROGATE_ESCAPE.search(raw):
        return
    try:
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise RequestError(400, "Request body has a lone UTF-16 surrogate escape (e.g. \"\\ud800\") in a string; "
                                "send valid Unicode (a surrogate escape must be part of a pair).") from None


def to_gen_requests(req: ChatCompletionRequest) -> list[GenRequest]:
    """One GenRequest per choice; the seed (given or random) with seed_index = choice index."""
    seed = req.seed if req.seed is not None else secrets.randbelow(2**31)
    stop = (req.stop,) if isinstance(req.stop, str) else tuple(req.stop or ())
    msgs = [{"role": "system" if m.role == "developer" else m.role, "content": m.text()} for m in req.messages]
    return [GenRequest.chat(msgs, max_tokens=req.max_new, temperature=req.temperature, top_p=req.top_p, seed=seed,
                            seed_index=i, logprobs=req.logprobs, top_logprobs=req.top_logprobs or 0, stop=stop)
            for i in range(req.n)]


def _logprobs_json(c: Completion) -> dict[str, Any] | None:
    if c.logprobs is None:
        return None
    return {"content": [
        {"token": t.token, "logprob": t.logprob, "bytes": list(t.token.encode()),
         "top_logprobs": [{"token": s, "logprob": lp, "bytes": list(s.encode())} for s, lp in t.top]}
        for t in c.logprobs]}


def build_chat_response(req: ChatCompletionRequest, comps: list[Completion], model_name: str,
                        fingerprint: str | None = None) -> dict[str, Any]:
    prompt_tokens = max((c.usage.get("prompt_tokens", 0) for c in comps), default=0)
    completion_tokens = sum(c.usage.get("completion_tokens", 0) for c in comps)
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "object": "chat.completion", "created": int(time.time()),
        "model": model_name, "system_fingerprint": fingerprint,
        "choices": [{"index": i, "message": {"role": "assistant", "content": c.text},
                     "logprobs": _logprobs_json(c) if req.logprobs else None,
                     "finish_reason": c.finish_reason} for i, c in enumerate(comps)],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }


def stream_chunks(req: ChatCompletionRequest, comps: list[Completion], model_name: str,
                  fingerprint: str | None = None, pieces_of: Any = None) -> Iterator[str]:
    """Server-sent events for finished completions, one chunk per token where token texts are known."""
    cid, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())

    def chunk(i: int, delta: dict[str, Any], finish: str | None = None, lp: Any = None) -> str:
        d = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model_name,
             "system_fingerprint": fingerprint,
             "choices": [{"index": i, "delta": delta, "logprobs": lp, "finish_reason": finish}]}
        return f"data: {json.dumps(d, ensure_ascii=False)}\n\n"

    for i, c in enumerate(comps):
        yield chunk(i, {"role": "assistant", "content": ""})
        pieces = pieces_of(c) if pieces_of else ([t.token for t in c.logprobs] if c.logprobs else None)
        if not pieces or "".join(pieces) != c.text:
            pieces = [c.text[k: k + 16] for k in range(0, len(c.text), 16)] or [""]
        for p in pieces:
            yield chunk(i, {"content": p})
        yield chunk(i, {}, c.finish_reason)
    yield "data: [DONE]\n\n"


def create_app(model: Model, name: str | None = None, max_batch: int = 16) -> FastAPI:
    """A FastAPI app serving ``model`` under the OpenAI chat-completions API."""
    model_name = name or getattr(model, "name", None) or model.spec
    fingerprint = f"fp_{uuid.uuid5(uuid.NAMESPACE_URL, model.spec).hex[:10]}"
    batcher = Batcher(model, max_batch=max_batch)
    app = FastAPI(title="distillscope serve", version="0.1.0")
    app.state.batcher = batcher

    @app.exception_handler(RequestError)
    async def _req_error(_: Request, e: RequestError) -> JSONResponse:
        return JSONResponse(e.body(), status_code=e.status, headers=e.headers)

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        return {"object": "list", "data": [{"id": model_name, "object": "model", "created": 0,
                                            "owned_by": "distillscope"}]}

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> Any:
        req = parse_chat_request(await read_body_limited(request, MAX_BODY_BYTES))
        fut = batcher.enqueue(to_gen_requests(req))
        try:
            comps = await _wait_unless_abandoned(fut, request)
        except _Abandoned:
            return JSONResponse({"error": {"message": "client closed the request", "type": "client_closed"}},
                                status_code=499)
        except Exception:
            # Details (the model spec may hold a path or URL; the exception, internals) go to the server log only.
            logging.getLogger("distillscope.serve").exception("model %s failed", model.spec)
            return JSONResponse(RequestError(502, "The model failed to answer; see the server log.").body(),
                                status_code=502)
        if req.stream:
            return StreamingResponse(stream_chunks(req, comps, model_name, fingerprint),
                                     media_type="text/event-stream")
        return build_chat_response(req, comps, model_name, fingerprint)

    return app


class _Abandoned(Exception):
    """The client went away before its batch started; the request was dropped."""


async def _wait_unless_abandoned(fut: Future[list[Completion]], request: Request,
                                 poll_s: float = 0.2) -> list[Completion]:
    """The completions of a queued request; if the client disconnects (e.g. its timeout fired) while the request
    still waits in the queue, it is cancelled so the worker never computes it."""
    waiter = asyncio.wrap_future(fut)
    while True:
        done, _ = await asyncio.wait({waiter}, timeout=poll_s)
        if done:
            return waiter.result()
        if await request.is_disconnected() and fut.cancel():
            raise _Abandoned()


class Batcher:
    """Runs a model from one worker thread, merging requests that arrive together into one batch.

    CPU models are not re-entrant, so only this thread calls ``model.generate``. Concurrent HTTP requests queue up
    while a batch runs and then go together (up to ``max_batch`` samples), so N concurrent clients cost about one
    batched call instead of N sequential ones. Each sample keeps its own seed, so batching changes no output.
    """

    def __init__(self, model: Model, max_batch: int = 16) -> None:
        self.model, self.max_batch = model, max(1, max_batch)
        self.queue: queue.Queue[tuple[list[GenRequest], Future[list[Completion]]]] = queue.Queue()
        threading.Thread(target=self._work, daemon=True, name="distillscope-batcher").start()

    def enqueue(self, reqs: list[GenRequest]) -> Future[list[Completion]]:
        """Queue a request; cancelling the future before its batch starts drops it."""
        fut: Future[list[Completion]] = Future()
        self.queue.put((reqs, fut))
        return fut

    def submit(self, reqs: list[GenRequest]) -> list[Completion]:
        return self.enqueue(reqs).result()

    def _take(self) -> list[tuple[list[GenRequest], Future[list[Completion]]]]:
        """The next batch: queued requests whose clients still wait, up to ``max_batch`` samples."""
        items: list[tuple[list[GenRequest], Future[list[Completion]]]] = []
        size = 0
        while not items or size < self.max_batch:
            try:
                nxt = self.queue.get() if not items else self.queue.get_nowait()
            except queue.Empty:
                break
            if nxt[1].set_running_or_notify_cancel():  # False: cancelled (client gone), skip it
                items.append(nxt)
                size += len(nxt[0])
        return items

    def _work(self) -> None:
        while True:
            items = self._take()
            flat = [r for reqs, _ in items for r in reqs]
            try:
                comps = self.model.generate(flat)
            except BaseException as e:  # noqa: BLE001 - delivered to every waiting request
                for _, fut in items:
                    fut.set_exception(e)
                continue
            k = 0
            for reqs, fut in items:
                fut.set_result(comps[k : k + len(reqs)])
                k += len(reqs)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@contextmanager
def run_app_in_thread(app: Any, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Run an ASGI app with uvicorn in a background thread; yields ``http://host:port``."""
    import uvicorn

    port = port or free_port(host)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off"))
    th = threading.Thread(target=server.run, daemon=True)
    th.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not th.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"server on {host}:{port} did not start")
        time.sleep(0.02)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        th.join(timeout=10)


@contextmanager
def serve_in_thread(model: Model, host: str = "127.0.0.1", port: int = 0, name: str | None = None) -> Iterator[str]:
    """Serve ``model`` on loopback in a background thread; yields the base URL (``http://host:port/v1``)."""
    with run_app_in_thread(create_app(model, name), host, port) as url:
        yield url + "/v1"
