"""Calibrated flagging: account scores as percentiles of the log itself, campaign p-values by resampling it.

Nothing here is a threshold fitted to a simulator. Each indicator of ``data/indicators.yaml`` (chain-of-thought,
exhaustive-answer and long-output shares, coverage, slot-swapped templates, statelessness, regularity, content
atypicality) becomes the account's **percentile among all accounts of the same log** (mid-ranks; missing = 0.5), and
the account score is the mean percentile. A new traffic mix moves every account's raw features, not the scale.

A candidate campaign (linked group of ``k`` accounts) is tested against the **null that its members are ordinary
accounts of this log**: the reference pool is every account outside all candidate groups (accounts that link to
nobody: almost all benign), and the null distribution is the mean score of ``k`` pool accounts drawn with
replacement **within the same volume strata** as the members (deciles of log exchanges: an account with 3 requests
has noisier shares than one with 3,000). The p-value is exact Monte Carlo for small groups and the normal
approximation of that resampling distribution (its mean and variance are known in closed form) for groups of
``normal_min`` or more, where the central limit theorem holds for a mean of bounded percentiles.

Example::

    pct, score = account_scores(feats)
    test = GroupTest(score, strata(feats["n_exchanges"]), pool=~in_group)
    p, z, effect = test.pvalue(members)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import yaml
from scipy.stats import norm, rankdata

from distillscope.stats.permutation import as_rng, permutation_pvalue


@functools.cache
def indicators() -> dict[str, dict[str, Any]]:
    """The indicator table from ``data/indicators.yaml`` (column -> sign, why)."""
    text = resources.files("distillscope.monitor").joinpath("data/indicators.yaml").read_text("utf-8")
    return yaml.safe_load(text)["indicators"]


def capability_entropy(feats: pd.DataFrame) -> pd.Series:
    """Normalised entropy of the account's capability-area counts (``capn_*`` columns): 0 = one area (or none),
    1 = all areas equally."""
    cols = [c for c in feats.columns if c.startswith("capn_")]
    if len(cols) < 2:
        return pd.Series(0.0, index=feats.index)
    c = feats[cols].to_numpy(float)
    tot = c.sum(axis=1, keepdims=True)
    p = np.divide(c, tot, out=np.zeros_like(c), where=tot > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -np.where(p > 0, p * np.log(p), 0.0).sum(axis=1)
    return pd.Series(h / np.log(len(cols)), index=feats.index)


def derived_columns(feats: pd.DataFrame, atypicality: np.ndarray | None = None) -> pd.DataFrame:
    """``feats`` plus the indicator columns that are computed on the driver."""
    n = feats["n_exchanges"].to_numpy(float)
    reg = -feats["gap_cv"].to_numpy(float)
    reg[n < 3] = np.nan  # fewer than two gaps say nothing about regularity
    out = feats.assign(capability_entropy=capability_entropy(feats),
                       stateless=1.0 - feats["followup_share"].fillna(0).clip(0, 1),
                       regularity=reg)
    out["atypicality"] = np.nan if atypicality is None else atypicality
    return out


def percentiles(x: np.ndarray) -> np.ndarray:
    """Mid-rank percentile of each value in (0, 1); NaN -> 0.5. Values are rounded to 9 decimals first so that
    engines that differ in the last bits of a mean rank alike."""
    x = np.asarray(x, float)
    out = np.full(len(x), 0.5)
    ok = np.isfinite(x)
    if ok.sum() > 0:
        out[ok] = (rankdata(np.round(x[ok], 9), method="average") - 0.5) / ok.sum()
    return out


def account_scores(feats: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """(per-indicator percentiles, score = their mean) for every account of ``feats`` (see module docstring)."""
    pct = {}
    for col, spec in indicators().items():
        v = feats[col].to_numpy(float) if col in feats else np.full(len(feats), np.nan)
        pct[col] = percentiles(float(spec["sign"]) * v)
    p = pd.DataFrame(pct, index=feats.index)
    return p, p.to_numpy().mean(axis=1)


def strata(n_exchanges: np.ndarray, n_strata: int = 10) -> np.ndarray:
    """Volume stratum of each account: deciles of ``log(n_exchanges)`` (ties share a stratum)."""
    x = np.log1p(np.asarray(n_exchanges, float))
    if len(x) == 0:
        return np.zeros(0, np.int64)
    r = rankdata(x, method="min") - 1
    return np.minimum((r * n_strata) // max(len(x), 1), n_strata - 1).astype(np.int64)


@dataclass
class GroupTest:
    """Stratified-resampling test of a group's mean score against pool accounts of the same log.

    Args:
        score: per-account score (all accounts).
        stratum: per-account volume stratum (:func:`strata`).
        pool: boolean mask of the reference accounts.
        n_resamples: Monte Carlo draws for small groups.
        normal_min: groups at least this large use the normal approximation of the resampling distribution.
        seed: random seed (a test run twice gives the same p-value).
    """

    score: np.ndarray
    stratum: np.ndarray
    pool: np.ndarray
    n_resamples: int = 20_000
    normal_min: int = 12
    seed: int = 0

    def __post_init__(self) -> None:
        s = np.asarray(self.score, float)
        pool_idx = np.flatnonzero(self.pool)
        if len(pool_idx) < 10:  # too few singletons: fall back to every account
            pool_idx = np.arange(len(s))
        self._by: dict[int, np.ndarray] = {}
        allp = s[pool_idx]
        self.mu, self.sd = float(allp.mean()), float(allp.std() or 1.0)
        for st in np.unique(self.stratum):
            v = s[pool_idx[self.stratum[pool_idx] == st]]
            self._by[int(st)] = v if len(v) >= 5 else allp  # an empty stratum borrows the whole pool

    def pvalue(self, members: np.ndarray) -> tuple[float, float, float]:
        """(p, z, effect): one-sided p-value that the members' mean score is this high under the null; z of the
        observed mean in the resampling distribution; effect = (observed mean - volume-matched pool mean) / pool sd
        of one account's score."""
        members = np.asarray(members)
        k = len(members)
        obs = float(np.mean(self.score[members]))
        st = self.stratum[members]
        mean = 0.0
        var = 0.0
        for s_, c in zip(*np.unique(st, return_counts=True), strict=True):
            v = self._by[int(s_)]
            mean += c * v.mean()
            var += c * v.var()
        mean, sd = mean / k, np.sqrt(var) / k
        z = (obs - mean) / sd if sd > 0 else (np.inf if obs > mean else 0.0)
        effect = (obs - mean) / self.sd
        if k >= self.normal_min:
            return float(norm.sf(z)), float(z), float(effect)
        rng = as_rng(self.seed)
        null = np.zeros(self.n_resamples)
        for s_, c in zip(*np.unique(st, return_counts=True), strict=True):
            v = self._by[int(s_)]
            null += v[rng.integers(0, len(v), size=(self.n_resamples, c))].sum(axis=1)
        return permutation_pvalue(obs, null / k), float(z), float(effect)

