"""The audit / compare / report commands follow the CLI grammar: a bad input is exit code 2, exactly one
``error:`` line, nothing on stdout, and no model is loaded before the inputs are checked."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from distillscope.cli import app

runner = CliRunner()


def _bad(kind: str, root):
    root.mkdir(parents=True, exist_ok=True)
    if kind == "missing":
        return str(root / "nope.json")
    if kind == "directory":
        (root / "d").mkdir(exist_ok=True)
        return str(root / "d")
    if kind == "non-store":
        (root / "notes.duckdb").write_text("notes")
        return str(root / "notes.duckdb")
    if kind == "existing-file":
        (root / "taken").write_text("keep")
        return str(root / "taken")
    if kind == "unwritable":
        (root / "f").write_text("x")
        return str(root / "f" / "out")
    if kind == "bad-spec":
        return "nosuchbackend:x"
    raise ValueError(kind)


CASES = [
    (["audit", "--suspect", "{bad}"], ("bad-spec",)),
    (["audit", "--suspect", "mock:echo", "--panel", "mock:echo,{bad}"], ("bad-spec",)),
    (["audit", "--suspect", "mock:echo", "--store", "{bad}"], ("non-store", "directory")),
    (["audit", "--suspect", "mock:echo", "--out", "{bad}"], ("existing-file", "unwritable")),
    (["audit", "--suspect", "mock:echo", "--key", "{bad}"], ("missing", "directory")),
    (["audit", "--suspect", "mock:echo", "--watermark-key", "{bad}.yaml"], ("missing",)),
    (["audit", "--suspect", "mock:echo", "--languages", "en"], ("missing",)),
    (["audit", "verify-statement", "{bad}"], ("missing", "directory")),
    (["audit", "keygen", "{bad}"], ("unwritable",)),
    (["compare", "mock:echo,{bad}"], ("bad-spec",)),
    (["compare", "mock:echo", "--tasks", "{bad}"], ("missing", "directory")),
    (["compare", "mock:echo", "--store", "{bad}"], ("non-store",)),
    (["compare", "mock:echo", "--out", "{bad}"], ("existing-file", "unwritable")),
    (["report", "show", "{bad}"], ("missing", "directory")),
    (["report", "validate", "{bad}"], ("missing",)),
    (["report", "html", "{bad}"], ("missing",)),
]


@pytest.fixture(autouse=True)
def _no_model_loads(monkeypatch):
    import distillscope.models

    def refuse(*a, **k):
        raise AssertionError("a model was loaded before the inputs were checked")

    monkeypatch.setattr(distillscope.models, "load_model", refuse)


@pytest.mark.parametrize(("argv", "kind"), [(a, k) for a, ks in CASES for k in ks])
def test_bad_input_is_one_error_line_and_exit_2(argv, kind, tmp_path, monkeypatch):
    monkeypatch.setenv("DISTILLSCOPE_STORE", str(tmp_path / "default.duckdb"))
    bad = _bad(kind, tmp_path / "bad")
    r = runner.invoke(app, [a.replace("{bad}", bad) for a in argv])
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("error:")]
    assert r.exit_code == 2, (r.exit_code, r.output, r.exception)
    assert len(errors) == 1, r.stderr
    assert "Traceback" not in r.output and r.stdout == ""
    if kind == "existing-file":
        assert (tmp_path / "bad" / "taken").read_text() == "keep"
