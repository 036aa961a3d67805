"""``openai:MODEL@BASE_URL`` backend: any OpenAI-compatible chat endpoint, through the official SDK.

Requests run concurrently (at most ``concurrency`` at a time) on the async client. 429/5xx and connection errors
are retried with exponential backoff (``max_retries``, honouring Retry-After). A call that times out means the
server is slower than the client at this concurrency (a one-worker local server computes queued requests one batch
at a time): the client halves its concurrency, doubles that call's timeout and retries, and grows the concurrency
back by one after a run of successes. So ``verify`` against ``distillscope serve`` works with the defaults. The API key is read from the
environment variable named by ``api_key_env`` (default ``OPENAI_API_KEY``) and is never stored or logged.
What the server declares is kept: returned model name, system_fingerprint, usage, logprobs, latency.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from typing import Any

import openai

from distillscope.errors import EndpointError, SpecError
from distillscope.models.base import Completion, GenRequest, Model, TokenLogprob

DEFAULT_BASE_URL = "https://api.openai.com/v1"


def request_seed(r: GenRequest) -> int:
    """The integer seed sent to the server for sample ``seed_index`` of a request."""
    return (r.seed * 1_000_003 + r.seed_index) % (2**31 - 1)


class OpenAIModel(Model):
    capabilities = frozenset({"text", "logprobs"})

    def __init__(self, model: str, base_url: str = DEFAULT_BASE_URL, api_key_env: str = "OPENAI_API_KEY",
                 concurrency: int = 8, max_retries: int = 3, timeout: float = 60.0) -> None:
        self.model_name = model
        self.base_url = base_url.rstrip("/")
        self.api_key_env = api_key_env
        self.concurrency = max(1, concurrency)
        self.max_retries = max_retries
        self.timeout = timeout
        self.batch_size = self.concurrency * 2
        self.spec = f"openai:{model}@{self.base_url}"

    def _client(self) -> openai.AsyncOpenAI:
        key = os.environ.get(self.api_key_env) or "no-key"  # local endpoints accept any key
        # retries are ours (see the module docstring): the SDK's would retry a timed-out call at the same concurrency
        return openai.AsyncOpenAI(base_url=self.base_url, api_key=key, max_retries=0, timeout=self.timeout)

    async def agenerate(self, requests: list[GenRequest], progress: Any = None) -> list[Completion]:
        lim = _AdaptiveLimit(self.concurrency)
        async with self._client() as client:

            async def one(r: GenRequest) -> Completion:
                c = await self._with_retries(client, lim, r)
                if progress is not None:
                    progress(1)
                return c

            return list(await asyncio.gather(*(one(r) for r in requests)))

    async def _with_retries(self, client: openai.AsyncOpenAI, lim: _AdaptiveLimit, r: GenRequest) -> Completion:
        timeout = self.timeout
        for attempt in range(self.max_retries + 1):
            last = attempt == self.max_retries
            try:
                async with lim as started_at:
                    c = await self._call(client.with_options(timeout=timeout), r)
                lim.succeeded()
                return c
            except openai.APITimeoutError as e:
                if last:
                    raise EndpointError(f"{self.base_url} did not answer within {timeout:.0f} s after "
                                        f"{self.max_retries} retries at concurrency {lim.limit}. The server is "
                                        "overloaded; lower ;concurrency= or raise ;timeout= in the spec.") from e
                lim.timed_out(started_at)
                timeout *= 2
            except (openai.RateLimitError, openai.InternalServerError, openai.APIConnectionError) as e:
                if last:
                    raise self._error(e) from e
                await asyncio.sleep(_backoff(e, attempt))
            except openai.APIStatusError as e:
                raise self._error(e) from e
        raise AssertionError("unreachable")

    def _error(self, e: Exception) -> EndpointError:
        if isinstance(e, openai.APIStatusError):
            return EndpointError(f"{self.base_url} answered HTTP {e.status_code} after {self.max_retries} retries: "
                                 f"{_short(e.message)}")
        return EndpointError(f"Could not reach {self.base_url} after {self.max_retries} retries ({_short(str(e))}). "
                             "Check the URL and that the server is up.")

    async def _call(self, client: openai.AsyncOpenAI, r: GenRequest) -> Completion:
        kw: dict[str, Any] = {"model": self.model_name, "max_tokens": r.max_tokens, "temperature": r.temperature,
                                  "top_p": r.top_p, "seed": request_seed(r)}
        if r.stop:
            kw["stop"] = list(r.stop)
        if r.logprobs:
            kw["logprobs"] = True
            if r.top_logprobs:
                kw["top_logprobs"] = r.top_logprobs
        t0 = time.perf_counter()
        if r.prompt is not None:
            resp = await client.completions.create(prompt=r.prompt, **{k: v for k, v in kw.items()
                                                                        if k not in ("logprobs", "top_logprobs")})
            text = resp.choices[0].text
            lps = None
        else:
            resp = await client.chat.completions.create(messages=r.message_dicts, **kw)
            ch = resp.choices[0]
            text = ch.message.content or ""
            lps = None
            if ch.logprobs is not None and ch.logprobs.content is not None:
                lps = [TokenLogprob(t.token, float(t.logprob), None,
                                    [(x.token, float(x.logprob)) for x in (t.top_logprobs or [])])
                       for t in ch.logprobs.content]
        usage = resp.usage.model_dump() if resp.usage is not None else {}
        return Completion(
            text=text, logprobs=lps, finish_reason=resp.choices[0].finish_reason or "stop",
            declared_model=resp.model, system_fingerprint=getattr(resp, "system_fingerprint", None),
            usage={k: int(v) for k, v in usage.items() if isinstance(v, int)}, latency_s=time.perf_counter() - t0)

    def _generate(self, requests: list[GenRequest], progress: Any = None) -> list[Completion]:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(self.agenerate(requests, progress))
        # Called from inside an event loop (e.g. a server): run on a private loop in a worker thread.
        result: list[Completion] = []
        error: list[BaseException] = []

        def run() -> None:
            try:
                result.extend(asyncio.run(self.agenerate(requests, progress)))
            except BaseException as e:  # noqa: BLE001 - re-raised below
                error.append(e)

        t = threading.Thread(target=run)
        t.start()
        t.join()
        if error:
            raise error[0]
        return result


class _AdaptiveLimit:
    """At most ``limit`` calls in flight; halved when a call times out (once for all the calls that were in flight
    together), grown by one after ``limit`` successes in a row (never above the configured concurrency)."""

    def __init__(self, limit: int) -> None:
        self.limit = self.ceiling = max(1, limit)
        self.active = self.streak = 0
        self._cond = asyncio.Condition()

    async def __aenter__(self) -> int:
        async with self._cond:
            await self._cond.wait_for(lambda: self.active < self.limit)
            self.active += 1
            return self.limit

    async def __aexit__(self, *exc: object) -> None:
        async with self._cond:
            self.active -= 1
            self._cond.notify_all()

    def timed_out(self, started_at: int) -> None:
        """A call started when the limit was ``started_at`` timed out."""
        self.limit, self.streak = max(1, min(self.limit, started_at // 2)), 0

    def succeeded(self) -> None:
        self.streak += 1
        if self.streak >= self.limit and self.limit < self.ceiling:
            self.limit, self.streak = self.limit + 1, 0


def _backoff(e: Exception, attempt: int) -> float:
    """Seconds to wait before retry ``attempt + 1``: the server's Retry-After if it sent one, else 0.5 * 2^attempt."""
    resp = getattr(e, "response", None)
    after = resp.headers.get("retry-after") if resp is not None else None
    try:
        return min(60.0, max(0.0, float(after))) if after is not None else 0.5 * 2**attempt
    except ValueError:
        return 0.5 * 2**attempt


def _short(s: str, n: int = 200) -> str:
    return s if len(s) <= n else s[:n] + "..."


def factory(rest: str, api_key_env: str = "OPENAI_API_KEY", concurrency: int = 8, max_retries: int = 3,
            timeout: float = 60.0, **_: Any) -> OpenAIModel:
    model, sep, base = rest.partition("@")
    if not model:
        raise SpecError(f"openai spec needs a model name: openai:MODEL@BASE_URL, got openai:{rest}")
    if sep and not base.startswith(("http://", "https://")):
        raise SpecError(f"openai spec base URL must start with http:// or https://, got {base!r}")
    return OpenAIModel(model, base or DEFAULT_BASE_URL, api_key_env, concurrency, max_retries, timeout)
