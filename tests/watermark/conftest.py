"""Watermark test fixtures: tiny-llama generations with and without a watermark, made once per session."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture(scope="session", autouse=True)
def _one_thread():
    # The CI box is small and shared: one intra-op thread is several times faster than two under contention.
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


@pytest.fixture(scope="session")
def teacher():
    from distillscope.models import load_model

    return load_model("zoo:tiny-llama")


@pytest.fixture(scope="session")
def kgw_cfg():
    from distillscope.watermark import WatermarkConfig

    return WatermarkConfig(key="test-kgw-secret", delta=3.0)


def _reqs(n: int, max_tokens: int):
    from distillscope.models import GenRequest

    return [GenRequest.chat(f"Say something about item {i}.", max_tokens=max_tokens, temperature=1.0, seed_index=i)
            for i in range(n)]


@pytest.fixture(scope="session")
def kgw_texts(teacher, kgw_cfg):
    """(watermarked completions, clean completions) of the tiny teacher for the same 8 requests."""
    from distillscope.watermark import watermark_model

    reqs = _reqs(8, 40)
    return watermark_model(teacher, kgw_cfg).generate(reqs), teacher.generate(reqs)


@pytest.fixture(scope="session")
def synthid_cfg():
    from distillscope.watermark import WatermarkConfig

    return WatermarkConfig(key="test-synthid-secret", scheme="synthid", ngram_len=3, depth=12)


@pytest.fixture(scope="session")
def synthid_texts(teacher, synthid_cfg):
    from distillscope.watermark import watermark_model

    reqs = _reqs(4, 32)
    return watermark_model(teacher, synthid_cfg).generate(reqs), teacher.generate(reqs)
