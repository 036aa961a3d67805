"""Prompt sets for `verify`: the shipped informative set and user files.

A prompt is informative for a two-sample test when the reference's completions of it are diverse: short,
open-ended prompts ("Name a color.") spread probability over many answers, so a distorted model moves visible
mass, while prompts with one right answer give every model the same completion. ``probes/verify/prompts.yaml``
holds the candidates of ``probes/verify/candidates.txt`` with the highest next-token entropy under SmolLM2;
``bench/verify_prompts.py`` ranks them and regenerates that file.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from distillscope.errors import InputError
from distillscope.jsonl import iter_jsonl

DEFAULT_SET = "prompts.yaml"


def _data(name: str) -> Any:
    return resources.files("distillscope.probes.verify").joinpath(name)


def default_prompts() -> list[str]:
    """The shipped informative prompt set (see module docstring)."""
    doc = yaml.safe_load(_data(DEFAULT_SET).read_text(encoding="utf-8"))
    return [str(p["prompt"]) for p in doc["prompts"]]


def load_prompts(path: str | Path | None = None) -> list[str]:
    """Prompts from a file: ``.txt`` (one per line), ``.jsonl`` (``{"prompt": ...}`` per line), ``.json`` or
    ``.yaml`` (a list of strings, or ``{"prompts": [{"prompt": ...}, ...]}``). ``None`` gives the shipped set."""
    if path is None:
        return default_prompts()
    p = Path(path)
    if not p.is_file():
        raise InputError(f"Prompt file {p} does not exist: give a .txt/.jsonl/.json/.yaml file of prompts.")
    text = p.read_text(encoding="utf-8")
    out: list[str] = []
    if p.suffix == ".jsonl":
        for n, obj in iter_jsonl(p):
            out.append(_one(obj, f"{p}:{n}"))
    elif p.suffix in (".json", ".yaml", ".yml"):
        try:
            doc = json.loads(text) if p.suffix == ".json" else yaml.safe_load(text)
        except (json.JSONDecodeError, yaml.YAMLError) as e:
            raise InputError(f"{p}: could not parse ({e}).") from e
        items = doc.get("prompts") if isinstance(doc, dict) else doc
        if not isinstance(items, list):
            raise InputError(f"{p}: expected a list of prompts or a mapping with a 'prompts' list.")
        out = [_one(x, f"{p}[{i}]") for i, x in enumerate(items)]
    else:
        out = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if not out:
        raise InputError(f"{p} holds no prompts.")
    return out


def _one(obj: Any, where: str) -> str:
    if isinstance(obj, str) and obj.strip():
        return obj
    if isinstance(obj, dict) and isinstance(obj.get("prompt"), str) and obj["prompt"].strip():
        return str(obj["prompt"])
    raise InputError(f"{where}: expected a non-empty string or an object with a 'prompt' string.")
