"""distillscope command line. Each command group lives in its own thin module with ``register(app)``.

Modules here must not import torch, transformers or pyspark at module level: ``distillscope --help`` stays fast.
The shared grammar (options, output streams, exit codes, errors) is in :mod:`distillscope.cli._common`.

    distillscope --help
    distillscope --version
"""

from __future__ import annotations

import importlib

import typer

from distillscope.cli._common import EXIT_CODES_HELP, Group

app = typer.Typer(
    name="distillscope",
    cls=Group,
    help="LLM distillation and provenance forensics: every verdict with a p-value, an effect size and its samples. "
         f"Human output on stderr, --json on stdout. {EXIT_CODES_HELP}",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from distillscope import __version__

        typer.echo(f"distillscope {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """LLM distillation and provenance forensics."""


# Every name here must have a module distillscope.cli.NAME with register(app): a missing one is an import error.
GROUPS = ["models", "sample", "store", "serve", "demo", "identity", "verify", "distill", "zoo", "lineage",
          "audit", "report", "compare", "watermark", "gateway", "monitor"]


def register_groups(target: typer.Typer, names: list[str]) -> None:
    """Import ``distillscope.cli.NAME`` and call its ``register`` for each name; an unknown name is an error."""
    for name in names:
        importlib.import_module(f"distillscope.cli.{name}").register(target)


register_groups(app, GROUPS)


def main() -> None:
    app()
