"""End to end: logs -> validated table -> features on an engine -> campaigns.

    from distillscope.monitor.scan import scan
    result = scan(["gateway-log.parquet"], engine="duckdb")     # or engine="spark"
    result.campaigns[0].n_accounts, result.accounts.head(), result.ingest.n_bad

The engine runs the per-exchange work (features, MinHash buckets, tokens, hourly activity); the linking runs on
the per-account results. ``engine="spark"`` uses Ibis' PySpark backend; pass ``spark=`` an existing SparkSession,
else a local one is started (``local[*]``, bound to the loopback interface).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa

from distillscope.errors import DistillscopeError, InputError
from distillscope.monitor import features as F
from distillscope.monitor.campaigns import Campaign, LinkConfig, link_accounts
from distillscope.monitor.ingest import IngestResult, read_logs
from distillscope.monitor.pu import PUConfig
from distillscope.monitor.reference import Reference, parse_reference


@dataclass
class ScanResult:
    """What :func:`scan` found."""

    campaigns: list[Campaign]
    accounts: pd.DataFrame
    links: pd.DataFrame
    ingest: IngestResult
    engine: str
    timings: dict[str, float] = field(default_factory=dict)
    releases: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    pu: dict[str, Any] | None = None

    @property
    def flagged(self) -> list[Campaign]:
        return [c for c in self.campaigns if c.flagged]

    def summary(self) -> dict[str, Any]:
        fl = self.flagged
        return {
            "engine": self.engine,
            "exchanges": self.ingest.n_rows,
            "accounts": len(self.accounts),
            "bad_rows": self.ingest.n_bad,
            "campaigns_flagged": len(fl),
            "flagged_accounts": int(sum(c.n_accounts for c in fl)),
            "flagged_exchanges": int(sum(c.n_exchanges for c in fl)),
            "headline": (f"{len(fl)} campaigns: {sum(c.n_accounts for c in fl)} accounts, "
                         f"{sum(c.n_exchanges for c in fl)} exchanges"),
            "named_not_flagged": [{"campaign_id": c.campaign_id, "status": c.status, "accounts": c.n_accounts,
                                   "p_adjusted": c.p_adjusted, "reason": c.reason}
                                  for c in self.campaigns if c.status not in ("flagged", "not flagged")],
            "releases": self.releases,
            "pu": self.pu,
            "notes": self.notes,
            "timings_s": self.timings,
        }

    def to_dict(self, max_accounts: int = 1000) -> dict[str, Any]:
        return {"summary": self.summary(), "ingest": self.ingest.summary(),
                "campaigns": [c.to_dict() for c in self.campaigns],
                "accounts": self.accounts.head(max_accounts).to_dict(orient="records")}

    def write(self, out: str | Path) -> list[Path]:
        """Write ``campaigns.json``, ``accounts.parquet``, ``links.parquet``, ``bad_rows.jsonl`` into ``out``."""
        import json

        from distillscope.evidence import _jsonable

        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        paths = [out / "campaigns.json", out / "accounts.parquet", out / "links.parquet", out / "bad_rows.jsonl"]
        paths[0].write_text(json.dumps(_jsonable({"summary": self.summary(), "ingest": self.ingest.summary(),
                                                  "campaigns": [c.to_dict() for c in self.campaigns]}), indent=1))
        self.accounts.to_parquet(paths[1], index=False)
        self.links.to_parquet(paths[2], index=False)
        with open(paths[3], "w") as f:
            f.writelines(json.dumps(b.__dict__) + "\n" for b in self.ingest.bad)
        return paths


class Engine:
    """An Ibis connection plus how to load a table into it and keep an intermediate result."""

    def __init__(self, name: str, spark: Any = None):
        self.name = name
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._n = 0
        if name == "duckdb":
            self.con = ibis.duckdb.connect()
            self.con.raw_sql("SET TimeZone = 'UTC'")
            self.con.raw_sql("SET enable_progress_bar = false")  # stdout stays clean for --json
        elif name == "spark":
            try:
                import pyspark  # noqa: F401
            except ImportError as e:
                raise DistillscopeError("engine 'spark' needs PySpark: pip install 'distillscope[spark]' "
                                        "(and Java 17).") from e
            self.session = spark or spark_session()
            self.session.conf.set("spark.sql.session.timeZone", "UTC")
            self.con = ibis.pyspark.connect(self.session)
            self._tmp = tempfile.TemporaryDirectory(prefix="distillscope-spark-")
        else:
            raise InputError(f"unknown engine {name!r}; use 'duckdb' or 'spark'.")

    def load(self, table: pa.Table) -> ir.Table:
        if self.name == "duckdb":
            # unique names, no overwrite: ibis' DROP ... IF EXISTS is rejected by some DuckDB versions
            self._n += 1
            name = f"exchanges{self._n}"
            self.con.con.register(name, table)  # zero-copy view of the Arrow table
            return self.con.table(name)
        import pyarrow.parquet as pq

        path = Path(self._tmp.name) / "exchanges.parquet"  # type: ignore[union-attr]
        pq.write_table(table, path)
        return self.con.read_parquet(str(path), table_name="exchanges")

    def upload(self, table: pa.Table) -> ir.Table:
        """A small Arrow table as an engine table (a temp view on Spark, a registered view on DuckDB)."""
        self._n += 1
        name = f"_upload{self._n}"
        if self.name == "duckdb":
            self.con.con.register(name, table)
        else:
            self.session.createDataFrame(table.to_pandas()).createOrReplaceTempView(name)
        return self.con.table(name)

    def keep(self, expr: ir.Table) -> ir.Table:
        """Compute once and keep (DuckDB temp table; Spark cached DataFrame)."""
        self._n += 1
        if self.name == "duckdb":
            return self.con.create_table(f"_keep{self._n}", expr, temp=True)
        return expr.cache()

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()


def spark_session(master: str = "local[*]", shuffle_partitions: int = 8):
    """A local SparkSession bound to loopback, UTC, no UI (one per process: ``getOrCreate``)."""
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master(master).appName("distillscope-monitor")
            .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.session.timeZone", "UTC")
            # short jobs: the C1 JIT warms up far sooner, which is most of a small scan's time
            .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1")
            .config("spark.sql.shuffle.partitions", str(shuffle_partitions)).config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    return session


def scan(paths: list[str | Path] | None = None, engine: str = "duckdb", cfg: LinkConfig | None = None,
         table: pa.Table | None = None, spark: Any = None,
         progress: Callable[[str], None] | None = None,
         reference: Reference | str | list[str] | None = None, pu: PUConfig | None = None) -> ScanResult:
    """Read logs, compute features on ``engine``, link accounts into campaigns.

    Args:
        paths: log files or folders (JSONL/Parquet/CSV); or give ``table`` (already in the log schema).
        engine: ``"duckdb"`` (default, embedded) or ``"spark"`` (Ibis PySpark backend).
        cfg: linking thresholds.
        spark: an existing SparkSession for ``engine="spark"``.
        progress: called with the name of each step as it starts.
        reference: a labelled benign reference (:mod:`.reference`: known-good account ids of this log and/or
            logs of known-good traffic, scanned with it), as a :class:`~.reference.Reference`, a SPEC string, or a
            list of account ids of the log.
            Its accounts become the null of every test and are never flagged.
        pu: also flag single accounts by a positive-unlabelled classifier against the reference, calibrated by
            conformal p-values on held-out reference accounts (:mod:`.pu`); needs ``reference``. Adds the
            columns ``pu_score``, ``pu_p``, ``pu_flagged`` (``flagged`` includes them) and each candidate
            campaign's ``pu_simes_p`` / ``pu_simes_p_adj`` evidence.
    """
    say = progress or (lambda s: None)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    ref = None
    if reference is not None:  # a bad SPEC fails before the log is read
        ref = reference if isinstance(reference, Reference) else parse_reference(reference) \
            if isinstance(reference, str) else Reference(ids=[str(i) for i in reference], sources=["ids"])
    if pu is not None and ref is None:
        raise InputError("PU scoring (--pu) learns what sets the log's accounts apart from known-good ones: give "
                         "them with --benign-reference (a random sample of the benign accounts).")
    say("reading logs")
    if table is not None:
        ing = IngestResult(table=table, files=["<table>"])
    elif paths:
        ing = read_logs(list(paths))
    else:
        raise InputError("scan needs log paths (or a table).")
    if ing.n_rows == 0:
        raise InputError(f"no valid rows in {', '.join(ing.files)} ({ing.n_bad} bad rows).")
    ref_ids: list[str] | None = None
    if ref is not None:
        ref_ids = list(ref.ids)
        if ref.logs:
            say("reading the benign reference logs")
            ring = read_logs(list(ref.logs))
            if ring.n_rows == 0:
                raise InputError(f"no valid rows in the benign reference logs {', '.join(ring.files)}.")
            ref_ids += ring.table.column("account_id").unique().to_pylist()
            ing = IngestResult(table=pa.concat_tables([ing.table, ring.table.cast(ing.table.schema)]),
                               bad=ing.bad + ring.bad, n_bad=ing.n_bad + ring.n_bad, files=ing.files + ring.files)
    timings["ingest"] = time.perf_counter() - t0
    eng = Engine(engine, spark=spark)
    try:
        t1 = time.perf_counter()
        say(f"loading into {engine}")
        t = eng.load(ing.table)
        releases = F.detect_releases(t)
        say("template sketches and content signatures")
        sample = eng.keep(F.sample_prompts(t))
        words = F.prompt_words(sample, materialize=eng.keep)
        vt, vocab = F.vocabulary(words, upload=eng.upload)
        tpl = eng.keep(F.template_buckets(sample, words=words, vocab=vt))
        terms = F.term_counts(words, vt).to_pandas()
        prompts = (sample.filter(sample.pid < 8).to_pandas()
                   if cfg is not None and cfg.embedding == "minilm" else None)
        say("account features")
        long_tokens = F.completion_quantile(t, 0.9)
        feats = F.account_features(t, releases=releases[-1:], sample=sample, templates=tpl,
                                   long_tokens=long_tokens).to_pandas()
        halves = None
        if cfg is not None and cfg.style_groups:
            say("style indicators per half of each history")
            halves = F.half_features(t, sample, long_tokens, releases[-1] if releases else None).to_pandas()
        say("tokens and activity")
        # one query (one engine job) for IP/org tokens, template buckets and hourly activity
        tpl_tok = tpl.select("account_id", kind=ibis.literal("tpl"),
                             token=tpl.band.cast("string") + ":" + tpl.bucket, n=tpl.n)
        act_tok = F.activity(t)
        act_tok = act_tok.select("account_id", kind=ibis.literal("hour"), token=act_tok.hour.cast("string"),
                                 n=act_tok.n)
        toks = ibis.union(F.infra_tokens(t), tpl_tok, act_tok).to_pandas()
        meta = F.meta_tokens(t).to_pandas() if pu is not None else None
        timings["engine"] = time.perf_counter() - t1
    finally:
        eng.close()
    t2 = time.perf_counter()
    say("linking accounts")
    is_hour = toks["kind"] == "hour"
    act = toks[is_hour].assign(hour=lambda d: d["token"].astype("int64"))[["account_id", "hour", "n"]]
    tokens = toks.loc[~is_hour, ["account_id", "kind", "token", "n"]]
    feats = feats.sort_values("account_id").reset_index(drop=True)
    terms = terms.sort_values(["account_id", "term"]).reset_index(drop=True)
    if halves is not None:
        halves = halves.sort_values(["account_id", "half"]).reset_index(drop=True)
    campaigns, accounts, links = link_accounts(feats, tokens, act, cfg, terms=terms, vocab=vocab, prompts=prompts,
                                               halves=halves, reference=ref_ids)
    notes = []
    pu_info = None
    if pu is not None:
        say("PU scores against the benign reference")
        campaigns, accounts, pu_info = _apply_pu(campaigns, accounts, feats, terms, len(vocab), act, ref_ids, pu, meta)
        notes.append(_pu_note(pu_info))
    if ref_ids is not None:
        notes.append(f"benign reference: {int(accounts['reference'].sum())} known-good accounts are the null of "
                     f"every test and are never flagged (a random sample of the benign accounts is assumed)")
    if len(feats) < 2:
        notes.append(f"the log holds {len(feats)} account(s): campaigns need at least two, so none can be found.")
    if ing.n_bad:
        notes.append(f"{ing.n_bad} bad row(s) skipped (see bad_rows.jsonl / ingest.bad_examples).")
    timings["link"] = time.perf_counter() - t2
    timings["total"] = time.perf_counter() - t0
    return ScanResult(campaigns=campaigns, accounts=accounts, links=links, ingest=ing, engine=engine,
                      timings=timings, releases=[{"model": r.model, "epoch_s": r.epoch_s} for r in releases],
                      notes=notes, pu=pu_info)


def _apply_pu(campaigns: list[Campaign], accounts: pd.DataFrame, feats: pd.DataFrame, terms: pd.DataFrame,
              n_terms: int, act: pd.DataFrame, ref_ids: list[str] | None, cfg: PUConfig,
              meta: pd.DataFrame | None) -> tuple[list[Campaign], pd.DataFrame, dict[str, Any]]:
    """PU scores (:func:`.pu.pu_scores`) into the account table (``flagged`` |= ``pu_flagged``) and each
    candidate campaign's Simes combination of its members' conformal p-values into its evidence."""
    from distillscope.monitor.pu import group_pvalues, pu_scores

    tab = pu_scores(feats, terms, n_terms, act, ref_ids or [], cfg, meta=meta)
    info = dict(tab.attrs["pu"])
    cols = ["account_id", "pu_role", "pu_score", "pu_p", "pu_flagged"]
    accounts = accounts.drop(columns=[c for c in cols[1:] if c in accounts]).merge(tab[cols], on="account_id",
                                                                                    how="left")
    accounts["pu_flagged"] = accounts["pu_flagged"].fillna(False).astype(bool)
    info["flagged_outside_campaigns"] = int((accounts["pu_flagged"] & ~accounts["flagged"]).sum())
    accounts["flagged"] = accounts["flagged"].astype(bool) | accounts["pu_flagged"]
    raw, adj = group_pvalues([c.accounts for c in campaigns], tab)
    for c, r, a in zip(campaigns, raw, adj, strict=True):
        c.evidence["pu_simes_p"] = None if np.isnan(r) else float(r)
        c.evidence["pu_simes_p_adj"] = None if np.isnan(a) else float(a)
    return campaigns, accounts, info


def _pu_note(info: dict[str, Any]) -> str:
    head = (f"PU scores: {info['flagged']} accounts flagged at conformal p <= {info['alpha']:g} (expected benign "
            f"false-positive rate <= {info['alpha']:g}; {info['flagged_outside_campaigns']} outside every flagged "
            f"campaign), calibrated on {info['calibration_accounts']} held-out reference accounts")
    if not info["reachable"]:
        head += (f"; NO account can be flagged: the smallest p-value is {info['min_p']:.2g} > alpha, a calibration "
                 f"set of {info['calibration_needed']} reference accounts is needed (a larger --benign-reference or "
                 f"a larger --pu-alpha)")
    return head
