"""A hard call budget: every model an audit samples sits behind a meter that refuses the call past the budget.

The store sits in front of the meter (``CachedModel(Metered(model))``), so cached samples cost nothing and a
resumed audit only pays for what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from distillscope.errors import DistillscopeError
from distillscope.models.base import Completion, GenRequest, Model


class BudgetExceeded(DistillscopeError):
    """A step asked for more model calls than the audit's budget has left."""


@dataclass
class Budget:
    """Calls allowed (None = unlimited) and calls spent per model spec."""

    limit: int | None = None
    spent: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.spent.values())

    @property
    def left(self) -> int | None:
        return None if self.limit is None else self.limit - self.total

    def charge(self, spec: str, n: int) -> None:
        if self.limit is not None and self.total + n > self.limit:
            raise BudgetExceeded(f"{spec}: {n} more call(s) would exceed the budget of {self.limit} "
                                 f"({self.total} spent). Raise --budget or narrow the audit.")
        self.spent[spec] = self.spent.get(spec, 0) + n


class Metered(Model):
    """Forward to ``inner`` after charging the budget for each request that reaches the backend."""

    def __init__(self, inner: Model, budget: Budget) -> None:
        self.inner, self.budget = inner, budget
        self.spec, self.capabilities = inner.spec, inner.capabilities
        self.batch_size = getattr(inner, "batch_size", 8)

    def _generate(self, requests: list[GenRequest], progress: Any = None) -> list[Completion]:
        self.budget.charge(self.spec, len(requests))
        return self.inner.generate(requests, progress=progress)

    def __getattr__(self, name: str) -> Any:  # white-box members are the backend's
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)

    def close(self) -> None:
        self.inner.close()
