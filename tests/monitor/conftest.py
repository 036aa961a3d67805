"""Fixtures for the monitor tests: one small simulated log per run, one local Spark session per run."""

from __future__ import annotations

import os

import pytest

from distillscope.monitor.simulate import SimConfig, simulate


@pytest.fixture(scope="session")
def small_log(tmp_path_factory):
    """20k exchanges, 600 accounts, 3 campaigns (90 accounts) with hard negatives; (path, truth)."""
    path = tmp_path_factory.mktemp("monlog") / "log.parquet"
    truth = simulate(SimConfig(n_exchanges=20_000, n_accounts=600, n_campaigns=3, campaign_accounts=90, seed=11),
                     path)
    return path, truth


@pytest.fixture(scope="session")
def small_scan(small_log):
    from distillscope.monitor.scan import scan

    return scan([small_log[0]])


@pytest.fixture(scope="session")
def spark():
    """One local[1] SparkSession, loopback only, for the whole test run.

    The Spark test runs by default: a missing PySpark fails it (install ``distillscope[spark]`` and Java 17),
    unless DISTILLSCOPE_SKIP_SPARK=1 says so on purpose.
    """
    if os.environ.get("DISTILLSCOPE_SKIP_SPARK") == "1":
        pytest.skip("DISTILLSCOPE_SKIP_SPARK=1")
    try:
        import pyspark  # noqa: F401
    except ImportError:
        pytest.fail("PySpark is not installed: pip install 'distillscope[spark]' (needs Java 17), "
                    "or set DISTILLSCOPE_SKIP_SPARK=1 to skip the Spark test on purpose.")
    from distillscope.monitor.scan import spark_session

    session = spark_session("local[1]", shuffle_partitions=1)
    yield session
    session.stop()


@pytest.fixture
def sim_table(tmp_path):
    """A function: a small simulated log (two campaigns) as an Arrow table."""
    import pyarrow.parquet as pq

    def make(n_exchanges: int, n_accounts: int, campaign_accounts: int, seed: int):
        path = tmp_path / f"sim{seed}.parquet"
        simulate(SimConfig(n_exchanges=n_exchanges, n_accounts=n_accounts, n_campaigns=2,
                           campaign_accounts=campaign_accounts, seed=seed), path)
        return pq.read_table(path)

    return make


@pytest.fixture
def both_engines(spark):
    """A function: ``query(engine, table) -> pandas frame`` run on DuckDB and on Spark over the same Arrow table,
    each sorted by ``by``; returns (duckdb frame, spark frame) for a parity assertion."""
    from distillscope.monitor.scan import Engine

    def run(tab, query, by):
        out = []
        for name in ("duckdb", "spark"):
            eng = Engine(name, spark=spark if name == "spark" else None)
            try:
                out.append(query(eng, eng.load(tab)).sort_values(by).reset_index(drop=True))
            finally:
                eng.close()
        return out[0], out[1]

    return run
