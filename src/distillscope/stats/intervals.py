"""Confidence intervals for binomial proportions (k successes out of n).

    >>> from distillscope.stats.intervals import wilson
    >>> lo, hi = wilson(3, 20)          # 95% Wilson score interval
    >>> round(lo, 3), round(hi, 3)
    (0.052, 0.36)

Methods (all vectorised over numpy arrays of ``k`` and ``n``):
    wilson           Wilson score interval: good coverage at small n, never leaves [0, 1]. The default.
    clopper_pearson  "exact" interval from beta quantiles: coverage >= nominal everywhere (conservative).
    jeffreys         equal-tailed Bayesian interval with the Jeffreys prior Beta(1/2, 1/2).
    agresti_coull    Wald interval on (k + z^2/2) / (n + z^2).
With ``n == 0`` every method returns the uninformative interval (0, 1).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import stats

from distillscope.errors import InputError

ArrayLike = Any


def _check(k: ArrayLike, n: ArrayLike, confidence: float) -> tuple[np.ndarray, np.ndarray, float]:
    if not 0 < confidence < 1:
        raise InputError(f"confidence must be in (0, 1), got {confidence}.")
    k_arr = np.asarray(k, dtype=float)
    n_arr = np.asarray(n, dtype=float)
    if np.any(n_arr < 0) or np.any(k_arr < 0) or np.any(k_arr > n_arr):
        raise InputError(f"Binomial counts need 0 <= k <= n, got k={k}, n={n}.")
    if np.any(k_arr != np.round(k_arr)) or np.any(n_arr != np.round(n_arr)):
        raise InputError(f"Binomial counts must be whole numbers, got k={k}, n={n}.")
    return k_arr, n_arr, float(stats.norm.ppf(0.5 + confidence / 2))


def _out(lo: np.ndarray, hi: np.ndarray, k: ArrayLike) -> tuple[Any, Any]:
    lo = np.clip(lo, 0.0, 1.0)
    hi = np.clip(hi, 0.0, 1.0)
    if np.ndim(k) == 0:
        return float(lo), float(hi)
    return lo, hi


def wilson(k: ArrayLike, n: ArrayLike, confidence: float = 0.95) -> tuple[Any, Any]:
    """Wilson score interval for k successes in n trials."""
    k_arr, n_arr, z = _check(k, n, confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(n_arr > 0, k_arr / np.maximum(n_arr, 1), 0.0)
        denom = 1 + z * z / np.maximum(n_arr, 1)
        centre = (p + z * z / (2 * np.maximum(n_arr, 1))) / denom
        half = z * np.sqrt(p * (1 - p) / np.maximum(n_arr, 1) + z * z / (4 * np.maximum(n_arr, 1) ** 2)) / denom
    lo = np.where(n_arr > 0, centre - half, 0.0)
    hi = np.where(n_arr > 0, centre + half, 1.0)
    # At k = 0 (k = n) the exact lower (upper) bound is 0 (1); rounding must not move it.
    lo = np.where(k_arr == 0, 0.0, lo)
    hi = np.where(k_arr == n_arr, 1.0, hi)
    return _out(lo, hi, k)


def clopper_pearson(k: ArrayLike, n: ArrayLike, confidence: float = 0.95) -> tuple[Any, Any]:
    """Clopper-Pearson ("exact") interval: conservative, coverage never below nominal."""
    k_arr, n_arr, _ = _check(k, n, confidence)
    a = (1 - confidence) / 2
    with np.errstate(invalid="ignore"):
        lo = np.where(k_arr > 0, stats.beta.ppf(a, k_arr, n_arr - k_arr + 1), 0.0)
        hi = np.where(k_arr < n_arr, stats.beta.ppf(1 - a, k_arr + 1, n_arr - k_arr), 1.0)
    lo = np.where(n_arr > 0, np.nan_to_num(lo), 0.0)
    hi = np.where(n_arr > 0, np.nan_to_num(hi, nan=1.0), 1.0)
    return _out(lo, hi, k)


def jeffreys(k: ArrayLike, n: ArrayLike, confidence: float = 0.95) -> tuple[Any, Any]:
    """Jeffreys interval: beta quantiles of the Beta(k + 1/2, n - k + 1/2) posterior."""
    k_arr, n_arr, _ = _check(k, n, confidence)
    a = (1 - confidence) / 2
    lo = np.where(k_arr > 0, stats.beta.ppf(a, k_arr + 0.5, n_arr - k_arr + 0.5), 0.0)
    hi = np.where(k_arr < n_arr, stats.beta.ppf(1 - a, k_arr + 0.5, n_arr - k_arr + 0.5), 1.0)
    lo = np.where(n_arr > 0, lo, 0.0)
    hi = np.where(n_arr > 0, hi, 1.0)
    return _out(lo, hi, k)


def agresti_coull(k: ArrayLike, n: ArrayLike, confidence: float = 0.95) -> tuple[Any, Any]:
    """Agresti-Coull ("add z^2/2 successes and failures") interval."""
    k_arr, n_arr, z = _check(k, n, confidence)
    nt = n_arr + z * z
    pt = (k_arr + z * z / 2) / nt
    half = z * np.sqrt(pt * (1 - pt) / nt)
    lo = np.where(n_arr > 0, pt - half, 0.0)
    hi = np.where(n_arr > 0, pt + half, 1.0)
    return _out(lo, hi, k)


METHODS: dict[str, Callable[..., tuple[Any, Any]]] = {
    "wilson": wilson,
    "clopper-pearson": clopper_pearson,
    "exact": clopper_pearson,
    "jeffreys": jeffreys,
    "agresti-coull": agresti_coull,
}


def binomial_interval(k: ArrayLike, n: ArrayLike, confidence: float = 0.95, method: str = "wilson") -> tuple[Any, Any]:
    """Interval for a binomial proportion by method name (see the module docstring)."""
    try:
        fn = METHODS[method]
    except KeyError:
        raise InputError(f"Unknown interval method {method!r}; use one of: {', '.join(METHODS)}.") from None
    return fn(k, n, confidence)


def coverage(method: str, p: float, n: int, confidence: float = 0.95) -> float:
    """Exact coverage probability of an interval method at true proportion ``p`` (sums the binomial pmf)."""
    ks = np.arange(n + 1)
    lo, hi = binomial_interval(ks, np.full(n + 1, n), confidence, method)
    inside = (lo <= p) & (p <= hi)
    return float(stats.binom.pmf(ks, n, p)[inside].sum())
