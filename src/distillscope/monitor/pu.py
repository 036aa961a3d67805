"""Per-account flags from a known-good reference: positive-unlabelled (PU) classification, calibrated by conformal
p-values on reference accounts that no model saw.

With a benign reference (:mod:`.reference`: a random share of the benign accounts), every other account is
*unlabelled*: benign accounts like the reference's, plus whatever campaigns the log holds. A classifier of
"unlabelled vs reference" over the accounts' engine features learns what sets the unlabelled accounts apart,
without being told what a campaign looks like::

    distillscope monitor scan logs/ --benign-reference known_good.txt --pu             # alpha 0.005
    distillscope monitor scan logs/ --benign-reference known_good.txt --pu --pu-alpha 0.002

    from distillscope.monitor.pu import PUConfig, pu_scores
    table = pu_scores(feats, terms, vocab_size, act, reference_ids, PUConfig())

How (:func:`pu_scores`):

1. **Features** (:func:`design`): the behaviour features of :func:`.features.account_features` (signed log,
   standardised over all accounts), the account's hour-of-day shares (from :func:`.features.activity`), and the
   sublinear TF-IDF of its bag of words over its sampled prompts (:func:`.features.term_counts`). All come from
   the engine (DuckDB or Spark give the same inputs), and none reads a label.
2. **Calibration set**: a random ``calib_share`` of the reference accounts is held out of every model.
3. **Cross-fitting**: the unlabelled accounts are cut into ``folds`` folds; model ``k`` (an L2 logistic regression,
   classes balanced) is fitted on the other folds' unlabelled accounts against the training reference accounts,
   and scores the accounts of fold ``k`` and every calibration account. No account is scored by a model that saw
   it.
4. **Conformal p-value** of an unlabelled account ``u`` of fold ``k``:
   ``p(u) = (1 + #{j in calibration: s_k(j) >= s_k(u)}) / (n_calibration + 1)``. If ``u`` is benign and the
   reference is a random sample of the benign accounts, ``u`` and the calibration accounts are exchangeable given
   model ``k`` (none of them trained it), so ``P(p(u) <= a) <= a`` for every ``a``: **flagging accounts with
   ``p <= alpha`` has expected benign false-positive rate at most alpha**, whatever the traffic mix. The smallest
   p-value is ``1 / (n_calibration + 1)``: an alpha below it cannot flag anything, and :func:`pu_scores` says how
   many reference accounts it would need.
5. **Groups** (:func:`group_pvalues`): a candidate campaign of :func:`.campaigns.link_accounts` gets the Simes
   combination of its unlabelled members' p-values (valid for the positively dependent conformal p-values, which
   share one calibration set), Holm-adjusted over the groups. Reported as evidence next to each group
   (``pu_group_p_adj``); the account flags do not depend on it.

Measured (docs/monitor-blind-scores.md, blind simulator 300k, a random 20% of the benign accounts as the
reference, alpha 0.005, with the reference detector's group flags): recall 0.48 / 0.42 / 0.57 (seeds 1 / 2 / 3,
seed 3 held out) at benign FPR 0.0023 / 0.0044 / 0.0136, against 0.27 / 0.24 / 0.27 at 0 / 0.0003 / 0.0010
without PU; built-in simulator 1M: recall 1.000 at FPR 0.0025. Over ten other reference draws per seed the mean
PU-only FPR is 0.0027 / 0.0019 (the bound) with recall from 0.01 to 0.41: clusters of look-alike benign accounts
(a lab's or a labelling firm's) land in the calibration half or not together.

The bound is marginal: it holds on average over which benign accounts form the reference, not for every draw,
and only if the reference is a random sample of the benign accounts (a reference of one kind of customer makes
every other kind look unlabelled-like, as it does for the depletion test). The classifier finds what sets the
unlabelled apart from the reference: with no campaign in the log it finds nothing beyond noise, and the null test
in ``tests/monitor/test_pu.py`` checks the flag rate stays within alpha.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from distillscope.errors import InputError


@dataclass(frozen=True)
class PUConfig:
    """Settings of :func:`pu_scores`.

    Attributes:
        alpha: flag an account when its conformal p-value is <= alpha (expected benign FPR <= alpha).
        folds: cross-fitting folds over the unlabelled accounts.
        calib_share: share of the reference held out of every model to calibrate the p-values.
        c: inverse L2 strength of the logistic regressions.
        seed: the random split of the reference and of the folds.
    """

    alpha: float = 0.005
    folds: int = 5
    calib_share: float = 0.5
    c: float = 1.0
    seed: int = 0


def _standardise(x: np.ndarray) -> np.ndarray:
    sd = x.std(axis=0)
    return np.clip((x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0), -8, 8)


def design(feats: pd.DataFrame, terms: pd.DataFrame, n_terms: int, act: pd.DataFrame | None,
           meta: pd.DataFrame | None = None) -> sp.csr_matrix:
    """Accounts x features, rows in ``feats["account_id"]`` order: standardised signed-log behaviour features,
    standardised shares of the request-shape tokens (``meta``: :func:`.features.meta_tokens`), hour-of-day
    shares, sublinear TF-IDF of the sampled prompts' words. Unsupervised (reads no label)."""
    from sklearn.feature_extraction.text import TfidfTransformer

    ids = pd.Index(feats["account_id"])
    num = feats.drop(columns=["account_id"]).select_dtypes("number").astype(float)
    num = num.replace([np.inf, -np.inf], np.nan).fillna(0.0).to_numpy()
    blocks = [sp.csr_matrix(_standardise(np.sign(num) * np.log1p(np.abs(num))))]
    if meta is not None and len(meta):
        sh = meta.pivot_table(index="account_id", columns="token", values="n", aggfunc="sum", fill_value=0)
        sh = sh.reindex(sorted(sh.columns), axis=1).reindex(ids, fill_value=0).to_numpy(float)
        # shares of the account's tokens (each exchange gives one token of each kind: model=, ua=, ...)
        blocks.append(sp.csr_matrix(_standardise(sh / np.maximum(sh.sum(axis=1, keepdims=True), 1.0))))
    if act is not None and len(act):
        row = ids.get_indexer(act["account_id"])
        ok = row >= 0
        hod = sp.csr_matrix((act["n"].to_numpy(float)[ok], (row[ok], (act["hour"].to_numpy()[ok] % 24))),
                            shape=(len(ids), 24)).toarray()
        hod = hod / np.maximum(hod.sum(axis=1, keepdims=True), 1.0)
        blocks.append(sp.csr_matrix(hod))
    if len(terms) and n_terms > 0:
        row = ids.get_indexer(terms["account_id"])
        ok = row >= 0
        m = sp.csr_matrix((terms["n"].to_numpy(float)[ok], (row[ok], terms["term"].to_numpy()[ok])),
                          shape=(len(ids), n_terms))
        blocks.append(TfidfTransformer(sublinear_tf=True).fit_transform(m))
    return sp.hstack(blocks).tocsr()


def min_calibration(alpha: float) -> int:
    """Calibration accounts needed for a conformal p-value to reach ``alpha``: ``1 / (n + 1) <= alpha``."""
    return max(1, math.ceil(1.0 / alpha - 1.0 - 1e-9))


def pu_scores(feats: pd.DataFrame, terms: pd.DataFrame, n_terms: int, act: pd.DataFrame | None,
              reference: list[str] | np.ndarray, cfg: PUConfig | None = None,
              meta: pd.DataFrame | None = None) -> pd.DataFrame:
    """Cross-fitted PU scores and conformal p-values (see the module docstring).

    Args:
        feats: :func:`.features.account_features` as pandas (one row per account, ``account_id`` + numbers).
        terms: :func:`.features.term_counts` as pandas (``account_id, term, n``).
        n_terms: vocabulary size (``term`` indexes it).
        act: :func:`.features.activity` as pandas (``account_id, hour, n``), or None.
        meta: :func:`.features.meta_tokens` as pandas (``account_id, token, n``), or None.
        reference: known-good account ids (a random sample of the benign accounts).
        cfg: settings.

    Returns:
        One row per account of ``feats``: ``account_id``, ``pu_role`` (``unlabelled``, ``reference_train``,
        ``reference_calibration``), ``pu_score`` (log-odds of "unlabelled" by the model that did not see the
        account; for calibration accounts the mean over the models), ``pu_p`` (conformal p-value; NaN for
        reference accounts), ``pu_flagged`` (``pu_p <= alpha``). ``attrs["pu"]`` holds the calibration size, the
        smallest reachable p-value and alpha.

    Raises:
        InputError: too few reference or unlabelled accounts to fit and calibrate.
    """
    from sklearn.linear_model import LogisticRegression

    cfg = cfg or PUConfig()
    if not 0 < cfg.alpha < 1 or not 0 < cfg.calib_share < 1 or cfg.folds < 2:
        raise InputError(f"PU settings: alpha and calib_share must lie in (0, 1) and folds >= 2, got alpha "
                         f"{cfg.alpha}, calib_share {cfg.calib_share}, folds {cfg.folds}.")
    ids = feats["account_id"].astype(str).to_numpy()
    is_ref = np.isin(ids, np.asarray(reference, dtype=str))
    n_ref, n_unl = int(is_ref.sum()), int((~is_ref).sum())
    if n_ref < 20 or n_unl < 2 * cfg.folds:
        raise InputError(f"PU scoring needs at least 20 reference accounts and {2 * cfg.folds} others; the log has "
                         f"{n_ref} reference and {n_unl} other accounts. Give a larger --benign-reference.")
    rng = np.random.default_rng(cfg.seed)
    ref_idx = rng.permutation(np.flatnonzero(is_ref))
    n_cal = round(cfg.calib_share * n_ref)
    cal, ref_tr = np.sort(ref_idx[:n_cal]), np.sort(ref_idx[n_cal:])
    unl = np.flatnonzero(~is_ref)
    fold = np.full(len(ids), -1)
    fold[unl] = rng.permutation(np.arange(n_unl) % cfg.folds)
    x = design(feats, terms, n_terms, act, meta)
    score = np.full(len(ids), np.nan)
    pval = np.full(len(ids), np.nan)
    cal_scores = np.zeros((cfg.folds, len(cal)))
    for k in range(cfg.folds):
        tr = np.r_[unl[fold[unl] != k], ref_tr]
        y = np.r_[np.ones(int((fold[unl] != k).sum()), int), np.zeros(len(ref_tr), int)]
        m = LogisticRegression(C=cfg.c, solver="liblinear", class_weight="balanced", max_iter=1000).fit(x[tr], y)
        te = unl[fold[unl] == k]
        s_te = m.decision_function(x[te])
        cal_scores[k] = m.decision_function(x[cal])
        s_cal = np.sort(cal_scores[k])
        score[te] = s_te
        pval[te] = (1 + len(s_cal) - np.searchsorted(s_cal, s_te, side="left")) / (len(s_cal) + 1)
    score[cal] = cal_scores.mean(axis=0)  # for display only: calibration accounts get no p-value
    role = np.where(~is_ref, "unlabelled", "reference_train").astype(object)
    role[cal] = "reference_calibration"
    out = pd.DataFrame({"account_id": ids, "pu_role": role, "pu_score": score, "pu_p": pval,
                        "pu_flagged": ~is_ref & (pval <= cfg.alpha)})
    out.attrs["pu"] = {"alpha": cfg.alpha, "calibration_accounts": len(cal), "training_reference": len(ref_tr),
                       "unlabelled": n_unl, "folds": cfg.folds, "min_p": 1.0 / (len(cal) + 1),
                       "flagged": int(out["pu_flagged"].sum()),
                       "reachable": 1.0 / (len(cal) + 1) <= cfg.alpha,
                       "calibration_needed": min_calibration(cfg.alpha)}
    return out


def simes(p: np.ndarray) -> float:
    """Simes' combination of p-values: ``min_i m * p_(i) / i`` (valid under positive dependence)."""
    p = np.sort(np.asarray(p, float))
    p = p[~np.isnan(p)]
    if not len(p):
        return float("nan")
    return float(min(1.0, np.min(len(p) * p / np.arange(1, len(p) + 1))))


def group_pvalues(groups: list[list[str]], table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Simes p-value of each group's unlabelled members (NaN for a group with none) and its Holm adjustment over
    the groups that have one."""
    from distillscope.evidence import Evidence, holm

    p_of = dict(zip(table["account_id"], table["pu_p"], strict=True))
    raw = np.array([simes(np.array([p_of.get(a, np.nan) for a in g], float)) for g in groups], float)
    adj = np.full(len(raw), np.nan)
    ok = ~np.isnan(raw)
    if ok.any():
        evs = holm([Evidence(name="pu_group", null="", statistic=0.0, p_value=float(v)) for v in raw[ok]])
        adj[ok] = [e.p_adjusted for e in evs]
    return raw, adj
