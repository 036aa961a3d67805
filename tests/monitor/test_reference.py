"""A labelled benign reference as the null (monitor/reference.py, calibrate.DepletionTest,
GroupTest(clean=True), link_accounts(reference=...), scan(reference=...), monitor scan --benign-reference)."""

import json

import numpy as np
import pyarrow.parquet as pq
import pytest

from distillscope.errors import InputError
from distillscope.monitor import calibrate as C
from distillscope.monitor.campaigns import LinkConfig, reference_check
from distillscope.monitor.reference import parse_reference, read_ids
from distillscope.monitor.scan import scan
from distillscope.monitor.simulate import SimConfig, simulate
from distillscope.stats.intervals import binomial_interval


def _world(rng, n_benign=3000, n_camp=1500, ref_share=0.2):
    """Benign and campaign accounts with overlapping scores; a random ``ref_share`` of the benign in the reference."""
    score = np.r_[rng.beta(2, 3, n_benign), rng.beta(3, 2, n_camp)]
    camp = np.r_[np.zeros(n_benign, bool), np.ones(n_camp, bool)]
    ref = np.zeros(len(score), bool)
    ref[rng.choice(n_benign, int(ref_share * n_benign), replace=False)] = True
    return score, camp, ref


def test_depletion_null_fpr_within_alpha_and_known_positive():
    """Benign groups (drawn without looking at the labels) of 10-200 accounts, in logs where campaigns are a third
    of the accounts: rejection rate <= alpha; a pure campaign group is depleted."""
    rng = np.random.default_rng(0)
    alpha, ps = 0.05, []
    for _ in range(1500):
        score, camp, ref = _world(rng, n_benign=1000, n_camp=500)
        test = C.DepletionTest(score, ref)
        g = rng.choice(np.flatnonzero(~camp), int(rng.integers(10, 200)), replace=False)
        ps.append(test.pvalue(g)[0])
    ps = np.array(ps)
    lo, hi = binomial_interval(int((ps <= alpha).sum()), len(ps), confidence=0.99)
    assert lo <= alpha  # valid (conservative: campaign accounts among the low scorers dilute the comparison)
    assert hi > 0.01  # and not vacuous
    # the same without campaigns (no dilution): close to exact
    ps0 = []
    for _ in range(800):
        score, camp, ref = _world(rng, n_benign=1500, n_camp=0)
        g = rng.choice(len(score), int(rng.integers(10, 200)), replace=False)
        ps0.append(C.DepletionTest(score, ref).pvalue(g)[0])
    lo, hi = binomial_interval(int((np.array(ps0) <= alpha).sum()), len(ps0), confidence=0.99)
    assert lo <= alpha and hi > 0.02
    # known positive: a pure campaign group holds no reference account
    score, camp, ref = _world(rng)
    test = C.DepletionTest(score, ref)
    p, r, expected = test.pvalue(np.flatnonzero(camp)[:80])
    assert r == 0 and expected > 10 and p < 1e-5
    assert test.pvalue(np.flatnonzero(camp)[:20])[0] > 1e-3  # small groups cannot reach a family-wise alpha


@pytest.mark.parametrize("k", [30, 400])
def test_clean_group_test_null_valid_for_groups_as_large_as_the_reference(k):
    """With a 400-account reference, a group of 400 benign accounts: the reference means are estimates too; the
    two-sample z keeps the rejection rate at alpha (a one-sample z would have twice the variance: ~0.16 at 0.05)."""
    rng = np.random.default_rng(2)
    alpha, p_clean = 0.05, []
    for _ in range(300):
        n = 3000
        vol = rng.lognormal(2, 1, n)
        score = rng.beta(2, 2, n) * 0.5 + 0.3 * np.log1p(vol) / np.log1p(vol).max()
        st = C.strata(vol)
        pool = np.zeros(n, bool)
        pool[rng.choice(n, 400, replace=False)] = True
        g = rng.choice(np.flatnonzero(~pool), k, replace=False)
        p_clean.append(C.GroupTest(score, st, pool=pool, clean=True).pvalue(g)[0])
    r_clean = int((np.array(p_clean) <= alpha).sum())
    lo, hi = binomial_interval(r_clean, 300, confidence=0.99)
    assert lo <= alpha <= hi + 0.02
    # known positive: shifted members
    score2 = score.copy()
    score2[g] += 0.1
    assert C.GroupTest(score2, st, pool=pool, clean=True).pvalue(g)[0] < 1e-4


def test_reference_spec_parsing_and_errors(tmp_path):
    ids = tmp_path / "good.txt"
    ids.write_text("# known good\naccount_id\nu1\n\nu2\n")
    assert read_ids(ids) == ["u1", "u2"]
    one_col = tmp_path / "good.csv"
    one_col.write_text("account_id\nu3\n")
    log = tmp_path / "traffic.parquet"
    log.write_bytes(b"")
    ref = parse_reference(f"{ids},ids:{one_col},log:{log}")
    assert ref.ids == ["u1", "u2", "u3"] and ref.logs == [log]
    assert parse_reference(str(log)).logs == [log]  # a bare path that is no id file is a log
    with pytest.raises(InputError, match="no such file"):
        parse_reference(str(tmp_path / "missing.txt"))
    (tmp_path / "empty.txt").write_text("# nothing\n")
    with pytest.raises(InputError, match="no account ids"):
        parse_reference(str(tmp_path / "empty.txt"))
    (tmp_path / "wide.txt").write_text("u1,chat\n")
    with pytest.raises(InputError, match="more than an id"):
        parse_reference(str(tmp_path / "wide.txt"))
    with pytest.raises(InputError, match="needs at least 401"):  # 6000 accounts, alpha 0.001, groups of 100
        reference_check(300, 6000, LinkConfig())
    reference_check(401, 6000, LinkConfig())
    with pytest.raises(InputError, match="needs at least 50"):
        reference_check(49, 300, LinkConfig())


@pytest.fixture(scope="module")
def ref_log(tmp_path_factory):
    """700 accounts, two covert campaigns of 80, 25% of the benign accounts as the reference."""
    path = tmp_path_factory.mktemp("reflog") / "log.parquet"
    truth = simulate(SimConfig(n_exchanges=25_000, n_accounts=700, n_campaigns=2, campaign_accounts=160, seed=21,
                               covert_infra=True), path)
    benign = truth.loc[truth["population"] != "campaign", "account_id"].to_numpy()
    ref = sorted(np.random.default_rng(0).choice(benign, len(benign) // 4, replace=False).tolist())
    return path, truth, ref


def _rates(res, truth):
    acc = res.accounts.merge(truth[["account_id", "population"]], on="account_id")
    acc = acc[~acc["reference"]]
    camp = acc["population"] == "campaign"
    return acc.loc[camp, "flagged"].mean(), acc.loc[~camp, "flagged"].mean()


def test_known_positive_with_reference_ids_and_the_same_with_a_reference_log(ref_log, tmp_path):
    path, truth, ref = ref_log
    res = scan([path], reference=parse_reference(_write_ids(tmp_path, ref)))
    recall, fpr = _rates(res, truth)
    assert recall >= 0.8 and fpr <= 0.01
    assert not res.accounts.loc[res.accounts["reference"], "flagged"].any()  # known-good accounts never flagged
    c = res.flagged[0]
    assert c.evidence["reference_members"] < c.evidence["reference_members_expected"]
    assert c.evidence["p_depletion_adjusted"] <= LinkConfig().alpha and "reference" in c.reason
    assert c.evidence["estimated_benign_flagged"] >= 0  # reference members kept by the member test, scaled up
    assert "benign reference" in c.to_evidence().null
    # the p-value of each account is its rank among the reference accounts
    assert res.accounts["account_p"].min() >= 1 / (len(ref) + 1) - 1e-12
    # the same reference as a separate log of known-good traffic: the same campaigns
    tab = pq.read_table(path)
    is_ref = np.isin(tab.column("account_id").to_numpy(zero_copy_only=False), ref)
    pq.write_table(tab.filter(~is_ref), tmp_path / "main.parquet")
    pq.write_table(tab.filter(is_ref), tmp_path / "known_good.parquet")
    res2 = scan([tmp_path / "main.parquet"], reference=f"log:{tmp_path / 'known_good.parquet'}")
    assert sorted(map(sorted, (c.accounts for c in res2.flagged))) == sorted(map(sorted, (c.accounts for c in res.flagged)))


def _write_ids(tmp_path, ids):
    p = tmp_path / "known_good.txt"
    p.write_text("\n".join(ids) + "\n")
    return str(p)


def test_null_no_campaigns_with_reference_flags_nothing(tmp_path):
    path = tmp_path / "benign.parquet"
    truth = simulate(SimConfig(n_exchanges=15_000, n_accounts=500, n_campaigns=0, campaign_accounts=0, seed=5), path)
    benign = truth["account_id"].to_numpy()
    ref = np.random.default_rng(1).choice(benign, 100, replace=False).tolist()
    res = scan([path], reference=ref)
    _, fpr = _rates(res, truth)
    # groups unusual against the reference that hold known-good accounts are named with why they are not flagged
    for c in res.campaigns:
        if c.status == "holds known-good accounts":
            assert c.evidence["reference_members"] > 0 and "benign reference" in c.reason
    k = int(res.accounts.loc[~res.accounts["reference"], "flagged"].sum())
    lo, _ = binomial_interval(k, 400, confidence=0.99)
    assert lo <= LinkConfig().alpha and fpr <= 0.01
    assert res.flagged == []


def test_unknown_reference_ids_and_too_few_are_clear_errors(ref_log, tmp_path):
    path, _truth, ref = ref_log
    with pytest.raises(InputError, match="2 of the .* not in the log"):
        scan([path], reference=[*ref, "nobody-1", "nobody-2"])
    with pytest.raises(InputError, match="needs at least 50"):
        scan([path], reference=ref[:20])


def test_cli_benign_reference(ref_log, tmp_path):
    from typer.testing import CliRunner

    from distillscope.cli import app

    path, _truth, ref = ref_log
    r = CliRunner().invoke(app, ["monitor", "scan", str(path), "--json", "--benign-reference",
                                 _write_ids(tmp_path, ref)])
    assert r.exit_code == 1, r.output  # campaigns flagged
    d = json.loads(r.stdout)
    assert any("benign reference" in n for n in d["summary"]["notes"])
    r = CliRunner().invoke(app, ["monitor", "scan", str(path), "--benign-reference", _write_ids(tmp_path, ref[:10])])
    assert r.exit_code != 0 and "needs at least 50" in r.output


def test_flagged_members_must_lie_above_every_reference_member_of_their_group():
    """Known positive: benign members below the group's highest reference member are dropped; null: with no
    reference member in the group nothing changes."""
    import pandas as pd

    from distillscope.monitor.campaigns import Campaign, _above_reference

    ids = np.array([f"a{i}" for i in range(10)], dtype=object)
    index = pd.Index(ids)
    ref = np.zeros(10, bool)
    ref[[2, 3]] = True
    proj = np.array([3.0, 2.5, 1.0, 1.5, 0.5, 1.2, 2.0, np.nan, np.nan, np.nan])

    def camp(rows):
        return Campaign(campaign_id=0, accounts=sorted(ids[rows].tolist()), n_accounts=len(rows), n_exchanges=0,
                        score=0, cohesion=0, likeness=0, flagged=True, evidence={"_tested_rows": np.array(rows)})

    c = camp([0, 1, 2, 3, 4, 5, 6])
    _above_reference(c, ref, index, np.ones(10, int), proj)
    assert c.accounts == ["a0", "a1", "a2", "a3", "a6"]  # 0.5 and 1.2 lie at or below the reference's 1.5
    assert c.evidence["below_highest_reference_member"] == ["a4", "a5"] and "_tested_rows" not in c.evidence
    c = camp([0, 1, 4, 5, 6])
    _above_reference(c, ref, index, np.ones(10, int), proj)
    assert c.n_accounts == 5
