"""Link accounts into campaigns and flag them by a p-value against accounts resampled from the same log.

Works on the small per-account outputs of :mod:`.features` (already reduced by the engine), so it runs on the
driver with numpy/scipy whatever engine produced them.

**Links** (each keeps its evidence in the link table):

* ``content`` (needs no shared infrastructure): shared-nearest-neighbour links over the accounts' content
  signatures (:mod:`.content`: TF-IDF word signatures, LSA embedding, HNSW/exact k nearest neighbours); a link
  keeps its cosine and neighbour overlap.
* the older metadata links: candidate pairs from shared tokens (an IP, a netblock, an org/payment id, a template
  LSH bucket; a token shared by more than ``max_token_accounts`` accounts is ignored, big tokens give a ring of
  ``ring_k`` neighbours), with four evidence kinds per pair: ``infra`` (shared IP, /24 netblock or org/payment
  id; weight = sum of log(N/df)), ``template`` (shared LSH buckets), ``sync`` (cosine of hourly activity >=
  ``sync_min`` over >= ``sync_min_hours`` common hours), ``coshift`` (both moved onto a newly released model). Such
  a pair links when >= ``min_kinds`` kinds agree and one ties it to one operator (``infra``, or ``sync`` >=
  ``sync_anchor``).

**Campaigns** are connected components with at least ``min_accounts`` members. Each is tested
(:class:`.calibrate.GroupTest`): null = its members are ordinary accounts of this log; the statistic is the mean
account score (mean percentile of the indicators in ``data/indicators.yaml``) against the same statistic for
accounts drawn from the accounts that link to no group, matched on volume. P-values are Holm-adjusted over all
candidate campaigns; a campaign is **flagged** when the adjusted p-value is <= ``alpha`` and the members' mean
score lies at least ``min_effect`` pool standard deviations above the pool mean (a large benign group that is only
slightly unusual is significant but not a campaign). Then named rules (:data:`RULES`) spare what a
distiller is not: a group whose accounts (>= ``declared_org_share`` of them) pay through one organisation id is a
**declared organisation** (a lab, a translation firm, a support bot run openly under one name), and a group whose
completions are no longer than those of ordinary accounts of the same volume (long-output z < ``harvest_z``) is not
**harvesting outputs** (evaluation harnesses, labs scoring benchmarks). Both are named in the output with their
p-value and the reason, not flagged.

**Members** of a flagged campaign: the group test says the group is not ordinary, not that every member is a
distiller (a user with five prompts can land in a campaign's community). Accounts whose content neighbours lie
mostly in a flagged campaign join it as candidates (:func:`_attach_to_flagged`), then every member is kept only if
its own indicators are at least as likely under the group as under ordinary accounts (:func:`_member_evidence`);
the others are set aside and listed in the campaign's evidence. Each flagged account's evidence is its campaign's
adjusted p-value plus its own ``member_projection_sd`` and ``member_density_ratio`` in the account table.

**With a labelled benign reference** (``link_accounts(reference=...)``, :mod:`.reference`) the null is the
provider's known-good accounts instead of the log: the score test compares with them (:class:`.calibrate.GroupTest`
with ``clean=True``), a screened group must also hold fewer of them than benign groups do
(:class:`.calibrate.DepletionTest`, Holm over the screened groups, intersection-union), the member test and
``account_p`` use them, and they are never flagged. Measured on the blind simulator (300k, seeds 1/2/3, random 20%
of the benign accounts, with the reference ceiling of :func:`_above_reference`): recall 0.27/0.24/0.27 at benign
FPR 0/0.0003/0.0010 (without a reference: 0.39/0.29/0.33 at 0.0098/0.0005/0.0010); see
docs/monitor-blind-scores.md.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from distillscope.errors import InputError
from distillscope.monitor import calibrate as C
from distillscope.monitor import content as CT

KINDS = ("infra", "template", "sync", "coshift")
ALL_KINDS = (*KINDS, "content")


@dataclass
class LinkConfig:
    """Linking and flagging settings. The flag rule is a p-value (``alpha``, family-wise over candidate campaigns)
    and an effect size in units of the log's own spread; no raw-feature threshold."""

    alpha: float = 0.001
    min_effect: float = 0.5
    declared_org_share: float = 0.9
    harvest_z: float = 3.0
    knn: int = 15
    # 0.5 until the blind simulator: 0.4 measured on its seed 1 (recall 0.26 -> 0.39, FPR 0.011 -> 0.010), then
    # checked on seeds 2 and 3 (0.28 -> 0.29, 0.28 -> 0.33) and the built-in 1M logs (unchanged: recall 1.000, FPR 0)
    snn_min: float = 0.4
    embed_dims: int = 64
    embedding: str = "lsa"  # or "minilm": mean all-MiniLM-L6-v2 embedding of 8 sampled prompts (slow, optional)
    neighbour_method: str = "auto"
    content_links: bool = True
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
    resolution: float = 1.0  # Louvain resolution; see communities()
    max_rounds: int = 5
    min_after_release: int = 5
    seed: int = 0
    # also test each indicator alone (Bonferroni over them). Measured on the blind simulator (300k, seeds 1/2):
    # recall 0.26/0.28 -> 0.30/0.38 but FPR 0.011/0 -> 0.040/0.065 (student cohorts asked to show their steps are
    # unusual on chain-of-thought alone), so off
    indicator_tests: bool = False
    member_evidence: bool = True  # flagged groups keep only members whose own score supports it (_member_evidence)
    # style groups (monitor/style.py): accounts outside flagged campaigns grouped on one half of their history by
    # elicitation style and automation, tested on the other half. Off: the split removes the selection of chance
    # look-alikes, not of ordinary accounts that are persistently alike (writers, lab members), so the resampling
    # null is rejected for them too. Measured on the blind simulator (300k, seeds 1/2): recall 0.394/0.294 ->
    # 0.582/0.333 at benign FPR 0.0098/0.0005 -> 0.0212/0.0068 (chat users, research-lab members, students)
    style_groups: bool = False
    # with a labelled benign reference (link_accounts(reference=...)): the smallest group with no reference member
    # that must be able to reach alpha in the depletion test; fewer reference accounts than that needs is an error
    reference_group_size: int = 100
    # with a reference: a flagged member must lie above every reference member of its group (_above_reference)
    reference_ceiling: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Campaign:
    """One linked group of accounts, with its test against resampled accounts of the log."""

    campaign_id: int
    accounts: list[str]
    n_accounts: int
    n_exchanges: int
    score: float
    cohesion: float
    likeness: float
    flagged: bool
    p_value: float = 1.0
    p_adjusted: float = 1.0
    z: float = 0.0
    effect: float = 0.0
    status: str = "not flagged"
    reason: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_evidence(self):
        """This campaign as an :class:`~distillscope.evidence.Evidence`."""
        from distillscope.evidence import Evidence

        null = ("the members are ordinary accounts of this log (mean score of volume-matched accounts resampled "
                "from the accounts outside flagged campaigns)")
        if "p_depletion" in self.evidence:
            null = ("the members are benign accounts linked as benign accounts are: their mean score is that of "
                    "volume-matched accounts of the labelled benign reference, or they hold as many reference "
                    "accounts as benign groups of their size (intersection-union; both rejected to flag)")
        return Evidence(
            name="monitor.campaign",
            null=null,
            statistic=self.likeness, p_value=self.p_value, p_adjusted=self.p_adjusted, effect_size=self.effect,
            effect_name="(members' mean score - volume-matched pool mean) / pool sd of one account's score",
            sample_ids=list(self.accounts),
            params={"n_accounts": self.n_accounts, "n_exchanges": self.n_exchanges, "z": self.z,
                    "flagged": self.flagged, "status": self.status},
            caveats=[("the pool is the log's unlinked accounts: campaign accounts that linked to nothing are in it, "
                      "which makes the test conservative"),
                     "links are evidence of one operator, not proof; netblocks stand in for ASNs"],
            details=self.evidence)


def _onto_new(feats: pd.DataFrame, cfg: LinkConfig) -> pd.Series:
    """Traffic jumped after the release and went (almost) entirely to the new model."""
    return ((feats["shift_after_release"] >= cfg.shift_min) & (feats["new_model_share_after"] >= cfg.new_model_min)
            & (feats["n_after_release"] >= cfg.min_after_release))


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


def metadata_links(feats: pd.DataFrame, tokens: pd.DataFrame, activity: pd.DataFrame, index: pd.Index,
                   cfg: LinkConfig) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Links from shared infrastructure, templates, synchrony and co-shift (see module docstring).

    Returns:
        (links ``a, b`` as row numbers plus per-kind evidence, token bookkeeping for campaign evidence).
    """
    n = len(index)
    tokens = tokens[tokens["account_id"].isin(index)].drop_duplicates(["account_id", "kind", "token"])
    tacc = index.get_indexer(tokens["account_id"])
    key = tokens["kind"].astype(str) + "\x1f" + tokens["token"].astype(str)
    tcode, tnames = pd.factorize(key)
    df = np.bincount(tcode) if len(tcode) else np.zeros(0, np.int64)
    ok = (df[tcode] >= 2) & (df[tcode] <= cfg.max_token_accounts) if len(tcode) else np.zeros(0, bool)
    tacc, tcode = tacc[ok], tcode[ok]
    kind_of = np.array([s.split("\x1f", 1)[0] for s in tnames])
    idf = np.log(n / np.maximum(df, 1)) if len(df) else np.zeros(0)
    rank = _rank_key(index.to_numpy(dtype=object))
    pairs = candidate_pairs(tacc, tcode, rank, cfg)
    a, b = pairs[:, 0], pairs[:, 1]
    ev: dict[str, np.ndarray] = {}
    for kind, tk in (("infra", ("ip", "net", "org")), ("template", ("tpl",))):
        sel = np.isin(kind_of[tcode], tk) if len(tcode) else np.zeros(0, bool)
        m = sp.csr_matrix((idf[tcode[sel]], (tacc[sel], tcode[sel])), shape=(n, max(len(tnames), 1)))
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
    kinds = np.stack([ev["infra_weight"] > 0, ev["template_weight"] > 0,
                      (ev["sync"] >= cfg.sync_min) & (ev["shared_hours"] >= cfg.sync_min_hours),
                      onto_new[a] & onto_new[b]], axis=1) if len(a) else np.zeros((0, 4), bool)
    n_kinds = kinds.sum(axis=1)
    link = ((n_kinds >= cfg.min_kinds) & (kinds[:, 0] | (ev["sync"] >= cfg.sync_anchor))) | (
        n_kinds >= cfg.unanchored_kinds)
    links = pd.DataFrame({"a": a[link], "b": b[link], **{k: kinds[link, i] for i, k in enumerate(KINDS)},
                          "infra_weight": ev["infra_weight"][link], "template_weight": ev["template_weight"][link],
                          "sync": ev["sync"][link], "shared_hours": ev["shared_hours"][link]})
    return links, {"tacc": tacc, "tcode": tcode, "tnames": tnames, "kind_of": kind_of}


def content_links(terms: pd.DataFrame | None, prompts: pd.DataFrame | None, index: pd.Index,
                  cfg: LinkConfig) -> tuple[sp.csr_matrix | None, np.ndarray, pd.DataFrame]:
    """(signatures, k-nearest-neighbour ids, shared-nearest-neighbour links ``a, b, cosine, snn``) of the
    accounts' content (:mod:`.content`); no links without term counts or with ``cfg.content_links`` off.

    Links use content only, never the behaviour indicators: a group selected for looking alike on the indicators
    would pass the group test (its statistic is the mean indicator score) whatever it is. Measured on the blind
    simulator: adding the indicator percentiles to the embedding raised recall 0.32 -> 0.57 and benign FPR
    0.021 -> 0.103 (students who all write "show your steps" became a campaign)."""
    n = len(index)
    idx = np.zeros((n, 0), np.int64)
    clinks = pd.DataFrame({"a": np.zeros(0, np.int64), "b": np.zeros(0, np.int64), "cosine": [], "snn": []})
    if terms is None or not len(terms) or n < 2:
        return None, idx, clinks
    X = CT.signatures(terms, index)
    if not cfg.content_links or n < 3:
        return X, idx, clinks
    if cfg.embedding == "minilm":
        if prompts is None:
            raise InputError("embedding 'minilm' needs the sampled prompts (scan passes them).")
        E = CT.minilm_vectors(prompts, index)
    elif cfg.embedding == "lsa":
        E = CT.embed(X, cfg.embed_dims, cfg.seed)
    else:
        raise InputError(f"embedding must be 'lsa' or 'minilm', got {cfg.embedding!r}.")
    idx, sim = CT.neighbours(E, cfg.knn, cfg.neighbour_method, cfg.seed)
    return X, idx, CT.snn_links(idx, sim, cfg.snn_min)


def _dominant_org(tokens: pd.DataFrame, index: pd.Index) -> np.ndarray:
    """Each account's most used org/payment id ("" when none)."""
    out = np.full(len(index), "", dtype=object)
    o = tokens[(tokens["kind"] == "org") & tokens["account_id"].isin(index)]
    if len(o):
        if "n" in o:
            o = o.sort_values(["account_id", "n", "token"], ascending=[True, False, True])
        o = o.drop_duplicates("account_id")
        out[index.get_indexer(o["account_id"])] = o["token"].astype(str).to_numpy()
    return out


def communities(n: int, a: np.ndarray, b: np.ndarray, weight: np.ndarray, cfg: LinkConfig) -> np.ndarray:
    """Community label of each account: Louvain modularity communities (networkx, seeded) of the link graph with
    edge weight = number of evidence kinds. Unlike connected components, one stray link (a shared carrier NAT, two
    people who ask alike) cannot merge two groups or pour a campaign into the ordinary population.

    ``cfg.resolution`` is modularity's default 1. Modularity cannot resolve communities much smaller than
    ``sqrt(2 * links / resolution)`` (its resolution limit); a larger resolution splits more. Measured at 3: blind
    simulator recall 0.32 -> 0.40 (seed 1) and 0.22 -> 0.23 (seed 2) at lower FPR, built-in covert 0.933 -> 0.922, but
    on a 600-account log a 59-account campaign fell apart into groups too small to test, so 1 stays the default."""
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(range(n))
    order = np.lexsort((b, a))
    g.add_weighted_edges_from(zip(a[order].tolist(), b[order].tolist(), weight[order].tolist(), strict=True))
    comms = nx.community.louvain_communities(g, weight="weight", resolution=cfg.resolution, seed=cfg.seed)
    comms = sorted((sorted(c) for c in comms), key=lambda c: c[0])
    out = np.empty(n, np.int64)
    for i, c in enumerate(comms):
        out[c] = i
    return out


def _attach(comp: np.ndarray, idx: np.ndarray, cfg: LinkConfig) -> tuple[np.ndarray, pd.DataFrame]:
    """Accounts outside every group of ``min_accounts``+ whose nearest neighbours lie mostly (>= ``snn_min`` of
    ``k``) in one such group join it (one pass, so groups do not grow by chaining). Each attachment is kept as a
    ``content`` link to the account's nearest member, with ``snn`` = the share of its neighbours in the group."""
    k = idx.shape[1]
    empty = pd.DataFrame({"a": np.zeros(0, np.int64), "b": np.zeros(0, np.int64)})
    if k == 0:
        return comp, empty
    sizes = np.bincount(comp)
    big = sizes[comp] >= cfg.min_accounts
    cand = np.flatnonzero(~big)
    if len(cand) == 0:
        return comp, empty
    nb = idx[cand]
    nb_comp = np.where(big[nb], comp[nb], -1)
    out = comp.copy()
    rows = []
    for r, i in enumerate(cand):
        cs = nb_comp[r][nb_comp[r] >= 0]
        if len(cs) == 0:
            continue
        vals, cnt = np.unique(cs, return_counts=True)
        j = int(np.argmax(cnt))
        if cnt[j] >= cfg.snn_min * k:
            out[i] = vals[j]
            first = int(nb[r][nb_comp[r] == vals[j]][0])
            rows.append((min(i, first), max(i, first), cnt[j] / k))
    if not rows:
        return comp, empty
    a, b, s = map(np.array, zip(*rows, strict=True))
    return out, pd.DataFrame({"a": a.astype(np.int64), "b": b.astype(np.int64), "content": True, "snn": s,
                              "n_kinds": 1})


def _test_round(campaigns: list[Campaign], test: C.GroupTest, per_indicator: dict[str, C.GroupTest],
                index: pd.Index, cfg: LinkConfig, reference: np.ndarray | None = None) -> None:
    """Test every candidate campaign against ``test``'s pool, Holm-adjust, and apply :data:`RULES`. The z of each
    indicator (same pool, same volume matching) goes into the evidence: what makes the group unusual.

    With a labelled benign ``reference`` (boolean mask), the score test's pool is the reference, and a group must
    also hold fewer reference accounts than benign groups do (:class:`.calibrate.DepletionTest`): the score test
    screens (Holm over all groups, with the effect size), the
    depletion test confirms (Holm over the screened groups only: the screen looks at scores, the depletion test at
    which members are in the reference, which under the null is independent of their scores). A group is flagged
    only when both reject (intersection-union); its ``p_adjusted`` is the larger of the two adjusted p-values."""
    from distillscope.evidence import Evidence, holm

    dep_test = C.DepletionTest(test.score, reference) if reference is not None else None
    for cmp in campaigns:
        mem = index.get_indexer(cmp.accounts)
        cmp.p_value, cmp.z, cmp.effect = test.pvalue(mem)
        if dep_test is not None:
            p_dep, r, expected = dep_test.pvalue(mem)
            cmp.evidence.update(p_score=cmp.p_value, p_depletion=p_dep, reference_members=r,
                                reference_members_expected=expected, reference_share=dep_test.share)
        best = None
        for k, t in per_indicator.items():
            zk, ek, _ = t.z(mem)
            cmp.evidence["indicator_percentiles"][k]["z_vs_matched_pool"] = zk
            if cfg.indicator_tests and (best is None or zk > best[1]):
                best = (k, zk, ek)
        if best is not None:
            # the group may be unusual on one or two indicators (long outputs, detail) and ordinary on the rest,
            # which the mean score dilutes: the smallest of the composite's and the indicators' p-values,
            # Bonferroni-corrected over the 1 + len(per_indicator) tests made on the group
            from scipy.stats import norm

            m = 1 + len(per_indicator)
            p_ind = float(norm.sf(best[1]))
            if p_ind < cmp.p_value:
                cmp.p_value, cmp.z, cmp.effect = p_ind, best[1], best[2]
                cmp.evidence["deciding_test"] = best[0]
            else:
                cmp.evidence["deciding_test"] = "score"
            cmp.p_value = min(1.0, cmp.p_value * m)
    evs = holm([Evidence(name="c", null="", statistic=0.0, p_value=c.p_value) for c in campaigns])
    for cmp, e in zip(campaigns, evs, strict=True):
        cmp.p_adjusted = float(e.p_adjusted)
    if reference is not None:
        screened = [c for c in campaigns if c.p_adjusted <= cfg.alpha and c.effect >= cfg.min_effect]
        dep = holm([Evidence(name="d", null="", statistic=0.0, p_value=c.evidence["p_depletion"]) for c in screened])
        for cmp in campaigns:
            cmp.evidence["p_depletion_adjusted"] = None
            cmp.p_value = max(cmp.p_value, cmp.evidence["p_depletion"])
            cmp.p_adjusted = max(cmp.p_adjusted, cmp.evidence["p_depletion"])
        for cmp, e in zip(screened, dep, strict=True):
            cmp.evidence["p_depletion_adjusted"] = float(e.p_adjusted)
            cmp.p_adjusted = max(cmp.p_adjusted, float(e.p_adjusted))
    for cmp in campaigns:
        cmp.flagged = False
        for rule in RULES:
            verdict = rule(cmp, cfg)
            if verdict is not None:
                cmp.status, cmp.reason = verdict
                cmp.flagged = cmp.status == "flagged"
                break


def _not_significant(c: Campaign, cfg: LinkConfig) -> tuple[str, str] | None:
    if c.p_adjusted <= cfg.alpha and c.effect >= cfg.min_effect:
        return None
    e = c.evidence
    if e.get("p_depletion_adjusted") is not None and e["p_depletion_adjusted"] > cfg.alpha:
        # passed the score screen against the reference, but holds known-good accounts like a benign group
        return "holds known-good accounts", (
            f"unusual against the benign reference (score p={e['p_score']:.2g}, effect {c.effect:.2f} sd) but it "
            f"holds {e['reference_members']} reference accounts where benign groups of its size hold "
            f"{e['reference_members_expected']:.1f} (depletion p_adj={e['p_depletion_adjusted']:.2g}): a benign "
            f"population that asks alike (students, writers, a lab) or a campaign mixed with one; not flagged, review")
    return "not flagged", (f"not unusual enough: p_adj={c.p_adjusted:.2g} (alpha {cfg.alpha}), effect "
                           f"{c.effect:.2f} sd (min {cfg.min_effect})")


def _declared_organisation(c: Campaign, cfg: LinkConfig) -> tuple[str, str] | None:
    share = c.evidence["top_org_share"]
    if share < cfg.declared_org_share:
        return None
    return "declared organisation", (
        f"{share:.0%} of the accounts pay through one organisation id ({c.evidence['top_org']}): a customer's own "
        f"workload (benchmarks, translation, a support bot) run openly under one name; unusual "
        f"(p_adj={c.p_adjusted:.2g}, effect {c.effect:.2f} sd) but not hidden: not flagged, review with the customer")


def _no_output_harvest(c: Campaign, cfg: LinkConfig) -> tuple[str, str] | None:
    """Distillation harvests outputs (reasoning traces, exhaustive answers): a group whose completions are no
    longer than those of ordinary accounts of the same volume is not harvesting them. Evaluation harnesses and
    research labs scoring benchmarks (short answers) land here; a campaign that distils short labels would too,
    so the group is named with its p-value, not dropped."""
    ind = c.evidence["indicator_percentiles"]
    z_long = ind.get("long_output_share", {}).get("z_vs_matched_pool", np.inf)
    if z_long >= cfg.harvest_z:
        return None
    bench = c.evidence["member_bench_share"]
    what = ("benchmark evaluation", f"{bench:.0%} of the members' prompts are benchmark-shaped and their outputs")\
        if bench >= 0.5 else ("short outputs", "the members' outputs")
    return what[0], (
        f"{what[1]} are no longer than those of ordinary accounts of the same volume (long-output z={z_long:.1f} "
        f"< {cfg.harvest_z}): an evaluation harness or a lab collects short answers, a distiller harvests long "
        f"outputs; unusual otherwise (p_adj={c.p_adjusted:.2g}, effect {c.effect:.2f} sd): not flagged, review or "
        f"dismiss")


def _attach_to_flagged(campaigns: list[Campaign], idx: np.ndarray, index: pd.Index, ids: np.ndarray,
                       cfg: LinkConfig, nex: np.ndarray | None = None) -> None:
    """An account outside every flagged campaign whose content neighbours lie mostly (>= ``snn_min`` of ``k``) in
    one flagged campaign becomes a candidate member of it (Louvain may have put it in an unflagged community, or
    none); it is then flagged only if it passes the same member test as the linked members
    (:func:`_member_evidence`). Each candidate's neighbour share goes into the evidence."""
    k = idx.shape[1]
    fl = [c for c in campaigns if c.flagged]
    if k == 0 or not fl:
        return
    lab = np.full(len(ids), -1)
    for j, c in enumerate(fl):
        lab[index.get_indexer(c.accounts)] = j
    out = np.flatnonzero(lab < 0)
    nb = lab[idx[out]]
    moved: set[str] = set()
    for j, c in enumerate(fl):
        share = (nb == j).sum(axis=1) / k
        new = out[share >= cfg.snn_min]
        if len(new):
            c.evidence["attached_after_flagging"] = [{"account_id": str(ids[i]), "neighbour_share": float(s_)}
                                                     for i, s_ in zip(new, share[share >= cfg.snn_min], strict=True)]
            c.accounts = sorted(c.accounts + ids[new].tolist())
            moved.update(ids[new].tolist())
    for c in campaigns:  # an attached account leaves the unflagged group it was in (tested as it was)
        if not c.flagged and moved.intersection(c.accounts):
            left = [a for a in c.accounts if a in moved]
            c.evidence["moved_to_flagged_campaigns"] = left
            c.accounts = [a for a in c.accounts if a not in moved]
            c.n_accounts = len(c.accounts)
            if nex is not None:
                c.n_exchanges = int(nex[index.get_indexer(c.accounts)].sum())


def _kde(x: np.ndarray, at: np.ndarray, leave_out: bool = False) -> np.ndarray:
    """Gaussian kernel density of the sample ``x`` at ``at`` (Silverman's bandwidth); ``leave_out``: ``at`` is
    ``x`` itself and each point's own kernel is left out."""
    x = np.asarray(x, float)
    n = len(x)
    if n < 2 + leave_out:
        return np.full(len(at), np.nan)
    sd = float(np.std(x, ddof=1))
    iqr = float(np.subtract(*np.percentile(x, [75, 25])))
    h = 0.9 * min(sd, iqr / 1.34 if iqr > 0 else sd) * n ** -0.2
    h = max(h, 1e-3)
    out = np.empty(len(at))
    for i in range(0, len(at), 1024):  # blockwise: a group of 10^4 members stays small in memory
        d = (at[i:i + 1024, None] - x[None, :]) / h
        out[i:i + 1024] = np.exp(-0.5 * d * d).sum(axis=1)
    if leave_out:
        out -= 1.0
    return out / ((n - leave_out) * h * np.sqrt(2 * np.pi))


def _member_evidence(c: Campaign, pct: np.ndarray, stratum: np.ndarray, pool: np.ndarray, index: pd.Index,
                     ids: np.ndarray, nex: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which members of a flagged group carry its evidence themselves.

    Links put some ordinary accounts into a campaign's community (a user with five prompts whose words happen to
    lie near the campaign's). Each member's indicator percentiles are standardised within its volume stratum
    against the pool of the group test, and projected on the direction that separates the group from the pool
    (Fisher's discriminant: pool covariance^-1 times the group's mean). The group's density of that projection is
    a mixture ``f_group = pi f_campaign + (1 - pi) f_pool``, so ``f_group(y) >= f_pool(y)`` exactly when
    ``f_campaign(y) >= f_pool(y)``, whatever the mixing share ``pi``: a member stays flagged when its projection is
    at least as likely under the group's other members (leave-one-out kernel density) as under the ordinary
    accounts, or lies at or above the group's median projection. The others are set aside: listed in the evidence
    with both densities, not flagged. No constant is fitted: both densities come from this log.

    Returns:
        (row numbers of all tested members, their projection in pool sd, density ratio group / ordinary).
    """
    mem = index.get_indexer(c.accounts)
    Z = np.zeros_like(pct)
    for s_ in np.unique(stratum):
        sel = stratum == s_
        ref = pct[pool & sel] if (pool & sel).sum() >= 10 else pct[pool]
        Z[sel] = (pct[sel] - ref.mean(axis=0)) / np.maximum(ref.std(axis=0), 1e-6)
    cov = np.cov(Z[pool], rowvar=False) + 1e-3 * np.eye(Z.shape[1])
    w = np.linalg.solve(cov, Z[mem].mean(axis=0))
    y = Z @ w
    y_pool = y[pool]
    y_pool = (y_pool - y_pool.mean()) / max(float(y_pool.std()), 1e-9)
    x = (y[mem] - y[pool].mean()) / max(float(y[pool].std()), 1e-9)
    f_group = _kde(x, x, leave_out=True)
    f_pool = _kde(y_pool, x)
    # NaN (a group too small for a density) keeps the member; so does a projection at or above the group's median
    # (the likelihood ratio is taken to rise with the projection; kernel tails are noisy at the group's top end)
    keep = ~(f_group < f_pool) | (x >= np.median(x))
    order = np.argsort(-x, kind="stable")
    c.evidence["member_test"] = (
        "a member is flagged when its discriminant projection (indicators standardised within its volume stratum) "
        "is at least as likely under the group's other members (leave-one-out kernel density) as under ordinary "
        "accounts")
    c.evidence["set_aside"] = [{"account_id": str(ids[mem[i]]), "projection_sd": float(x[i]),
                                "density_group": float(f_group[i]), "density_ordinary": float(f_pool[i])}
                               for i in order if not keep[i]]
    c.evidence["linked_accounts"] = len(mem)
    c.accounts = sorted(ids[mem[keep]].tolist())
    c.n_accounts = int(keep.sum())
    c.n_exchanges = int(nex[mem[keep]].sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        lr = f_group / f_pool
    return mem, x, lr


def _flagged(c: Campaign, cfg: LinkConfig) -> tuple[str, str] | None:
    if "p_depletion" in c.evidence:
        return "flagged", (
            f"members' mean score {c.likeness:.3f} is {c.effect:.2f} sd above the benign reference "
            f"(p={c.evidence['p_score']:.2g}, z={c.z:.1f}) and the group holds {c.evidence['reference_members']} "
            f"reference accounts where benign groups of its size hold {c.evidence['reference_members_expected']:.1f} "
            f"(p={c.evidence['p_depletion']:.2g}); p_adj={c.p_adjusted:.2g}")
    return "flagged", (f"members' mean score {c.likeness:.3f} is {c.effect:.2f} pool sd above ordinary accounts of "
                       f"this log (p_adj={c.p_adjusted:.2g}, z={c.z:.1f})")


def _add_style_groups(campaigns: list[Campaign], halves: pd.DataFrame, index: pd.Index, ids: np.ndarray,
                      pool: np.ndarray, stratum: np.ndarray, org: np.ndarray, nex: np.ndarray, cfg: LinkConfig,
                      member_proj: np.ndarray, member_lr: np.ndarray,
                      reference: np.ndarray | None = None) -> np.ndarray:
    """Flag the style groups (:func:`.style.style_groups`: grouped on one half of each account's history, tested on
    the other) that pass ``alpha`` and ``min_effect`` and no named rule, keeping the members that pass the member
    test on the test half; each becomes a campaign with ``evidence["kind"] == "style"``. Returns the new pool
    (the flagged members leave it). Style groups that are not flagged are not listed: their accounts already
    appear in the content groups. With a labelled ``reference`` (mask), ``pool`` is the accounts outside flagged
    campaigns (reference accounts included: they are grouped like every benign account), the tests use the
    reference as the ordinary accounts, and reference members of a flagged group are dropped from it."""
    from distillscope.monitor import style as S

    groups, P = S.style_groups(halves, index, pool, stratum, cfg, reference=reference)
    pool = pool.copy()
    for g in sorted(groups, key=lambda x: (x.p_adjusted, -len(x.members))):
        m = g.members[pool[g.members]]  # an account flagged by an earlier style group stays there
        if len(m) < cfg.min_accounts or g.p_adjusted > cfg.alpha or g.effect < cfg.min_effect:
            continue
        orgs = pd.Series(org[m])
        orgs = orgs[orgs != ""]
        org_share = float(orgs.value_counts().iloc[0] / len(m)) if len(orgs) else 0.0
        if org_share >= cfg.declared_org_share or g.z_long < cfg.harvest_z:
            continue
        why = (f"grouped by elicitation style and automation on half {g.grouped_on} of each account's history, "
               f"tested on half {g.tested_on}: unusual in both (elicitation p={g.p_elicitation:.2g}, automation "
               f"p={g.p_automation:.2g}; p_adj={g.p_adjusted:.2g} over {len(groups)} style groups, effect "
               f"{g.effect:.2f} sd; long-output z={g.z_long:.1f})")
        if reference is not None:
            why += (f"; {g.reference_members} reference accounts where benign groups of its size hold "
                    f"{g.reference_expected:.1f} (p={g.p_depletion:.2g})")
        ind = P[g.tested_on][m].mean(axis=0)
        c = Campaign(campaign_id=-1, accounts=sorted(ids[m].tolist()), n_accounts=len(m),
                     n_exchanges=int(nex[m].sum()), score=float(P[g.tested_on][m].mean()), cohesion=0.0,
                     likeness=float(P[g.tested_on][m].mean()), flagged=True, p_value=g.p_value,
                     p_adjusted=g.p_adjusted, z=g.z, effect=g.effect, status="flagged", reason=why,
                     evidence={"kind": "style", "links": 0, "links_by_kind": dict.fromkeys(ALL_KINDS, 0),
                               "shared_words": [], "shared_ips": [], "shared_netblocks": [], "shared_orgs": [],
                               "grouped_on_half": g.grouped_on, "tested_on_half": g.tested_on,
                               "p_elicitation": g.p_elicitation, "p_automation": g.p_automation,
                               "long_output_z": g.z_long, "top_org_share": org_share,
                               "test_half_mean_percentiles": dict(zip(S.COLUMNS, map(float, ind), strict=True))})
        if cfg.member_evidence and c.accounts:
            j, x, lr = _member_evidence(c, P[g.tested_on], stratum, pool if reference is None else reference, index,
                                        ids, nex)
            member_proj[j], member_lr[j] = x, lr
            c.evidence["_tested_rows"] = j
        if reference is not None:  # as for content groups (_members): ceiling, then the reference members leave
            c.evidence.update(p_depletion=g.p_depletion, reference_members=g.reference_members,
                              reference_members_expected=g.reference_expected)
            if cfg.member_evidence and cfg.reference_ceiling:
                _above_reference(c, reference, index, nex, member_proj)
            _drop_reference(c, reference, index, nex)
        c.evidence.pop("_tested_rows", None)
        if c.n_accounts:
            campaigns.append(c)
            pool[index.get_indexer(c.accounts)] = False
    return pool


def reference_check(n_reference: int, n_accounts: int, cfg: LinkConfig) -> None:
    """Raise :class:`InputError` when ``n_reference`` known-good accounts among ``n_accounts`` are too few: the score
    test matches volume on deciles (at least 5 reference accounts in each: 50), and a group of
    ``cfg.reference_group_size`` accounts with no reference member must reach ``cfg.alpha`` in the depletion test
    (:func:`.calibrate.reference_needed`)."""
    need = max(50, C.reference_needed(n_accounts, cfg.alpha, cfg.reference_group_size))
    if n_reference < need:
        raise InputError(
            f"the benign reference holds {n_reference} of the log's {n_accounts} accounts; at alpha {cfg.alpha} it "
            f"needs at least {need} (so that a group of {cfg.reference_group_size} accounts with none of them can "
            f"reach alpha, and each volume decile has 5): add known-good accounts, or raise alpha / "
            f"LinkConfig.reference_group_size.")


def reference_mask(reference: Collection[str], index: pd.Index, cfg: LinkConfig) -> np.ndarray:
    """Boolean mask over ``index`` of the reference account ids; unknown ids and too few ids are errors."""
    ref = pd.Index(pd.unique(pd.Series(list(reference), dtype=object).astype(str)))
    unknown = ref[~ref.isin(index)]
    if len(unknown):
        ex = ", ".join(map(repr, unknown[:5].tolist()))
        raise InputError(f"{len(unknown)} of the {len(ref)} benign-reference account ids are not in the log (e.g. "
                         f"{ex}): remove them, or pass the traffic that holds them as a reference log.")
    reference_check(len(ref), len(index), cfg)
    return np.asarray(index.isin(ref), bool)


def _above_reference(c: Campaign, ref_mask: np.ndarray, index: pd.Index, nex: np.ndarray,
                     member_proj: np.ndarray) -> None:
    """Keep only the members whose member-test projection lies above that of every reference member the group
    linked: its reference members are a random sample of its benign members, so of its ``b`` benign members about
    ``b / (r + 1)`` lie above the highest of its ``r`` reference members. Measured on the blind simulator (300k,
    seeds 1 / 2, link step): with a random 50% of the benign accounts as reference, benign FPR 0.051 / 0.086 -> 0.0036
    / 0.0035 (recall 0.53 / 0.47 -> 0.44 / 0.37); with 20%, 0.0019 / 0.0006 -> 0.0016 / 0.0006 (recall 0.328 / 0.278
    -> 0.319 / 0.278). Dropped members are listed in ``evidence["below_highest_reference_member"]``."""
    mem = index.get_indexer(c.accounts)
    linked = c.evidence.pop("_tested_rows", None)
    if linked is None:
        return
    refs = linked[ref_mask[linked]]
    if not len(refs):
        return
    t = float(np.nanmax(member_proj[refs]))
    keep = ~(member_proj[mem] <= t) | ref_mask[mem]
    if keep.all():
        return
    _keep_members(c, keep, "below_highest_reference_member", nex[mem])


def _drop_reference(c: Campaign, ref_mask: np.ndarray, index: pd.Index, nex: np.ndarray) -> None:
    """Known-good accounts in a flagged campaign are never flagged: listed in its evidence, dropped from it."""
    j = index.get_indexer(c.accounts)
    keep = ~ref_mask[j]
    if keep.all():
        return
    _keep_members(c, keep, "reference_members_not_flagged", nex[j])


def _keep_members(c: Campaign, keep: np.ndarray, why: str, member_exchanges: np.ndarray) -> None:
    """Drop the members of ``c`` where ``keep`` is false, listing them in ``c.evidence[why]``; its counts follow
    (``member_exchanges``: each member's exchange count, in ``c.accounts`` order)."""
    c.evidence[why] = [a for a, k in zip(c.accounts, keep, strict=True) if not k]
    c.accounts = [a for a, k in zip(c.accounts, keep, strict=True) if k]
    c.n_accounts = len(c.accounts)
    c.n_exchanges = int(member_exchanges[keep].sum())


def _test_rounds(campaigns: list[Campaign], score: np.ndarray, pct: pd.DataFrame, stratum: np.ndarray,
                 index: pd.Index, cfg: LinkConfig, ref_mask: np.ndarray | None) -> np.ndarray:
    """Test rounds (:func:`_test_round`) until the pool stops changing; returns the last pool."""
    n = len(score)
    pool = np.ones(n, bool) if ref_mask is None else ref_mask
    clean = ref_mask is not None
    for _ in range(cfg.max_rounds):
        # the null pool is every account outside the campaigns flagged so far (all accounts in the first round):
        # flagged accounts are not ordinary, so they leave the reference and the next round is sharper. With a
        # labelled reference the pool is the reference, whatever is flagged: one round.
        per = {k: C.GroupTest(pct[k].to_numpy(), stratum, pool=pool, clean=clean) for k in pct.columns}
        _test_round(campaigns, C.GroupTest(score, stratum, pool=pool, seed=cfg.seed, clean=clean), per, index, cfg,
                    reference=ref_mask)
        if clean:
            break
        new_pool = np.ones(n, bool)
        for cmp in campaigns:
            if cmp.flagged:
                new_pool[index.get_indexer(cmp.accounts)] = False
        if (new_pool == pool).all():
            break
        pool = new_pool
    return pool


def _members(campaigns: list[Campaign], idx: np.ndarray, index: pd.Index, ids: np.ndarray, cfg: LinkConfig,
             nex: np.ndarray, pct: np.ndarray, stratum: np.ndarray, pool: np.ndarray, ref_mask: np.ndarray | None,
             member_proj: np.ndarray, member_lr: np.ndarray) -> list[Campaign]:
    """Attach neighbours to flagged campaigns, run the member test (filling ``member_proj`` and ``member_lr``), drop
    reference accounts; returns the campaigns that still have accounts.

    With a reference, its accounts inside a flagged group go through the member test like the others (they are a
    random sample of the group's benign members), then are dropped: the number of them the test kept, divided by
    the reference's share of benign accounts, estimates how many benign accounts the campaign still flags
    (``estimated_benign_flagged`` in its evidence)."""
    if cfg.member_evidence:
        _attach_to_flagged(campaigns, idx, index, ids, cfg, nex)
        campaigns = [c for c in campaigns if c.accounts]
    for cmp in campaigns:
        if cfg.member_evidence and cmp.flagged and cmp.accounts:
            j, x, lr = _member_evidence(cmp, pct, stratum, pool, index, ids, nex)
            member_proj[j], member_lr[j] = x, lr
            cmp.evidence["_tested_rows"] = j
        if cmp.flagged and ref_mask is not None:
            kept = int(ref_mask[index.get_indexer(cmp.accounts)].sum())
            share = cmp.evidence.get("reference_share") or float(ref_mask.mean())
            cmp.evidence.update(reference_members_kept_by_member_test=kept,
                                estimated_benign_flagged=kept / max(share, 1e-9))
            if cfg.member_evidence and cfg.reference_ceiling:
                _above_reference(cmp, ref_mask, index, nex, member_proj)
            _drop_reference(cmp, ref_mask, index, nex)
        cmp.evidence.pop("_tested_rows", None)
    return [c for c in campaigns if c.accounts]


#: The flag decision, as an ordered list of named rules: the first that returns a verdict decides.
RULES = (_not_significant, _declared_organisation, _no_output_harvest, _flagged)


def link_accounts(feats: pd.DataFrame, tokens: pd.DataFrame, activity: pd.DataFrame,
                  cfg: LinkConfig | None = None, terms: pd.DataFrame | None = None,
                  vocab: list[str] | None = None, prompts: pd.DataFrame | None = None,
                  halves: pd.DataFrame | None = None,
                  reference: Collection[str] | None = None) -> tuple[list[Campaign], pd.DataFrame, pd.DataFrame]:
    """Find campaigns and test them.

    Args:
        feats: one row per account (:func:`features.account_features`).
        tokens: ``account_id, kind, token[, n]`` rows; kind is ``ip``, ``net``, ``org`` or ``tpl``.
        activity: ``account_id, hour, n`` rows (:func:`features.activity`).
        cfg: settings.
        terms: ``account_id, term, n`` rows (:func:`features.term_counts`) for content signatures and links.
        vocab: the words behind the term ids (for the words each campaign shares, in its evidence).
        prompts: sampled prompts ``account_id, pid, p``, needed only for ``cfg.embedding == "minilm"``.
        halves: :func:`features.half_features` rows, for the style groups (:mod:`.style`; skipped without them
            or with ``cfg.style_groups`` off).
        reference: ids of known-good accounts of this log (a labelled benign reference: long-standing accounts,
            verified organisations, accounts reviewed by trust & safety). With it the null of every test comes from
            these accounts instead of the log's own: the group score test and the member test use them as the
            ordinary accounts, each group must also hold fewer of them than benign groups do
            (:class:`.calibrate.DepletionTest`), ``account_p`` is the account's rank among them, and they are
            never flagged. Unknown ids, or fewer than :func:`reference_check` asks for, are an
            :class:`~distillscope.errors.InputError`.

    Returns:
        (campaigns, flagged first then by z; per-account table with ``distill_score`` (mean indicator
        percentile), ``account_p``, ``pct_*`` indicator percentiles, ``campaign_id``, ``campaign_p``,
        ``flagged``, and for the accounts tested as members of a flagged campaign ``member_projection_sd`` and
        ``member_density_ratio`` (:func:`_member_evidence`; NaN elsewhere); link table ``a, b`` plus per-kind
        evidence, ``cosine`` and ``snn`` for content links).
    """
    cfg = cfg or LinkConfig()
    feats = feats.reset_index(drop=True)
    ids = feats["account_id"].to_numpy(dtype=object)
    n = len(ids)
    index = pd.Index(ids)
    ref_mask = reference_mask(reference, index, cfg) if reference is not None else None

    mlinks, tok = metadata_links(feats, tokens, activity, index, cfg)
    feats = C.derived_columns(feats)
    pct, score = C.account_scores(feats)
    X, idx, clinks = content_links(terms, prompts, index, cfg)
    links = pd.concat([mlinks.assign(content=False, cosine=np.nan, snn=np.nan),
                       clinks.assign(content=True, **dict.fromkeys(KINDS, False))], ignore_index=True)
    links = (links.sort_values(["a", "b", "content"]).groupby(["a", "b"], as_index=False)
             .agg({**{k: "max" for k in (*KINDS, "content")},
                   **{c: "max" for c in ("infra_weight", "template_weight", "sync", "shared_hours", "cosine", "snn")}}))
    la, lb = links["a"].to_numpy(np.int64), links["b"].to_numpy(np.int64)
    kinds = links[list(ALL_KINDS)].to_numpy(bool)
    links["n_kinds"] = kinds.sum(axis=1)
    comp = communities(n, la, lb, links["n_kinds"].to_numpy(float), cfg)
    comp, attached = _attach(comp, idx, cfg)
    if len(attached):
        links = pd.concat([links, attached.assign(**dict.fromkeys(KINDS, False))], ignore_index=True)
        la, lb = links["a"].to_numpy(np.int64), links["b"].to_numpy(np.int64)
        kinds = links[list(ALL_KINDS)].to_numpy(bool)
    sizes = np.bincount(comp)
    big = np.flatnonzero(sizes >= cfg.min_accounts)
    in_big = np.isin(comp, big)
    if X is not None:  # reported only: distance from the accounts that join no group
        feats["atypicality"] = CT.atypicality(X, reference=~in_big if (~in_big).sum() >= 10 else None)
    stratum = C.strata(feats["n_exchanges"].to_numpy())
    org = _dominant_org(tokens, index)
    nex = feats["n_exchanges"].to_numpy()
    members = pd.Series(np.flatnonzero(in_big)).groupby(comp[in_big]).apply(list) if in_big.any() else {}
    lc = np.where(comp[la] == comp[lb], comp[la], -1)
    lk = pd.DataFrame({"c": lc, **{k: kinds[:, i] for i, k in enumerate(ALL_KINDS)},
                       "nk": kinds.sum(axis=1), "cosine": links["cosine"].to_numpy(float),
                       "snn": links["snn"].to_numpy(float)})
    lk = lk[np.isin(lk["c"], big)]
    by_c = dict(tuple(lk.groupby("c"))) if len(lk) else {}
    tacc, tcode, tnames, kind_of = tok["tacc"], tok["tcode"], tok["tnames"], tok["kind_of"]
    tb = pd.DataFrame({"c": comp[tacc], "code": tcode})
    tb = tb[np.isin(tb["c"], big)]
    shared = tb.groupby(["c", "code"]).size().rename("accounts").reset_index()
    shared = shared[shared["accounts"] >= 2].assign(kind=lambda d: kind_of[d["code"].to_numpy()])
    shared = shared.sort_values(["c", "kind", "accounts"], ascending=[True, True, False])
    top_by = dict(tuple(shared.groupby("c"))) if len(shared) else {}
    why = {k: v["why"] for k, v in C.indicators().items()}

    campaigns: list[Campaign] = []
    for c in big:
        mem = np.array(members[c])
        p, z, eff = 1.0, 0.0, 0.0
        L = by_c.get(c)
        cohesion = float(L["nk"].mean()) / len(ALL_KINDS) if L is not None else 0.0
        likeness = float(np.mean(score[mem]))
        orgs = pd.Series(org[mem])
        orgs = orgs[orgs != ""]
        top_org, org_share = (str(orgs.value_counts().index[0]), float(orgs.value_counts().iloc[0] / len(mem))) \
            if len(orgs) else ("", 0.0)
        gt = top_by.get(c)
        top: dict[str, list] = {"ip": [], "net": [], "org": [], "tpl": []}
        if gt is not None:
            for kd, gg in gt.groupby("kind"):
                top[kd] = [{"token": tnames[code].split("\x1f", 1)[1], "accounts": int(cnt)}
                           for code, cnt in zip(gg["code"].head(5), gg["accounts"].head(5), strict=True)]
        ind = pct.iloc[mem].mean()
        evidence = {
            "kind": "links",
            "links": len(L) if L is not None else 0,
            "links_by_kind": {k: int(L[k].sum()) if L is not None else 0 for k in ALL_KINDS},
            "content_links_mean_cosine": float(L.loc[L["content"], "cosine"].mean())
            if L is not None and L["content"].any() else None,
            "content_links_mean_snn": float(L.loc[L["content"], "snn"].mean())
            if L is not None and L["content"].any() else None,
            "shared_words": CT.shared_terms(X, mem, vocab) if X is not None else [],
            "shared_ips": top["ip"], "shared_netblocks": top["net"], "shared_orgs": top["org"],
            "shared_template_buckets": int((gt["kind"] == "tpl").sum()) if gt is not None else 0,
            "indicator_percentiles": {k: {"mean_percentile": float(ind[k]), "why": why[k]} for k in ind.index},
            "top_org": top_org, "top_org_share": org_share,
            "member_bench_share": float(np.median(feats["bench_share"].to_numpy(float)[mem])),
        }
        campaigns.append(Campaign(campaign_id=-1, accounts=sorted(ids[mem].tolist()), n_accounts=len(mem),
                                  n_exchanges=int(nex[mem].sum()), score=likeness, cohesion=cohesion,
                                  likeness=likeness, flagged=False, p_value=p, z=z, effect=eff,
                                  evidence=evidence))
    clean = ref_mask is not None
    pool = _test_rounds(campaigns, score, pct, stratum, index, cfg, ref_mask)
    member_proj = np.full(n, np.nan)
    member_lr = np.full(n, np.nan)
    campaigns = _members(campaigns, idx, index, ids, cfg, nex, pct.to_numpy(), stratum, pool, ref_mask,
                         member_proj, member_lr)
    if cfg.style_groups and halves is not None and len(halves):
        outside = np.ones(n, bool)
        for cmp in campaigns:
            if cmp.flagged:
                outside[index.get_indexer(cmp.accounts)] = False
        outside = _add_style_groups(campaigns, halves, index, ids, outside if clean else pool, stratum, org, nex,
                                    cfg, member_proj, member_lr, reference=ref_mask)
        if not clean:
            pool = outside
    ref = np.sort(score[pool] if pool.sum() >= 10 else score)
    account_p = (1 + len(ref) - np.searchsorted(ref, score - 1e-12, side="left")) / (1 + len(ref))
    campaigns.sort(key=lambda x: (not x.flagged, -x.z, -x.n_accounts, x.accounts[0]))
    acc_campaign = np.full(n, -1)
    acc_cp = np.ones(n)
    acc_flag = np.zeros(n, bool)
    for i, cmp in enumerate(campaigns):
        cmp.campaign_id = i
        j = index.get_indexer(cmp.accounts)
        acc_campaign[j], acc_cp[j], acc_flag[j] = i, cmp.p_adjusted, cmp.flagged
    accounts = feats.assign(distill_score=score, account_p=account_p, campaign_id=acc_campaign,
                            campaign_p=acc_cp, campaign_score=np.where(acc_campaign >= 0, score, 0.0),
                            flagged=acc_flag, member_projection_sd=member_proj, member_density_ratio=member_lr,
                            reference=ref_mask if ref_mask is not None else np.zeros(n, bool),
                            **{f"pct_{k}": pct[k].to_numpy() for k in pct.columns})
    accounts = accounts.sort_values(["flagged", "campaign_p", "distill_score"], ascending=[False, True, False])
    out_links = links.assign(a=ids[la], b=ids[lb])
    return campaigns, accounts.reset_index(drop=True), out_links
