"""Exact upper tail of a sum of integer-weighted binomials, down to tiny p-values.

``S = sum_w w * B_w`` with independent ``B_w ~ Binomial(n_w, p)`` and positive integer weights ``w``: the null
distribution of a watermark score where each distinct scored tuple (an independent Bernoulli(p) coin under the
null) counts with a weight fixed by the text alone (for example how often the tuple occurs, capped).

The tail ``P(S >= s)`` is computed exactly (up to floating-point rounding, relative error ~1e-10) by exponential
tilting: with ``lambda`` chosen so that the tilted law has mean ``s``,
``P(S >= s) = M(lambda) * sum_{x >= s} exp(-lambda x) P_lambda(S = x)``, where ``M`` is the moment generating
function and ``P_lambda`` (a sum of weighted binomials with tilted success probabilities) is obtained by one inverse
FFT of its characteristic function on the lattice ``0..sum_w w n_w`` (no aliasing). The tilted pmf is largest
near ``s``, so tails far below double precision (log10 p = -400) keep their relative accuracy.

    from distillscope.stats.weighted_binomial import weighted_binom_logsf
    weighted_binom_logsf({1: 900, 2: 80, 4: 20}, s=330, p=0.25)   # natural log of P(S >= 330)
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from scipy import fft, optimize, special, stats

from distillscope.errors import InputError


def _groups(trials_by_weight: Mapping[int, int]) -> tuple[np.ndarray, np.ndarray]:
    items = sorted((int(w), int(n)) for w, n in trials_by_weight.items() if int(n) > 0)
    if any(w < 1 for w, _ in items) or any(int(w) != w for w in trials_by_weight):
        raise InputError(f"weights must be positive integers, got {sorted(trials_by_weight)}.")
    return np.array([w for w, _ in items], dtype=np.int64), np.array([n for _, n in items], dtype=np.int64)


def _log_mgf(lam: float, w: np.ndarray, n: np.ndarray, p: float) -> float:
    # log(1 - p + p e^{lam w}) computed stably for large lam w
    return float((n * np.logaddexp(math.log1p(-p), math.log(p) + lam * w)).sum())


def weighted_binom_logsf(trials_by_weight: Mapping[int, int], s: int, p: float) -> float:
    """Natural log of ``P(sum_w w * Binomial(n_w, p) >= s)``.

    Args:
        trials_by_weight: ``{weight: number of Bernoulli(p) trials carrying that weight}``.
        s: the observed weighted number of successes.
        p: the success probability of one trial under the null.

    Returns:
        ``log P(S >= s)`` (0.0 when ``s <= 0``, ``-inf`` when ``s`` exceeds the largest possible sum).
    """
    if not 0 < p < 1:
        raise InputError(f"p must be in (0, 1), got {p}.")
    w, n = _groups(trials_by_weight)
    s = int(s)
    total = int((w * n).sum())
    if s <= 0 or total == 0:
        return 0.0 if s <= 0 else -math.inf
    if s > total:
        return -math.inf
    if len(w) == 1:  # a single weight: an ordinary binomial tail in the count of successes
        k = -(-s // int(w[0]))
        return float(stats.binom.logsf(k - 1, int(n[0]), p))
    mean = float(p * (w * n).sum())
    lam = 0.0
    if s > mean:
        def tilted_mean(t: float) -> float:
            q = special.expit(math.log(p / (1 - p)) + t * w)
            return float((w * n * q).sum()) - s

        if s == total:
            lam = None
        else:
            hi = 1.0
            while tilted_mean(hi) < 0:
                hi *= 2
            lam = optimize.brentq(tilted_mean, 0.0, hi, xtol=1e-12, rtol=1e-12)
    if lam is None:  # every trial a success
        return float((n * math.log(p)).sum())
    q = special.expit(math.log(p / (1 - p)) + lam * w)  # tilted success probabilities
    size = fft.next_fast_len(total + 1)
    theta = -2j * np.pi * np.arange(size // 2 + 1) / size
    log_phi = np.zeros(size // 2 + 1, dtype=complex)
    for wi, ni, qi in zip(w, n, q, strict=True):
        log_phi += ni * np.log((1 - qi) + qi * np.exp(theta * wi))
    pmf = fft.irfft(np.exp(log_phi), n=size)[: total + 1]
    xs = np.arange(s, total + 1)
    tail = np.clip(pmf[s:], 0.0, None)
    # sum_{x >= s} e^{-lam (x - s)} P_lam(x): weights <= 1, dominated by x near s where the tilted pmf is large
    acc = float((tail * np.exp(-lam * (xs - s))).sum())
    if acc <= 0:  # rounding left nothing (far beyond double precision): the Chernoff bound, still valid
        acc = 1.0
    return _log_mgf(lam, w, n, p) - lam * s + math.log(acc)


def weighted_binom_sf(trials_by_weight: Mapping[int, int], s: int, p: float) -> float:
    """``P(sum_w w * Binomial(n_w, p) >= s)``; see :func:`weighted_binom_logsf`."""
    return math.exp(weighted_binom_logsf(trials_by_weight, s, p))
