"""Combining p-values of several tests of one global null.

Which to use:
    bonferroni  ``min(1, k * min p)``: valid under any dependence; the safe default for tests on shared samples.
    cauchy      Cauchy combination (ACAT, Liu & Xie 2020): close to valid under arbitrary dependence for small
                alpha, more powerful than Bonferroni when several tests carry signal.
    fisher      ``-2 sum log p`` ~ chi2(2k): needs independent tests.
    stouffer    sum of z-scores / sqrt(k): needs independent tests.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats as _st

from distillscope.errors import InputError

METHODS = ("bonferroni", "cauchy", "fisher", "stouffer")


def _check(ps: Sequence[float]) -> np.ndarray:
    p = np.asarray([float(x) for x in ps], dtype=float)
    if p.size == 0:
        raise InputError("Cannot combine an empty list of p-values.")
    if np.any(~np.isfinite(p)) or np.any(p < 0) or np.any(p > 1):
        raise InputError(f"p-values must lie in [0, 1], got {p.tolist()}.")
    return p


def bonferroni(ps: Sequence[float]) -> float:
    p = _check(ps)
    return float(min(1.0, p.size * p.min()))


def fisher(ps: Sequence[float]) -> float:
    p = np.clip(_check(ps), 1e-300, 1.0)
    return float(_st.combine_pvalues(p, method="fisher").pvalue)


def stouffer(ps: Sequence[float]) -> float:
    p = np.clip(_check(ps), 1e-300, 1 - 1e-16)
    return float(_st.combine_pvalues(p, method="stouffer").pvalue)


def cauchy(ps: Sequence[float], weights: Sequence[float] | None = None) -> float:
    """Cauchy combination test: ``T = sum w_i tan((1/2 - p_i) pi)``, p = P(Cauchy > T / sum w)."""
    p = _check(ps)
    w = np.ones_like(p) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != p.shape or np.any(w <= 0):
        raise InputError("cauchy weights must be positive, one per p-value.")
    w = w / w.sum()
    if np.any(p == 0):
        return 0.0
    p = np.minimum(p, 1 - 1e-16)
    # For tiny p, tan((1/2 - p) pi) ~ 1 / (p pi): use it to avoid losing precision.
    terms = np.where(p < 1e-15, 1.0 / (p * np.pi), np.tan((0.5 - p) * np.pi))
    t = float(np.sum(w * terms))
    if t > 1e15:
        return float(min(1.0, 1.0 / (t * np.pi)))
    return float(min(1.0, max(0.0, 0.5 - np.arctan(t) / np.pi)))


def combine_pvalues(ps: Sequence[float], method: str = "bonferroni") -> float:
    """Combine p-values of tests of one global null with ``method`` (see module docstring)."""
    if method == "bonferroni":
        return bonferroni(ps)
    if method == "cauchy":
        return cauchy(ps)
    if method == "fisher":
        return fisher(ps)
    if method == "stouffer":
        return stouffer(ps)
    raise InputError(f"Unknown combination method {method!r}: use one of {', '.join(METHODS)}.")
