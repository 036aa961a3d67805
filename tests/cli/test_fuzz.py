"""Every command x every kind of bad input: exit code 2, exactly one ``error:`` line, no traceback, nothing on
stdout, and no model loaded (inputs are checked before any model loads)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from distillscope.cli import app

runner = CliRunner()

INPUT = ("binary", "directory", "missing", "empty")
STORE = ("binary", "directory", "non-store", "empty")
OUT_FILE = ("directory", "unwritable")
OUT_DIR = ("existing-file", "unwritable")

# (argv with one {bad} slot, the kinds of bad value that slot gets)
CASES: list[tuple[list[str], tuple[str, ...]]] = [
    (["sample", "mock:echo", "--prompts", "{bad}"], INPUT),
    (["sample", "mock:echo", "--prompts", "{prompts}", "--store", "{bad}"], STORE),
    (["sample", "mock:echo", "--prompts", "{prompts}", "--out", "{bad}"], OUT_FILE),
    (["verify", "mock:echo", "-r", "mock:echo", "--prompts", "{bad}"], INPUT),
    (["verify", "mock:echo", "-r", "mock:echo", "--config", "{bad}"], INPUT),
    (["verify", "mock:echo", "-r", "mock:echo", "--prompts", "{prompts}", "--store", "{bad}"], STORE),
    (["verify-plan", "--pilot", "mock:echo", "-r", "mock:echo", "--prompts", "{bad}"], INPUT),
    (["verify-plan", "--pilot", "mock:echo", "-r", "mock:echo", "--prompts", "{prompts}", "--store", "{bad}"], STORE),
    (["identity", "probe", "mock:echo", "--store", "{bad}"], STORE),
    (["identity", "probe", "mock:echo", "--out", "{bad}"], OUT_FILE),
    (["identity", "compare", "mock:echo", "mock:echo", "--store", "{bad}"], STORE),
    (["identity", "claims", "{bad}"], INPUT),
    (["identity", "claims", "{texts}", "--out", "{bad}"], OUT_FILE),
    (["distill", "--teacher", "zoo:tiny-llama", "--out", "{newdir}", "--method", "sequences", "--prompts", "{bad}"],
     INPUT),
    (["distill", "--teacher", "zoo:tiny-llama", "--out", "{newdir}", "--method", "text", "--data", "{bad}"], INPUT),
    (["distill", "--config", "{bad}"], INPUT),
    (["distill", "--teacher", "zoo:tiny-llama", "--out", "{bad}"], OUT_DIR),
    (["distill", "--teacher", "zoo:tiny-llama", "--out", "{newdir}", "--store", "{bad}"], STORE),
    (["provenance", "show", "{bad}"], INPUT),
    (["provenance", "verify", "{bad}"], INPUT),
    (["watermark", "detect", "{bad}", "--key", "k"], INPUT),
    (["radioactivity", "zoo:tiny-llama", "--key", "k", "--texts", "{bad}"], INPUT),
    (["radioactivity", "mock:echo", "--key", "k", "--setting", "closed", "--prompts", "{bad}"], INPUT),
    (["radioactivity", "mock:echo", "--key", "k", "--setting", "closed", "--prompts", "{prompts}", "--store",
      "{bad}"], STORE),
    (["monitor", "scan", "{bad}"], INPUT),
    (["monitor", "scan", "{texts}", "--out", "{bad}"], OUT_DIR),
    (["monitor", "simulate", "{bad}"], OUT_DIR),
    (["store", "info", "--store", "{bad}"], STORE),
    (["store", "export", "{newfile}", "--store", "{bad}"], STORE),
    (["store", "export", "{bad}"], OUT_FILE),
    (["gateway", "serve", "-u", "mock:echo", "--keys", "{bad}", "--check"], INPUT),
    (["gateway", "serve", "--config", "{bad}", "--check"], INPUT),
    (["gateway", "add-key", "acct", "--keys", "{bad}"], OUT_FILE),
    (["gateway", "revoke", "abc", "--keys", "{bad}"], INPUT),
    (["zoo", "build-lineage", "--size", "test", "--out", "{bad}"], OUT_DIR),
    (["lineage", "mock:echo", "-c", "mock:echo", "--prompts", "{bad}"], INPUT),
    (["lineage", "mock:echo", "-c", "mock:echo", "--prompts", "{prompts}", "--store", "{bad}"], STORE),
    (["compare", "mock:echo", "--store", "{bad}"], STORE),
    (["compare", "mock:echo", "--out", "{bad}"], OUT_DIR),
    (["report", "show", "{bad}"], INPUT),
    (["report", "validate", "{bad}"], INPUT),
    (["report", "html", "{bad}"], INPUT),
    (["audit", "verify-statement", "{bad}"], INPUT),
    (["audit", "keygen", "{bad}"], OUT_FILE),
    (["audit", "--suspect", "mock:echo", "--store", "{bad}"], STORE),
    (["audit", "--suspect", "mock:echo", "--out", "{bad}"], OUT_DIR),
    (["demo", "--out", "{bad}"], OUT_DIR),
]


def _bad(kind: str, root: Path) -> str:
    root.mkdir(parents=True, exist_ok=True)
    if kind == "binary":
        p = root / "blob.jsonl"
        p.write_bytes(bytes(range(256)) * 4)
    elif kind == "directory":
        p = root / "a-folder"
        p.mkdir()
        (p / "stray.bin").write_bytes(b"\x00\x01")
    elif kind == "missing":
        p = root / "nonexistent.jsonl"
    elif kind == "empty":
        p = root / "empty.jsonl"
        p.write_text("")
    elif kind == "non-store":
        p = root / "notes.duckdb"
        p.write_text("these are notes, not a sample store\n")
    elif kind == "existing-file":
        p = root / "taken.txt"
        p.write_text("do not clobber me\n")
    elif kind == "unwritable":
        (root / "a-file").write_text("x")
        p = root / "a-file" / "out.jsonl"  # its parent is a file: nothing can be written there
    else:
        raise ValueError(kind)
    return str(p)


def _params() -> list:
    return [pytest.param(argv, kind, id=f"{'-'.join(a for a in argv[:2] if not a.startswith('{'))}:"
                                      f"{argv[argv.index(next(a for a in argv if a == '{bad}')) - 1]}:{kind}")
            for argv, kinds in CASES for kind in kinds]


@pytest.fixture(autouse=True)
def _no_model_loads(monkeypatch):
    import distillscope.models

    def refuse(*a, **k):
        raise AssertionError("a model was loaded before the inputs were checked")

    monkeypatch.setattr(distillscope.models, "load_model", refuse)


@pytest.mark.parametrize(("argv", "kind"), _params())
def test_bad_input_is_one_error_line_and_exit_2(argv, kind, tmp_path, monkeypatch):
    monkeypatch.setenv("DISTILLSCOPE_STORE", str(tmp_path / "default-store.duckdb"))
    good = tmp_path / "good"
    good.mkdir()
    (good / "p.txt").write_text("Name a colour.\n")
    (good / "t.jsonl").write_text(json.dumps({"text": "hello"}) + "\n")
    subs = {"{bad}": _bad(kind, tmp_path / "bad"), "{prompts}": str(good / "p.txt"), "{texts}": str(good / "t.jsonl"),
            "{newdir}": str(tmp_path / "new-dir"), "{newfile}": str(tmp_path / "new.parquet")}
    r = runner.invoke(app, [subs.get(a, a) for a in argv])
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("error:")]
    assert r.exit_code == 2, (r.exit_code, r.output, r.exception)
    assert len(errors) == 1, r.stderr
    assert "Traceback" not in r.output and r.stdout == ""
    if kind == "existing-file":
        assert (tmp_path / "bad" / "taken.txt").read_text() == "do not clobber me\n"
    assert not (tmp_path / "new-dir").exists()


def test_every_command_is_covered():
    from distillscope.cli._common import leaf_commands

    covered = {" ".join(a for a in argv[:2] if not a.startswith(("{", "-")) and ":" not in a) for argv, _ in CASES}
    def takes_paths(cmd) -> bool:
        return any("Path" in str(getattr(getattr(p, "type_descriptor", None), "annotation", "")) for p in cmd.params)

    takes_files = {path for path, cmd in leaf_commands() if takes_paths(cmd)}
    assert len(takes_files) > 10  # the check below is not vacuous
    assert takes_files <= covered, takes_files - covered
