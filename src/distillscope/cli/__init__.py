"""distillscope command line. Each command group lives in its own thin module with ``register(app)``.

Modules here must not import torch, transformers or pyspark at module level: ``distillscope --help`` stays fast.
"""

from __future__ import annotations

import importlib
import sys

import typer
from rich.console import Console

from distillscope.errors import DistillscopeError

app = typer.Typer(
    name="distillscope",
    help="LLM distillation and provenance forensics: every verdict with a p-value, an effect size and its samples.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

GROUPS = ["models", "sample", "store", "serve", "demo", "identity", "verify", "distill", "zoo", "lineage", "watermark",
          "gateway", "monitor", "report", "audit", "compare"]

for _name in GROUPS:
    try:
        _mod = importlib.import_module(f"distillscope.cli.{_name}")
    except ModuleNotFoundError as _e:
        if _e.name == f"distillscope.cli.{_name}":
            continue  # that command group is not built yet
        raise
    _mod.register(app)

err_console = Console(stderr=True)


def main() -> None:
    try:
        app()
    except DistillscopeError as e:
        err_console.print(f"[bold red]error:[/] {e}")
        sys.exit(2)
