"""The gateway app: distillscope's OpenAI-compatible server (:mod:`distillscope.serve`) behind API keys, quotas,
a durable exchange log, watermarking/perturbation and upstream fallback.

Per request: size check while reading the body (413) -> key check (401; the key file is re-read when it changes,
so revocations apply within a second) -> parse with ``serve.parse_chat_request`` plus strict JSON types for
numbers and flags (400; lone surrogates are 400 too) -> reserve prompt tokens (the upstream's tokenizer, or a
UTF-8 byte bound) + n * max_tokens and one request (400 if it can never fit, else 429 + Retry-After; a refused
request is logged without its body, rate-limited per key) -> upstreams in order (502 with a generic body if all
fail: the reservation is given back and the failure logged) -> log row on disk -> answer (JSON or SSE).
Clients see only the public model name, never upstream specs, URLs or errors.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
import uuid
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.concurrency import run_in_threadpool

from distillscope.gateway.keys import KeyRecord, KeyStore
from distillscope.gateway.log import ExchangeLog
from distillscope.gateway.quota import Quotas
from distillscope.gateway.upstream import AllUpstreamsFailed, Upstreams, redact
from distillscope.monitor.schema import flatten_messages, valid_text
from distillscope.serve import (
    ChatCompletionRequest,
    RequestError,
    build_chat_response,
    parse_chat_request,
    read_body_limited,
    stream_chunks,
    to_gen_requests,
)

log = logging.getLogger("distillscope.gateway")


def public_model_name(spec: str) -> str:
    """The name clients see for an upstream spec: its model id, without scheme, URL, credentials or wrapper tags.

    ``openai:gpt-4o-mini@https://user:pw@host/v1`` -> ``gpt-4o-mini``; ``hf:/models/my-llm`` -> ``my-llm``.
    """
    _, sep, rest = spec.partition(":")
    name = (rest if sep else spec).split("@", 1)[0].split("+", 1)[0]
    if name.startswith(("/", ".", "~")) or "\\" in name:  # a local path: its last component
        name = Path(name.replace("\\", "/")).name
    return name or "model"


class _StrictNumbers(BaseModel):
    """The request's numbers and flags as JSON types: ``"max_tokens": "100"`` or ``true`` is not a number here
    (serve's lenient parsing would coerce them; a paid API should refuse what it cannot bill unambiguously)."""

    model_config = ConfigDict(extra="ignore", strict=True)
    n: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    max_completion_tokens: int | None = None
    seed: int | None = None
    top_logprobs: int | None = None
    logprobs: bool | None = None
    stream: bool | None = None


def parse_strict(raw: bytes) -> ChatCompletionRequest:
    """:func:`~distillscope.serve.parse_chat_request`, and numbers/flags must have their JSON type (400)."""
    req = parse_chat_request(raw)
    try:
        _StrictNumbers.model_validate_json(raw)
    except ValidationError as e:
        err = e.errors()[0]
        param = ".".join(str(x) for x in err.get("loc", ()))
        raise RequestError(400, f"Invalid value for '{param}': {err.get('msg')} (JSON numbers and booleans, "
                                "not strings)", param=param or None) from None
    return req


class Gateway:
    """The parts of a running gateway, shared by its app and its tests."""

    def __init__(self, upstreams: Upstreams, keys: KeyStore, quotas: Quotas, log: ExchangeLog,
                 model_name: str | None = None, max_body_bytes: int = 1_000_000, max_tokens_cap: int = 4096,
                 max_n: int = 8, trust_forwarded_for: bool = False, log_rejected: bool = True,
                 reject_log_limit: str = "60/minute", public_docs: bool = False) -> None:
        self.upstreams, self.keys, self.quotas, self.log = upstreams, keys, quotas, log
        self.model_name = model_name or public_model_name(upstreams.items[0].model.spec)
        self.max_body_bytes, self.max_tokens_cap, self.max_n = max_body_bytes, max_tokens_cap, max_n
        self.trust_forwarded_for, self.log_rejected = trust_forwarded_for, log_rejected
        from limits.storage import MemoryStorage
        from limits.strategies import FixedWindowRateLimiter

        from distillscope.gateway.quota import _parse

        self.reject_log_limit = _parse(reject_log_limit)
        self.reject_log_limiter = FixedWindowRateLimiter(MemoryStorage())
        self.rejections_not_logged = 0
        self.public_docs = public_docs
        self.fingerprint = f"fp_{uuid.uuid5(uuid.NAMESPACE_URL, 'gateway:' + self.model_name).hex[:10]}"
        self.counts: dict[int, int] = {}

    @classmethod
    def from_config(cls, config: Any) -> Gateway:
        """Build from a :class:`~distillscope.gateway.config.GatewayConfig` (loads the upstream models)."""
        from distillscope.models import load_model

        pert = None
        if config.perturbation is not None:
            from distillscope.watermark.model import Perturbation

            pert = Perturbation(**config.perturbation.model_dump())
        ups = Upstreams([load_model(s) for s in config.upstreams], config.watermark, pert)
        xlog = ExchangeLog(config.log, fsync=config.log_fsync, compact_every=config.log_compact_every)
        return cls(ups, KeyStore(config.keys), Quotas(config.request_limit, config.token_limit, config.storage_uri),
                   xlog, config.model_name, config.max_body_bytes,
                   config.max_tokens_cap, config.max_n, config.trust_forwarded_for, config.log_rejected,
                   config.reject_log_limit, config.public_docs)

    def close(self) -> None:
        self.log.close()
        self.upstreams.close()

    # --- request steps ----------------------------------------------------------------------------
    async def read_body(self, request: Request) -> bytes:
        return await read_body_limited(request, self.max_body_bytes)

    def authenticate(self, request: Request) -> KeyRecord:
        auth = request.headers.get("authorization", "")
        key = auth[7:].strip() if auth[:7].lower() == "bearer " else request.headers.get("api-key", "").strip()
        if not key:
            raise RequestError(401, "Missing API key: send 'Authorization: Bearer dsk-...'.", code="missing_api_key",
                               headers={"WWW-Authenticate": "Bearer"})
        rec = self.keys.verify(key)
        if rec is None:
            raise RequestError(401, "Invalid API key.", code="invalid_api_key", headers={"WWW-Authenticate": "Bearer"})
        return rec

    def client_ip(self, request: Request) -> str:
        if self.trust_forwarded_for and request.headers.get("x-forwarded-for"):
            return request.headers["x-forwarded-for"].split(",")[0].strip()
        return request.client.host if request.client else ""

    def validate(self, req: ChatCompletionRequest) -> None:
        if req.max_new > self.max_tokens_cap:
            raise RequestError(400, f"max_tokens {req.max_new} is above this gateway's cap {self.max_tokens_cap}.",
                               param="max_tokens")
        if req.n > self.max_n:
            raise RequestError(400, f"n={req.n} is above this gateway's cap {self.max_n}.", param="n")
        if req.model and req.model != self.model_name:
            raise RequestError(404, f"The model {req.model!r} does not exist here; use {self.model_name!r}.",
                               param="model", code="model_not_found")

    def exchange(self, rec: KeyRecord, request: Request, req: ChatCompletionRequest | None, ts: float, **kw: Any
                 ) -> dict[str, Any]:
        msgs = [{"role": m.role, "content": m.text()} for m in req.messages] if req else []
        return {"account_id": rec.account_id, "key_id": rec.key_id, "ts": ts, "ip": self.client_ip(request),
                "user_agent": request.headers.get("user-agent", ""), "org_id": rec.org_id,
                "model": (req.model if req else "") or self.model_name, "prompt": flatten_messages(msgs),
                "latency_ms": (time.time() - ts) * 1000, **kw}

    def log_rejection(self, rec: KeyRecord, request: Request, req: ChatCompletionRequest, ts: float,
                      e: RequestError) -> None:
        """Log a refused request without its body (its size and hash instead), at most ``reject_log_limit`` rows
        per key: a flood of refused requests can neither fill the disk nor the log; the rest are only counted."""
        if not self.reject_log_limiter.hit(self.reject_log_limit, "rejected", rec.key_id):
            self.rejections_not_logged += 1
            return
        text = flatten_messages([{"role": m.role, "content": m.text()} for m in req.messages])
        data = valid_text(text).encode("utf-8")
        row = self.exchange(rec, request, None, ts, completion="", prompt_tokens=0, completion_tokens=0,
                            status=e.status, extra={"error": e.code, "prompt_bytes": len(data), "n": req.n,
                                                    "max_tokens": req.max_new,
                                                    "prompt_sha256": hashlib.sha256(data).hexdigest()})
        row["model"] = req.model or self.model_name
        self.log.submit(row)

    async def handle_chat(self, request: Request) -> Any:
        ts = time.time()
        raw = await self.read_body(request)
        rec = self.authenticate(request)
        try:
            req = parse_strict(raw)
        except (RecursionError, ValueError, TypeError, OverflowError) as e:  # e.g. JSON nested too deeply
            raise RequestError(400, f"Request body could not be parsed: {type(e).__name__}.") from e
        self.validate(req)
        reqs = to_gen_requests(req)
        prompt_bound = await run_in_threadpool(self.upstreams.prompt_token_bound, reqs[0])
        reserved = prompt_bound + req.n * req.max_new
        try:
            decision = self.quotas.charge(rec.key_id, reserved, rec.request_limit, rec.token_limit)
        except RequestError as e:
            if self.log_rejected and e.status == 429:
                self.log_rejection(rec, request, req, ts, e)
            raise
        try:
            res = await run_in_threadpool(self.upstreams.generate, reqs)
        except AllUpstreamsFailed as e:
            # the details (upstream specs, URLs, exception texts) are the operator's: server log only
            log.error("all upstreams failed: %s", redact(str(e)))
            # no answer, no charge; the failure is logged (status 502, no completion) for the operator
            self.quotas.refund(rec.key_id, reserved, rec.request_limit, rec.token_limit)
            self.log.submit(self.exchange(rec, request, req, ts, completion="", prompt_tokens=0,
                                          completion_tokens=0, status=502,
                                          extra={"error": "upstream_error", "upstream_errors": e.errors}))
            raise RequestError(502, "The model is temporarily unavailable; retry later.",
                               code="upstream_error") from e
        comps = res.completions
        prompt_tokens = max((c.usage.get("prompt_tokens", 0) for c in comps), default=0)
        completion_tokens = sum(c.usage.get("completion_tokens", 0) for c in comps)
        unpaid = self.quotas.settle(rec.key_id, reserved, prompt_tokens + completion_tokens, rec.token_limit)
        if req.stream:
            chunks = list(stream_chunks(req, comps, self.model_name, self.fingerprint))
            exchange_id = json.loads(chunks[0][len("data: "):])["id"]
        else:
            body = build_chat_response(req, comps, self.model_name, self.fingerprint)
            exchange_id = body["id"]
        extra = {"upstream": redact(res.upstream.model.spec), "n": req.n, "stream": req.stream,
                 "finish_reason": comps[0].finish_reason}
        if res.errors:
            extra["upstream_errors"] = [redact(x) for x in res.errors]
        if unpaid:
            extra["tokens_beyond_quota"] = unpaid
        if req.n > 1:
            extra["other_choices"] = [c.text for c in comps[1:]]
        row = self.exchange(rec, request, req, ts, completion=comps[0].text, prompt_tokens=prompt_tokens,
                            completion_tokens=completion_tokens, watermark_key_id=res.upstream.watermark_key_id,
                            exchange_id=exchange_id, status=200, extra=extra)
        await asyncio.wrap_future(self.log.submit(row))  # acknowledged => on disk
        headers = {"x-ratelimit-remaining-requests": str(decision.remaining_requests),
                   "x-ratelimit-remaining-tokens": str(decision.remaining_tokens), "x-request-id": exchange_id}
        if req.stream:
            return StreamingResponse(iter(chunks), media_type="text/event-stream", headers=headers)
        return JSONResponse(body, headers=headers)


def create_gateway_app(gateway: Gateway) -> FastAPI:
    """The FastAPI app of a :class:`Gateway`."""
    docs = gateway.public_docs
    app = FastAPI(title="distillscope gateway", version="0.1.0", docs_url="/docs" if docs else None,
                  redoc_url=None, openapi_url="/openapi.json" if docs else None)
    app.state.gateway = gateway

    @app.exception_handler(RequestError)
    async def _req_error(_: Request, e: RequestError) -> JSONResponse:
        gateway.counts[e.status] = gateway.counts.get(e.status, 0) + 1
        return JSONResponse(e.body(), status_code=e.status, headers=e.headers)

    @app.get("/healthz")
    async def healthz(request: Request) -> dict[str, Any]:
        # liveness for anyone; the counters only for a valid key (they describe the traffic)
        if not request.headers.get("authorization") and not request.headers.get("api-key"):
            return {"ok": True}
        gateway.authenticate(request)
        return {"ok": True, "log_rows": gateway.log.rows_written,
                "rejections_not_logged": gateway.rejections_not_logged}

    @app.get("/v1/models")
    async def models(request: Request) -> dict[str, Any]:
        gateway.authenticate(request)
        return {"object": "list", "data": [{"id": gateway.model_name, "object": "model", "created": 0,
                                            "owned_by": "distillscope-gateway"}]}

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> Any:
        return await gateway.handle_chat(request)

    return app
