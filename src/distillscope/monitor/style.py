"""Style groups: accounts that ask alike (elicitation style and automation), grouped on one half of each account's
history and tested on the other half.

Campaigns that share no infrastructure and no wording still share *how* they use the API: reasoning and
exhaustive-answer requests, long outputs, no conversation state, the newest model, regular timing. Grouping
accounts on those indicators and then testing the group on the same indicators would select groups for the test
statistic (measured on the blind simulator: benign FPR 0.021 -> 0.103). Here each account's history is split in two
halves that share no exchange (:func:`.features.half_features`): accounts are grouped by their indicators on one
half (k nearest neighbours, shared-nearest-neighbour links, Louvain communities, as :mod:`.campaigns` does for
content) and each group is tested with the indicators of the *other* half, so a group of accounts that look alike
by chance on the first half is an ordinary group on the second. Both directions are run (group on half 0, test on
half 1, and the reverse); every tested group enters one Holm family.

The test of a group is an intersection-union test of two composites (mean percentile, volume-matched resampling
against accounts outside flagged campaigns, :class:`.calibrate.GroupTest`): **elicitation** (chain-of-thought,
exhaustive-answer, long-output and bulk-data shares) and **automation** (no follow-ups, newest-model share,
inter-arrival regularity). The group's p-value is the larger of the two: the null "ordinary in at least one of the
two" is rejected only when the group is unusual in both, which a cohort of students (reasoning requests, but
conversations) or of writers (long outputs, but conversations) is not. The named rules of :mod:`.campaigns` apply
too (a declared organisation; no output harvesting, judged on the test half's long-output share), and the members
of a flagged group pass the member test on the test half's indicators.

**Limit (why it is off by default, ``LinkConfig(style_groups=True)`` turns it on).** The split removes the
selection of accounts that look alike *by chance*; it does not remove the selection of ordinary accounts that are
*persistently* alike (a writer always asks for long, detailed texts): grouped on one half, they stay alike on the
other, so their group is not a random sample of ordinary accounts and the resampling null is rejected for it as it
would be for a campaign. Measured on the blind simulator (300k exchanges, seeds 1 / 2): account recall 0.394 / 0.294
-> 0.582 / 0.333, benign FPR 0.0098 / 0.0005 -> 0.0212 / 0.0068 (chat users, research-lab members and students in
groups that are mostly campaign accounts); without the attachment of neighbours 0.445 / 0.308 at 0.0098 / 0.0111
(seed 2: a group of 20 writers and 10 chat users flagged). A calibrated version needs a null for "ordinary accounts
with this style" (a density test of the style cluster), not "ordinary accounts".

**With a labelled benign reference** (``style_groups(..., reference=mask)``, ``monitor scan --style-groups
--benign-reference SPEC``) that null exists: the tests compare with reference accounts, and a group passing them must
also hold fewer reference accounts than benign groups do (:class:`.calibrate.DepletionTest`, Holm over the screened
groups): writers or students grouped by their persistent style hold reference accounts at the benign rate and are
not flagged. Measured (300k, seeds 1 / 2 / 3, random 20% of the benign accounts, with the reference ceiling of
:mod:`.campaigns`): recall 0.316 / 0.272 / 0.291 at benign FPR 0.0010 / 0.0009 / 0.0010.

    from distillscope.monitor.style import style_groups
    found = style_groups(halves, ids, flagged, stratum, org, nex, cfg)   # list of (members, evidence)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from distillscope.monitor import calibrate as C
from distillscope.monitor import content as CT

#: Indicator columns of each composite (computed per half by :func:`half_indicators`).
ELICITATION = ("cot_share", "detail_share", "long_output_share", "synth_share")
AUTOMATION = ("stateless", "new_model_share_after", "regularity")
COLUMNS = ELICITATION + AUTOMATION


@dataclass
class StyleGroup:
    """A tested style group: row numbers of its members, the halves used, and the test results."""

    members: np.ndarray
    grouped_on: int
    tested_on: int
    p_value: float
    z: float
    effect: float
    p_elicitation: float
    p_automation: float
    z_long: float
    p_adjusted: float = 1.0
    p_depletion: float = 1.0
    reference_members: int = 0
    reference_expected: float = 0.0


def half_indicators(halves: pd.DataFrame, index: pd.Index) -> dict[int, pd.DataFrame]:
    """Per half (0, 1): the :data:`COLUMNS` indicators of every account of ``index`` (NaN where the account has no
    exchange in that half), from :func:`.features.half_features` rows."""
    out = {}
    for h in (0, 1):
        d = halves[halves["half"] == h].set_index("account_id").reindex(index)
        n = d["n"].to_numpy(float)
        reg = -(d["gap_std"].to_numpy(float) / d["gap_mean"].to_numpy(float))
        reg[~(n >= 3)] = np.nan  # fewer than two gaps say nothing about regularity
        out[h] = pd.DataFrame({
            "cot_share": d["cot_share"].to_numpy(float), "detail_share": d["detail_share"].to_numpy(float),
            "long_output_share": d["long_output_share"].to_numpy(float),
            "synth_share": d["synth_share"].to_numpy(float),
            "stateless": 1.0 - d["followup_share"].to_numpy(float),
            "new_model_share_after": d["new_model_share_after"].to_numpy(float), "regularity": reg},
            index=index)
    return out


def _percentiles(df: pd.DataFrame) -> np.ndarray:
    return np.column_stack([C.percentiles(df[c].to_numpy(float)) for c in COLUMNS])


def _groups(P: np.ndarray, cand: np.ndarray, cfg) -> list[np.ndarray]:
    """Communities (>= ``cfg.min_accounts``) of the candidates ``cand`` on the indicator percentiles ``P``; a
    candidate outside them whose neighbours lie mostly in one joins it (as content groups do)."""
    from distillscope.monitor.campaigns import _attach, communities

    if len(cand) < max(cfg.min_accounts, cfg.knn + 1):
        return []
    E = P[cand]
    E = (E - E.mean(axis=0)) / np.maximum(E.std(axis=0), 1e-9)
    idx, sim = CT.neighbours(E, cfg.knn, cfg.neighbour_method, cfg.seed)
    links = CT.snn_links(idx, sim, cfg.snn_min)
    if not len(links):
        return []
    comp = communities(len(cand), links["a"].to_numpy(np.int64), links["b"].to_numpy(np.int64),
                       np.ones(len(links)), cfg)
    comp, _ = _attach(comp, idx, cfg)
    return [cand[comp == c] for c in np.unique(comp) if (comp == c).sum() >= cfg.min_accounts]


def style_groups(halves: pd.DataFrame, index: pd.Index, pool: np.ndarray, stratum: np.ndarray, cfg,
                 min_exchanges: int = 4, split: bool = True,
                 reference: np.ndarray | None = None) -> tuple[list[StyleGroup], dict[int, np.ndarray]]:
    """Group the accounts of ``pool`` (those outside every flagged campaign) on one half of their history and
    test each group on the other half (module docstring).

    Args:
        halves: :func:`.features.half_features` rows.
        index: account ids, in the row order of ``pool`` and ``stratum``.
        pool: reference accounts (outside every flagged campaign); only they are grouped.
        stratum: volume stratum of each account (:func:`.calibrate.strata`).
        cfg: :class:`.campaigns.LinkConfig` (``knn``, ``snn_min``, ``min_accounts``, ``resolution``, ``seed``).
        min_exchanges: an account needs this many exchanges (two per half) to be grouped.
        split: ``False`` groups and tests on the same half (the selection bias the split removes; for comparison
            only).
        reference: a labelled benign reference (mask over ``index``): the tests' ordinary accounts are these
            instead of ``pool``, and a group's p-value is also at least its depletion p-value
            (:class:`.calibrate.DepletionTest`: fewer reference members than benign groups of its size hold).

    Returns:
        (every tested group with its Holm-adjusted p-value over all groups of both directions, the indicator
        percentiles of each half keyed by half).
    """
    ind = half_indicators(halves, index)
    P = {h: _percentiles(ind[h]) for h in (0, 1)}
    nex = np.zeros(len(index))
    for h in (0, 1):
        d = halves[halves["half"] == h].set_index("account_id")["n"].reindex(index).fillna(0).to_numpy(float)
        nex += d
    cand = np.flatnonzero(pool & (nex >= min_exchanges))
    ie = [COLUMNS.index(c) for c in ELICITATION]
    ia = [COLUMNS.index(c) for c in AUTOMATION]
    il = COLUMNS.index("long_output_share")
    out: list[StyleGroup] = []
    null = pool if reference is None else reference
    clean = reference is not None
    dep: dict[int, C.DepletionTest] = {}
    for g, t in ((0, 1), (1, 0)) if split else ((0, 0), (1, 1)):
        te = C.GroupTest(P[t][:, ie].mean(axis=1), stratum, pool=null, seed=cfg.seed, clean=clean)
        ta = C.GroupTest(P[t][:, ia].mean(axis=1), stratum, pool=null, seed=cfg.seed, clean=clean)
        tl = C.GroupTest(P[t][:, il], stratum, pool=null, seed=cfg.seed, clean=clean)
        if clean:
            dep[t] = C.DepletionTest(P[t][:, ie + ia].mean(axis=1), reference)
        for m in _groups(P[g], cand, cfg):
            pe, ze, ee = te.pvalue(m)
            pa, za, ea = ta.pvalue(m)
            zl = tl.z(m)[0]
            out.append(StyleGroup(members=m, grouped_on=g, tested_on=t, p_value=max(pe, pa), z=min(ze, za),
                                  effect=min(ee, ea), p_elicitation=pe, p_automation=pa, z_long=zl,
                                  reference_members=int(reference[m].sum()) if clean else 0))
    if out:
        from distillscope.evidence import Evidence, holm

        evs = holm([Evidence(name="style", null="", statistic=0.0, p_value=s.p_value) for s in out])
        for s, e in zip(out, evs, strict=True):
            s.p_adjusted = float(e.p_adjusted)
        if clean:  # screen on the style tests, confirm by depletion among the screened (as campaigns._test_round)
            for s in out:
                s.p_depletion, _, s.reference_expected = dep[s.tested_on].pvalue(s.members)
            screened = [s for s in out if s.p_adjusted <= cfg.alpha and s.effect >= cfg.min_effect]
            dep = holm([Evidence(name="d", null="", statistic=0.0, p_value=s.p_depletion) for s in screened])
            for s in out:
                s.p_value = max(s.p_value, s.p_depletion)
                s.p_adjusted = max(s.p_adjusted, s.p_depletion)
            for s, e in zip(screened, dep, strict=True):
                s.p_adjusted = max(s.p_adjusted, float(e.p_adjusted))
    return out, P
