"""``mock:`` backend and :class:`MockModel`: scripted outputs for tests, with a history of every request.

Specs:

``mock:echo``            returns the last user message (or the raw prompt)
``mock:fixed=TEXT``      always TEXT
``mock:cycle=A|B|C``     sample i gets item i mod 3 (by seed_index)
``mock:choice=A|B|C``    a random item per request, seeded by (seed, seed_index, prompt): a stochastic source
``mock:fail``            always raises (for fallback and error-path tests)

In Python, any function of the request is a model::

    m = MockModel(lambda r: "Paris" if "France" in r.message_dicts[-1]["content"] else "no idea")
    m.generate([GenRequest.chat("Capital of France?")])[0].text    # "Paris"
    m.requests                                                      # [GenRequest(...)]: what it was asked, in order

Outputs longer than the request's ``max_tokens`` (in words) are cut to that many words.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from distillscope.errors import DistillscopeError, SpecError
from distillscope.models.base import Completion, GenRequest, Model

Script = Callable[[GenRequest], str]


def echo(r: GenRequest) -> str:
    """The raw prompt, or the last user message of a chat."""
    if r.prompt is not None:
        return r.prompt
    return next((c for role, c in reversed(r.messages or ()) if role == "user"), "")


def _cycle(items: list[str]) -> Script:
    return lambda r: items[r.seed_index % len(items)]


def _choice(items: list[str]) -> Script:
    def pick(r: GenRequest) -> str:
        h = hashlib.sha256(f"{r.seed}:{r.seed_index}:{r.messages}:{r.prompt}".encode()).digest()
        return items[int.from_bytes(h[:8], "little") % len(items)]

    return pick


def _fail(spec: str) -> Script:
    def fail(r: GenRequest) -> str:
        raise DistillscopeError(f"{spec} is scripted to fail")

    return fail


class MockModel(Model):
    """A model whose answer to a request is ``output(request)`` (or the fixed string ``output``).

    Attributes:
        requests: every :class:`GenRequest` received, in order (one entry per completion produced).
        calls: the number of completions produced (``len(requests)``).
    """

    capabilities = frozenset({"text"})

    def __init__(self, output: str | Script = echo, spec: str = "mock:custom") -> None:
        self.output: Script = (lambda r: output) if isinstance(output, str) else output
        self.spec = spec
        self.requests: list[GenRequest] = []

    @property
    def calls(self) -> int:
        return len(self.requests)

    def _generate(self, requests: list[GenRequest], progress: Any = None) -> list[Completion]:
        out = []
        for r in requests:
            self.requests.append(r)
            text = self.output(r)
            words = text.split()[: r.max_tokens]
            text = " ".join(words) if len(text.split()) > r.max_tokens else text
            out.append(Completion(text=text, declared_model=self.spec, finish_reason="stop",
                                  usage={"prompt_tokens": 1, "completion_tokens": len(words),
                                         "total_tokens": 1 + len(words)}))
        if progress is not None:
            progress(len(requests))
        return out


def factory(rest: str, **_: Any) -> MockModel:
    """``mock:MODE[=ARG]`` (see the module docstring)."""
    mode, _, arg = rest.partition("=")
    spec = f"mock:{rest}"
    if mode in {"cycle", "choice"} and not arg:
        raise SpecError(f"mock:{mode} needs items: mock:{mode}=A|B|C")
    scripts: dict[str, Callable[[], Script]] = {
        "echo": lambda: echo, "fixed": lambda: (lambda r: arg), "cycle": lambda: _cycle(arg.split("|")),
        "choice": lambda: _choice(arg.split("|")), "fail": lambda: _fail(spec)}
    if mode not in scripts:
        raise SpecError(f"Unknown mock mode {mode!r}: use mock:echo, mock:fixed=TEXT, mock:cycle=A|B, "
                        "mock:choice=A|B or mock:fail.")
    return MockModel(scripts[mode](), spec=spec)
