"""Permutation machinery: stratified label shuffles, sign flips, p-values and nonparametric combination.

Every function takes a seed (or a ``numpy.random.Generator``) so that a test run twice gives the same p-value.
P-values use the ``(1 + #{null >= observed}) / (1 + B)`` form, which is exact (never anti-conservative) for
``B`` random permutations under exchangeability.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata

from distillscope.errors import InputError

SeedLike = int | np.random.Generator | None


def as_rng(seed: SeedLike) -> np.random.Generator:
    """A numpy Generator from an int seed (or pass one through)."""
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _tol(x: np.ndarray | float) -> float:
    # Permuted statistics that equal the observed one up to float rounding count as ties (">="), not as smaller.
    return 1e-12 * max(1.0, float(np.max(np.abs(x))) if np.size(x) else 1.0)


def permutation_pvalue(observed: float, null: np.ndarray, alternative: str = "greater") -> float:
    """P-value of ``observed`` against permuted statistics ``null`` (observed not included in ``null``).

    Args:
        observed: the statistic on the real labels.
        null: statistics on ``B`` random relabelings.
        alternative: ``"greater"`` (large is extreme), ``"less"`` or ``"two-sided"`` (``|stat|`` large).
    """
    null = np.asarray(null, dtype=float)
    if null.ndim != 1 or null.size == 0:
        raise InputError("permutation_pvalue needs a non-empty 1-d array of permuted statistics.")
    tol = _tol(np.append(null, observed))
    if alternative == "greater":
        k = np.sum(null >= observed - tol)
    elif alternative == "less":
        k = np.sum(null <= observed + tol)
    elif alternative == "two-sided":
        k = np.sum(np.abs(null) >= abs(observed) - tol)
    else:
        raise InputError(f"alternative must be 'greater', 'less' or 'two-sided', got {alternative!r}.")
    return float((1 + k) / (1 + null.size))


def stratified_label_permutations(labels: np.ndarray, valid: np.ndarray, n_perm: int, seed: SeedLike = 0) -> np.ndarray:
    """Random relabelings that shuffle labels only within each stratum (row).

    Args:
        labels: ``(S, n)`` array of 0/1 group labels, one row per stratum (e.g. per prompt), padded.
        valid: ``(S, n)`` boolean mask of real entries; padding stays in place and keeps label 0.
        n_perm: number of relabelings ``B``.
        seed: random seed.

    Returns:
        ``(B, S, n)`` float array of relabeled 0/1 labels.
    """
    labels = np.asarray(labels, dtype=float)
    valid = np.asarray(valid, dtype=bool)
    if labels.shape != valid.shape or labels.ndim != 2:
        raise InputError(f"labels and valid must be equal 2-d shapes, got {labels.shape} and {valid.shape}.")
    if n_perm < 1:
        raise InputError(f"n_perm must be >= 1, got {n_perm}.")
    rng = as_rng(seed)
    # Sort keys: uniform for real entries, +inf for padding, so padding sorts last in every row.
    # Real entries are packed to the left of each row (checked), so the argsort is a permutation of real slots.
    n_valid = valid.sum(1)
    if not np.array_equal(valid, np.arange(valid.shape[1])[None, :] < n_valid[:, None]):
        raise InputError("valid entries must be left-aligned in each stratum (pad at the end).")
    keys = rng.random((n_perm, *labels.shape))
    keys[:, ~valid] = np.inf
    order = np.argsort(keys, axis=-1)
    return np.take_along_axis(np.broadcast_to(labels, keys.shape), order, axis=-1)


def sign_flips(n: int, n_perm: int, seed: SeedLike = 0) -> np.ndarray:
    """``(B, n)`` array of random signs (+1/-1)."""
    rng = as_rng(seed)
    return rng.choice(np.array([-1.0, 1.0]), size=(n_perm, n))


@dataclass
class PermutationResult:
    statistic: float
    p_value: float
    null_mean: float
    null_sd: float
    n_perm: int

    @property
    def z(self) -> float:
        """Standardised statistic against its permutation distribution (0 when that is degenerate)."""
        return 0.0 if self.null_sd <= 0 else (self.statistic - self.null_mean) / self.null_sd


def sign_flip_test(x: np.ndarray, n_perm: int = 2000, seed: SeedLike = 0, alternative: str = "greater") -> PermutationResult:
    """Test that ``x`` is symmetric about 0 against a shift, with the mean as statistic and random sign flips.

    Exact (up to Monte Carlo) when the ``x_i`` are independent and each is symmetric about 0 under the null.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or x.size < 2:
        raise InputError(f"sign_flip_test needs at least 2 values, got shape {x.shape}.")
    obs = float(x.mean())
    null = sign_flips(x.size, n_perm, seed) @ x / x.size
    return PermutationResult(obs, permutation_pvalue(obs, null, alternative), float(null.mean()), float(null.std()),
                             n_perm)


def pvalues_of_null(stats: np.ndarray, alternative: str = "greater") -> np.ndarray:
    """Permutation p-value of every entry of ``stats`` (shape ``(B+1,)``, entry 0 = observed) against all entries.

    Used for nonparametric combination: the p-value of relabeling b is its rank among all relabelings.
    """
    s = np.asarray(stats, dtype=float)
    if alternative == "two-sided":
        s = np.abs(s)
    elif alternative == "less":
        s = -s
    elif alternative != "greater":
        raise InputError(f"alternative must be 'greater', 'less' or 'two-sided', got {alternative!r}.")
    # Round away float noise so ties are ties.
    s = np.round(s / _tol(s) / 1e3) if np.all(np.isfinite(s)) else s
    return rankdata(-s, method="max") / s.size


def npc_pvalue(stats: list[np.ndarray], alternatives: list[str], method: str = "fisher") -> tuple[float, list[float]]:
    """Nonparametric combination (Pesarin) of several statistics computed on the same relabelings.

    Args:
        stats: one ``(B+1,)`` array per component, entry 0 the observed statistic, entries 1.. on relabelings
            that are shared by all components.
        alternatives: direction of each component.
        method: ``"fisher"`` (sum of -log p) or ``"min"`` (smallest p).

    Returns:
        (combined p-value, per-component p-values). The combined p-value is exact under the joint null because it
        is itself a permutation p-value of the combined statistic.
    """
    if len(stats) != len(alternatives) or not stats:
        raise InputError("npc_pvalue needs one alternative per statistic and at least one statistic.")
    ps = np.stack([pvalues_of_null(s, a) for s, a in zip(stats, alternatives)])  # (J, B+1)
    if method == "fisher":
        comb = -np.log(ps).sum(0)
    elif method == "min":
        comb = -ps.min(0)
    else:
        raise InputError(f"npc method must be 'fisher' or 'min', got {method!r}.")
    p = permutation_pvalue(float(comb[0]), comb[1:], "greater")
    return p, [float(x) for x in ps[:, 0]]
