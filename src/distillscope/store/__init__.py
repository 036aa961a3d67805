"""Sample store: every request and completion in DuckDB, content-addressed, resumable, exportable."""

from distillscope.store._cached import CachedModel
from distillscope.store._store import SampleStore

__all__ = ["CachedModel", "SampleStore"]
