"""``openai:MODEL@BASE_URL`` backend: any OpenAI-compatible chat endpoint, through the official SDK.

Requests run concurrently (``concurrency`` at a time) on the async client; the SDK retries 429/5xx and connection
errors with exponential backoff (``max_retries``) and every call has a ``timeout``. The API key is read from the
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
        return openai.AsyncOpenAI(base_url=self.base_url, api_key=key, max_retries=self.max_retries,
                                  timeout=self.timeout)

    async def agenerate(self, requests: list[GenRequest], progress: Any = None) -> list[Completion]:
        sem = asyncio.Semaphore(self.concurrency)
        async with self._client() as client:

            async def one(r: GenRequest) -> Completion:
                async with sem:
                    c = await self._call(client, r)
                if progress is not None:
                    progress(1)
                return c

            return list(await asyncio.gather(*(one(r) for r in requests)))

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
        try:
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
        except openai.APIStatusError as e:
            raise EndpointError(f"{self.base_url} answered HTTP {e.status_code} after {self.max_retries} retries: "
                                f"{_short(e.message)}") from e
        except (openai.APIConnectionError, openai.APITimeoutError) as e:
            raise EndpointError(f"Could not reach {self.base_url} after {self.max_retries} retries ({_short(str(e))}). "
                                "Check the URL and that the server is up.") from e
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
