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


@pytest.fixture(scope="session")
def foreign_tokenizer_model():
    """A tiny random Llama whose tokenizer is another byte-level BPE family than the zoo's tiny-llama: what a relay
    substituting a model of another family under the claimed name serves."""
    import torch
    from transformers import AutoModelForCausalLM, PreTrainedTokenizerFast

    from distillscope.lineage._tokref import CHATML, trained
    from distillscope.models import HFModel
    from distillscope.zoo import tiny_config

    tok = PreTrainedTokenizerFast(tokenizer_object=trained("bytebpe-digits-b").tok, eos_token="<|im_end|>",
                                  pad_token="<|endoftext|>", bos_token="<|endoftext|>")
    tok.chat_template = CHATML
    torch.manual_seed(0)
    cfg = tiny_config("llama", vocab_size=len(tok))
    cfg.pad_token_id, cfg.eos_token_id, cfg.bos_token_id = 0, 2, 0
    return HFModel(AutoModelForCausalLM.from_config(cfg).eval(), tok, spec="hf:relay")
