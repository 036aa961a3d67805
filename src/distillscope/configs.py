"""Config dataclass fields that carry their own CLI option: help text, flag name, short flag and bounds.

The dataclasses of :mod:`distillscope.verify.config` and :mod:`distillscope.distill.config` declare their fields
with :func:`opt`; :mod:`distillscope.cli._config` turns those fields into Typer options and reads
``--config FILE.yaml`` with the same names, so defaults and help live in one place::

    @dataclass
    class MyConfig:
        samples: int = opt(10, "Completions per prompt.", short="-n", min=2)
"""

from __future__ import annotations

from dataclasses import field
from typing import Any


def opt(default: Any, help: str, flag: str | None = None, short: str | None = None, cli: bool = True,
        **bounds: float) -> Any:
    """A dataclass field whose metadata drives its CLI option.

    Args:
        default: the field's default.
        help: the option's help text (the default is appended).
        flag: the option name when it differs from the field name (``n_perm`` -> ``permutations``).
        short: a short flag such as ``-n``.
        cli: False keeps the field off the command line.
        **bounds: ``min`` / ``max``, checked by the CLI and in config files.
    """
    return field(default=default, metadata={"help": help, "flag": flag, "short": short, "cli": cli, **bounds})
