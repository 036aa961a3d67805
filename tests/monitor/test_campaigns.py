import numpy as np
import pandas as pd
import pytest

from distillscope.monitor.campaigns import LinkConfig, candidate_pairs
from distillscope.monitor.scan import scan
from distillscope.monitor.simulate import SimConfig, simulate


def _metrics(res, truth):
    acc = res.accounts.merge(truth[["account_id", "population", "campaign_id"]].rename(
        columns={"campaign_id": "true_campaign"}), on="account_id")
    camp = acc["population"] == "campaign"
    recall = acc.loc[camp, "flagged"].mean() if camp.any() else float("nan")
    fpr = acc.loc[~camp, "flagged"].mean()
    purity = []
    for c in res.flagged:
        sub = acc[acc["account_id"].isin(c.accounts)]
        purity.append(sub["true_campaign"].value_counts(dropna=False).iloc[0] / len(sub))
    return recall, fpr, purity


def test_known_positive_campaigns_found_pure_and_hard_negatives_spared(small_scan, small_log):
    recall, fpr, purity = _metrics(small_scan, small_log[1])
    assert recall >= 0.9
    assert fpr <= 0.01
    assert min(purity) >= 0.9
    assert len(small_scan.flagged) == 3
    c = small_scan.flagged[0]
    assert c.evidence["links_by_kind"]["content"] > 0 and c.n_exchanges > 0
    ev = c.to_evidence()
    assert ev.name == "monitor.campaign" and len(ev.sample_ids) == c.n_accounts
    assert ev.p_adjusted <= LinkConfig().alpha and ev.p_value <= ev.p_adjusted and ev.effect_size >= 0.5
    assert c.evidence["shared_words"] and "z_vs_matched_pool" in c.evidence["indicator_percentiles"]["cot_share"]
    s = small_scan.summary()
    assert s["headline"].startswith("3 campaigns: ")


@pytest.mark.slow
def test_null_benign_only_traffic_flags_nothing(tmp_path):
    path = tmp_path / "benign.parquet"
    truth = simulate(SimConfig(n_exchanges=15_000, n_accounts=500, n_campaigns=0, campaign_accounts=0, seed=5), path)
    res = scan([path])
    _, fpr, _ = _metrics(res, truth)
    assert res.flagged == [] and fpr == 0.0
    # the evaluation harnesses that link by their shared benchmark templates are named, with the reason
    named = [c for c in res.campaigns if c.status == "benchmark evaluation"]
    assert named and "evaluation harness" in named[0].reason


def test_known_positive_covert_campaigns_found_without_shared_infrastructure(tmp_path):
    path = tmp_path / "covert.parquet"
    truth = simulate(SimConfig(n_exchanges=20_000, n_accounts=600, n_campaigns=3, campaign_accounts=90, seed=12,
                               covert_infra=True), path)
    res = scan([path])
    recall, fpr, purity = _metrics(res, truth)
    assert recall >= 0.8 and fpr <= 0.01 and min(purity) >= 0.9
    assert all(c.evidence["links_by_kind"]["infra"] == 0 for c in res.flagged)


def test_candidate_pairs_full_for_small_tokens_ring_for_big():
    cfg = LinkConfig(full_pairs_max=5, ring_k=2)
    rank = np.arange(100)[::-1].copy()
    small = np.array([0, 1, 2, 3])  # token 0: 4 accounts -> all 6 pairs
    big = np.arange(10, 60)  # token 1: 50 accounts -> ring, connected, ~2 links per account
    acc = np.concatenate([small, big])
    code = np.concatenate([np.zeros(4, int), np.ones(50, int)])
    p = candidate_pairs(acc, code, rank, cfg)
    sp = {tuple(x) for x in p if x[0] < 10}
    assert sp == {(a, b) for a in range(4) for b in range(a + 1, 4)}
    bp = p[p[:, 0] >= 10]
    assert 50 <= len(bp) <= 2 * 50 + 1
    import scipy.sparse as sps
    from scipy.sparse.csgraph import connected_components
    g = sps.coo_matrix((np.ones(len(bp)), (bp[:, 0], bp[:, 1])), shape=(100, 100))
    _, lab = connected_components(g, directed=False)
    assert len(set(lab[big])) == 1


def test_scan_writes_outputs(small_scan, tmp_path):
    paths = small_scan.write(tmp_path / "out")
    assert all(p.exists() for p in paths)
    acc = pd.read_parquet(paths[1])
    assert {"account_id", "distill_score", "campaign_id", "flagged"} <= set(acc.columns)


@pytest.mark.spark
def test_spark_gives_the_same_campaigns_as_duckdb(spark, tmp_path):
    path = tmp_path / "tiny.parquet"
    simulate(SimConfig(n_exchanges=3_000, n_accounts=150, n_campaigns=2, campaign_accounts=30, seed=3), path)
    duck = scan([path])
    sprk = scan([path], engine="spark", spark=spark)
    assert duck.flagged  # a known positive on a tiny log (the smaller campaign may be too small to test)
    assert any(c.evidence["links_by_kind"]["content"] for c in duck.campaigns)  # the new content links ran
    assert [sorted(c.accounts) for c in sprk.campaigns] == [sorted(c.accounts) for c in duck.campaigns]
    assert [round(c.score, 9) for c in sprk.campaigns] == [round(c.score, 9) for c in duck.campaigns]
    assert [c.status for c in sprk.campaigns] == [c.status for c in duck.campaigns]
    assert [round(c.p_adjusted, 9) for c in sprk.campaigns] == [round(c.p_adjusted, 9) for c in duck.campaigns]
    a = duck.accounts.set_index("account_id").sort_index()
    b = sprk.accounts.set_index("account_id").sort_index()
    num = [c for c in a.columns if a[c].dtype.kind in "fiu"]
    np.testing.assert_allclose(a[num].to_numpy(float), b[num].to_numpy(float), rtol=1e-9, atol=1e-9)


@pytest.mark.spark
def test_spark_gives_the_same_half_features_and_style_groups_as_duckdb(spark, tmp_path):
    from distillscope.monitor import features as F
    from distillscope.monitor.scan import Engine

    path = tmp_path / "tiny.parquet"
    simulate(SimConfig(n_exchanges=3_000, n_accounts=150, n_campaigns=2, campaign_accounts=30, seed=3), path)
    import pyarrow.parquet as pq

    tab = pq.read_table(path)
    out = []
    for name in ("duckdb", "spark"):
        eng = Engine(name, spark=spark if name == "spark" else None)
        t = eng.load(tab)
        rel = F.detect_releases(t)
        s = eng.keep(F.sample_prompts(t))
        h = F.half_features(t, s, F.completion_quantile(t, 0.9), rel[-1] if rel else None).to_pandas()
        out.append(h.sort_values(["account_id", "half"]).reset_index(drop=True))
        eng.close()
    d, k = out
    assert len(d) > 150 and set(d["half"]) == {0, 1}
    assert (d["account_id"] == k["account_id"]).all() and (d["half"] == k["half"]).all()
    num = [c for c in d.columns if c not in ("account_id", "half")]
    np.testing.assert_allclose(d[num].to_numpy(float), k[num].to_numpy(float), rtol=1e-9, atol=1e-9)
    cfg = LinkConfig(style_groups=True)
    duck, sprk = scan([path], cfg=cfg), scan([path], engine="spark", spark=spark, cfg=cfg)
    assert [sorted(c.accounts) for c in sprk.campaigns] == [sorted(c.accounts) for c in duck.campaigns]
    assert [c.status for c in sprk.campaigns] == [c.status for c in duck.campaigns]
    fa = duck.accounts.set_index("account_id").sort_index()["flagged"]
    fb = sprk.accounts.set_index("account_id").sort_index()["flagged"]
    assert (fa == fb).all()
    # with a labelled benign reference (monitor/reference.py) too: the same campaigns, p-values and flags
    ref = sorted(duck.accounts["account_id"])[::2][:60]  # any 60 accounts: parity, not accuracy
    cfg = LinkConfig(style_groups=True, alpha=0.01)
    duck = scan([path], cfg=cfg, reference=ref)
    sprk = scan([path], engine="spark", spark=spark, cfg=cfg, reference=ref)
    assert int(duck.accounts["reference"].sum()) == 60
    assert [sorted(c.accounts) for c in sprk.campaigns] == [sorted(c.accounts) for c in duck.campaigns]
    assert [round(c.p_adjusted, 9) for c in sprk.campaigns] == [round(c.p_adjusted, 9) for c in duck.campaigns]
    fa = duck.accounts.set_index("account_id").sort_index()[["flagged", "account_p"]]
    fb = sprk.accounts.set_index("account_id").sort_index()[["flagged", "account_p"]]
    assert (fa["flagged"] == fb["flagged"]).all() and np.allclose(fa["account_p"], fb["account_p"])


def test_communities_keep_two_groups_apart_across_a_stray_link():
    from distillscope.monitor.campaigns import communities

    a, b = [], []
    for base in (0, 20):  # two cliques of 20 accounts
        for i in range(20):
            for j in range(i + 1, 20):
                a.append(base + i)
                b.append(base + j)
    a.append(0)
    b.append(20)  # one stray link (a shared carrier NAT)
    lab = communities(45, np.array(a), np.array(b), np.ones(len(a)), LinkConfig())
    assert len(set(lab[:20])) == 1 and len(set(lab[20:40])) == 1 and lab[0] != lab[20]
    assert len(set(lab[40:])) == 5  # unlinked accounts stay alone


def _cand(**ev):
    from distillscope.monitor.campaigns import Campaign

    base = {"top_org": "org_x", "top_org_share": 0.0, "member_bench_share": 0.0,
            "indicator_percentiles": {"long_output_share": {"z_vs_matched_pool": 8.0}}}
    return Campaign(campaign_id=0, accounts=["a", "b", "c"], n_accounts=3, n_exchanges=30, score=0.7, cohesion=0.5,
                    likeness=0.7, flagged=False, p_value=1e-9, p_adjusted=1e-8, z=6.0, effect=1.5,
                    evidence={**base, **ev})


def test_named_rules_in_order():
    from distillscope.monitor.campaigns import RULES

    cfg = LinkConfig()

    def decide(c):
        return next(v for r in RULES if (v := r(c, cfg)) is not None)[0]

    assert decide(_cand()) == "flagged"
    assert decide(_cand(top_org_share=0.95)) == "declared organisation"
    short = {"long_output_share": {"z_vs_matched_pool": 0.5}}
    assert decide(_cand(indicator_percentiles=short)) == "short outputs"
    assert decide(_cand(indicator_percentiles=short, member_bench_share=0.9)) == "benchmark evaluation"
    weak = _cand()
    weak.p_adjusted = 0.2
    assert decide(weak) == "not flagged"
