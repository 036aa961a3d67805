import duckdb
import pytest

from distillscope.errors import InputError
from distillscope.monitor.simulate import SimConfig, simulate


def test_seeded_ground_truth_and_populations(tmp_path, small_log):
    cfg = SimConfig(n_exchanges=3_000, n_accounts=150, n_campaigns=2, campaign_accounts=30, seed=4)
    a = simulate(cfg, tmp_path / "a.parquet")
    b = simulate(cfg, tmp_path / "b.parquet")
    assert a.equals(b)
    assert (a["population"] == "campaign").sum() == 30 and a["campaign_id"].nunique() == 2
    n = duckdb.connect().execute(f"SELECT count(*) FROM '{tmp_path / 'a.parquet'}'").fetchone()[0]
    assert n == a["n_exchanges"].sum() and abs(n - 3_000) < 300
    truth = small_log[1]
    pops = set(truth["population"])
    assert {"chat", "coding", "batch", "eval", "campaign"} <= pops


def test_campaigns_shift_onto_the_release_and_covert_ones_share_no_ip(tmp_path):
    cfg = SimConfig(n_exchanges=6_000, n_accounts=200, n_campaigns=2, campaign_accounts=40, seed=6,
                    covert_infra=True)
    truth = simulate(cfg, tmp_path / "c.parquet")
    camp = tuple(truth.loc[truth["population"] == "campaign", "account_id"])
    con = duckdb.connect()
    con.execute(f"CREATE VIEW l AS SELECT * FROM '{tmp_path / 'c.parquet'}'")
    shared = con.execute(f"SELECT count(*) FROM (SELECT ip FROM l WHERE account_id IN {camp} GROUP BY ip "
                         "HAVING count(DISTINCT account_id) > 1)").fetchone()[0]
    assert shared == 0
    after = con.execute(f"SELECT avg((model = 'model-v2')::INT) FROM l WHERE account_id IN {camp} "
                        f"AND ts >= TIMESTAMPTZ '{cfg.start.isoformat()}' + INTERVAL {cfg.release_day} DAY").fetchone()[0]
    assert after == 1.0


def test_bad_config_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="half"):
        simulate(SimConfig(n_accounts=100, campaign_accounts=80), tmp_path / "x.parquet")
