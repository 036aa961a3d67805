"""Read exchange logs (JSONL, Parquet, CSV, or the gateway's DuckDB database with table ``exchanges``; one file,
many, or folders) into one validated Arrow table.

Every row is kept or reported: a row that cannot be read (bad JSON, wrong number of CSV fields, a missing required
field, a value that does not convert to its column type) goes into :attr:`IngestResult.bad` with its file, its
position (1-based line for JSONL/CSV, 0-based row for Parquet and DuckDB tables) and the reason, and is counted. Nothing else is
dropped. Validation runs in DuckDB (vectorised ``TRY_CAST``), so ingesting millions of rows takes seconds.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from distillscope.errors import InputError
from distillscope.monitor.schema import (
    COLUMNS,
    NULLABLE,
    OPTIONAL_COLUMNS,
    REQUIRED,
    TS_MAX_S,
    TS_MIN_S,
    TS_MS_ABOVE,
    TS_RANGE_TEXT,
    arrow_schema,
    covered_segments,
    valid_text,
)

_CAST = {"string": "VARCHAR", "timestamp": "TIMESTAMPTZ", "int64": "BIGINT", "int32": "INTEGER",
         "float64": "DOUBLE"}
_SUFFIX = {".jsonl": "jsonl", ".json": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet",
           ".csv": "csv", ".duckdb": "duckdb", ".db": "duckdb"}


@dataclass
class BadRow:
    """One row that was not ingested."""

    file: str
    position: int
    reason: str


@dataclass
class IngestResult:
    """The validated log and what was left out."""

    table: pa.Table
    bad: list[BadRow] = field(default_factory=list)
    n_bad: int = 0
    files: list[str] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        return self.table.num_rows

    def summary(self) -> dict:
        by_reason: dict[str, int] = {}
        for b in self.bad:
            key = b.reason.split(":")[0]
            by_reason[key] = by_reason.get(key, 0) + 1
        return {"rows": self.n_rows, "bad_rows": self.n_bad, "files": self.files, "bad_by_reason": by_reason,
                "bad_examples": [b.__dict__ for b in self.bad[:20]]}


def expand_paths(paths: list[str | Path]) -> list[tuple[Path, str]]:
    """Files and their format; folders are searched recursively for known suffixes."""
    out: list[tuple[Path, str]] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.suffix.lower() in _SUFFIX and f.is_file())
            # a gateway log folder: skip segments a merged file already holds (a crash or a merge in progress)
            skip = covered_segments([f.name for f in found])
            found = [f for f in found if f.name not in skip]
            if not found:
                raise InputError(f"{p}: folder has no .jsonl/.parquet/.csv files.")
            out += [(f, _SUFFIX[f.suffix.lower()]) for f in found]
        elif p.is_file():
            fmt = _SUFFIX.get(p.suffix.lower())
            if fmt is None:
                raise InputError(f"{p}: unknown log format {p.suffix!r}; use .jsonl, .parquet or .csv.")
            out.append((p, fmt))
        else:
            raise InputError(f"{p}: no such file or folder.")
    if not out:
        raise InputError("no log files given.")
    return out


#: JSONL is read and validated in blocks of about this many bytes (whole lines), so memory stays near one block
#: plus the rows kept, whatever the file size.
JSONL_BLOCK_BYTES = 16 << 20


def _jsonl_blocks(path: Path, block_bytes: int):
    """(line numbers, raw lines) blocks of a JSONL file; blank lines are skipped, numbering is 1-based."""
    pos: list[int] = []
    lines: list[bytes] = []
    size = 0
    with open(path, "rb") as f:
        for i, b in enumerate(f, 1):
            if not b.strip():
                continue
            pos.append(i)
            lines.append(b)
            size += len(b)
            if size >= block_bytes:
                yield pos, lines
                pos, lines, size = [], [], 0
    if lines:
        yield pos, lines


def _json_text(v) -> str | None:
    """A JSON value as the text DuckDB's ``json_extract_string`` gives (objects and arrays as JSON text)."""
    if v is None:
        return None
    if isinstance(v, str):
        return valid_text(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return json.dumps(v)
    return valid_text(json.dumps(v, ensure_ascii=False))


def _raw_jsonl(path: Path, con, scratch: Path, block_bytes: int | None = None):
    """Yields (source, bad rows) per block of the file: each block is parsed and validated before the next is
    read, so memory holds one block's lines plus the rows kept (the whole file never sits in memory)."""
    cols = list(dict(COLUMNS, **OPTIONAL_COLUMNS))
    for pos, lines in _jsonl_blocks(path, block_bytes or JSONL_BLOCK_BYTES):
        bad: list[BadRow] = []
        data: dict[str, list] = {c: [] for c in cols}
        kept: list[int] = []
        for k in range(len(lines)):
            p, b = pos[k], lines[k]
            lines[k] = b""  # drop each raw line as soon as it is parsed
            try:
                d = json.loads(b.decode("utf-8"))
            except UnicodeDecodeError:
                bad.append(BadRow(str(path), p, "encoding: line is not UTF-8"))
                continue
            except (ValueError, RecursionError):
                d = None
            if not isinstance(d, dict):
                bad.append(BadRow(str(path), p, "json: not a JSON object on this line"))
                continue
            kept.append(p)
            for c in cols:
                data[c].append(_json_text(d.get(c)))
            del d
        del lines
        tbl = pa.table({"_pos": pa.array(kept, pa.int64()), **{c: pa.array(data.pop(c), pa.string()) for c in cols}})
        con.register("_jsonl", tbl)
        del tbl
        yield "_jsonl", bad
        con.unregister("_jsonl")


def _raw_csv(path: Path, con, scratch: Path) -> tuple[str, list[BadRow]]:
    import pyarrow.csv as pcsv

    bad: list[BadRow] = []

    def handler(row) -> str:
        bad.append(BadRow(str(path), int(row.number) if row.number is not None else -1,
                          f"csv: expected {row.expected_columns} fields, got {row.actual_columns}"))
        return "skip"

    with open(path, "rb") as f:
        header = f.readline().decode("utf-8", "replace").strip().split(",")
    header = [h.strip().strip('"') for h in header]
    try:
        # bytes first: one value that is not UTF-8 makes its row bad, not the whole file
        tbl = pcsv.read_csv(path, read_options=pcsv.ReadOptions(use_threads=False),
                            parse_options=pcsv.ParseOptions(invalid_row_handler=handler, newlines_in_values=True),
                            convert_options=pcsv.ConvertOptions(column_types={h: pa.binary() for h in header},
                                                                strings_can_be_null=True))
    except pa.ArrowInvalid as e:
        raise InputError(f"{path}: cannot read as CSV ({e}).") from e
    not_utf8 = np.zeros(tbl.num_rows, dtype=bool)
    cols = []
    for name, col in zip(tbl.column_names, tbl.columns):
        try:
            cols.append(col.cast(pa.string()))
        except pa.ArrowInvalid:  # rare: find the rows, replace their values (the rows are dropped below)
            vals = col.to_pylist()
            fixed = []
            for i, b in enumerate(vals):
                try:
                    fixed.append(None if b is None else b.decode("utf-8"))
                except UnicodeDecodeError:
                    not_utf8[i] = True
                    fixed.append(None)
            cols.append(pa.chunked_array([pa.array(fixed, pa.string())]))
    tbl = pa.table(cols, names=tbl.column_names)
    # positions are line numbers (header = line 1), exact when no value spans several lines
    skipped = sorted(b.position for b in bad)
    pos, k = [], 0
    line = 2
    for _ in range(tbl.num_rows):
        while k < len(skipped) and skipped[k] == line:
            line += 1
            k += 1
        pos.append(line)
        line += 1
    tbl = tbl.append_column("_pos", pa.array(pos, pa.int64()))
    if not_utf8.any():
        bad += [BadRow(str(path), int(p), "encoding: a value is not UTF-8") for p in np.asarray(pos)[not_utf8]]
        bad.sort(key=lambda b: b.position)
        tbl = tbl.filter(pa.array(~not_utf8))
    con.register("_csv", tbl)
    return "_csv", bad


def _raw_parquet(path: Path, con, scratch: Path) -> tuple[str, list[BadRow]]:
    # DuckDB streams the file: no copy of the raw table is held in memory. read_parquet expands globs (* ? [ ])
    # even in a bound parameter, so it is handed a link with a plain name in a private folder, never the file's name.
    link = scratch / f"{len(list(scratch.iterdir()))}.parquet"
    os.symlink(path.resolve(), link)
    esc = str(link).replace("'", "''")
    src = (f"(SELECT * EXCLUDE (file_row_number), file_row_number AS _pos "
           f"FROM read_parquet('{esc}', file_row_number = true))")
    try:
        con.execute(f"SELECT * FROM {src} LIMIT 0")
    except Exception as e:  # duckdb raises its own exception types
        raise InputError(f"{path}: not a readable Parquet file ({e}).") from e
    return src, []


def _raw_duckdb(path: Path, con, scratch: Path, table: str = "exchanges") -> tuple[str, list[BadRow]]:
    try:
        con.execute("ATTACH ? AS gw (READ_ONLY)", [str(path.resolve())])  # the path as a bound parameter
    except Exception as e:  # duckdb raises its own exception types
        raise InputError(f"{path}: not a readable DuckDB database ({e}).") from e
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'gw'").fetchall()}
    if table not in tables:
        con.execute("DETACH gw")
        raise InputError(f"{path}: no table {table!r} (found {sorted(tables)}); the gateway writes 'exchanges'.")
    ident = '"' + table.replace('"', '""') + '"'
    con.execute(f"CREATE OR REPLACE TEMP TABLE _gw AS SELECT *, row_number() OVER () - 1 AS _pos FROM gw.{ident}")
    con.execute("DETACH gw")
    return "_gw", []


def _validate(con, src: str, path: Path, present: set[str]) -> tuple[pa.Table, list[BadRow]]:
    cols = dict(COLUMNS, **OPTIONAL_COLUMNS)
    missing = [c for c in REQUIRED if c not in present and c != "user_agent"]
    if missing:
        raise InputError(f"{path}: missing required column(s) {', '.join(missing)}; see distillscope.monitor.schema.")
    sel, checks = [], []
    for c, t in cols.items():
        if c not in present:
            sel.append(f"{'''''' if c == 'user_agent' else 'NULL'}::{_CAST[t]} AS {c}")
            continue
        v = f'"{c}"'
        if t == "timestamp":
            # epoch seconds or ISO text; naive times are UTC. to_timestamp raises outside its range (and on
            # NaN/inf), so only finite numbers inside the valid range reach it; other values are bad rows.
            # The rule of schema.parse_ts: numbers above TS_MS_ABOVE are milliseconds; booleans are not times.
            num = (f"(CASE WHEN typeof({v}) = 'BOOLEAN' THEN NULL WHEN abs(TRY_CAST({v} AS DOUBLE)) > {TS_MS_ABOVE} "
                   f"THEN TRY_CAST({v} AS DOUBLE) / 1000 ELSE TRY_CAST({v} AS DOUBLE) END)")
            raw = (f"COALESCE(TRY_CAST({v} AS TIMESTAMPTZ), CASE WHEN isfinite({num}) THEN "
                   f"CASE WHEN {num} >= {TS_MIN_S} AND {num} < {TS_MAX_S} THEN to_timestamp({num}) "
                   f"ELSE TIMESTAMPTZ 'infinity' END END)")
            expr = (f"(CASE WHEN isfinite({raw}) AND {raw} >= to_timestamp({TS_MIN_S}) "
                    f"AND {raw} < to_timestamp({TS_MAX_S}) THEN {raw} END)")
            checks.append(f"CASE WHEN {v} IS NOT NULL AND {raw} IS NOT NULL AND {expr} IS NULL "
                          f"THEN 'range: {c} outside {TS_RANGE_TEXT}' END")
        elif t == "string":
            expr = f"TRY_CAST({v} AS VARCHAR)"
        elif t in ("int64", "int32"):
            # whole numbers only (TRY_CAST would round 1.5 to 2); booleans are not counts
            expr = (f"(CASE WHEN typeof({v}) = 'BOOLEAN' THEN NULL WHEN TRY_CAST({v} AS DOUBLE) = "
                    f"TRY_CAST({v} AS {_CAST[t]}) THEN TRY_CAST({v} AS {_CAST[t]}) END)")
        else:
            expr = f"TRY_CAST({v} AS {_CAST[t]})"
        if c == "user_agent":
            expr = f"COALESCE({expr}, '')"
        sel.append(f"{expr} AS {c}")
        if t == "timestamp":
            checks.insert(len(checks) - 1, f"CASE WHEN {v} IS NULL THEN 'missing: {c}' "
                                           f"WHEN {raw} IS NULL THEN 'type: {c}' END")
        elif c not in NULLABLE:
            checks.append(f"CASE WHEN {v} IS NULL THEN 'missing: {c}' WHEN {expr} IS NULL THEN 'type: {c}' END")
        else:
            checks.append(f"CASE WHEN {v} IS NOT NULL AND {expr} IS NULL THEN 'type: {c}' END")
        if t in ("int64", "int32"):
            checks.append(f"CASE WHEN {expr} < 0 THEN 'range: {c} < 0' END")
    reason = f"coalesce({', '.join(checks)})"
    # two passes over the source instead of one materialised copy: the bad rows (few), then the good ones
    bad = [BadRow(str(path), int(p), r) for p, r in con.execute(
        f"SELECT _pos, _reason FROM (SELECT _pos, {reason} AS _reason FROM {src}) WHERE _reason IS NOT NULL "
        "ORDER BY _pos").fetchall()]
    where = f"WHERE {reason} IS NULL" if bad else ""
    # no ORDER BY: DuckDB keeps insertion (file) order by default, and a sort would copy every row
    good = con.sql(f"SELECT {', '.join(sel)} FROM {src} {where}").to_arrow_table()
    if isinstance(good, pa.RecordBatchReader):
        good = good.read_all()
    return good.cast(arrow_schema()), bad


def read_logs(paths: list[str | Path], max_bad_listed: int = 10_000) -> IngestResult:
    """Read and validate logs; bad rows are reported with position and counted, good rows all kept.

    Raises:
        InputError: a path is missing, a format unknown, or a file lacks a required column entirely.
    """
    import duckdb

    files = expand_paths(paths)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    tables, bad, n_bad = [], [], 0
    with tempfile.TemporaryDirectory(prefix="distillscope-ingest-") as scratch:
        for path, fmt in files:
            if not path.exists():  # removed since the folder was listed (a gateway merged its log segments)
                continue
            if fmt == "jsonl":
                sources = _raw_jsonl(path, con, Path(scratch))
            else:
                reader = {"csv": _raw_csv, "parquet": _raw_parquet, "duckdb": _raw_duckdb}[fmt]
                sources = iter([reader(path, con, Path(scratch))])
            file_bad: list[BadRow] = []
            for src, b in sources:
                present = {d[0] for d in con.execute(f"SELECT * FROM {src} LIMIT 0").description} - {"_pos"}
                t, b2 = _validate(con, src, path, present)
                tables.append(t)
                file_bad += b + b2
            file_bad.sort(key=lambda r: r.position)
            for r in file_bad:
                n_bad += 1
                if len(bad) < max_bad_listed:
                    bad.append(r)
        con.close()
    table = pa.concat_tables(tables) if tables else arrow_schema().empty_table()
    return IngestResult(table=table, bad=bad, n_bad=n_bad, files=[str(p) for p, _ in files])
