"""``distillscope zoo build-lineage``: models with known ancestry, on which lineage detectors are measured.

Examples::

    distillscope zoo build-lineage --size test      # seconds, tiny random reference teacher
    distillscope zoo build-lineage --size bench     # SmolLM2 + 2 teachers trained here (~45 min, 3.6 GB)
    distillscope zoo build-lineage --size bench --relations quantized,pruned   # only these (and what they need)
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
        size: str = typer.Option("bench", help="test (seconds, tiny teacher) | bench (~45 min on 2 busy cores, 3.6 GB) "
                                 "| small | medium."),
        teacher: str | None = typer.Option(None, help="Reference teacher spec (default zoo:smollm2-135m-instruct; "
                                           "zoo:tiny-llama for size test)."),
        relations: str | None = typer.Option(None, help="Comma-separated relations to build now (teachers and "
                                             "the members they depend on come along); default all."),
        force: bool = typer.Option(False, help="Rebuild members that already exist."),
        as_json: Json = False,
    ) -> None:
        """Build models with known ancestry (students, fine-tunes, quantized, pruned, merged) of three teachers,
        and no-teacher controls. Cached: a rerun only builds what is missing. --json prints lineage.json."""
        from distillscope.zoo.lineage import build_lineage_zoo, read_lineage, zoo_dir

        if teacher is not None:
            check_spec(teacher)
        rels = [r.strip() for r in relations.split(",") if r.strip()] if relations else None
        build_lineage_zoo(out, size=size, teacher=teacher, force=force, show_progress=not as_json, relations=rels,
                          log=None if as_json else console.print)
        info = read_lineage(zoo_dir(out, size))

        def human() -> None:
            from collections import Counter

            from rich.markup import escape
            from rich.table import Table

            t = Table(title=escape(f"lineage zoo ({size}): {zoo_dir(out, size)}"))
            for col in ("teacher", "relation", "members built"):
                t.add_column(col)
            counts = Counter((m["teacher"] or "-", m["relation"]) for m in info["members"].values() if m["built"])
            for (teacher_name, rel), n in sorted(counts.items()):
                t.add_row(escape(teacher_name), escape(rel), str(n))
            console.print(t)
            pairs = info["pairs"]
            console.print(escape(f"{sum(p['derived'] for p in pairs)} derived and "
                                 f"{sum(not p['derived'] for p in pairs)} independent pairs; "
                                 + "; ".join(info["notes"])))

        emit(info, as_json, human)

    app.add_typer(zoo, name="zoo")
