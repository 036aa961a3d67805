"""Keep distill caches (logit caches, lineage zoos) of tests out of the user's cache folder."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    from distillscope import paths

    real = paths.cache_dir
    root: Path = tmp_path_factory.getbasetemp() / "distill-cache"

    def cache_dir(name: str) -> Path:
        if name == "converted":  # reuse converted reference models (SmolLM2) rather than converting again
            return real(name)
        p = root / name
        p.mkdir(parents=True, exist_ok=True)
        return p

    monkeypatch.setattr(paths, "cache_dir", cache_dir)
