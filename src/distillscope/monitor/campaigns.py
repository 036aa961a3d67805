"""Link accounts into campaigns: shared infrastructure, shared templates, synchronised timing, co-shift.

Works on the small per-account outputs of :mod:`.features` (already reduced by the engine), so it runs on the
driver with numpy/scipy whatever engine produced them.

1. **Candidate pairs** come from shared tokens (an IP, a netblock, an org/payment id, a template LSH bucket). A
   token shared by more than ``max_token_accounts`` accounts is too common to mean anything (a mobile carrier's NAT) and
   is ignored; tokens shared by up to ``full_pairs_max`` accounts give all their pairs, larger ones link each account
   to its ``ring_k`` next neighbours in a fixed pseudo-random order (enough to connect the group, linear in size).
2. **Evidence per pair**, four kinds: ``infra`` (shared IP, IPv4 /24 netblock -- the stand-in for a shared
   ASN -- or org/payment id; weight = sum of log(N/df) of the shared tokens), ``template`` (shared LSH
   buckets), ``sync`` (cosine similarity of hourly activity over the whole log >= ``sync_min`` over at least
   ``sync_min_hours`` common active hours), ``coshift`` (both moved their traffic onto a newly released model:
   shift >= ``shift_min`` and >= ``new_model_min`` of post-release traffic on the new model). A pair becomes a
   **link** when at least ``min_kinds`` kinds agree and one of them ties the pair to one operator (``infra``, or
   ``sync`` with cosine >= ``sync_anchor``; two campaigns busy in the same hours are not one operator): one
   coincidence (a shared NAT, a popular benchmark template) never links accounts, and neither do similar prompts
   plus a common move onto a new model.
3. **Campaigns** are connected components of the links. Each gets a cohesion (mean number of evidence kinds per
   link, /4), a distillation-likeness (median over members of the account score below), and
   ``score = sqrt(cohesion * likeness)``; components with at least ``min_accounts`` members,
   ``likeness >= min_likeness`` and ``score >= min_score`` are flagged.

The account score (``distill_score`` in [0, 1]) is the mean of interpretable indicators: share of
chain-of-thought-eliciting prompts, of synthetic-data requests, of benchmark-shaped prompts (half weight), capability
breadth (/ ``breadth_full``), template reuse, and whether traffic moved at once onto a new release. Evaluation
harnesses and enterprise batch jobs can score high on one or two indicators; only linked groups are flagged.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

KINDS = ("infra", "template", "sync", "coshift")


@dataclass
class LinkConfig:
    """Thresholds for linking and flagging (defaults are the ones the benchmark reports).

    ``unanchored_kinds``: a pair with at least this many evidence kinds is linked even without shared
    infrastructure or strong synchrony. The default (5, i.e. never) keeps concurrent campaigns apart; 3 finds
    campaigns that share no infrastructure at all (simulated: recall 0.24 -> 0.82 at 0.1M exchanges) but merges
    campaigns that run in the same hours with similar templates (purity at 1M fell from 0.99 to 0.17).
    """

    max_token_accounts: int = 5000
    full_pairs_max: int = 40
    ring_k: int = 6
    sync_min: float = 0.2
    sync_min_hours: int = 3
    sync_anchor: float = 0.4
    unanchored_kinds: int = 5
    shift_min: float = 0.5
    new_model_min: float = 0.9
    min_kinds: int = 2
    min_accounts: int = 3
    min_likeness: float = 0.3
    min_score: float = 0.5
    min_after_release: int = 5
    breadth_full: int = 6

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Campaign:
    """One linked group of accounts."""

    campaign_id: int
    accounts: list[str]
    n_accounts: int
    n_exchanges: int
    score: float
    cohesion: float
    likeness: float
    flagged: bool
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_evidence(self):
        """This campaign as an :class:`~distillscope.evidence.Evidence` (descriptive: no p-value)."""
        from distillscope.evidence import Evidence

        return Evidence(
            name="monitor.campaign", null="these accounts act independently",
            statistic=self.score, p_value=None, effect_size=self.cohesion,
            effect_name="cohesion: mean share of the four evidence kinds behind each link",
            sample_ids=list(self.accounts),
            params={"n_accounts": self.n_accounts, "n_exchanges": self.n_exchanges, "likeness": self.likeness,
                    "flagged": self.flagged},
            caveats=["descriptive score, not a test: thresholds were set on simulated traffic",
                     "netblocks stand in for ASNs; shared infrastructure can be a legitimate shared office or NAT"],
            details=self.evidence)


def _onto_new(feats: pd.DataFrame, cfg: LinkConfig) -> pd.Series:
    """Traffic jumped after the release and went (almost) entirely to the new model."""
    return ((feats["shift_after_release"] >= cfg.shift_min) & (feats["new_model_share_after"] >= cfg.new_model_min)
            & (feats["n_after_release"] >= cfg.min_after_release))


def distill_score(feats: pd.DataFrame, cfg: LinkConfig) -> pd.Series:
    """Per-account distillation-likeness in [0, 1] (see module docstring)."""
    onto_new = _onto_new(feats, cfg).astype(float)
    parts = [feats["cot_share"], feats["synth_share"], 0.5 * feats["bench_share"],
             (feats["capability_breadth"] / cfg.breadth_full).clip(0, 1), feats["template_reuse"].clip(0, 1), onto_new]
    return (sum(p.fillna(0) for p in parts) / 5.5).clip(0, 1)


def _rank_key(ids: np.ndarray) -> np.ndarray:
    """A fixed pseudo-random order of account ids (portable: blake2b, not the engine's hash)."""
    return np.array([int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "little") >> 1
                     for s in ids], dtype=np.int64)


def candidate_pairs(tok_acc: np.ndarray, tok_code: np.ndarray, rank: np.ndarray, cfg: LinkConfig) -> np.ndarray:
    """Unique (a, b) pairs, a < b, of accounts sharing a token (full pairs for small tokens, a ring for big)."""
    if len(tok_code) == 0:  # no token shared by two accounts (e.g. a log of one account): no pairs
        return np.zeros((0, 2), np.int64)
    order = np.lexsort((rank[tok_acc], tok_code))
    acc, code = tok_acc[order], tok_code[order]
    sizes = np.bincount(code)
    big = sizes[code] > cfg.full_pairs_max
    out = []
    for d in range(1, cfg.full_pairs_max):
        same = code[d:] == code[:-d]
        if not same.any():
            break
        keep = same & (~big[:-d] | (d <= cfg.ring_k))
        out.append(np.stack([acc[:-d][keep], acc[d:][keep]], axis=1))
    # close each big ring so its ends are linked too
    starts = np.flatnonzero(np.r_[True, code[1:] != code[:-1]])
    ends = np.r_[starts[1:], len(code)] - 1
    ring = big[starts]
    out.append(np.stack([acc[starts[ring]], acc[ends[ring]]], axis=1))
    p = np.concatenate(out) if out else np.zeros((0, 2), np.int64)
    lo, hi = np.minimum(p[:, 0], p[:, 1]).astype(np.int64), np.maximum(p[:, 0], p[:, 1]).astype(np.int64)
    keep = lo != hi
    m = int(hi.max()) + 1 if len(hi) else 1
    key = np.unique(lo[keep] * m + hi[keep])
    return np.stack([key // m, key % m], axis=1)


def _rowdot(m: sp.csr_matrix, a: np.ndarray, b: np.ndarray, chunk: int = 200_000) -> np.ndarray:
    out = np.empty(len(a))
    for i in range(0, len(a), chunk):
        out[i:i + chunk] = np.asarray(m[a[i:i + chunk]].multiply(m[b[i:i + chunk]]).sum(axis=1)).ravel()
    return out


def link_accounts(feats: pd.DataFrame, tokens: pd.DataFrame, activity: pd.DataFrame,
                  cfg: LinkConfig | None = None) -> tuple[list[Campaign], pd.DataFrame, pd.DataFrame]:
    """Find campaigns.

    Args:
        feats: one row per account (:func:`features.account_features`).
        tokens: ``account_id, kind, token`` rows; kind is ``ip``, ``org`` or ``tpl``.
        activity: ``account_id, hour, n`` rows (:func:`features.activity`).
        cfg: thresholds.

    Returns:
        (campaigns sorted by score, flagged first; per-account table with ``distill_score, campaign_id,
        campaign_score, flagged``; link table ``a, b`` plus per-kind evidence).
    """
    cfg = cfg or LinkConfig()
    feats = feats.reset_index(drop=True)
    ids = feats["account_id"].to_numpy(dtype=object)
    n = len(ids)
    index = pd.Index(ids)
    score = distill_score(feats, cfg).to_numpy()

    tokens = tokens[tokens["account_id"].isin(index)].drop_duplicates(["account_id", "kind", "token"])
    tacc = index.get_indexer(tokens["account_id"])
    key = tokens["kind"].astype(str) + "\x1f" + tokens["token"].astype(str)
    tcode, tnames = pd.factorize(key)
    df = np.bincount(tcode)
    ok = (df[tcode] >= 2) & (df[tcode] <= cfg.max_token_accounts)
    tacc, tcode = tacc[ok], tcode[ok]
    kind_of = np.array([s.split("\x1f", 1)[0] for s in tnames])
    idf = np.log(n / np.maximum(df, 1))

    rank = _rank_key(ids)
    pairs = candidate_pairs(tacc, tcode, rank, cfg)
    a, b = pairs[:, 0], pairs[:, 1]

    ev: dict[str, np.ndarray] = {}
    for kind, tk in (("infra", ("ip", "net", "org")), ("template", ("tpl",))):
        sel = np.isin(kind_of[tcode], tk)
        m = sp.csr_matrix((idf[tcode[sel]], (tacc[sel], tcode[sel])), shape=(n, len(tnames)))
        m.data = np.sqrt(m.data)  # so a shared token contributes its idf to the row product
        ev[f"{kind}_weight"] = _rowdot(m, a, b) if len(a) else np.zeros(0)
    act = activity[activity["account_id"].isin(index)]
    ai = index.get_indexer(act["account_id"])
    hcode, _ = pd.factorize(act["hour"])
    am = sp.csr_matrix((act["n"].to_numpy(float), (ai, hcode)), shape=(n, int(hcode.max()) + 1 if len(hcode) else 1))
    norms = np.sqrt(np.asarray(am.multiply(am).sum(axis=1)).ravel())
    am = sp.diags(1.0 / np.maximum(norms, 1e-12)) @ am
    ev["sync"] = _rowdot(am.tocsr(), a, b) if len(a) else np.zeros(0)
    ab = (am > 0).astype(np.float64).tocsr()
    ev["shared_hours"] = _rowdot(ab, a, b) if len(a) else np.zeros(0)
    onto_new = _onto_new(feats, cfg).to_numpy()
    kinds = np.stack([ev["infra_weight"] > 0, ev["template_weight"] > 0, (ev["sync"] >= cfg.sync_min) & (ev["shared_hours"] >= cfg.sync_min_hours),
                      onto_new[a] & onto_new[b]], axis=1) if len(a) else np.zeros((0, 4), bool)
    n_kinds = kinds.sum(axis=1)
    link = ((n_kinds >= cfg.min_kinds) & (kinds[:, 0] | (ev["sync"] >= cfg.sync_anchor))) | (
        n_kinds >= cfg.unanchored_kinds)
    links = pd.DataFrame({"a": ids[a[link]], "b": ids[b[link]], "n_kinds": n_kinds[link],
                          **{k: kinds[link, i] for i, k in enumerate(KINDS)},
                          "infra_weight": ev["infra_weight"][link], "template_weight": ev["template_weight"][link],
                          "sync": ev["sync"][link], "shared_hours": ev["shared_hours"][link]})

    g = sp.coo_matrix((np.ones(link.sum()), (a[link], b[link])), shape=(n, n))
    _, comp = connected_components(g, directed=False)
    sizes = np.bincount(comp)
    nex = feats["n_exchanges"].to_numpy()
    comp_links = pd.DataFrame({"c": comp[a[link]], "k": n_kinds[link]}).groupby("c")["k"].mean()

    campaigns: list[Campaign] = []
    big = np.flatnonzero(sizes >= cfg.min_accounts)
    in_big = np.isin(comp, big)
    members = pd.Series(np.flatnonzero(in_big)).groupby(comp[in_big]).apply(list)
    la = a[link]
    lk = pd.DataFrame({"c": comp[la], **{k: kinds[link, i] for i, k in enumerate(KINDS)}, "sync": ev["sync"][link]})
    lk = lk[np.isin(lk["c"], big)]
    link_sum = lk.groupby("c")[list(KINDS)].sum()
    link_cnt = lk.groupby("c").size()
    link_sync = lk.groupby("c")["sync"].mean()
    tb = pd.DataFrame({"c": comp[tacc], "code": tcode})
    tb = tb[np.isin(tb["c"], big)]
    shared = tb.groupby(["c", "code"]).size().rename("accounts").reset_index()
    shared = shared[shared["accounts"] >= 2].assign(kind=lambda d: kind_of[d["code"].to_numpy()])
    shared = shared.sort_values(["c", "kind", "accounts"], ascending=[True, True, False])
    top_by = {c: g for c, g in shared.groupby("c")}
    indic = ["cot_share", "synth_share", "bench_share", "capability_breadth", "template_reuse",
             "new_model_share_after", "n_ips"]
    for c in big:
        mem = np.array(members[c])
        cohesion = float(comp_links.get(c, 0.0)) / len(KINDS)
        likeness = float(np.median(score[mem]))
        s = float(np.sqrt(cohesion * likeness))
        g = top_by.get(c)
        top: dict[str, list] = {"ip": [], "net": [], "org": [], "tpl": []}
        if g is not None:
            for kd, gg in g.groupby("kind"):
                top[kd] = [{"token": tnames[code].split("\x1f", 1)[1], "accounts": int(cnt)}
                           for code, cnt in zip(gg["code"].head(5), gg["accounts"].head(5), strict=True)]
        evidence = {
            "links": int(link_cnt.get(c, 0)),
            "links_by_kind": {k: int(link_sum.at[c, k]) if c in link_sum.index else 0 for k in KINDS},
            "mean_sync": float(link_sync.get(c, 0.0)),
            "shared_ips": top["ip"], "shared_netblocks": top["net"], "shared_orgs": top["org"],
            "shared_template_buckets": int((g["kind"] == "tpl").sum()) if g is not None else 0,
            "member_indicators": {k: float(feats[k].to_numpy()[mem].astype(float).mean()) for k in indic},
        }
        campaigns.append(Campaign(campaign_id=-1, accounts=sorted(ids[mem].tolist()), n_accounts=len(mem),
                                  n_exchanges=int(nex[mem].sum()), score=s, cohesion=cohesion, likeness=likeness,
                                  flagged=likeness >= cfg.min_likeness and s >= cfg.min_score,
                                  evidence=evidence))
    campaigns.sort(key=lambda x: (not x.flagged, -x.score, -x.n_accounts, x.accounts[0]))
    acc_campaign = np.full(n, -1)
    acc_cscore = np.zeros(n)
    acc_flag = np.zeros(n, bool)
    for i, cmp in enumerate(campaigns):
        cmp.campaign_id = i
        j = index.get_indexer(cmp.accounts)
        acc_campaign[j], acc_cscore[j], acc_flag[j] = i, cmp.score, cmp.flagged
    accounts = feats.assign(distill_score=score, campaign_id=acc_campaign, campaign_score=acc_cscore,
                            flagged=acc_flag)
    accounts = accounts.sort_values(["flagged", "campaign_score", "distill_score"], ascending=False)
    return campaigns, accounts.reset_index(drop=True), links
