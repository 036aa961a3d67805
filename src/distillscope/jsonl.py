"""Reading JSONL files with errors that name the file and line (for record files such as replay transcripts;
prompts and texts are read by :mod:`distillscope.inputs`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from distillscope.errors import InputError


def iter_jsonl(path: str | Path) -> Iterator[tuple[int, Any]]:
    """Yield ``(line_number, value)`` for each non-blank line; a bad line raises InputError naming ``path:line``.

    A missing file, a folder, a binary or non-UTF-8 file are InputErrors too.
    """
    from distillscope.inputs import check_file

    p = check_file(path, "JSONL file")
    with p.open("rb") as f:
        for n, raw in enumerate(f, 1):
            try:
                line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError as e:
                raise InputError(f"{p}:{n}: not UTF-8 text (a binary file?). Give a UTF-8 .jsonl file.") from e
            if not line.strip():
                continue
            if "\x00" in line:
                raise InputError(f"{p}:{n}: binary data, not JSON text. Give a .jsonl file.")
            try:
                yield n, json.loads(line)
            except json.JSONDecodeError as e:
                raise InputError(f"{p}:{n}: not valid JSON ({e.msg}). Fix or remove line {n}.") from e
