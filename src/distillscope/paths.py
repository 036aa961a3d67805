"""Where distillscope keeps its files: ``$DISTILLSCOPE_HOME`` or the user's data dir."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def home() -> Path:
    """Root folder for the store, converted zoo models and caches (created on demand)."""
    p = Path(os.environ.get("DISTILLSCOPE_HOME") or platformdirs.user_data_dir("distillscope"))
    p.mkdir(parents=True, exist_ok=True)
    return p


def default_store_path() -> Path:
    return Path(os.environ.get("DISTILLSCOPE_STORE") or home() / "samples.duckdb")


def cache_dir(name: str) -> Path:
    p = home() / "cache" / name
    p.mkdir(parents=True, exist_ok=True)
    return p
