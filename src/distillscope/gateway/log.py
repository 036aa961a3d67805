"""Durable, append-safe exchange log in the monitor's schema (:mod:`distillscope.monitor.schema`).

Requests hand their row to :meth:`ExchangeLog.submit` and wait for the returned future before answering the
client, so an acknowledged exchange is always on disk. A single writer thread group-commits whatever rows are
waiting (one write + fsync per batch), which keeps hundreds of concurrent requests cheap.

Sinks, chosen by the log path:
  * a folder (default): Parquet segments, each written to ``*.tmp`` and atomically renamed to ``*.parquet``;
    a crash leaves at most an ignored ``.tmp``. Segments are merged every ``compact_every`` batches and on close.
    ``distillscope monitor scan FOLDER`` reads it while it grows.
  * ``*.jsonl``: one JSON object per line, appended and fsynced per batch.
  * ``*.duckdb``: rows committed to table ``exchanges`` (DuckDB's WAL makes commits durable); one process only.

Every file is created 0600 (folders 0700): the log holds prompts, completions and client IPs. A batch whose write
fails is retried row by row, so one unwritable row fails only its own request.
"""

from __future__ import annotations

import json
import os
import queue
import threading
import time
import uuid
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from distillscope.errors import InputError
from distillscope.monitor.schema import arrow_schema, covered_segments, duckdb_ddl, exchange_to_row
from distillscope.store._private import private_dir, private_files, private_open


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _ParquetSink:
    """Parquet segments ``<prefix>-NNNNNN.parquet``, merged every ``compact_every`` segments (and on close) into
    ``<prefix>-AAAAAA-BBBBBB.parquet``. The merged file is renamed into place before its segments are removed;
    a crash between the two leaves segments that a merged file covers, which the next log on the folder deletes
    (until then a reader may see those rows twice; no row is ever lost)."""

    def __init__(self, folder: Path, fsync: bool, compact_every: int = 64) -> None:
        self.folder, self.fsync, self.compact_every = folder, fsync, compact_every
        private_dir(folder)
        self.schema = arrow_schema()
        self.prefix = f"exchanges-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
        self.n = 0
        self.segments: list[tuple[int, Path]] = []
        self._remove_covered_segments()

    def _remove_covered_segments(self) -> None:
        for name in covered_segments([f.name for f in self.folder.glob("exchanges-*.parquet")]):
            (self.folder / name).unlink(missing_ok=True)

    def _publish(self, table, final: Path) -> None:
        import pyarrow.parquet as pq

        tmp = final.with_suffix(".parquet.tmp")
        with open(private_open(tmp), "wb") as f:  # 0600: prompts, completions and client IPs
            pq.write_table(table, f)
        if self.fsync:
            _fsync_path(tmp)
        os.replace(tmp, final)
        if self.fsync:
            _fsync_path(self.folder)

    def write(self, rows: list[dict[str, Any]]) -> None:
        import pyarrow as pa

        self.n += 1
        final = self.folder / f"{self.prefix}-{self.n:06d}.parquet"
        self._publish(pa.Table.from_pylist(rows, schema=self.schema), final)
        self.segments.append((self.n, final))
        if len(self.segments) >= self.compact_every:
            self.compact()

    def compact(self) -> None:
        """Merge this log's segments written since the last merge into one file."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if len(self.segments) < 2:
            return
        a, b = self.segments[0][0], self.segments[-1][0]
        merged = pa.concat_tables([pq.read_table(f, schema=self.schema) for _, f in self.segments])
        self._publish(merged, self.folder / f"{self.prefix}-{a:06d}-{b:06d}.parquet")
        for _, f in self.segments:
            f.unlink(missing_ok=True)
        if self.fsync:
            _fsync_path(self.folder)
        self.segments = []

    def close(self) -> None:
        self.compact()


class _JsonlSink:
    def __init__(self, path: Path, fsync: bool) -> None:
        private_dir(path.parent)
        self.fsync = fsync
        self.fd = private_open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)

    def write(self, rows: list[dict[str, Any]]) -> None:
        data = "".join(json.dumps({k: (v.isoformat() if k == "ts" else v) for k, v in r.items()},
                                  ensure_ascii=False) + "\n" for r in rows).encode()
        view = memoryview(data)
        while view:
            n = os.write(self.fd, view)
            view = view[n:]
        if self.fsync:
            os.fsync(self.fd)

    def close(self) -> None:
        os.close(self.fd)


class _DuckSink:
    def __init__(self, path: Path, fsync: bool) -> None:
        import duckdb

        private_dir(path.parent)
        with private_files():  # DuckDB creates the database and its WAL itself
            self.con = duckdb.connect(str(path))
            self.con.execute(duckdb_ddl())
        self.schema = arrow_schema()

    def write(self, rows: list[dict[str, Any]]) -> None:
        import pyarrow as pa

        batch = pa.Table.from_pylist(rows, schema=self.schema)  # noqa: F841 - read by name in the SQL below
        with private_files():
            self.con.execute("BEGIN")
            try:
                self.con.execute("INSERT INTO exchanges SELECT * FROM batch")
                self.con.execute("COMMIT")
            except BaseException:
                self.con.execute("ROLLBACK")
                raise

    def close(self) -> None:
        with private_files():
            self.con.close()


class ExchangeLog:
    """Group-committing exchange log (see module docstring).

    Args:
        path: a folder (Parquet segments), a ``.jsonl`` file or a ``.duckdb`` file.
        fsync: fsync every batch (survives power loss, not just a killed process).
        max_batch: rows per write at most.
        compact_every: Parquet segments merged into one file every this many batches (and on close).
    """

    def __init__(self, path: str | Path, fsync: bool = True, max_batch: int = 2000, compact_every: int = 64) -> None:
        p = Path(path)
        suffix = p.suffix.lower()
        if suffix == ".jsonl":
            self.sink: Any = _JsonlSink(p, fsync)
        elif suffix == ".duckdb":
            self.sink = _DuckSink(p, fsync)
        elif suffix in ("", ".log", ".d") or p.is_dir():
            self.sink = _ParquetSink(p, fsync, compact_every)
        else:
            raise InputError(f"Exchange log {p}: use a folder (Parquet segments), a .jsonl or a .duckdb file.")
        self.path = p
        self.max_batch = max_batch
        self._q: queue.Queue[tuple[dict[str, Any], Future[None]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="exchange-log", daemon=True)
        self._closed = False
        self.rows_written = 0
        self.batches = 0
        self._thread.start()

    def submit(self, exchange: dict[str, Any]) -> Future[None]:
        """Queue one exchange (validated into a schema row now); the future resolves once it is on disk."""
        fut: Future[None] = Future()
        if self._closed:
            fut.set_exception(RuntimeError("exchange log is closed"))
            return fut
        self._q.put((exchange_to_row(exchange), fut))
        return fut

    def write(self, exchange: dict[str, Any], timeout: float | None = 30) -> None:
        """Log one exchange and wait until it is durable."""
        self.submit(exchange).result(timeout)

    def _run(self) -> None:
        while True:
            item = self._q.get()
            if item is None:
                return
            batch = [item]
            while len(batch) < self.max_batch:
                try:
                    nxt = self._q.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self._q.put(None)
                    break
                batch.append(nxt)
            try:
                self.sink.write([r for r, _ in batch])
            except Exception as e:  # noqa: BLE001 - retried row by row below
                if len(batch) == 1:
                    batch[0][1].set_exception(e)
                    continue
                # one bad row must not fail the others: write them one by one, failing only the rows that fail
                for r, f in batch:
                    try:
                        self.sink.write([r])
                    except Exception as e1:  # noqa: BLE001 - this row's waiter learns its write failed
                        f.set_exception(e1)
                        continue
                    self.rows_written += 1
                    self.batches += 1
                    f.set_result(None)
                continue
            self.rows_written += len(batch)
            self.batches += 1
            for _, f in batch:
                f.set_result(None)

    def close(self) -> None:
        """Write what is queued, then stop."""
        if self._closed:
            return
        self._closed = True
        self._q.put(None)
        self._thread.join(timeout=60)
        self.sink.close()


def read_log(path: str | Path) -> Any:
    """The whole log as a pyarrow Table (any sink), e.g. for tests and benchmarks."""
    import pyarrow as pa

    p = Path(path)
    if p.suffix.lower() == ".duckdb":
        import duckdb

        with duckdb.connect(str(p), read_only=True) as con:
            return con.sql("SELECT * FROM exchanges").to_arrow_table()
    if p.suffix.lower() == ".jsonl":
        rows = [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
        return pa.Table.from_pylist([exchange_to_row(r) for r in rows], schema=arrow_schema())
    import pyarrow.parquet as pq

    files = sorted(p.glob("*.parquet"))
    if not files:
        return arrow_schema().empty_table()
    return pa.concat_tables([pq.read_table(f, schema=arrow_schema()) for f in files])
