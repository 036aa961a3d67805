"""One reader for every file of prompts or texts a command takes (``--prompts``, ``--texts``, ``--data``, logs of
transcripts): the same formats, the same ``--field`` and the same errors everywhere.

Formats, chosen by the file suffix:

===========  =====================================================================================================
``.txt``     prompts: one a line; texts: one per paragraph (separated by a blank line). Other suffixes read alike.
``.jsonl``   one record a line: a JSON string (the prompt or text itself) or an object holding it in a field.
``.json``    a list of records, or a mapping with the list under ``prompts`` / ``texts`` / ``items``.
``.yaml``    the same as ``.json`` (``prompts:`` followed by ``- prompt: ...`` or ``- plain string`` items).
``.csv``     a header row; the record is the row, the field a column.
``.parquet`` the same as ``.csv``, one row a record.
===========  =====================================================================================================

The field of a record: ``--field NAME`` (a dotted path such as ``choices.0.message.content`` reaches into nested
objects); by default ``prompt`` (a user message), ``messages`` (a chat: a list of ``{role, content}``) or ``raw``
(a raw text-completion prompt) for prompts, and the first of ``text``, ``completion``, ``response``, ``content``
for texts. A field holding a chat gives its last assistant message as text.

Every problem raises :class:`~distillscope.errors.InputError` naming the file, the line (or item) and the fix::

    from distillscope.inputs import read_prompts, read_texts
    prompts = read_prompts("prompts.yaml")          # list[Prompt]
    texts = read_texts("outputs.jsonl", field="response")
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from distillscope.errors import InputError

PROMPT_FIELDS = ("prompt", "messages", "raw")
TEXT_FIELDS = ("text", "completion", "response", "content")
FORMATS = ".txt (one prompt a line / one text a paragraph), .jsonl, .json, .yaml, .csv or .parquet"
FIELD_HELP = ("Field of each .jsonl/.json/.yaml record or .csv/.parquet column holding the prompt or text "
              "(dotted path allowed, e.g. choices.0.message.content).")


@dataclass(frozen=True)
class Prompt:
    """One prompt: a chat (``messages``) or a raw text-completion prompt (``raw``); ``where`` is ``file:line``."""

    messages: tuple[dict[str, str], ...] | None = None
    raw: str | None = None
    id: str | None = None
    where: str = ""

    @property
    def text(self) -> str:
        """The prompt as one string: the raw prompt, or the content of the last user message."""
        if self.raw is not None:
            return self.raw
        users = [m["content"] for m in self.messages or () if m["role"] == "user"]
        return users[-1] if users else self.messages[-1]["content"]  # type: ignore[index]

    def request(self, **kw: Any) -> Any:
        """A :class:`~distillscope.models.GenRequest` for this prompt (``kw``: max_tokens, seed_index, ...)."""
        from distillscope.models import GenRequest

        return GenRequest.raw(self.raw, **kw) if self.raw is not None else GenRequest.chat(list(self.messages), **kw)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"raw": self.raw} if self.raw is not None else {"messages": list(self.messages or ())}
        return {**d, **({"id": self.id} if self.id is not None else {})}


def read_prompts(path: str | Path, field: str | None = None) -> list[Prompt]:
    """Prompts from a file in any of the formats above, in file order. Raises InputError if there are none."""
    p = Path(path)
    out = [_prompt(rec, field, where) for where, rec in records(p, kind="prompts", field=field)]
    if not out:
        raise InputError(f"{p} holds no prompts: write one prompt a line (.txt) or {_example('prompt')} (.jsonl).")
    return out


def read_prompt_texts(path: str | Path, field: str | None = None) -> list[str]:
    """Prompts as plain strings (single user messages); a multi-message chat is an error naming its line."""
    out = []
    for pr in read_prompts(path, field):
        if pr.messages is not None and len(pr.messages) > 1:
            raise InputError(f"{pr.where}: this command takes single-message prompts, not a chat of "
                             f"{len(pr.messages)} messages. Give the user message as 'prompt'.")
        out.append(pr.text)
    return out


def read_texts(path: str | Path, field: str | None = None) -> list[str]:
    """Texts from a file in any of the formats above (``.txt``: one text per paragraph)."""
    p = Path(path)
    out = [_text(rec, field, where) for where, rec in records(p, kind="texts", field=field)]
    if not out:
        raise InputError(f"{p} holds no texts: write one text per paragraph (.txt) or {_example('text')} (.jsonl).")
    return out


def check_file(path: str | Path, what: str = "input") -> Path:
    """The path if it is an existing, readable regular file; otherwise an InputError saying what is wrong."""
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{p} is a folder; the {what} must be a file ({FORMATS}).")
    if not p.exists():
        raise InputError(f"{p}: no such file. Check the path; the {what} must be a file ({FORMATS}).")
    try:
        with p.open("rb"):
            pass
    except OSError as e:
        raise InputError(f"{p}: cannot be read ({e.strerror}). Check its permissions.") from e
    return p


def read_text_file(p: Path, what: str = "input") -> str:
    """A file's text; a binary or non-UTF-8 file is an InputError naming the line of the first bad byte."""
    check_file(p, what)
    data = p.read_bytes()
    if b"\x00" in data[:8192]:
        raise InputError(f"{p} is a binary file, not text; the {what} must be {FORMATS}.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise InputError(f"{p}:{line}: not UTF-8 text (byte {data[e.start]:#04x}). Save the file as UTF-8.") from e


def records(p: Path, kind: str = "prompts", field: str | None = None) -> Iterator[tuple[str, Any]]:
    """``(where, record)`` pairs of a file; ``where`` is ``file:line`` or ``file[item]``."""
    suffix = p.suffix.lower()
    if suffix == ".parquet":
        yield from _parquet(p, kind)
        return
    text = read_text_file(p, kind)
    if not text.strip():
        raise InputError(f"{p} is empty; it should hold {kind} ({FORMATS}).")
    if suffix == ".jsonl":
        yield from _jsonl(p, text)
    elif suffix in (".json", ".yaml", ".yml"):
        yield from _document(p, text, kind)
    elif suffix == ".csv":
        yield from _csv(p, text)
    elif kind == "texts":
        yield from _paragraphs(p, text)
    else:
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip():
                yield f"{p}:{n}", line.strip()


def _paragraphs(p: Path, text: str) -> Iterator[tuple[str, str]]:
    start, buf = 0, []
    for n, line in enumerate([*text.splitlines(), ""], 1):
        if line.strip():
            start = start or n
            buf.append(line)
        elif buf:
            yield f"{p}:{start}", "\n".join(buf).strip()
            start, buf = 0, []


def _jsonl(p: Path, text: str) -> Iterator[tuple[str, Any]]:
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield f"{p}:{n}", json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(f"{p}:{n}: not valid JSON ({e.msg}). Each line must be one JSON value: "
                             f"{_example('prompt')} or a quoted string.") from e


def _document(p: Path, text: str, kind: str) -> Iterator[tuple[str, Any]]:
    import yaml

    try:
        doc = json.loads(text) if p.suffix.lower() == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as e:
        raise InputError(f"{p}:{e.lineno}: not valid JSON ({e.msg}).") from e
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise InputError(f"{p}:{mark.line + 1 if mark else '?'}: not valid YAML ({getattr(e, 'problem', e)}).") from e
    if isinstance(doc, dict):
        keys = [k for k in (kind, "items", "prompts", "texts") if isinstance(doc.get(k), list)]
        if not keys:
            raise InputError(f"{p}: a mapping must hold the list under '{kind}:' (e.g. '{kind}:' then "
                             f"'  - {_example_item(kind)}'); found keys {sorted(map(str, doc))}.")
        doc = doc[keys[0]]
    if not isinstance(doc, list):
        raise InputError(f"{p}: expected a list of {kind} or a mapping with a '{kind}' list, got a "
                         f"{type(doc).__name__}.")
    for i, rec in enumerate(doc):
        yield f"{p}[{i}]", rec


def _csv(p: Path, text: str) -> Iterator[tuple[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise InputError(f"{p}: a .csv file needs a header row naming its columns.")
    try:
        for row in reader:
            yield f"{p}:{reader.line_num}", row
    except csv.Error as e:
        raise InputError(f"{p}:{reader.line_num}: not valid CSV ({e}).") from e


def _parquet(p: Path, kind: str) -> Iterator[tuple[str, Any]]:
    check_file(p, kind)
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        rows = pq.read_table(p).to_pylist()
    except (pa.ArrowException, OSError) as e:
        raise InputError(f"{p}: not a readable Parquet file ({e}).") from e
    for i, rec in enumerate(rows):
        yield f"{p}[row {i}]", rec


def _get(rec: Any, path: str, where: str) -> Any:
    cur = rec
    for part in path.split("."):
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        elif isinstance(cur, list) and part.lstrip("-").isdigit() and -len(cur) <= int(part) < len(cur):
            cur = cur[int(part)]
        else:
            keys = f" (it has {', '.join(map(str, cur))})" if isinstance(cur, dict) else ""
            raise InputError(f"{where}: no field {path!r}{keys}. Choose the field with --field.")
    return cur


def _chat(val: Any) -> bool:
    return isinstance(val, list) and bool(val) and all(isinstance(m, dict) and "content" in m for m in val)


def _prompt(rec: Any, field: str | None, where: str) -> Prompt:
    rid = str(rec["id"]) if isinstance(rec, dict) and rec.get("id") is not None else None
    if isinstance(rec, dict):
        key = field or next((k for k in PROMPT_FIELDS if k in rec), None)
        if key is None:
            raise InputError(f"{where}: no prompt field ({' / '.join(PROMPT_FIELDS)}; it has "
                             f"{', '.join(map(str, rec))}). Choose the field with --field.")
        val = _get(rec, key, where)
        if key == "raw" and isinstance(val, str):
            return Prompt(raw=val, id=rid, where=where)
    else:
        val = rec
    if isinstance(val, str) and val.strip():
        return Prompt(messages=({"role": "user", "content": val},), id=rid, where=where)
    if _chat(val) and all(isinstance(m.get("role"), str) and isinstance(m["content"], str) for m in val):
        return Prompt(messages=tuple({"role": m["role"], "content": m["content"]} for m in val), id=rid, where=where)
    raise InputError(f"{where}: a prompt must be a non-empty string or a list of {{role, content}} messages, got "
                     f"{_show(val)}. Write {_example('prompt')}.")


def text_of(rec: Any, field: str | None, where: str) -> str:
    """The text of one record (see the module docstring for the field rules); ``where`` names it in errors."""
    return _text(rec, field, where)


def _text(rec: Any, field: str | None, where: str) -> str:
    if isinstance(rec, dict):
        key = field or next((k for k in TEXT_FIELDS if isinstance(rec.get(k), str) or _chat(rec.get(k))), None)
        if key is None:
            raise InputError(f"{where}: no text field ({' / '.join(TEXT_FIELDS)}; it has "
                             f"{', '.join(map(str, rec))}). Choose the field with --field.")
        val = _get(rec, key, where)
    else:
        val = rec
    if _chat(val):
        replies = [m for m in val if m.get("role") == "assistant"] or val
        val = replies[-1]["content"]
    if val is None:
        return ""
    if not isinstance(val, str):
        raise InputError(f"{where}: the text must be a string, got {_show(val)}. Choose the field with --field.")
    return val


def _show(val: Any) -> str:
    s = json.dumps(val, ensure_ascii=False, default=str)
    return f"{type(val).__name__} {s[:60]}{'...' if len(s) > 60 else ''}"


def _example(field: str) -> str:
    return f'{{"{field}": "..."}}'


def _example_item(kind: str) -> str:
    return "prompt: Name a color." if kind == "prompts" else "text: ..."
