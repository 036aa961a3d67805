"""The Model contract: batched generation over chat messages or raw prompts, plus white-box extras.

A backend subclasses :class:`Model`, sets ``capabilities`` and implements ``_generate``. A local backend with
weights also implements the :class:`WhiteBox` protocol (tokenizer, vocabulary size, ``score``, ``logits``,
``hidden_states``, ``state_dict``, the torch ``module``); capabilities ask ``isinstance(m, WhiteBox)`` (or
:func:`require_white_box`), never a backend's private class. Callers use :meth:`Model.generate`, which validates
requests. Caching through the sample store is done by :class:`distillscope.store.CachedModel`, not by backends;
wrappers forward the white-box members of the model they wrap.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, runtime_checkable

from distillscope.errors import InputError

Message = dict[str, str]  # {"role": "system"|"user"|"assistant", "content": str}

CAPABILITIES = frozenset({"text", "logprobs", "scores", "weights", "hidden_states"})


@dataclass(frozen=True)
class GenRequest:
    """One generation request.

    Exactly one of ``messages`` (chat) or ``prompt`` (raw text continuation) is set. ``seed_index`` distinguishes
    repeated samples of the same request: sample i of a prompt is ``seed_index=i``. Together with ``seed`` it fixes
    the random stream, so a sample is reproducible and cacheable.
    """

    messages: tuple[tuple[str, str], ...] | None = None
    prompt: str | None = None
    max_tokens: int = 64
    temperature: float = 1.0
    top_p: float = 1.0
    seed: int = 0
    seed_index: int = 0
    logprobs: bool = False
    top_logprobs: int = 0
    stop: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if (self.messages is None) == (self.prompt is None):
            raise InputError("GenRequest needs exactly one of messages= (chat) or prompt= (raw text).")
        if self.max_tokens < 1:
            raise InputError(f"max_tokens must be >= 1, got {self.max_tokens}.")
        if self.temperature < 0:
            raise InputError(f"temperature must be >= 0, got {self.temperature}.")
        if not 0 < self.top_p <= 1:
            raise InputError(f"top_p must be in (0, 1], got {self.top_p}.")
        if self.top_logprobs < 0 or self.top_logprobs > 20:
            raise InputError(f"top_logprobs must be in 0..20, got {self.top_logprobs}.")

    @classmethod
    def chat(cls, messages: Sequence[Message] | str, **kw: Any) -> GenRequest:
        """Build a chat request from a list of ``{"role", "content"}`` dicts or a single user string."""
        if isinstance(messages, str):
            messages = [{"role": "user", "content": messages}]
        tup = tuple((str(m["role"]), str(m["content"])) for m in messages)
        return cls(messages=tup, **kw)

    @classmethod
    def raw(cls, prompt: str, **kw: Any) -> GenRequest:
        return cls(prompt=prompt, **kw)

    @property
    def message_dicts(self) -> list[Message]:
        return [{"role": r, "content": c} for r, c in (self.messages or ())]

    @property
    def greedy(self) -> bool:
        return self.temperature == 0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["messages"] = self.message_dicts if self.messages is not None else None
        d["stop"] = list(self.stop)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> GenRequest:
        d = dict(d)
        if d.get("messages") is not None:
            d["messages"] = tuple((m["role"], m["content"]) for m in d["messages"])
        d["stop"] = tuple(d.get("stop") or ())
        return cls(**d)

    def key(self, spec: str) -> str:
        """Content address of (model spec, request): equal keys are the same sample."""
        blob = json.dumps({"spec": spec, **self.to_dict()}, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:32]


@dataclass
class TokenLogprob:
    token: str
    logprob: float
    token_id: int | None = None
    top: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class Completion:
    """What a model returned for one request."""

    text: str
    token_ids: list[int] | None = None
    logprobs: list[TokenLogprob] | None = None
    finish_reason: str = "stop"
    declared_model: str | None = None
    system_fingerprint: str | None = None
    usage: dict[str, int] = field(default_factory=dict)
    latency_s: float = 0.0
    cached: bool = False
    sample_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if self.logprobs is not None:
            d["logprobs"] = [
                {"token": t.token, "logprob": t.logprob, "token_id": t.token_id, "top": [list(x) for x in t.top]}
                for t in self.logprobs
            ]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Completion:
        d = dict(d)
        lp = d.get("logprobs")
        if lp is not None:
            d["logprobs"] = [
                TokenLogprob(x["token"], float(x["logprob"]), x.get("token_id"), [tuple(t) for t in x.get("top") or []])
                for x in lp
            ]
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in d.items() if k in known})

    @property
    def sum_logprob(self) -> float | None:
        return None if self.logprobs is None else float(sum(t.logprob for t in self.logprobs))


class Model:
    """Base class of every backend. Subclasses implement ``_generate`` and optionally the white-box methods."""

    spec: str = ""
    capabilities: frozenset[str] = frozenset({"text"})

    def generate(self, requests: Sequence[GenRequest], progress: Any = None) -> list[Completion]:
        """Generate one completion per request (batched where the backend can).

        Args:
            requests: the requests; repeated samples of one prompt differ in ``seed_index``.
            progress: optional callable ``progress(n_done)`` called as completions arrive.
        """
        reqs = list(requests)
        for r in reqs:
            if not isinstance(r, GenRequest):
                raise InputError(f"generate() takes GenRequest objects, got {type(r).__name__}.")
        if not reqs:
            return []
        return self._generate(reqs, progress)

    def _generate(self, requests: list[GenRequest], progress: Any = None) -> list[Completion]:
        raise NotImplementedError

    def close(self) -> None:
        """Release resources (connections, threads)."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.spec}>"


# A per-batch logits rewrite for white-box sampling (watermarks, perturbations): ``start(requests)`` is called once
# per generation batch and returns ``fn(history_ids [b, t], last_logits [b, V]) -> logits [b, V]``, applied before
# sampling at every step. Logprobs returned are those of the rewritten distribution (what was actually sampled).
LogitsFn = Callable[[Any, Any], Any]


class LogitsTransform(Protocol):
    def start(self, requests: list[GenRequest]) -> LogitsFn: ...


@runtime_checkable
class WhiteBox(Protocol):
    """A local model whose weights, logits and tokenizer can be read (``hf:`` and ``zoo:`` backends).

    Attributes:
        spec: the model spec.
        tokenizer: its transformers tokenizer.
        vocab_size: size of the output distribution (the LM head's rows; may exceed ``len(tokenizer)``).
        module: the underlying ``torch.nn.Module`` (for training and distillation; do not mutate in place).
    """

    spec: str
    tokenizer: Any

    @property
    def vocab_size(self) -> int: ...

    @property
    def module(self) -> Any: ...

    def render(self, req_or_prompt: GenRequest | str | Sequence[Message]) -> str:
        """The exact text the model sees for a request or chat (template applied)."""
        ...

    def encode(self, text: str) -> list[int]: ...

    def score(self, prompt: str | Sequence[Message], continuation: str) -> list[TokenLogprob]: ...

    def score_ids(self, ctx: list[int], cont: list[int]) -> list[TokenLogprob]: ...

    def score_continuations(self, ctx: list[int], conts: Sequence[Sequence[int]]) -> list[list[float]]:
        """Per-token log-probabilities of each continuation in ``conts`` after the shared context ``ctx``."""
        ...

    def logits(self, input_ids: Any, attention_mask: Any = None) -> Any:
        """Next-token logits ``[batch, time, vocab]`` (float32) for a batch of token ids."""
        ...

    def hidden_states(self, texts: Sequence[str], layer: int = -1) -> Any: ...

    def state_dict(self) -> dict[str, Any]: ...

    def with_logits_transform(self, transform: LogitsTransform, tag: str) -> WhiteBox:
        """A view of this model (same weights) whose sampling applies ``transform``; its spec gains ``+tag``."""
        ...


def is_white_box(model: Any) -> bool:
    """True when ``model`` (or the backend a wrapper forwards to) implements :class:`WhiteBox`."""
    return isinstance(model, WhiteBox)


def require_white_box(model: Any, purpose: str) -> WhiteBox:
    """``model`` as a :class:`WhiteBox`, or an :class:`InputError` that says why ``purpose`` needs one."""
    if not isinstance(model, WhiteBox):
        spec = getattr(model, "spec", repr(model))
        raise InputError(f"{purpose} needs a local white-box model (hf:PATH or zoo:NAME); {spec} is black-box.")
    return model
