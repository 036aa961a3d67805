"""Watermark schemes come from the registry: an unknown name is refused with the valid ones, and a new scheme
is one registration."""

from __future__ import annotations

import pytest

from distillscope.errors import InputError
from distillscope.registry import registry
from distillscope.watermark import WatermarkConfig, detect, make_scheme
from distillscope.watermark.schemes import KGWScheme

V = 2048


@pytest.fixture()
def schemes():
    with registry("watermark_scheme").scoped() as r:
        yield r


def test_unknown_scheme_lists_the_registered_ones():
    with pytest.raises(InputError, match="^Unknown watermark scheme 'nope'") as e:
        WatermarkConfig.load({"key": "k", "scheme": "nope"})
    assert "kgw" in str(e.value) and "synthid" in str(e.value) and not str(e.value).endswith("..")


def test_builtin_schemes_resolve_to_their_classes():
    assert type(make_scheme(WatermarkConfig(key="k"), V)).__name__ == "KGWScheme"
    assert type(make_scheme(WatermarkConfig(key="k", scheme="synthid"), V)).__name__ == "SynthIDScheme"


class EveryTokenGreen(KGWScheme):
    """A degenerate scheme (every token is a hit) that makes the registration observable in detection."""

    def hits(self, prefix, token):
        return 1


def test_a_new_scheme_is_one_registration(schemes):
    schemes.register("allgreen", EveryTokenGreen, help="test scheme")
    cfg = WatermarkConfig(key="k", scheme="allgreen")
    assert isinstance(make_scheme(cfg, V), EveryTokenGreen)
    ids = [[5, 9, 17, 33, 65, 129, 257, 513, 1025, 7, 11, 13]]
    _, pooled, _ = detect(ids, cfg, vocab_size=V)
    assert pooled.counts.hits == pooled.counts.n_scored > 0
    _, kgw, _ = detect(ids, WatermarkConfig(key="k"), vocab_size=V)
    assert kgw.counts.hits < kgw.counts.n_scored  # the built-in scheme on the same ids is not all-green
    assert cfg.key_id.startswith("wm-allgreen-")


def test_scoped_scheme_is_gone_afterwards():
    with registry("watermark_scheme").scoped() as r:
        r.register("tmp", EveryTokenGreen)
        WatermarkConfig(key="k", scheme="tmp")
    with pytest.raises(InputError):
        WatermarkConfig.load({"key": "k", "scheme": "tmp"})
