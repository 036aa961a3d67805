"""Campaign detection over API exchange logs: find accounts that jointly distill a model.

Three steps:
  1. ``read_logs(paths)`` loads JSONL / Parquet / CSV / DuckDB exchange logs (schema in :mod:`.schema`) and reports
     bad rows with their position.
  2. ``features.account_features(table)`` computes per-account behaviour in Ibis (DuckDB by default, PySpark to
     scale).
  3. ``campaigns.link_accounts(...)`` links accounts by what they ask (content signatures, :mod:`.content`; no
     shared infrastructure needed) and by shared infrastructure, templates and timing, groups them into Louvain
     communities, and flags a campaign by a p-value against volume-matched accounts resampled from the same log
     (:mod:`.calibrate`), naming declared organisations and non-harvesting groups instead of flagging them.

``scan(paths)`` runs all three; ``simulate(SimConfig(...), path)`` writes a realistic log with ground truth.
Heavy modules (Ibis, PySpark) load only when these names are first used.
"""

from __future__ import annotations

from distillscope._lazy import lazy_getattr
from distillscope.monitor.schema import (
    COLUMNS,
    OPTIONAL_COLUMNS,
    SCHEMA_VERSION,
    arrow_schema,
    exchange_to_row,
)

_LAZY = {"scan": "scan", "ScanResult": "scan", "read_logs": "ingest", "IngestResult": "ingest",
         "simulate": "simulate", "SimConfig": "simulate", "LinkConfig": "campaigns", "Campaign": "campaigns"}

__all__ = ["COLUMNS", "OPTIONAL_COLUMNS", "SCHEMA_VERSION", "Campaign", "IngestResult", "LinkConfig", "ScanResult",
           "SimConfig", "arrow_schema", "exchange_to_row", "read_logs", "scan", "simulate"]


__getattr__ = lazy_getattr(__name__, _LAZY)
