"""Campaign detection over API exchange logs: find accounts that jointly distill a model.

Three steps:
  1. ``read_logs(paths)`` loads JSONL / Parquet / CSV exchange logs (schema in :mod:`.schema`), reporting bad rows.
  2. ``account_features(table)`` computes per-account behaviour in Ibis (DuckDB by default, PySpark to scale).
  3. ``find_campaigns(...)`` links accounts by shared infrastructure, templates and timing into scored campaigns.

``scan(paths)`` runs all three; ``simulate.simulate(...)`` writes a realistic log with ground truth for tests.
"""

from distillscope.monitor.schema import COLUMNS, OPTIONAL_COLUMNS, SCHEMA_VERSION, arrow_schema, exchange_to_row

__all__ = ["COLUMNS", "OPTIONAL_COLUMNS", "SCHEMA_VERSION", "arrow_schema", "exchange_to_row"]
