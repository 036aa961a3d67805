"""Prompt sets for `verify`: the shipped informative set and user files.

A prompt is informative for a two-sample test when the reference's completions of it are diverse: short,
open-ended prompts ("Name a color.") spread probability over many answers, so a distorted model moves visible
mass, while prompts with one right answer give every model the same completion. ``probes/verify/prompts.yaml``
holds the candidates of ``probes/verify/candidates.txt`` with the highest next-token entropy under SmolLM2;
``bench/verify_prompts.py`` ranks them and regenerates that file.

Those prompts are blind to a system prompt that a relay adds without telling the user (a persona, a company
assistant): a model answering "Write a limerick about a cat." at temperature 1 hardly changes with it.
``probes/verify/self_description.yaml`` holds prompts whose answers depend on who the model is told it is ("Who
are you?"); `distillscope verify` appends them to the shipped set by default (``bench/verify_sysprompt.py``:
against a hidden "travel company assistant" prompt on SmolLM2, 3 probes x 10 samples give power 0.52, the first 5
shipped prompts 0.16 in the same run).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml

DEFAULT_SET = "prompts.yaml"
SELF_DESCRIPTION_SET = "self_description.yaml"


def _data(name: str) -> Any:
    return resources.files("distillscope.probes.verify").joinpath(name)


def default_prompts() -> list[str]:
    """The shipped informative prompt set (see module docstring)."""
    doc = yaml.safe_load(_data(DEFAULT_SET).read_text(encoding="utf-8"))
    return [str(p["prompt"]) for p in doc["prompts"]]


def self_description_prompts() -> list[str]:
    """Prompts that reveal a hidden system prompt (see module docstring)."""
    doc = yaml.safe_load(_data(SELF_DESCRIPTION_SET).read_text(encoding="utf-8"))
    return [str(p) for p in doc["prompts"]]


def verify_prompts() -> list[str]:
    """`verify`'s default prompts: the shipped informative set, then the self-description probes."""
    return default_prompts() + self_description_prompts()


def load_prompts(path: str | Path | None = None, field: str | None = None) -> list[str]:
    """Prompts from a file in any format of :mod:`distillscope.inputs` (single user messages); ``None`` gives the
    shipped set."""
    if path is None:
        return default_prompts()
    from distillscope.inputs import read_prompt_texts

    return read_prompt_texts(path, field)
