"""Reading prompt files: ``.txt`` (one prompt a line) or ``.jsonl`` (``prompt`` or ``messages`` per line)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from distillscope.errors import InputError
from distillscope.jsonl import iter_jsonl


def load_prompts(path: str | Path) -> list[dict[str, Any]]:
    """Each item is ``{"messages": [...]}`` or ``{"prompt": str}`` (raw), in file order.

    A ``.txt`` line becomes a single-user-message chat. Errors name the file and line.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"Prompt file {p} does not exist.")
    items: list[dict[str, Any]] = []
    if p.suffix not in (".jsonl", ".json"):
        with p.open(encoding="utf-8") as f:
            items = [{"messages": [{"role": "user", "content": line.rstrip("\n")}]} for line in f if line.strip()]
    for n, obj in iter_jsonl(p) if p.suffix in (".jsonl", ".json") else ():
        if isinstance(obj, str):
            obj = {"messages": [{"role": "user", "content": obj}]}
        if not isinstance(obj, dict) or not ({"prompt", "messages"} & obj.keys()):
            raise InputError(f"{p}:{n}: each line needs a 'prompt' string or a 'messages' list.")
        if "messages" in obj and not (isinstance(obj["messages"], list) and all(
                isinstance(m, dict) and {"role", "content"} <= m.keys() for m in obj["messages"])):
            raise InputError(f"{p}:{n}: 'messages' must be a list of {{role, content}} objects.")
        items.append({k: obj[k] for k in ("prompt", "messages", "id") if k in obj})
    if not items:
        raise InputError(f"Prompt file {p} has no prompts.")
    return items
