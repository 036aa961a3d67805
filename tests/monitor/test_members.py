"""The member test inside flagged campaigns and the attachment of neighbours to them (campaigns._member_evidence,
campaigns._attach_to_flagged), on synthetic indicator percentiles."""

import numpy as np
import pandas as pd

from distillscope.monitor.campaigns import Campaign, LinkConfig, _attach_to_flagged, _member_evidence

N_POOL, N_CAMP, N_ORD, D = 3000, 60, 20, 9


def _world(seed=0, n_ord=N_ORD):
    """Ordinary accounts: uniform percentiles; campaign accounts: percentiles shifted up on four indicators."""
    rng = np.random.default_rng(seed)
    n = N_POOL + N_CAMP
    pct = rng.uniform(size=(n, D))
    pct[N_POOL:, :4] = rng.beta(5, 2, size=(N_CAMP, 4))
    ids = np.array([f"a{i:05d}" for i in range(n)], dtype=object)
    stratum = rng.integers(0, 5, n)
    members = np.r_[np.arange(N_POOL, n), rng.choice(N_POOL, n_ord, replace=False)]
    c = Campaign(campaign_id=0, accounts=sorted(ids[members].tolist()), n_accounts=len(members), n_exchanges=0,
                 score=0.0, cohesion=0.0, likeness=0.0, flagged=True, status="flagged")
    pool = np.ones(n, bool)
    pool[N_POOL:] = False  # the flagged group's accounts leave the reference pool, as in link_accounts
    pool[members] = False
    return c, pct, stratum, pool, pd.Index(ids), ids, members


def test_known_positive_ordinary_members_set_aside_campaign_members_kept():
    c, pct, stratum, pool, index, ids, members = _world()
    _member_evidence(c, pct, stratum, pool, index, ids, np.ones(len(ids), np.int64))
    kept = set(c.accounts)
    camp = set(ids[N_POOL:])
    ordinary = set(ids[members]) - camp
    assert len(kept & camp) >= 0.85 * N_CAMP
    assert len(ordinary - kept) >= 0.6 * N_ORD
    aside = {d["account_id"] for d in c.evidence["set_aside"]}
    assert aside == set(ids[members]) - kept and c.n_accounts == len(kept)
    assert all(d["density_group"] < d["density_ordinary"] for d in c.evidence["set_aside"])


def test_null_pure_campaign_group_keeps_nearly_all_members():
    c, pct, stratum, pool, index, ids, _ = _world(seed=1, n_ord=0)
    _member_evidence(c, pct, stratum, pool, index, ids, np.ones(len(ids), np.int64))
    assert c.n_accounts >= 0.85 * N_CAMP
    assert c.n_accounts >= N_CAMP // 2  # the members at or above the group's median are never set aside


def test_attachment_then_member_test():
    c, pct, stratum, pool, index, ids, _ = _world(seed=2, n_ord=0)
    n = len(ids)
    k = 10
    rng = np.random.default_rng(3)
    idx = rng.integers(0, N_POOL, size=(n, k))  # neighbours among ordinary accounts
    out_camp, out_ord = 0, 1  # two outside accounts whose neighbours all lie in the flagged group
    idx[[out_camp, out_ord]] = rng.choice(np.arange(N_POOL, n), size=(2, k))
    pct[out_camp, :4] = 0.95  # campaign-like indicators
    pct[out_ord, :4] = 0.2
    _attach_to_flagged([c], idx, index, ids, LinkConfig())
    att = {d["account_id"] for d in c.evidence["attached_after_flagging"]}
    assert att == {ids[out_camp], ids[out_ord]}
    pool[[out_camp, out_ord]] = True
    _member_evidence(c, pct, stratum, pool, index, ids, np.ones(n, np.int64))
    assert ids[out_camp] in c.accounts and ids[out_ord] not in c.accounts


def test_attached_account_leaves_its_unflagged_group():
    c, _, _, _, index, ids, _ = _world(seed=4, n_ord=0)
    n, k = len(ids), 10
    rng = np.random.default_rng(5)
    idx = rng.integers(0, N_POOL, size=(n, k))
    idx[0] = rng.choice(np.arange(N_POOL, n), size=k)
    other = Campaign(campaign_id=1, accounts=sorted(ids[[0, 1, 2]].tolist()), n_accounts=3, n_exchanges=3, score=0.0,
                     cohesion=0.0, likeness=0.0, flagged=False)
    _attach_to_flagged([c, other], idx, index, ids, LinkConfig(), np.ones(n, np.int64))
    assert ids[0] in c.accounts and ids[0] not in other.accounts
    assert other.n_accounts == 2 and other.n_exchanges == 2
    assert other.evidence["moved_to_flagged_campaigns"] == [ids[0]]
