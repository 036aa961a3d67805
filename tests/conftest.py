"""Shared fixtures: an isolated store per test session, and real SmolLM2 loaded at most once per run."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def _isolated_store(tmp_path_factory: pytest.TempPathFactory) -> None:
    # Never write into the user's own sample store from tests.
    os.environ["DISTILLSCOPE_STORE"] = str(tmp_path_factory.mktemp("store") / "samples.duckdb")


@pytest.fixture(scope="session")
def smollm2():
    """Real SmolLM2-135M-Instruct as an HFModel (integration tests only; loaded once per run)."""
    from distillscope.models import load_model

    return load_model("zoo:smollm2-135m-instruct")


@pytest.fixture()
def tiny():
    """A tiny random Llama fixture with the shipped 2k BPE tokenizer."""
    from distillscope.models import load_model

    return load_model("zoo:tiny-llama")
