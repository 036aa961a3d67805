"""The exchange-log schema: one row per API exchange (request + response), shared by the gateway and the monitor.

The gateway writes its log in exactly this schema (DuckDB table or Parquet files); ``distillscope monitor scan``
reads it, and also reads JSONL and CSV files that carry the same column names.

Columns (required unless marked nullable):

==================  ===================  ==========================================================================
column              type                 meaning
==================  ===================  ==========================================================================
account_id          string               the customer account that owns the API key
key_id              string               the API key id (never the secret itself)
ts                  timestamp[us, UTC]   when the request arrived, in UTC
ip                  string               client IP address as seen by the gateway (IPv4 or IPv6 text)
user_agent          string               the HTTP ``User-Agent`` header ("" when absent)
org_id              string, nullable     payment method / organisation id when known
model               string               the model name the client asked for
prompt              string               the request text; chat messages are flattened to one string, one
                                         ``role: content`` line per message (see :func:`flatten_messages`)
completion          string               the response text (first choice)
prompt_tokens       int64                prompt tokens as billed
completion_tokens   int64                completion tokens as billed
watermark_key_id    string, nullable     id of the watermark key applied to the completion, if any
==================  ===================  ==========================================================================

Optional extra columns (may be absent; readers fill them with nulls):

==================  ===================  ==========================================================================
exchange_id         string, nullable     the gateway's request id
status              int32, nullable      HTTP status returned to the client
latency_ms          float64, nullable    time to the last byte
extra               string, nullable     any further fields as one JSON object
==================  ===================  ==========================================================================

Writing a row from the gateway::

    from distillscope.monitor.schema import exchange_to_row, arrow_schema
    row = exchange_to_row({"account_id": "acct_1", "key_id": "key_1", "ts": time.time(), "ip": "203.0.113.9",
                           "user_agent": "python-httpx/0.27", "model": "smollm2", "prompt": messages,
                           "completion": text, "prompt_tokens": 31, "completion_tokens": 64})
    # rows -> pyarrow.Table.from_pylist(rows, schema=arrow_schema()) -> Parquet, or INSERT into duckdb_ddl()

The schema version is :data:`SCHEMA_VERSION`; a change that renames or retypes a column bumps it.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from distillscope.errors import InputError

SCHEMA_VERSION = 1

#: Required columns and their logical types, in file order.
COLUMNS: dict[str, str] = {
    "account_id": "string",
    "key_id": "string",
    "ts": "timestamp",
    "ip": "string",
    "user_agent": "string",
    "org_id": "string",
    "model": "string",
    "prompt": "string",
    "completion": "string",
    "prompt_tokens": "int64",
    "completion_tokens": "int64",
    "watermark_key_id": "string",
}

#: Optional columns: absent in a file means null.
OPTIONAL_COLUMNS: dict[str, str] = {
    "exchange_id": "string",
    "status": "int32",
    "latency_ms": "float64",
    "extra": "string",
}

#: Columns that may hold nulls.
NULLABLE = frozenset({"org_id", "watermark_key_id", *OPTIONAL_COLUMNS})

#: Columns a row must carry a value for.
REQUIRED = tuple(c for c in COLUMNS if c not in NULLABLE)

_DUCK_TYPES = {"string": "VARCHAR", "timestamp": "TIMESTAMPTZ", "int64": "BIGINT", "int32": "INTEGER",
               "float64": "DOUBLE"}


def arrow_schema(optional: bool = True):
    """The pyarrow schema of the log (with the optional columns unless ``optional=False``)."""
    import pyarrow as pa

    types = {"string": pa.string(), "timestamp": pa.timestamp("us", tz="UTC"), "int64": pa.int64(),
             "int32": pa.int32(), "float64": pa.float64()}
    cols = dict(COLUMNS, **(OPTIONAL_COLUMNS if optional else {}))
    return pa.schema([pa.field(c, types[t], nullable=c in NULLABLE) for c, t in cols.items()],
                     metadata={b"distillscope.exchange_log.version": str(SCHEMA_VERSION).encode()})


def duckdb_ddl(table: str = "exchanges") -> str:
    """``CREATE TABLE IF NOT EXISTS`` statement for the log in DuckDB."""
    cols = dict(COLUMNS, **OPTIONAL_COLUMNS)
    body = ",\n  ".join(f"{c} {_DUCK_TYPES[t]}{'' if c in NULLABLE else ' NOT NULL'}" for c, t in cols.items())
    return f"CREATE TABLE IF NOT EXISTS {table} (\n  {body}\n)"


#: Gateway log segment names: ``<prefix>-NNNNNN.parquet`` (one batch) or ``<prefix>-AAAAAA-BBBBBB.parquet``
#: (batches A..B merged); a merged file replaces the segments it covers.
SEGMENT_NAME = re.compile(r"^(?P<prefix>exchanges-\d{8}T\d{6}-[0-9a-f]{8})-(?P<a>\d{6})(?:-(?P<b>\d{6}))?\.parquet$")


def covered_segments(names: Sequence[str]) -> set[str]:
    """The segment file names among ``names`` that a merged file among ``names`` covers (readers skip them; the
    gateway deletes them)."""
    spans: dict[str, list[tuple[int, int]]] = {}
    singles: list[tuple[str, int, str]] = []
    for name in names:
        m = SEGMENT_NAME.match(name)
        if m is None:
            continue
        if m["b"] is None:
            singles.append((m["prefix"], int(m["a"]), name))
        else:
            spans.setdefault(m["prefix"], []).append((int(m["a"]), int(m["b"])))
    return {name for prefix, n, name in singles if any(a <= n <= b for a, b in spans.get(prefix, ()))}


def flatten_messages(messages: Sequence[Mapping[str, Any]]) -> str:
    """Chat messages -> one string, one ``role: content`` line per message (content parts are joined)."""
    lines = []
    for m in messages:
        content = m.get("content", "")
        if isinstance(content, list):  # OpenAI content parts
            content = " ".join(str(p.get("text", "")) for p in content if isinstance(p, Mapping))
        lines.append(f"{m.get('role', 'user')}: {content if content is not None else ''}")
    return "\n".join(lines)


#: The one timestamp rule (this function and the monitor's ingest apply it alike): epoch numbers above
#: ``TS_MS_ABOVE`` (year 5138 in seconds) are milliseconds, and a time must lie in [1970-01-01, 10000-01-01) UTC.
TS_MS_ABOVE = 1e11
TS_MIN_S, TS_MAX_S = 0, 253_402_300_800
TS_RANGE_TEXT = "1970-01-01..9999-12-31"


def parse_ts(value: Any) -> dt.datetime:
    """A UTC-aware datetime from a datetime (naive = UTC), ISO-8601 text, or epoch seconds / milliseconds.

    Raises:
        TypeError, ValueError: not a time, or outside 1970-01-01..9999-12-31 (see :data:`TS_MS_ABOVE`).
    """
    if isinstance(value, dt.datetime):
        d = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
        if d.timestamp() < TS_MIN_S:
            raise ValueError(f"ts {value!s} is outside {TS_RANGE_TEXT}")
        return d
    if isinstance(value, bool):
        raise TypeError("ts is a boolean")
    if isinstance(value, (int, float)):
        v = float(value)
        secs = v / 1000.0 if abs(v) > TS_MS_ABOVE else v  # > year 5138 in s = milliseconds
        if not math.isfinite(secs) or not TS_MIN_S <= secs < TS_MAX_S:
            raise ValueError(f"ts {value!r} is outside {TS_RANGE_TEXT}")
        return dt.datetime.fromtimestamp(secs, tz=dt.UTC)
    if isinstance(value, str) and value.strip():
        s = value.strip()
        try:
            return parse_ts(float(s))
        except ValueError:
            pass
        try:
            d = dt.datetime.fromisoformat(s)
        except ValueError:
            raise ValueError(f"cannot read a timestamp from {value!r} (use ISO-8601 or epoch seconds)") from None
        return parse_ts(d)
    raise TypeError(f"cannot read a timestamp from {value!r}")


def valid_text(s: str) -> str:
    """``s`` with any lone surrogate (``"\\ud800"``, not encodable as UTF-8) written as its ``\\udXXX`` escape.

    JSON lets a client send lone surrogates; Arrow, Parquet, DuckDB and UTF-8 files cannot hold them, so the log
    stores them escaped instead of failing the write (and with it every other row in the batch).
    """
    if s.isascii():
        return s
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return s.encode("utf-8", "backslashreplace").decode("utf-8")
    return s


def _text(value: Any, col: str) -> str:
    if isinstance(value, str):
        return valid_text(value)
    if isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
        return valid_text(flatten_messages(value))  # chat messages
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise TypeError(f"{col} must be text, got {type(value).__name__}")


def _int(value: Any, col: str) -> int:
    if isinstance(value, bool):
        raise TypeError(f"{col} is a boolean")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"{col} must be a whole number, got {value}")
        value = int(value)
    v = int(value)
    if v < 0:
        raise ValueError(f"{col} must be >= 0, got {v}")
    return v


def exchange_to_row(exchange: Mapping[str, Any]) -> dict[str, Any]:
    """Validate one exchange dict and return a row of the log schema (all columns, nulls where absent).

    ``prompt`` and ``completion`` may be strings or lists of chat messages. ``ts`` may be a datetime, ISO text or
    epoch seconds. Unknown keys are folded into the ``extra`` JSON column, so nothing is lost.

    Raises:
        InputError: naming the first missing or malformed field.
    """
    if not isinstance(exchange, Mapping):
        raise InputError(f"an exchange must be a JSON object / dict, got {type(exchange).__name__}")
    row: dict[str, Any] = {}
    try:
        for col in REQUIRED:
            v = exchange.get(col)
            if v is None or (col == "ts" and v == ""):
                if col == "user_agent":
                    v = ""
                else:
                    raise ValueError(f"missing required field {col!r}")
            if col == "ts":
                try:
                    row[col] = parse_ts(v)
                except (ValueError, TypeError, OverflowError, OSError) as e:
                    raise ValueError(f"ts: {e}") from None
            elif COLUMNS[col] == "int64":
                row[col] = _int(v, col)
            else:
                row[col] = _text(v, col)
        for col in ("org_id", "watermark_key_id", "exchange_id"):
            v = exchange.get(col)
            row[col] = None if v is None or v == "" else _text(v, col)
        v = exchange.get("status")
        row["status"] = None if v is None or v == "" else _int(v, "status")
        v = exchange.get("latency_ms")
        row["latency_ms"] = None if v is None or v == "" else float(v)
    except (ValueError, TypeError, OverflowError) as e:
        raise InputError(f"bad exchange: {e}. Every row needs {', '.join(REQUIRED)}.") from e
    known = set(COLUMNS) | set(OPTIONAL_COLUMNS)
    extra = {k: v for k, v in exchange.items() if k not in known}
    base = exchange.get("extra")
    if isinstance(base, str) and base:
        try:
            base = json.loads(base)
        except json.JSONDecodeError:
            base = {"extra": base}
    if isinstance(base, Mapping):
        extra = {**base, **extra}
    row["extra"] = (valid_text(json.dumps(extra, ensure_ascii=False, default=str, sort_keys=True))
                    if extra else None)
    return {c: row[c] for c in (*COLUMNS, *OPTIONAL_COLUMNS)}
