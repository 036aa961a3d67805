"""DuckDB sample store: every request and completion, content-addressed.

A sample's id is the hash of (model spec, request incl. seed index), so asking for the same sample twice is a
cache hit. Each batch of new samples is written in one transaction: a run killed with SIGKILL leaves only whole
rows, and the rerun generates just what is missing. The database file is opened per operation (not held), so
several commands can share one store one after another; a store busy in another process is retried briefly.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from distillscope.errors import DistillscopeError, InputError
from distillscope.models.base import Completion, GenRequest
from distillscope.store._private import private_dir, private_files

SCHEMA = """
CREATE TABLE IF NOT EXISTS samples (
    sample_id VARCHAR PRIMARY KEY,
    spec VARCHAR NOT NULL,
    request JSON NOT NULL,
    prompt_text VARCHAR,
    seed_index INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    text VARCHAR NOT NULL,
    completion JSON NOT NULL,
    declared_model VARCHAR,
    system_fingerprint VARCHAR,
    finish_reason VARCHAR,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    latency_s DOUBLE,
    has_logprobs BOOLEAN
);
"""


class SampleStore:
    """A DuckDB file of samples.

    Args:
        path: database file; ``None`` uses ``$DISTILLSCOPE_STORE`` or ``<data dir>/samples.duckdb``;
            ``":memory:"`` keeps everything in this process.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        from distillscope.paths import default_store_path

        self.path = str(path) if path is not None else str(default_store_path())
        self._mem = duckdb.connect(":memory:") if self.path == ":memory:" else None
        if self._mem is None:
            private_dir(Path(self.path).parent)
        with self._conn() as con:
            con.execute(SCHEMA)

    @contextmanager
    def _conn(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if self._mem is not None:
            yield self._mem
            return
        with private_files():  # the store and its WAL hold prompts and completions: 0600
            yield from self._file_conn()

    def _file_conn(self) -> Iterator[duckdb.DuckDBPyConnection]:
        deadline = time.monotonic() + 30
        while True:
            try:
                con = duckdb.connect(self.path)
                break
            except duckdb.IOException as e:  # held by another process
                if "lock" not in str(e).lower() or time.monotonic() > deadline:
                    raise DistillscopeError(
                        f"Sample store {self.path} could not be opened ({e}). If another distillscope process is "
                        "using it, wait for it or pass a different store (--store PATH / $DISTILLSCOPE_STORE)."
                    ) from e
                time.sleep(0.2)
        try:
            yield con
        finally:
            con.close()

    # --- reads ------------------------------------------------------------------------------------
    def get_many(self, ids: Sequence[str]) -> dict[str, Completion]:
        """Stored completions for the given sample ids (missing ids are absent from the result)."""
        if not ids:
            return {}
        with self._conn() as con:
            rows = con.execute(
                "SELECT sample_id, completion FROM samples WHERE sample_id IN (SELECT unnest(?))", [list(ids)]
            ).fetchall()
        out = {}
        for sid, comp in rows:
            c = Completion.from_dict(json.loads(comp))
            c.sample_id, c.cached = sid, True
            out[sid] = c
        return out

    def count(self, spec: str | None = None) -> int:
        with self._conn() as con:
            if spec is None:
                return int(con.execute("SELECT count(*) FROM samples").fetchone()[0])  # type: ignore[index]
            return int(con.execute("SELECT count(*) FROM samples WHERE spec = ?", [spec]).fetchone()[0])  # type: ignore[index]

    def specs(self) -> list[tuple[str, int]]:
        with self._conn() as con:
            return [(s, int(n)) for s, n in con.execute(
                "SELECT spec, count(*) FROM samples GROUP BY spec ORDER BY spec").fetchall()]

    # --- writes -----------------------------------------------------------------------------------
    def put_many(self, spec: str, items: Sequence[tuple[GenRequest, Completion]]) -> list[str]:
        """Store completions in one transaction; returns their sample ids. Existing ids are left as they are."""
        now = datetime.now(UTC)
        rows = []
        for req, comp in items:
            sid = req.key(spec)
            comp.sample_id = sid
            d = comp.to_dict()
            d.pop("cached", None)
            prompt_text = req.prompt if req.prompt is not None else json.dumps(req.message_dicts, ensure_ascii=False)
            rows.append((sid, spec, json.dumps(req.to_dict(), ensure_ascii=False), prompt_text, req.seed_index, now,
                         comp.text, json.dumps(d, ensure_ascii=False), comp.declared_model, comp.system_fingerprint,
                         comp.finish_reason, comp.usage.get("prompt_tokens"), comp.usage.get("completion_tokens"),
                         comp.latency_s, comp.logprobs is not None))
        with self._conn() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                # one multi-row statement per 64 rows: DuckDB's executemany runs a statement per row (~10 ms each)
                one = "(" + ", ".join(["?"] * 15) + ")"
                for s in range(0, len(rows), 64):
                    part = rows[s : s + 64]
                    con.execute(f"INSERT INTO samples VALUES {', '.join([one] * len(part))} ON CONFLICT DO NOTHING",
                                [x for r in part for x in r])
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return [r[0] for r in rows]

    # --- export -----------------------------------------------------------------------------------
    def export(self, out: str | Path, spec: str | None = None) -> int:
        """Write samples to ``out`` (.parquet or .jsonl, chosen by suffix); returns the row count."""
        out = Path(out)
        fmt = {".parquet": "(FORMAT PARQUET)", ".jsonl": "(FORMAT JSON)", ".json": "(FORMAT JSON)"}.get(out.suffix)
        if fmt is None:
            raise InputError(f"Cannot export to {out.name}: use a .parquet or .jsonl file name.")
        out.parent.mkdir(parents=True, exist_ok=True)
        where = " WHERE spec = $spec" if spec else ""
        with self._conn() as con:
            q = f"SELECT * FROM samples{where} ORDER BY created_at, sample_id"
            n = int(con.execute(f"SELECT count(*) FROM ({q})", {"spec": spec} if spec else {}).fetchone()[0])  # type: ignore[index]
            con.execute(f"COPY ({q}) TO '{str(out).replace(chr(39), chr(39) * 2)}' {fmt}", {"spec": spec} if spec else {})
        return n
