"""The demo's model recipe: names and seeds of the models with known ancestry (no training here)."""

from __future__ import annotations

import pytest

from distillscope.demo import _names, _seed, build_demo_models
from distillscope.errors import InputError


def test_demo_models_keep_their_seeds_when_more_are_built():
    # the demo's five models keep seeds 1-5 so that a cached demo folder stays valid for bench/audit_controls.py
    assert [(n, _seed(n)) for n in _names(1, 2, 2)] == [
        ("student", 1), ("control-hard-1", 2), ("control-hard-2", 3), ("control-soft-1", 4), ("control-soft-2", 5)]
    names = _names(4, 8, 12)
    seeds = [_seed(n) for n in names]
    assert len(set(seeds)) == len(seeds) == 24
    assert names[:1] == ["student"] and "student-4" in names and "control-soft-12" in names


def test_too_few_hard_controls_for_the_soft_ones_is_refused(tmp_path):
    with pytest.raises(InputError, match="hard-label controls"):
        build_demo_models(tmp_path, teacher=None, hard=1, soft=3)
