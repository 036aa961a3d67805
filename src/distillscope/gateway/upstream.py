"""Ordered upstream fallback: try each model in turn; the first that answers wins.

White-box upstreams are wrapped with the deployment's watermark and perturbation; local models get a lock each
(CPU models are not re-entrant), remote ones are called concurrently.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from distillscope.models.base import Completion, GenRequest, Model, WhiteBox

log = logging.getLogger("distillscope.gateway")


@dataclass
class Upstream:
    model: Model
    watermark_key_id: str | None = None
    lock: threading.Lock | None = None
    tok_lock: threading.Lock = field(default_factory=threading.Lock)
    failures: int = 0
    answers: int = 0


@dataclass
class UpstreamResult:
    completions: list[Completion]
    upstream: Upstream
    errors: list[str] = field(default_factory=list)


_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")


def redact(text: str) -> str:
    """``text`` with credentials in URLs (``scheme://user:pass@host``) replaced by ``***``."""
    return _USERINFO.sub("***@", text)


TEMPLATE_TOKENS_PER_MESSAGE = 16
TEMPLATE_TOKENS_PER_PROMPT = 16


def utf8_token_bound(req: GenRequest) -> int:
    """An upper bound on the prompt tokens of ``req`` for any tokenizer whose tokens cover at least one byte."""
    if req.prompt is not None:
        return len(req.prompt.encode("utf-8", "surrogatepass")) + TEMPLATE_TOKENS_PER_PROMPT
    msgs = req.messages or ()
    return (sum(len(c.encode("utf-8", "surrogatepass")) + len(role) + TEMPLATE_TOKENS_PER_MESSAGE
                for role, c in msgs) + TEMPLATE_TOKENS_PER_PROMPT)


class AllUpstreamsFailed(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


class Upstreams:
    """An ordered list of models with fallback (see module docstring)."""

    def __init__(self, models: Sequence[Model], watermark=None, perturbation=None) -> None:
        self.items: list[Upstream] = []
        for m in models:
            kid = None
            if isinstance(m, WhiteBox) and (watermark is not None or perturbation is not None):
                from distillscope.watermark.model import watermark_model

                m = watermark_model(m, watermark, perturbation)
                kid = getattr(m, "watermark_key_id", None)
            local = "weights" in getattr(m, "capabilities", frozenset())
            self.items.append(Upstream(m, kid, threading.Lock() if local else None))

    def prompt_token_bound(self, req: GenRequest) -> int:
        """The most prompt tokens any upstream can use for ``req``: counted with the upstream's own tokenizer
        (chat template applied) where it is a white-box model, else bounded by the prompt's UTF-8 bytes plus a
        per-message allowance for the chat template (a byte-level BPE or byte-fallback token covers >= 1 byte)."""
        best = 0
        for up in self.items:
            m = up.model
            if isinstance(m, WhiteBox):
                with up.tok_lock:  # fast tokenizers are not safe to share between threads
                    n = len(m.encode(m.render(req)))
            else:
                n = utf8_token_bound(req)
            best = max(best, n)
        return best

    def generate(self, reqs: list[GenRequest]) -> UpstreamResult:
        """Completions from the first upstream that answers; raises :class:`AllUpstreamsFailed`."""
        errors: list[str] = []
        for up in self.items:
            try:
                if up.lock is not None:
                    with up.lock:
                        comps = up.model.generate(reqs)
                else:
                    comps = up.model.generate(reqs)
                if len(comps) != len(reqs):
                    raise RuntimeError(f"returned {len(comps)} completions for {len(reqs)} requests")
            except Exception as e:  # noqa: BLE001 - any upstream failure moves on to the next one
                up.failures += 1
                errors.append(redact(f"{up.model.spec}: {type(e).__name__}: {e}"))
                log.warning("%s", errors[-1])
                continue
            up.answers += 1
            return UpstreamResult(comps, up, errors)
        raise AllUpstreamsFailed(errors)

    def close(self) -> None:
        for up in self.items:
            up.model.close()
