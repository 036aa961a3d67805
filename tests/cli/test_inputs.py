"""The one input layer: every format gives the same prompts, a bare string is a prompt, errors name file and line."""

from __future__ import annotations

import json

import pytest

from distillscope.errors import InputError
from distillscope.inputs import read_prompt_texts, read_prompts, read_texts

PROMPTS = ["Name a colour.", "Say hi."]


def _write_all(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    files = {
        "p.txt": "Name a colour.\n\nSay hi.\n",
        "p.jsonl": json.dumps({"prompt": PROMPTS[0]}) + "\n" + json.dumps(PROMPTS[1]) + "\n",  # a bare string too
        "p.json": json.dumps([{"prompt": PROMPTS[0]}, PROMPTS[1]]),
        "p.yaml": "prompts:\n  - prompt: Name a colour.\n  - Say hi.\n",
        "list.yaml": "- Name a colour.\n- prompt: Say hi.\n",
        "p.csv": 'prompt,id\n"Name a colour.",1\nSay hi.,2\n',
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    pq.write_table(pa.table({"prompt": PROMPTS}), tmp_path / "p.parquet")
    return [*files, "p.parquet"]


def test_every_format_gives_the_same_prompts(tmp_path):
    for name in _write_all(tmp_path):
        assert read_prompt_texts(tmp_path / name) == PROMPTS, name


def test_chats_raw_prompts_and_named_fields(tmp_path):
    f = tmp_path / "c.jsonl"
    f.write_text("\n".join(json.dumps(x) for x in [
        {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi?"}]},
        {"raw": "Once upon a time"},
        {"q": {"text": "nested"}},
    ]) + "\n")
    with pytest.raises(InputError, match=r"c.jsonl:3: no prompt field"):
        read_prompts(f)
    f.write_text(f.read_text().rsplit("\n", 2)[0] + "\n")
    chat, raw = read_prompts(f)
    assert chat.messages[0]["role"] == "system" and chat.text == "Hi?" and raw.raw == "Once upon a time"
    with pytest.raises(InputError, match="c.jsonl:1: this command takes single-message prompts"):
        read_prompt_texts(f)
    g = tmp_path / "n.jsonl"
    g.write_text(json.dumps({"q": {"text": "nested"}}) + "\n")
    assert read_prompt_texts(g, field="q.text") == ["nested"]


def test_texts_paragraphs_and_fields(tmp_path):
    (tmp_path / "t.txt").write_text("First para\nstill first.\n\n\nSecond.\n")
    assert read_texts(tmp_path / "t.txt") == ["First para\nstill first.", "Second."]
    (tmp_path / "t.jsonl").write_text(json.dumps({"completion": "a"}) + "\n" + json.dumps(
        {"response": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "b"}]}) + "\n")
    assert read_texts(tmp_path / "t.jsonl") == ["a", "b"]


@pytest.mark.parametrize(("content", "message"), [
    (b"\x00\x01\x02binary", "is a binary file"),
    (b"ok line\n\xff\xfe not utf8\n", r":2: not UTF-8 text"),
    (b"", "is empty"),
    (b"   \n\n", "is empty"),
])
def test_bad_files_are_named_errors(tmp_path, content, message):
    f = tmp_path / "x.txt"
    f.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_prompts(f)


def test_bad_lines_and_paths(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_prompts(tmp_path / "missing.jsonl")
    with pytest.raises(InputError, match="is a folder"):
        read_prompts(tmp_path)
    f = tmp_path / "x.jsonl"
    f.write_text('{"prompt": "ok"}\n{oops\n')
    with pytest.raises(InputError, match=r"x.jsonl:2: not valid JSON"):
        read_prompts(f)
    f.write_text('{"prompt": ""}\n')
    with pytest.raises(InputError, match=r"x.jsonl:1: a prompt must be a non-empty string"):
        read_prompts(f)
    y = tmp_path / "x.yaml"
    y.write_text("prompts:\n  - a\n  b: [\n")
    with pytest.raises(InputError, match=r"x.yaml:\d+: not valid YAML"):
        read_prompts(y)
    y.write_text("questions:\n  - a\n")
    with pytest.raises(InputError, match="under 'prompts:'"):
        read_prompts(y)
    c = tmp_path / "x.csv"
    c.write_text("question\nhello\n")
    with pytest.raises(InputError, match=r"x.csv:2: no prompt field"):
        read_prompts(c)
    assert read_prompt_texts(c, field="question") == ["hello"]
