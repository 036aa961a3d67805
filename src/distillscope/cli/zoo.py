"""``distillscope zoo build-lineage``: models with known ancestry, on which lineage detectors are measured.

Examples::

    distillscope zoo build-lineage --size test      # seconds, tiny random teacher
    distillscope zoo build-lineage --size small     # SmolLM2 teacher
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from distillscope.cli._common import Json, check_spec, console, emit, out_option


def register(app: typer.Typer) -> None:
    zoo = typer.Typer(help="Model zoos built here (lineage zoo with known ancestry).", no_args_is_help=True)

    @zoo.command("build-lineage")
    def build_lineage(
        out: Annotated[Path | None, out_option("Folder (default: the cache dir, cache/lineage/SIZE).",
                                               folder=True)] = None,
        size: str = typer.Option("small", help="test (seconds, tiny teacher) | small (~15 min on 2 idle cores) | medium."),
        teacher: str | None = typer.Option(None, help="Teacher spec (default zoo:smollm2-135m-instruct; "
                                           "zoo:tiny-llama for size test)."),
        force: bool = typer.Option(False, help="Rebuild members that already exist."),
        as_json: Json = False,
    ) -> None:
        """Build students with known ancestry from a teacher (logit-/sequence-distilled, fine-tuned, quantized)
        and controls with the same prompts but independent targets. Cached: a rerun only builds what is missing."""
        from distillscope.zoo.lineage import build_lineage_zoo, read_lineage

        if teacher is not None:
            check_spec(teacher)
        paths = build_lineage_zoo(out, size=size, teacher=teacher, force=force, show_progress=not as_json)
        info = read_lineage(next(iter(paths.values())).parent)

        def human() -> None:
            from rich.markup import escape
            from rich.table import Table

            t = Table(title=escape(f"lineage zoo ({size}), teacher {info['teacher']}"))
            for col in ("member", "relation", "method", "spec"):
                t.add_column(col)
            for name, mem in info["members"].items():
                t.add_row(*(escape(str(x)) for x in (name, mem["relation"], mem["method"], mem["spec"])))
            console.print(t)

        emit(info, as_json, human)

    app.add_typer(zoo, name="zoo")
