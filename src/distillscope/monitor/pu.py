"""Per-account flags from a known-good reference: positive-unlabelled (PU) classification, calibrated by conformal
p-values on reference accounts that no model saw.

With a benign reference (:mod:`.reference`: a random share of the benign accounts), every other account is
*unlabelled*: benign accounts like the reference's, plus whatever campaigns the log holds. A classifier of
"unlabelled vs reference" over the accounts' engine features learns what sets the unlabelled accounts apart,
without being told what a campaign looks like::

    distillscope monitor scan logs/ --benign-reference known_good.txt --pu             # alpha 0.005
    distillscope monitor scan logs/ --benign-reference known_good.txt --pu --pu-alpha 0.002
    distillscope monitor scan logs/ --benign-reference known_good.txt --pu --pu-unit org   # one p-value per org
    distillscope monitor scan logs/ --benign-reference known_good.txt --pu --pu-delta 0.1  # per reference draw

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
4b. **Clusters** (``clusters=``, e.g. the log's ``org_id``; ``--pu-unit org``): the reference's
   calibration/training split and the folds keep each cluster's accounts together (no model is fitted on an
   account's cluster-mates), and with ``unit="cluster"`` the unit is the cluster: its unlabelled accounts' mean
   score ``m_k(C)`` against the calibration clusters' means, ``p(C) = (1 + #{D: m_k(D) >= m_k(C)}) / (n_D + 1)``,
   and all of its unlabelled accounts are flagged or none. Guarantee: if the benign clusters are exchangeable and
   the reference is a random sample of whole benign clusters, ``P(p(C) <= a) <= a`` for a benign unlabelled
   cluster, i.e. **the expected share of benign clusters flagged is at most alpha**, and a cluster is flagged
   with probability <= alpha whatever happens to its own accounts. The account-level FPR is that share weighted
   by cluster size (<= alpha in expectation when size and score are independent). With a reference drawn by
   account (some accounts of an org in it) the calibration units are the reference parts of clusters and the
   guarantee is not exact: measured below. The smallest p-value is ``1 / (n_D + 1)``.
4c. **Per draw** (``delta``; ``--pu-delta``): steps 4/4b bound the FPR on average over reference draws; one draw
   can be several times alpha (below). With ``delta`` set, flag at ``p <= k / (n + 1)`` with the largest ``k``
   such that ``P(Binomial(n, alpha) < k) <= delta / folds`` (:func:`pac_rank`; ``n`` calibration units). Given
   model ``j``, the flag rate among benign units exchangeable with the calibration units is Beta(k, n + 1 - k)
   over the calibration draw, so it exceeds alpha with probability <= delta / folds; the draw's FPR is a
   weighted mean of the folds' rates, so **with probability >= 1 - delta over the reference draw, this draw's
   benign FPR is <= alpha** (up to the binomial noise of a finite set of benign accounts). It needs
   ``n >= ln(delta / folds) / ln(1 - alpha)`` calibration units (:func:`pac_calibration`): 781 at alpha 0.005,
   delta 0.1 (a reference of ~1,560 accounts at ``calib_share`` 0.5); below that nothing is flagged and the notes
   say how many are needed.
4d. **Per exchange** (:func:`exchange_pu_scores`, a prototype not used by the scan): a model per sampled prompt,
   an account scored by the mean of its 5 highest prompt log-odds, calibrated as in step 4 (or 4c).
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

Per draw (``bench/monitor_pu_draws.py``, 10 reference draws per seed, PU flags only, load 1.7-2.9; seeds 1 / 2,
seed 3 held out): org clusters (4b) do not tighten the spread here, the look-alikes span several orgs each
(20% reference, max FPR over draws 0.0084 / 0.0047 per account, 0.0065 / 0.0107 per org). With a 50% reference
the plain level exceeds alpha 0.005 in 2 / 3 of 10 draws (max 0.0067 / 0.0070, recall 0.61 / 0.63); with
``delta`` 0.1 no draw does (max 0.0021 / 0.0035), recall 0.21 / 0.29; at alpha 0.01 and delta 0.1 every draw's FPR
is <= 0.0070 at recall 0.61 / 0.63. Held-out seed 3 (once): plain 3 of 10 draws above alpha 0.005 (max 0.0091,
recall 0.65), ``delta`` 0.1 none (max 0.0030, recall 0.36); at alpha 0.01 with delta 0.1 max 0.0091, recall 0.65.

The plain bound (step 4) is marginal: it holds on average over which benign accounts form the reference, not for
every draw (step 4c makes it per draw),
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
        unit: ``"account"`` (one p-value per account) or ``"cluster"`` (one p-value per cluster of accounts, e.g.
            an organisation: all its unlabelled accounts are flagged or none; needs ``clusters``). With clusters
            given, the calibration split and the folds are by cluster whatever the unit.
        delta: None (default: ``p <= alpha``, benign FPR <= alpha on average over reference draws), or a
            calibration-conditional level: flag at ``p <= k / (n + 1)`` with the largest ``k`` such that
            ``P(Binomial(n, alpha) < k) <= delta / folds`` (``n`` calibration units), so that with probability
            >= 1 - delta over the reference draw the benign FPR *of this draw* is <= alpha (module docstring).
        cluster_by: for :func:`.scan.scan`: ``"org_id"`` takes the clusters from the log's ``org_id`` column
            (:func:`.features.account_orgs`); None: no clusters (``unit`` must then be ``"account"``).
    """

    alpha: float = 0.005
    folds: int = 5
    calib_share: float = 0.5
    c: float = 1.0
    seed: int = 0
    unit: str = "account"
    delta: float | None = None
    cluster_by: str | None = None



def _reference_mask(ids: np.ndarray, reference, cfg: PUConfig) -> tuple[np.ndarray, int, int]:
    """Which of ``ids`` are reference accounts, and how many of each kind; an InputError when there are too few of
    either kind to score."""
    is_ref = np.isin(ids, np.asarray(reference, dtype=str))
    n_ref, n_unl = int(is_ref.sum()), int((~is_ref).sum())
    if n_ref < 20 or n_unl < 2 * cfg.folds:
        raise InputError(f"PU scoring needs at least 20 reference accounts and {2 * cfg.folds} others; the log has "
                         f"{n_ref} reference and {n_unl} other accounts. Give a larger --benign-reference.")
    return is_ref, n_ref, n_unl

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


def pac_rank(n: int, alpha: float, delta: float) -> int:
    """Largest ``k`` with ``P(Binomial(n, alpha) <= k - 1) <= delta`` (0 if none): flagging the units that lie
    above the ``k``-th largest of ``n`` exchangeable calibration scores gives a flag rate of fresh units whose
    conditional law is Beta(k, n + 1 - k), which exceeds ``alpha`` with probability ``P(Binomial(n, alpha) < k)``."""
    from scipy.stats import binom

    cdf = binom.cdf(np.arange(n + 1), n, alpha)
    return int(np.searchsorted(cdf, delta, side="right"))


def min_calibration(alpha: float) -> int:
    """Calibration accounts needed for a conformal p-value to reach ``alpha``: ``1 / (n + 1) <= alpha``."""
    return max(1, math.ceil(1.0 / alpha - 1.0 - 1e-9))


def _cluster_codes(ids: np.ndarray, clusters: pd.Series | dict | None) -> np.ndarray:
    """One integer per account: its cluster's code (accounts without a cluster are their own)."""
    if clusters is None:
        return np.arange(len(ids))
    lab = pd.Series(ids).map(pd.Series(clusters) if isinstance(clusters, dict) else clusters)
    lab = lab.astype(object).where(lab.notna(), pd.Series(["\0acct:" + i for i in ids]))
    return pd.factorize(lab.astype(str))[0]


def _unit_means(score: np.ndarray, unit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Units (sorted codes) and the mean score of each unit's accounts."""
    u, inv = np.unique(unit, return_inverse=True)
    return u, np.bincount(inv, weights=score) / np.bincount(inv)


def pu_scores(feats: pd.DataFrame, terms: pd.DataFrame, n_terms: int, act: pd.DataFrame | None,
              reference: list[str] | np.ndarray, cfg: PUConfig | None = None,
              meta: pd.DataFrame | None = None, clusters: pd.Series | dict | None = None) -> pd.DataFrame:
    """Cross-fitted PU scores and conformal p-values (see the module docstring).

    Args:
        feats: :func:`.features.account_features` as pandas (one row per account, ``account_id`` + numbers).
        terms: :func:`.features.term_counts` as pandas (``account_id, term, n``).
        n_terms: vocabulary size (``term`` indexes it).
        act: :func:`.features.activity` as pandas (``account_id, hour, n``), or None.
        meta: :func:`.features.meta_tokens` as pandas (``account_id, token, n``), or None.
        reference: known-good account ids (a random sample of the benign accounts).
        cfg: settings.
        clusters: cluster of each account (``account_id`` -> label, e.g. its ``org_id``; read from the log, never
            from labels); accounts without one are their own cluster. Given, the calibration/training split of the
            reference and the cross-fitting folds keep each cluster's accounts together; with
            ``cfg.unit == "cluster"`` the p-value is per cluster (module docstring, step 4b).

    Returns:
        One row per account of ``feats``: ``account_id``, ``pu_role`` (``unlabelled``, ``reference_train``,
        ``reference_calibration``), ``pu_score`` (log-odds of "unlabelled" by the model that did not see the
        account; for calibration accounts the mean over the models), ``pu_p`` (conformal p-value; NaN for
        reference accounts; with unit ``cluster`` the p-value of the account's cluster), ``pu_flagged``
        (``pu_p <= alpha``). ``attrs["pu"]`` holds the calibration size (accounts, and units), the smallest
        reachable p-value and alpha.

    Raises:
        InputError: too few reference or unlabelled accounts to fit and calibrate; unit ``cluster`` without
            clusters.
    """
    from sklearn.linear_model import LogisticRegression

    cfg = cfg or PUConfig()
    if not 0 < cfg.alpha < 1 or not 0 < cfg.calib_share < 1 or cfg.folds < 2:
        raise InputError(f"PU settings: alpha and calib_share must lie in (0, 1) and folds >= 2, got alpha "
                         f"{cfg.alpha}, calib_share {cfg.calib_share}, folds {cfg.folds}.")
    if cfg.unit not in ("account", "cluster"):
        raise InputError(f"PU unit must be 'account' or 'cluster', got {cfg.unit!r}.")
    if cfg.delta is not None and not 0 < cfg.delta < 1:
        raise InputError(f"PU delta must lie in (0, 1) or be None, got {cfg.delta}.")
    if cfg.unit == "cluster" and clusters is None:
        raise InputError("PU unit 'cluster' needs the accounts' clusters (e.g. their org_id): pass clusters=, or "
                         "use unit 'account'.")
    ids = feats["account_id"].astype(str).to_numpy()
    is_ref, n_ref, n_unl = _reference_mask(ids, reference, cfg)
    rng = np.random.default_rng(cfg.seed)
    cl = _cluster_codes(ids, clusters)
    unl = np.flatnonzero(~is_ref)
    fold = np.full(len(ids), -1)
    if clusters is None:
        ref_idx = rng.permutation(np.flatnonzero(is_ref))
        n_cal = round(cfg.calib_share * n_ref)
        cal, ref_tr = np.sort(ref_idx[:n_cal]), np.sort(ref_idx[n_cal:])
        fold[unl] = rng.permutation(np.arange(n_unl) % cfg.folds)
    else:  # whole clusters: calibration or training; one fold
        ref_cl = rng.permutation(np.unique(cl[is_ref]))
        cal_cl = ref_cl[:max(1, round(cfg.calib_share * len(ref_cl)))]
        in_cal = is_ref & np.isin(cl, cal_cl)
        cal, ref_tr = np.flatnonzero(in_cal), np.flatnonzero(is_ref & ~in_cal)
        ucl = rng.permutation(np.unique(cl[unl]))
        fold_of = np.zeros(cl.max() + 1, int)
        fold_of[ucl] = np.arange(len(ucl)) % cfg.folds
        fold[unl] = fold_of[cl[unl]]
    if len(ref_tr) < 5 or len(cal) < 5:
        raise InputError(f"PU scoring: the reference splits into {len(cal)} calibration and {len(ref_tr)} training "
                         f"accounts; both need at least 5. Give a larger --benign-reference.")
    x = design(feats, terms, n_terms, act, meta)
    score = np.full(len(ids), np.nan)
    pval = np.full(len(ids), np.nan)
    cal_scores = np.zeros((cfg.folds, len(cal)))
    cal_units = np.unique(cl[cal])
    for k in range(cfg.folds):
        tr = np.r_[unl[fold[unl] != k], ref_tr]
        y = np.r_[np.ones(int((fold[unl] != k).sum()), int), np.zeros(len(ref_tr), int)]
        m = LogisticRegression(C=cfg.c, solver="liblinear", class_weight="balanced", max_iter=1000).fit(x[tr], y)
        te = unl[fold[unl] == k]
        s_te = m.decision_function(x[te])
        cal_scores[k] = m.decision_function(x[cal])
        score[te] = s_te
        if cfg.unit == "cluster":  # a cluster's unlabelled accounts against the calibration clusters, by means
            u_te, m_te = _unit_means(s_te, cl[te])
            s_cal = np.sort(_unit_means(cal_scores[k], cl[cal])[1])
            p_u = (1 + len(s_cal) - np.searchsorted(s_cal, m_te, side="left")) / (len(s_cal) + 1)
            pval[te] = p_u[np.searchsorted(u_te, cl[te])]
        else:
            s_cal = np.sort(cal_scores[k])
            pval[te] = (1 + len(s_cal) - np.searchsorted(s_cal, s_te, side="left")) / (len(s_cal) + 1)
    score[cal] = cal_scores.mean(axis=0)  # for display only: calibration accounts get no p-value
    role = np.where(~is_ref, "unlabelled", "reference_train").astype(object)
    role[cal] = "reference_calibration"
    n_units = len(cal_units) if cfg.unit == "cluster" else len(cal)
    if cfg.delta is None:
        level, k_pac = cfg.alpha, None
    else:  # each fold's model has its own conditional FPR: delta / folds each (Bonferroni)
        k_pac = pac_rank(n_units, cfg.alpha, cfg.delta / cfg.folds)
        level = k_pac / (n_units + 1)
    out = pd.DataFrame({"account_id": ids, "pu_role": role, "pu_score": score, "pu_p": pval,
                        "pu_flagged": ~is_ref & (pval <= level + 1e-12)})
    out.attrs["pu"] = {"alpha": cfg.alpha, "unit": cfg.unit, "by_cluster": clusters is not None,
                       "calibration_accounts": len(cal), "calibration_units": n_units,
                       "training_reference": len(ref_tr), "unlabelled": n_unl,
                       "unlabelled_units": len(np.unique(cl[unl])) if cfg.unit == "cluster" else n_unl,
                       "folds": cfg.folds, "min_p": 1.0 / (n_units + 1),
                       "flagged": int(out["pu_flagged"].sum()),
                       "reachable": 1.0 / (n_units + 1) <= level,
                       "delta": cfg.delta, "p_level": level,
                       "calibration_needed": min_calibration(cfg.alpha) if cfg.delta is None else
                       pac_calibration(cfg.alpha, cfg.delta / cfg.folds)}
    return out


def pac_calibration(alpha: float, delta: float) -> int:
    """Calibration units needed for :func:`pac_rank` to reach ``k = 1``: ``(1 - alpha) ** n <= delta``."""
    return math.ceil(math.log(delta) / math.log1p(-alpha) - 1e-9)


def exchange_pu_scores(prompts: pd.DataFrame, n_terms: int, accounts: list[str] | np.ndarray,
                       reference: list[str] | np.ndarray, cfg: PUConfig | None = None,
                       top: int = 5) -> pd.DataFrame:
    """Per-exchange PU scores aggregated per account, calibrated like :func:`pu_scores` (per account, plain or
    ``delta``; no clusters). A prototype measured by ``bench/monitor_pu_draws.py`` (variant ``exchange``), not
    used by the scan.

    Each sampled prompt (:func:`.features.prompt_terms`) is a row: sublinear TF-IDF of its words. Model ``k`` (L2
    logistic regression, balanced) separates the prompts of the unlabelled accounts outside fold ``k`` from those
    of the training reference accounts; an account's score is the mean of its ``top`` highest prompt log-odds (a
    mixed account's abusive prompts are not averaged away by its chat), scored for the accounts of fold ``k`` and
    every calibration account; the conformal p-value of step 4 follows (the calibration accounts are scored by
    every model and trained none, so the guarantee is the same).

    Args:
        prompts: ``account_id, pid, term, n``.
        n_terms: vocabulary size.
        accounts: every account to score (an account without sampled prompts scores lowest).
        reference: known-good account ids.
        cfg: settings (``unit`` must be ``"account"``).
        top: prompts per account in its score.

    Returns:
        As :func:`pu_scores`.
    """
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.linear_model import LogisticRegression

    cfg = cfg or PUConfig()
    if cfg.unit != "account":
        raise InputError("exchange_pu_scores scores accounts: use PUConfig(unit='account').")
    ids = np.asarray(accounts, dtype=str)
    is_ref, n_ref, n_unl = _reference_mask(ids, reference, cfg)
    rng = np.random.default_rng(cfg.seed)
    ref_idx = rng.permutation(np.flatnonzero(is_ref))
    n_cal = round(cfg.calib_share * n_ref)
    cal, ref_tr = np.sort(ref_idx[:n_cal]), np.sort(ref_idx[n_cal:])
    unl = np.flatnonzero(~is_ref)
    fold = np.full(len(ids), -1)
    fold[unl] = rng.permutation(np.arange(n_unl) % cfg.folds)
    acc = pd.Index(ids).get_indexer(prompts["account_id"].astype(str))
    ok = acc >= 0
    key = acc[ok].astype(np.int64) * (int(prompts["pid"].max()) + 1) + prompts["pid"].to_numpy()[ok]
    rows, row_of = np.unique(key, return_inverse=True)
    row_acc = (rows // (int(prompts["pid"].max()) + 1)).astype(int)
    x = sp.csr_matrix((prompts["n"].to_numpy(float)[ok], (row_of, prompts["term"].to_numpy()[ok])),
                      shape=(len(rows), n_terms))
    x = TfidfTransformer(sublinear_tf=True).fit_transform(x)

    def account_scores(row_scores: np.ndarray, row_accounts: np.ndarray, which: np.ndarray) -> np.ndarray:
        d = pd.DataFrame({"a": row_accounts, "s": row_scores}).sort_values("s", ascending=False)
        agg = d.groupby("a", sort=False).head(top).groupby("a")["s"].mean()
        return agg.reindex(which).fillna(-np.inf).to_numpy()

    score = np.full(len(ids), np.nan)
    pval = np.full(len(ids), np.nan)
    cal_scores = np.zeros((cfg.folds, len(cal)))
    cal_rows = np.isin(row_acc, cal)
    for k in range(cfg.folds):
        tr_unl = np.isin(row_acc, unl[fold[unl] != k])
        tr_ref = np.isin(row_acc, ref_tr)
        tr = tr_unl | tr_ref
        m = LogisticRegression(C=cfg.c, solver="liblinear", class_weight="balanced", max_iter=1000).fit(
            x[tr], tr_unl[tr].astype(int))
        te = unl[fold[unl] == k]
        te_rows = np.isin(row_acc, te)
        s_te = account_scores(m.decision_function(x[te_rows]), row_acc[te_rows], te)
        cal_scores[k] = account_scores(m.decision_function(x[cal_rows]), row_acc[cal_rows], cal)
        score[te] = s_te
        s_cal = np.sort(cal_scores[k])
        pval[te] = (1 + len(s_cal) - np.searchsorted(s_cal, s_te, side="left")) / (len(s_cal) + 1)
    score[cal] = cal_scores.mean(axis=0)
    if cfg.delta is None:
        level = cfg.alpha
    else:
        level = pac_rank(len(cal), cfg.alpha, cfg.delta / cfg.folds) / (len(cal) + 1)
    role = np.where(~is_ref, "unlabelled", "reference_train").astype(object)
    role[cal] = "reference_calibration"
    out = pd.DataFrame({"account_id": ids, "pu_role": role, "pu_score": score, "pu_p": pval,
                        "pu_flagged": ~is_ref & (pval <= level + 1e-12)})
    out.attrs["pu"] = {"alpha": cfg.alpha, "unit": "account", "delta": cfg.delta, "p_level": level,
                       "calibration_accounts": len(cal), "calibration_units": len(cal), "prompts": len(rows),
                       "flagged": int(out["pu_flagged"].sum()), "reachable": 1.0 / (len(cal) + 1) <= level}
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
