"""Reference models shipped in chunk packages (Gemma): assembly into the cache and the chat template."""

from __future__ import annotations

import sys
import types

import jinja2
import pytest

from distillscope import zoo
from distillscope.errors import MissingModelError


def test_gemma_template_starts_with_bos_and_uses_turns():
    out = jinja2.Template(zoo.GEMMA_TEMPLATE).render(
        messages=[{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}],
        add_generation_prompt=True, bos_token="<bos>")
    assert out == ("<bos><start_of_turn>user\nhi<end_of_turn>\n<start_of_turn>model\nyo<end_of_turn>\n"
                   "<start_of_turn>model\n")


def _fake_package(monkeypatch, tmp_path, assemble):
    mod = types.ModuleType("fake_chunked_gguf")
    mod.MODEL_NAME = "fake.gguf"
    mod.assemble = assemble
    monkeypatch.setitem(sys.modules, "fake_chunked_gguf", mod)
    monkeypatch.setenv("DISTILLSCOPE_HOME", str(tmp_path))
    return zoo.ZooEntry("fake", "fake-chunked-gguf", "fake_chunked_gguf", "**/*.gguf", "pip install fake", "", "")


def test_chunked_package_is_assembled_into_the_cache(monkeypatch, tmp_path):
    calls = []

    def assemble(target):
        calls.append(target)
        target.write_bytes(b"GGUF")
        return target

    entry = _fake_package(monkeypatch, tmp_path, assemble)
    (path,) = zoo._assembled(entry)
    assert path.read_bytes() == b"GGUF" and path.name == "fake.gguf" and str(tmp_path) in str(path)
    assert calls == [path]


def test_incomplete_chunked_package_names_the_reinstall(monkeypatch, tmp_path):
    def assemble(target):
        raise FileNotFoundError("Missing chunk files: part03")

    entry = _fake_package(monkeypatch, tmp_path, assemble)
    with pytest.raises(MissingModelError, match="incomplete.*pip install fake"):
        zoo._assembled(entry)
