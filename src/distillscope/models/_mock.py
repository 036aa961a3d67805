"""``mock:`` backend: scripted outputs for tests.

``mock:echo``            returns the last user message (or the raw prompt)
``mock:fixed=TEXT``      always TEXT
``mock:cycle=A|B|C``     sample i gets item i mod 3 (by seed_index)
``mock:choice=A|B|C``    a random item per request, seeded by (seed, seed_index, prompt): a stochastic source
``mock:fail``            always raises (for fallback and error-path tests)
Every instance counts its calls in ``.calls`` (number of completions produced). ``enqueue(text)`` queues exact
outputs that are served first.
"""

from __future__ import annotations

import hashlib
from collections import deque
from typing import Any

from distillscope.errors import DistillscopeError, SpecError
from distillscope.models.base import Completion, GenRequest, Model


class MockModel(Model):
    capabilities = frozenset({"text"})

    def __init__(self, mode: str = "echo", arg: str = "", spec: str = "mock:echo") -> None:
        self.mode, self.arg, self.spec = mode, arg, spec
        self.items = arg.split("|") if mode in ("cycle", "choice") else []
        self.queue: deque[str] = deque()
        self.calls = 0

    def enqueue(self, *texts: str) -> MockModel:
        self.queue.extend(texts)
        return self

    def _one(self, r: GenRequest) -> str:
        if self.queue:
            return self.queue.popleft()
        if self.mode == "echo":
            return r.prompt if r.prompt is not None else next(
                (c for role, c in reversed(r.messages or ()) if role == "user"), "")
        if self.mode == "fixed":
            return self.arg
        if self.mode == "cycle":
            return self.items[r.seed_index % len(self.items)]
        if self.mode == "choice":
            h = hashlib.sha256(f"{r.seed}:{r.seed_index}:{r.messages}:{r.prompt}".encode()).digest()
            return self.items[int.from_bytes(h[:8], "little") % len(self.items)]
        raise DistillscopeError(f"{self.spec} is scripted to fail")

    def _generate(self, requests: list[GenRequest], progress: Any = None) -> list[Completion]:
        out = []
        for r in requests:
            text = self._one(r)
            words = text.split()[: r.max_tokens]
            text = " ".join(words) if len(text.split()) > r.max_tokens else text
            self.calls += 1
            out.append(Completion(text=text, declared_model=self.spec, finish_reason="stop",
                                  usage={"prompt_tokens": 1, "completion_tokens": len(words),
                                         "total_tokens": 1 + len(words)}))
        if progress is not None:
            progress(len(requests))
        return out


def factory(rest: str, **_: Any) -> MockModel:
    mode, _, arg = rest.partition("=")
    if mode not in {"echo", "fixed", "cycle", "choice", "fail"}:
        raise SpecError(f"Unknown mock mode {mode!r}: use mock:echo, mock:fixed=TEXT, mock:cycle=A|B, "
                        "mock:choice=A|B or mock:fail.")
    if mode in {"cycle", "choice"} and not arg:
        raise SpecError(f"mock:{mode} needs items: mock:{mode}=A|B|C")
    return MockModel(mode, arg, spec=f"mock:{rest}")
