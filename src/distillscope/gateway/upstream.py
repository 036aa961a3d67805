"""Ordered upstream fallback: try each model in turn; the first that answers wins.

White-box upstreams are wrapped with the deployment's watermark and perturbation; local models get a lock each
(CPU models are not re-entrant), remote ones are called concurrently.
"""

from __future__ import annotations

import logging
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
    failures: int = 0
    answers: int = 0


@dataclass
class UpstreamResult:
    completions: list[Completion]
    upstream: Upstream
    errors: list[str] = field(default_factory=list)


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
                errors.append(f"{up.model.spec}: {type(e).__name__}: {e}")
                log.warning("upstream %s failed: %s", up.model.spec, e)
                continue
            up.answers += 1
            return UpstreamResult(comps, up, errors)
        raise AllUpstreamsFailed(errors)

    def close(self) -> None:
        for up in self.items:
            up.model.close()
