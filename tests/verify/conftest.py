"""Fixtures for the verify tests: peaked tiny models (random tiny models are near-uniform over 2k tokens)."""

from __future__ import annotations

import pytest


def sharp_tiny(seed: int = 0, sharpness: float = 6.0, **kw):
    """A tiny Llama whose final norm is scaled so its next-token distributions are peaked (entropy ~5 nats)."""
    import torch

    from distillscope.models import HFModel
    from distillscope.zoo import tiny_model

    torch.set_num_threads(1)  # the tiny model is faster single-threaded on a shared machine
    model, tok = tiny_model("llama", seed)
    with torch.no_grad():
        model.model.norm.weight.mul_(sharpness)
    return HFModel(model, tok, spec=f"test:sharp-tiny-s{seed}-x{sharpness:g}", batch_size=64, **kw)


@pytest.fixture(scope="module")
def sharp():
    return sharp_tiny(0)


@pytest.fixture(scope="module")
def make_sharp():
    return sharp_tiny
