"""PU scoring against a benign reference (monitor/pu.py, scan(pu=), monitor scan --pu): conformal null, known
positive, groups, errors, and the request-shape tokens on DuckDB and Spark."""

import numpy as np
import pandas as pd
import pytest

from distillscope.errors import InputError
from distillscope.monitor.pu import PUConfig, group_pvalues, min_calibration, pu_scores, simes
from distillscope.monitor.scan import scan
from distillscope.monitor.simulate import SimConfig, simulate
from distillscope.stats.intervals import binomial_interval


def _accounts(rng, n_benign=600, n_camp=0, shift=0.0, n_terms=40):
    """Engine-shaped inputs: behaviour features, term counts, hourly activity; campaign accounts shifted by
    ``shift`` sd in two features and using two words more often."""
    n = n_benign + n_camp
    ids = [f"a{i:05d}" for i in range(n)]
    camp = np.r_[np.zeros(n_benign, bool), np.ones(n_camp, bool)]
    x = rng.normal(size=(n, 6))
    x[camp, :2] += shift
    feats = pd.DataFrame({"account_id": ids, **{f"f{j}": x[:, j] for j in range(6)}})
    rows = []
    for i in range(n):
        w = rng.dirichlet(np.ones(n_terms))
        if camp[i] and shift:
            w[:2] += 0.5
            w /= w.sum()
        cnt = rng.multinomial(20, w)
        rows += [(ids[i], t, int(c)) for t in np.flatnonzero(cnt) for c in [cnt[t]]]
    terms = pd.DataFrame(rows, columns=["account_id", "term", "n"])
    act = pd.DataFrame({"account_id": ids, "hour": rng.integers(0, 24 * 28, n), "n": rng.integers(1, 5, n)})
    return feats, terms, n_terms, act, np.array(ids), camp


def _reference(rng, ids, camp, share=0.4):
    benign = ids[~camp]
    return rng.choice(benign, int(share * len(benign)), replace=False)


def test_null_no_campaigns_flag_rate_within_alpha_and_p_values_uniform():
    """No campaign in the log: over 30 logs, the share of accounts with p <= a stays at a (conformal: exact up to
    the calibration set's resolution), for a = 0.02, 0.05, 0.2."""
    rng = np.random.default_rng(1)
    rates = {a: [] for a in (0.02, 0.05, 0.2)}
    for _ in range(30):
        feats, terms, nt, act, ids, camp = _accounts(rng, n_benign=500)
        tab = pu_scores(feats, terms, nt, act, _reference(rng, ids, camp), PUConfig(alpha=0.05, seed=int(rng.integers(1e9))))
        p = tab.loc[tab["pu_role"] == "unlabelled", "pu_p"].to_numpy()
        assert np.isfinite(p).all() and (p > 0).all() and (p <= 1).all()
        for a, r in rates.items():
            r.append(float((p <= a).mean()))
    for a, r in rates.items():
        r = np.array(r)
        # each log's rate varies with its calibration set; the mean over independent logs is <= a
        se = r.std(ddof=1) / np.sqrt(len(r))
        assert r.mean() - 3 * se <= a, (a, r.mean(), se)
        assert r.mean() > a / 3, (a, r.mean())  # not vacuous


def test_null_rate_pooled_binomial_interval():
    """The flag rate over all unlabelled accounts of 30 null logs, at alpha 0.05: its 99% binomial interval holds
    alpha (the intervals are too narrow for the within-log dependence, so this is the stricter check)."""
    rng = np.random.default_rng(7)
    k = n = 0
    for _ in range(30):
        feats, terms, nt, act, ids, camp = _accounts(rng, n_benign=400)
        tab = pu_scores(feats, terms, nt, act, _reference(rng, ids, camp, 0.5),
                        PUConfig(alpha=0.05, seed=int(rng.integers(1e9))))
        u = tab["pu_role"] == "unlabelled"
        k += int(tab.loc[u, "pu_flagged"].sum())
        n += int(u.sum())
    lo, hi = binomial_interval(k, n, confidence=0.99)
    assert lo <= 0.05 and hi > 0.02, (k, n, lo, hi)


def test_known_positive_campaign_accounts_flagged():
    rng = np.random.default_rng(3)
    feats, terms, nt, act, ids, camp = _accounts(rng, n_benign=800, n_camp=200, shift=2.0)
    ref = _reference(rng, ids, camp, 0.5)
    tab = pu_scores(feats, terms, nt, act, ref, PUConfig(alpha=0.02))
    u = (tab["pu_role"] == "unlabelled").to_numpy()
    fl = tab["pu_flagged"].to_numpy()
    assert fl[u & camp].mean() > 0.6
    assert fl[u & ~camp].mean() < 0.06
    assert not fl[~u].any()  # reference accounts are never flagged
    assert tab.attrs["pu"]["calibration_accounts"] == 200 and tab.attrs["pu"]["reachable"]
    # every unlabelled account has a p-value, reference accounts none
    assert tab.loc[u, "pu_p"].notna().all() and tab.loc[~u, "pu_p"].isna().all()
    # groups: a campaign group combines to a small Simes p-value (never below the calibration set's resolution
    # 1 / 201: the members share it), a benign group does not
    raw, adj = group_pvalues([list(ids[u & camp][:50]), list(ids[u & ~camp][:50])], tab)
    assert 1 / 201 - 1e-12 <= raw[0] < 0.02 and adj[0] < 0.04 and raw[1] > 0.05


def test_group_simes_null_rate_within_alpha():
    """No campaign: random groups of 5-60 unlabelled accounts, Simes over their members' conformal p-values (which
    share one calibration set): the share of groups with p <= 0.1 stays within 0.1's 99% binomial interval
    (conservative: about 1 in 300 here; the known positive is in test_known_positive_campaign_accounts_flagged)."""
    rng = np.random.default_rng(11)
    hits = n = 0
    for _ in range(12):
        feats, terms, nt, act, ids, camp = _accounts(rng, n_benign=500)
        tab = pu_scores(feats, terms, nt, act, _reference(rng, ids, camp, 0.5),
                        PUConfig(seed=int(rng.integers(1e9))))
        unl = tab.loc[tab["pu_role"] == "unlabelled", "account_id"].to_numpy()
        groups = [list(rng.choice(unl, int(rng.integers(5, 60)), replace=False)) for _ in range(25)]
        raw, _ = group_pvalues(groups, tab)
        hits += int((raw <= 0.1).sum())
        n += len(raw)
    lo, _ = binomial_interval(hits, n, confidence=0.99)
    assert lo <= 0.1, (hits, n)


def test_simes_and_min_calibration():
    assert simes(np.array([0.01, 0.5, 0.9])) == pytest.approx(0.03)
    assert simes(np.array([0.02, 0.02, 0.02])) == pytest.approx(0.02)
    assert np.isnan(simes(np.array([np.nan])))
    assert min_calibration(0.005) == 199 and min_calibration(0.001) == 999
    assert 1 / (min_calibration(0.01) + 1) <= 0.01 < 1 / min_calibration(0.01)


def test_bad_settings_and_too_small_reference_are_input_errors():
    rng = np.random.default_rng(0)
    feats, terms, nt, act, ids, _ = _accounts(rng, n_benign=100)
    with pytest.raises(InputError, match="at least 20 reference"):
        pu_scores(feats, terms, nt, act, ids[:10], PUConfig())
    with pytest.raises(InputError, match="alpha"):
        pu_scores(feats, terms, nt, act, ids[:50], PUConfig(alpha=0.0))


@pytest.fixture(scope="module")
def pu_log(tmp_path_factory):
    """700 accounts, two covert campaigns of 80; 30% of the benign accounts as the reference."""
    path = tmp_path_factory.mktemp("pulog") / "log.parquet"
    truth = simulate(SimConfig(n_exchanges=25_000, n_accounts=700, n_campaigns=2, campaign_accounts=160, seed=21,
                               covert_infra=True), path)
    benign = truth.loc[truth["population"] != "campaign", "account_id"].to_numpy()
    ref = sorted(np.random.default_rng(0).choice(benign, int(0.3 * len(benign)), replace=False).tolist())
    return path, truth, ref


def test_scan_with_pu_known_positive(pu_log):
    path, truth, ref = pu_log
    res = scan([path], reference=ref, pu=PUConfig(alpha=0.05))
    acc = res.accounts.merge(truth[["account_id", "population"]], on="account_id")
    assert {"pu_score", "pu_p", "pu_flagged", "pu_role"} <= set(acc.columns)
    acc = acc[~acc["reference"]]
    c = acc["population"] == "campaign"
    assert acc.loc[c, "pu_flagged"].mean() > 0.8
    assert (acc["flagged"] >= acc["pu_flagged"]).all()  # flagged includes the PU flags
    assert res.pu["calibration_accounts"] == round(0.5 * len(ref))
    assert any(n.startswith("PU scores") for n in res.notes)
    assert all("pu_simes_p_adj" in k.evidence for k in res.campaigns)


def test_scan_with_pu_null_log(tmp_path):
    """No campaign: the PU flags of benign accounts stay within alpha's 99% binomial interval."""
    path = tmp_path / "log.parquet"
    truth = simulate(SimConfig(n_exchanges=15_000, n_accounts=500, n_campaigns=0, campaign_accounts=0, seed=5), path)
    ids = truth["account_id"].to_numpy()
    ref = sorted(np.random.default_rng(1).choice(ids, 200, replace=False).tolist())
    res = scan([path], reference=ref, pu=PUConfig(alpha=0.05))
    acc = res.accounts[~res.accounts["reference"]]
    k, n = int(acc["pu_flagged"].sum()), len(acc)
    lo, _ = binomial_interval(k, n, confidence=0.99)
    assert lo <= 0.05, (k, n)


def test_scan_with_pu_org_unit(pu_log, tmp_path):
    """--pu-unit org end to end: clusters from the log's org_id, an org's accounts flagged together; campaigns
    found; on a log without campaigns the flagged benign orgs stay within alpha's 99% binomial interval; a
    calibration-conditional delta that the reference is too small for flags nothing and says how many are
    needed."""
    path, truth, ref = pu_log
    res = scan([path], reference=ref, pu=PUConfig(alpha=0.05, unit="cluster", cluster_by="org_id"))
    acc = res.accounts.merge(truth[["account_id", "population", "org_id"]], on="account_id")
    acc = acc[~acc["reference"]]
    assert res.pu["unit"] == "cluster" and res.pu["calibration_units"] <= res.pu["calibration_accounts"]
    assert acc.loc[acc["population"] == "campaign", "pu_flagged"].mean() > 0.8
    per = acc.dropna(subset=["org_id"]).groupby("org_id")["pu_flagged"].agg(["min", "max"])
    assert (per["min"] == per["max"]).all()
    assert any("per org" in n for n in res.notes)
    with pytest.raises(InputError, match="cluster_by"):
        scan([path], reference=ref, pu=PUConfig(unit="cluster"))
    res = scan([path], reference=ref, pu=PUConfig(alpha=0.005, delta=0.1))
    assert res.pu["flagged"] == 0 and not res.pu["reachable"] and res.pu["calibration_needed"] == 781
    null = tmp_path / "null.parquet"
    t0 = simulate(SimConfig(n_exchanges=15_000, n_accounts=500, n_campaigns=0, campaign_accounts=0, seed=8), null)
    ids = t0["account_id"].to_numpy()
    r0 = sorted(np.random.default_rng(2).choice(ids, 250, replace=False).tolist())
    res = scan([null], reference=r0, pu=PUConfig(alpha=0.05, unit="cluster", cluster_by="org_id"))
    acc = res.accounts[~res.accounts["reference"]].merge(t0[["account_id", "org_id"]], on="account_id")
    unit = acc["org_id"].fillna(acc["account_id"])
    fl = acc.groupby(unit)["pu_flagged"].max()
    lo, _ = binomial_interval(int(fl.sum()), len(fl), confidence=0.99)
    assert lo <= 0.05, (int(fl.sum()), len(fl))


def test_pu_needs_a_reference_and_says_when_alpha_is_out_of_reach(pu_log):
    path, _, ref = pu_log
    with pytest.raises(InputError, match="benign-reference"):
        scan([path], pu=PUConfig())
    res = scan([path], reference=ref[:60], pu=PUConfig(alpha=0.01))
    assert not res.pu["reachable"] and res.pu["flagged"] == 0
    assert any("NO account can be flagged" in n for n in res.notes)


def test_cli_pu_needs_benign_reference(pu_log):
    from typer.testing import CliRunner

    from distillscope.cli import app

    r = CliRunner().invoke(app, ["monitor", "scan", str(pu_log[0]), "--pu"])
    assert r.exit_code != 0 and "--benign-reference" in r.output
    r = CliRunner().invoke(app, ["monitor", "scan", str(pu_log[0]), "--pu", "--pu-unit", "team"])
    assert r.exit_code == 2 and "--pu-unit" in r.output


def test_cli_pu_org_unit_and_delta(pu_log, tmp_path):
    import json

    from typer.testing import CliRunner

    from distillscope.cli import app

    path, _, ref = pu_log
    ids = tmp_path / "ref.txt"
    ids.write_text("\n".join(ref) + "\n")
    r = CliRunner().invoke(app, ["monitor", "scan", str(path), "--benign-reference", f"ids:{ids}", "--pu",
                                 "--pu-unit", "org", "--pu-alpha", "0.05", "--pu-delta", "0.2", "--json"])
    assert r.exit_code in (0, 1), r.output
    doc = json.loads(r.stdout)["summary"]
    assert doc["pu"]["unit"] == "cluster" and doc["pu"]["delta"] == 0.2
    assert doc["pu"]["p_level"] < 0.05 and doc["pu"]["flagged"] > 0


@pytest.mark.spark
def test_meta_tokens_identical_on_duckdb_and_spark(sim_table, both_engines):
    import pyarrow as pa

    from distillscope.monitor import features as F

    tab = sim_table(3_000, 150, 30, seed=3)
    extra = ['{"max_tokens": 4096, "temperature": 0.7}', '{"stream": true, "temperature": 1.0}', None, "{}"]
    tab = tab.set_column(tab.schema.get_field_index("extra"), "extra",
                         pa.array([extra[i % 4] for i in range(len(tab))], pa.string()))
    d, k = both_engines(tab, lambda eng, t: F.meta_tokens(t).to_pandas(), ["account_id", "token"])
    assert {"max_tokens=4096", "max_tokens=none", "temperature=1.0", "stream=true", "stream=false"} <= set(d["token"])
    assert any(t.startswith("ua=") for t in d["token"]) and any(t.startswith("model=") for t in d["token"])
    pd.testing.assert_frame_equal(d, k.astype(d.dtypes.to_dict()))


def _clustered(rng, n_clusters=300, n_camp=0, shift=0.0, n_terms=40, spread=1.5):
    """Benign accounts in clusters (organisations: 70% single accounts, the rest 2-15 look-alike accounts sharing
    a feature offset of sd ``spread`` and two favourite words) plus ``n_camp`` single campaign accounts shifted by ``shift`` sd."""
    sizes = np.where(rng.random(n_clusters) < 0.7, 1, rng.integers(2, 16, n_clusters))
    org = np.r_[np.repeat(np.arange(n_clusters), sizes), n_clusters + np.arange(n_camp)]
    n_benign = int(sizes.sum())
    feats, terms, nt, act, ids, camp = _accounts(rng, n_benign=n_benign, n_camp=n_camp, shift=shift, n_terms=n_terms)
    off = rng.normal(scale=spread, size=(org.max() + 1, 6))
    for j in range(6):
        feats[f"f{j}"] += off[org, j] * (~camp)
    fav = rng.integers(0, n_terms, size=(org.max() + 1, 2))
    extra = pd.DataFrame({"account_id": np.repeat(ids[~camp], 2), "term": fav[org[~camp]].ravel(), "n": 8})
    terms = pd.concat([terms, extra], ignore_index=True)
    orgs = pd.Series([f"org{o}" for o in org], index=ids)
    return feats, terms, nt, act, ids, camp, orgs


def _reference_by_cluster(rng, ids, camp, orgs, share=0.4):
    """Whole benign clusters at random until ``share`` of the benign accounts (the cluster unit's assumption)."""
    b = orgs[ids[~camp]]
    order = rng.permutation(b.unique())
    keep = set(order[: np.searchsorted(b.value_counts()[order].cumsum().to_numpy(), share * len(b)) + 1])
    return b.index[b.isin(keep)].to_numpy()


def test_cluster_unit_null_flag_rate_within_alpha():
    """No campaign, benign look-alike clusters, a reference of whole clusters: over 30 logs the share of benign
    unlabelled clusters flagged at alpha 0.05 is within alpha's 99% binomial interval (pooled), and so is each
    p-value level's mean rate; the per-account p-values on the same logs are compared in the next test."""
    rng = np.random.default_rng(5)
    k = n = 0
    for _ in range(30):
        feats, terms, nt, act, ids, camp, orgs = _clustered(rng, n_clusters=250)
        tab = pu_scores(feats, terms, nt, act, _reference_by_cluster(rng, ids, camp, orgs), meta=None,
                        cfg=PUConfig(alpha=0.05, unit="cluster", seed=int(rng.integers(1e9))), clusters=orgs)
        u = tab[tab["pu_role"] == "unlabelled"]
        u = u.assign(org=orgs[u["account_id"]].to_numpy())
        per = u.groupby("org")["pu_flagged"].agg(["min", "max"])
        assert (per["min"] == per["max"]).all()  # a cluster is flagged whole or not at all
        assert tab.attrs["pu"]["unit"] == "cluster" and tab.attrs["pu"]["calibration_units"] < len(
            tab[tab["pu_role"] == "reference_calibration"])
        k += int(per["max"].sum())
        n += len(per)
    lo, hi = binomial_interval(k, n, confidence=0.99)
    assert lo <= 0.05 and hi > 0.015, (k, n, lo, hi)


def test_cluster_unit_holds_per_draw_where_account_unit_does_not():
    """Same clustered null logs, a reference of whole clusters: per-account p-values with account splits flag whole
    look-alike clusters on some draws (a cluster none of whose accounts is in the calibration half scores above
    it together), the cluster unit does not: the account-level FPR's spread over logs is smaller and fewer logs
    exceed 2 * alpha."""
    rng = np.random.default_rng(9)
    fpr = {"account": [], "cluster": []}
    for _ in range(20):
        feats, terms, nt, act, ids, camp, orgs = _clustered(rng, n_clusters=250)
        ref = _reference_by_cluster(rng, ids, camp, orgs)
        seed = int(rng.integers(1e9))
        for unit, rates in fpr.items():
            tab = pu_scores(feats, terms, nt, act, ref, PUConfig(alpha=0.02, unit=unit, seed=seed),
                            clusters=orgs if unit == "cluster" else None)
            rates.append(float(tab.loc[tab["pu_role"] == "unlabelled", "pu_flagged"].mean()))
    a, c = np.array(fpr["account"]), np.array(fpr["cluster"])
    assert np.std(c) < np.std(a), (a, c)
    assert (c > 0.04).sum() < (a > 0.04).sum(), (a, c)


def test_cluster_unit_known_positive():
    """Campaign accounts (single-account clusters, shifted) among clustered benign accounts: the cluster unit
    flags most of them and few benign accounts; unit 'cluster' without clusters is an InputError."""
    rng = np.random.default_rng(4)
    feats, terms, nt, act, ids, camp, orgs = _clustered(rng, n_clusters=400, n_camp=200, shift=3.0, spread=0.7)
    ref = _reference_by_cluster(rng, ids, camp, orgs, 0.5)
    tab = pu_scores(feats, terms, nt, act, ref, PUConfig(alpha=0.05, unit="cluster"), clusters=orgs)
    u = (tab["pu_role"] == "unlabelled").to_numpy()
    fl = tab["pu_flagged"].to_numpy()
    assert fl[u & camp].mean() > 0.6, fl[u & camp].mean()
    assert fl[u & ~camp].mean() < 0.1
    assert not fl[~u].any()
    with pytest.raises(InputError, match="clusters"):
        pu_scores(feats, terms, nt, act, ref, PUConfig(unit="cluster"))


def test_pac_threshold_holds_per_draw():
    """No campaign, 40 logs, each with its own reference draw: with delta 0.2 the share of logs whose benign FPR
    exceeds alpha stays within delta's 99% binomial interval; the plain conformal level exceeds alpha in about
    half of them (it bounds the mean only). pac_rank matches the binomial tail."""
    from scipy.stats import binom

    from distillscope.monitor.pu import pac_calibration, pac_rank

    rng = np.random.default_rng(13)
    over = {None: 0, 0.2: 0}
    for _ in range(40):
        feats, terms, nt, act, ids, camp = _accounts(rng, n_benign=700)
        ref = _reference(rng, ids, camp, 0.5)
        seed = int(rng.integers(1e9))
        for delta in over:
            tab = pu_scores(feats, terms, nt, act, ref, PUConfig(alpha=0.05, delta=delta, seed=seed))
            over[delta] += int(tab.loc[tab["pu_role"] == "unlabelled", "pu_flagged"].mean() > 0.05)
            if delta:
                n = tab.attrs["pu"]["calibration_units"]
                k = round(tab.attrs["pu"]["p_level"] * (n + 1))
                assert k >= 1 and binom.cdf(k - 1, n, 0.05) <= delta / 5 < binom.cdf(k, n, 0.05)
    lo, _ = binomial_interval(over[0.2], 40, confidence=0.99)
    assert lo <= 0.2, over
    assert over[None] >= 10, over  # the plain level is exceeded often (not vacuous: the PAC level is lower)
    assert pac_rank(100, 0.05, 1e-6) == 0 and pac_calibration(0.005, 0.02) == 781
    assert (1 - 0.005) ** 781 <= 0.02 < (1 - 0.005) ** 780


def test_pac_known_positive():
    rng = np.random.default_rng(3)
    feats, terms, nt, act, ids, camp = _accounts(rng, n_benign=800, n_camp=200, shift=2.0)
    tab = pu_scores(feats, terms, nt, act, _reference(rng, ids, camp, 0.5), PUConfig(alpha=0.05, delta=0.1))
    u = (tab["pu_role"] == "unlabelled").to_numpy()
    fl = tab["pu_flagged"].to_numpy()
    assert fl[u & camp].mean() > 0.5, fl[u & camp].mean()
    assert fl[u & ~camp].mean() < 0.05
    assert tab.attrs["pu"]["p_level"] < 0.05


@pytest.mark.spark
def test_account_orgs_identical_on_duckdb_and_spark(sim_table, both_engines):
    from distillscope.monitor import features as F

    d, k = both_engines(sim_table(3_000, 150, 30, seed=3), lambda eng, t: F.account_orgs(t).to_pandas(),
                        "account_id")
    assert d["org_id"].notna().sum() > 10 and d["account_id"].is_unique
    pd.testing.assert_frame_equal(d, k.astype(d.dtypes.to_dict()))


def _prompts(rng, n_benign=500, n_camp=0, share=0.25, n_terms=300, per=16):
    """Sampled prompts (``account_id, pid, term, n``): benign accounts draw each prompt's 6 words from a personal
    mix of topics; a campaign account writes ``share`` of its prompts from a campaign template (5 fixed words + 1
    slot), the rest like a benign account (a mixed account)."""
    ids = np.array([f"a{i:05d}" for i in range(n_benign + n_camp)])
    camp = np.r_[np.zeros(n_benign, bool), np.ones(n_camp, bool)]
    topics = rng.dirichlet(np.full(n_terms, 0.05), size=12)
    tpl = rng.choice(n_terms, 5, replace=False)
    rows = []
    for i, a in enumerate(ids):
        mix = rng.dirichlet(np.ones(12)) @ topics
        for pid in range(per):
            if camp[i] and rng.random() < share:
                words = np.r_[tpl, rng.integers(0, n_terms)]
            else:
                words = rng.choice(n_terms, 6, p=mix)
            t, c = np.unique(words, return_counts=True)
            rows += [(a, pid, int(tt), int(cc)) for tt, cc in zip(t, c, strict=True)]
    return pd.DataFrame(rows, columns=["account_id", "pid", "term", "n"]), n_terms, ids, camp


def test_exchange_pu_null_flag_rate_within_alpha():
    """No campaign: over 12 logs the per-exchange PU flags of benign accounts at alpha 0.05 stay within alpha's
    99% binomial interval (pooled) and are not vacuous."""
    from distillscope.monitor.pu import exchange_pu_scores

    rng = np.random.default_rng(17)
    k = n = 0
    for _ in range(12):
        pr, nt, ids, camp = _prompts(rng, n_benign=400)
        tab = exchange_pu_scores(pr, nt, ids, _reference(rng, ids, camp, 0.5),
                                 PUConfig(alpha=0.05, seed=int(rng.integers(1e9))))
        u = tab["pu_role"] == "unlabelled"
        k += int(tab.loc[u, "pu_flagged"].sum())
        n += int(u.sum())
    lo, hi = binomial_interval(k, n, confidence=0.99)
    assert lo <= 0.05 and hi > 0.015, (k, n)


def test_exchange_pu_known_positive_mixed_accounts():
    """Mixed campaign accounts (a quarter of their prompts templated): the per-exchange model flags most of them."""
    from distillscope.monitor.pu import exchange_pu_scores

    rng = np.random.default_rng(2)
    pr, nt, ids, camp = _prompts(rng, n_benign=600, n_camp=120)
    tab = exchange_pu_scores(pr, nt, ids, _reference(rng, ids, camp, 0.5), PUConfig(alpha=0.05))
    u = (tab["pu_role"] == "unlabelled").to_numpy()
    fl = tab["pu_flagged"].to_numpy()
    assert fl[u & camp].mean() > 0.7, fl[u & camp].mean()
    assert fl[u & ~camp].mean() < 0.1
    with pytest.raises(InputError, match="unit"):
        exchange_pu_scores(pr, nt, ids, ids[~camp][:100], PUConfig(unit="cluster"))


@pytest.mark.spark
def test_prompt_terms_identical_on_duckdb_and_spark(sim_table, both_engines):
    from distillscope.monitor import features as F

    def query(eng, t):
        words = F.prompt_words(eng.keep(F.sample_prompts(t)), materialize=eng.keep)
        vt, _ = F.vocabulary(words, upload=eng.upload)
        return F.prompt_terms(words, vt).to_pandas()

    d, k = both_engines(sim_table(2_000, 100, 20, seed=4), query, ["account_id", "pid", "term"])
    assert len(d) > 100 and (d["n"] >= 1).all()
    pd.testing.assert_frame_equal(d, k.astype(d.dtypes.to_dict()))
