"""The Evidence record: what every analysis returns and every report renders.

An Evidence states its null hypothesis, the statistic, the p-value under that null, an effect size and the ids
of the samples it was computed from, so a reader can check any claim against the stored samples.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Evidence:
    """One piece of evidence from one statistical test.

    Attributes:
        name: short identifier, e.g. ``"verify.mmd_hamming"``.
        null: the null hypothesis in plain words.
        statistic: value of the test statistic.
        p_value: p-value under ``null`` (None where the analysis is descriptive only).
        effect_size: a scale-free effect size (meaning given in ``effect_name``).
        effect_name: what ``effect_size`` measures.
        sample_ids: ids of the stored samples behind the statistic.
        params: parameters of the analysis (alpha, permutations, seeds, ...).
        caveats: things a careful reader should know.
        details: any further structured output (tables, per-prompt values) for reports.
        p_adjusted: Holm-adjusted p-value, filled in when evidence is combined in a case file.
    """

    name: str
    null: str
    statistic: float
    p_value: float | None
    effect_size: float | None = None
    effect_name: str = ""
    sample_ids: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    caveats: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    p_adjusted: float | None = None

    def significant(self, alpha: float = 0.05) -> bool:
        """True when the (adjusted, if present) p-value is below ``alpha``."""
        p = self.p_adjusted if self.p_adjusted is not None else self.p_value
        return p is not None and p < alpha

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))

    def to_json(self, **kw: Any) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **kw)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Evidence:
        return cls(**d)


def _jsonable(x: Any) -> Any:
    """Make numpy scalars, tuples and non-finite floats JSON-safe."""
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if hasattr(x, "item") and callable(x.item) and getattr(x, "ndim", 0) == 0:
        x = x.item()
    if hasattr(x, "tolist"):
        return _jsonable(x.tolist())
    if isinstance(x, float) and not math.isfinite(x):
        return None if math.isnan(x) else (1e308 if x > 0 else -1e308)
    return x


def holm(evidence: list[Evidence]) -> list[Evidence]:
    """Fill ``p_adjusted`` with Holm step-down adjusted p-values (family = the given list)."""
    idx = [i for i, e in enumerate(evidence) if e.p_value is not None]
    order = sorted(idx, key=lambda i: evidence[i].p_value)  # type: ignore[arg-type,return-value]
    m = len(order)
    running = 0.0
    for rank, i in enumerate(order):
        adj = min(1.0, (m - rank) * float(evidence[i].p_value))  # type: ignore[arg-type]
        running = max(running, adj)
        evidence[i].p_adjusted = running
    return evidence
