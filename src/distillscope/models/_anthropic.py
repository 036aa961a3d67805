"""``anthropic:MODEL`` backend: the Anthropic Messages API (install ``distillscope[anthropic]``)."""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

import anthropic  # imported only when an anthropic: spec is loaded

from distillscope.errors import EndpointError
from distillscope.models.base import Completion, GenRequest, Model


class AnthropicModel(Model):
    capabilities = frozenset({"text"})

    def __init__(self, model: str, api_key_env: str = "ANTHROPIC_API_KEY", concurrency: int = 4,
                 max_retries: int = 3, timeout: float = 60.0) -> None:
        self.model_name, self.api_key_env = model, api_key_env
        self.concurrency, self.max_retries, self.timeout = concurrency, max_retries, timeout

    async def agenerate(self, requests: list[GenRequest], progress: Any = None) -> list[Completion]:
        sem = asyncio.Semaphore(self.concurrency)
        client = anthropic.AsyncAnthropic(api_key=os.environ.get(self.api_key_env), max_retries=self.max_retries,
                                          timeout=self.timeout)

        async def one(r: GenRequest) -> Completion:
            msgs = r.message_dicts if r.messages is not None else [{"role": "user", "content": r.prompt or ""}]
            system = "\n".join(m["content"] for m in msgs if m["role"] == "system")
            kw: dict[str, Any] = {"model": self.model_name, "max_tokens": r.max_tokens, "temperature": min(r.temperature, 1.0),
                                      "messages": [m for m in msgs if m["role"] != "system"]}
            if system:
                kw["system"] = system
            async with sem:
                t0 = time.perf_counter()
                try:
                    resp = await client.messages.create(**kw)
                except anthropic.APIError as e:
                    raise EndpointError(f"Anthropic API failed for {self.model_name}: {e}") from e
            if progress is not None:
                progress(1)
            text = "".join(getattr(b, "text", "") for b in resp.content)
            return Completion(text=text, declared_model=resp.model, finish_reason=resp.stop_reason or "stop",
                              usage={"prompt_tokens": resp.usage.input_tokens,
                                     "completion_tokens": resp.usage.output_tokens},
                              latency_s=time.perf_counter() - t0)

        return list(await asyncio.gather(*(one(r) for r in requests)))

    def _generate(self, requests: list[GenRequest], progress: Any = None) -> list[Completion]:
        return asyncio.run(self.agenerate(requests, progress))


def factory(rest: str, **kw: Any) -> AnthropicModel:
    return AnthropicModel(rest, **kw)


