"""Power and sample-size planning, and empirical rejection rates with binomial intervals.

The analytic planner covers the stratified rank-sum test (``equality.rank``): under the null its statistic is
distribution-free, so its power depends only on the design (prompts x samples) and on one effect size, the
*probability shift* ``delta = P(score(endpoint) > score(reference)) - 1/2``. For the MMD and logprob tests the
effect depends on the reference, so :func:`empirical_power` measures it from pilot samples instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats as _st

from distillscope.errors import InputError


def _z(alpha: float, two_sided: bool) -> float:
    if not 0 < alpha < 1:
        raise InputError(f"alpha must be in (0, 1), got {alpha}.")
    return float(_st.norm.isf(alpha / 2 if two_sided else alpha))


def rank_test_z(delta: float, prompts: int, samples: int, reference_samples: int | None = None) -> float:
    """Expected z of the stratified rank-sum test with ``samples`` endpoint and reference completions per prompt.

    Per prompt, the Mann-Whitney U has mean ``m k (1/2 + delta)`` and null variance ``m k (m + k + 1) / 12``;
    the per-prompt z-scores are summed and divided by ``sqrt(prompts)``.
    """
    m = samples
    k = reference_samples if reference_samples is not None else samples
    if prompts < 1 or m < 1 or k < 1:
        raise InputError("prompts, samples and reference samples must all be >= 1.")
    z_prompt = m * k * delta / math.sqrt(m * k * (m + k + 1) / 12.0)
    return z_prompt * math.sqrt(prompts)


def rank_test_power(delta: float, prompts: int, samples: int, alpha: float = 0.05,
                    reference_samples: int | None = None) -> float:
    """Approximate power of the two-sided stratified rank-sum test (normal approximation)."""
    z = rank_test_z(delta, prompts, samples, reference_samples)
    c = _z(alpha, True)
    return float(_st.norm.sf(c - z) + _st.norm.cdf(-c - z))


@dataclass
class PlanRow:
    prompts: int
    samples: int
    power: float
    calls: int  # endpoint calls = prompts * samples


def plan_rank_test(delta: float, alpha: float = 0.05, power: float = 0.9, prompt_options: tuple[int, ...] = (10, 25, 50, 100),
                   max_samples: int = 200) -> list[PlanRow]:
    """For each number of prompts, the fewest samples per prompt reaching ``power`` (if any up to ``max_samples``).

    Args:
        delta: probability shift of the distortion (0 < |delta| < 1/2), e.g. 0.1 means an endpoint completion
            out-scores a reference completion 60% of the time.
        alpha: test level.
        power: target power.
        prompt_options: numbers of prompts to plan for.
        max_samples: give up beyond this many samples per prompt.
    """
    if not 0 < abs(delta) < 0.5:
        raise InputError(f"delta must satisfy 0 < |delta| < 0.5, got {delta}.")
    if not 0 < power < 1:
        raise InputError(f"power must be in (0, 1), got {power}.")
    rows = []
    for p in prompt_options:
        for n in range(2, max_samples + 1):
            pw = rank_test_power(delta, p, n, alpha)
            if pw >= power:
                rows.append(PlanRow(p, n, pw, p * n))
                break
        else:
            rows.append(PlanRow(p, -1, rank_test_power(delta, p, max_samples, alpha), -1))
    return rows


def n_for_z_test(effect: float, alpha: float = 0.05, power: float = 0.9, two_sided: bool = True) -> int:
    """Independent units needed for a z-test of a standardised mean shift ``effect`` (Cohen's d)."""
    if effect == 0:
        raise InputError("effect must be non-zero.")
    n = ((_z(alpha, two_sided) + float(_st.norm.ppf(power))) / abs(effect)) ** 2
    return math.ceil(n)


@dataclass
class Rate:
    """A rejection rate with its Clopper-Pearson interval."""

    k: int
    n: int
    rate: float
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.rate:.3f} [{self.low:.3f}, {self.high:.3f}] ({self.k}/{self.n})"


def rejection_rate(pvalues: np.ndarray | list[float], alpha: float = 0.05, confidence: float = 0.95) -> Rate:
    """Fraction of ``pvalues`` below ``alpha`` with an exact binomial (Clopper-Pearson) interval."""
    p = np.asarray(pvalues, dtype=float)
    if p.size == 0:
        raise InputError("rejection_rate needs at least one p-value.")
    k = int(np.sum(p < alpha))
    ci = _st.binomtest(k, int(p.size)).proportion_ci(confidence_level=confidence, method="exact")
    return Rate(k, int(p.size), k / p.size, float(ci.low), float(ci.high))
