"""The generic lazy registry: dotted paths imported on first use, clear errors, declared options, scoping."""

from __future__ import annotations

import sys

import pytest

from distillscope.errors import DistillscopeError, InputError
from distillscope.registry import KINDS, Registry, registry


@pytest.fixture()
def reg():
    return Registry("test", "distillscope.test_kind", "test method")


def test_dotted_path_is_imported_on_first_load(reg):
    sys.modules.pop("colorsys", None)
    reg.register("hls", "colorsys:rgb_to_hls", help="a stdlib function")
    assert "colorsys" not in sys.modules
    fn = reg.load("hls")
    assert "colorsys" in sys.modules and fn(1.0, 0.0, 0.0) == (0.0, 0.5, 1.0)
    assert reg.load("hls") is fn


def test_unknown_name_lists_the_valid_ones(reg):
    reg.register("alpha", len, help="first")
    reg.register("beta", max)
    with pytest.raises(InputError, match=r"Unknown test method 'gamma'\. Valid: alpha \(first\); beta\."):
        reg.get("gamma")


def test_failed_import_names_the_extra(reg):
    reg.register("ghost", "no_such_pkg_xyz.mod:fn", extra="ghost")
    with pytest.raises(DistillscopeError, match=r"pip install 'distillscope\[ghost\]'"):
        reg.load("ghost")
    reg.register("typo", "colorsys:no_such_function")
    with pytest.raises(DistillscopeError, match="no_such_function"):
        reg.load("typo")


def test_declared_options(reg):
    reg.register("strict", len, options=("a", "b"))
    reg.register("loose", len)
    reg.register("none", len, options=())
    reg.check_options("strict", ["a"])
    reg.check_options("loose", ["anything"])
    with pytest.raises(InputError, match=r"Unknown option c for test method 'strict': it takes a, b\."):
        reg.check_options("strict", ["a", "c"])
    with pytest.raises(InputError, match=r"Unknown options x, y for test method 'none': it takes no options\."):
        reg.check_options("none", ["y", "x"])


def test_bad_registrations_are_refused(reg):
    for name in ("", "a:b", "a;b"):
        with pytest.raises(ValueError):
            reg.register(name, len)
    with pytest.raises(ValueError, match="dotted path"):
        reg.register("x", "colorsys.rgb_to_hls")


def test_every_kind_has_one_shared_registry():
    for kind in KINDS:
        assert registry(kind) is registry(kind) and registry(kind).group.startswith("distillscope.")
    assert "lineage" in KINDS
    with pytest.raises(ValueError, match="kinds"):
        registry("nope")


def test_scoped_undoes_registrations_and_replacements(reg):
    reg.register("keep", len)
    with reg.scoped():
        reg.register("keep", max)
        reg.register("temp", min)
        assert reg.load("keep") is max
    assert reg.names() == ["keep"] and reg.load("keep") is len
