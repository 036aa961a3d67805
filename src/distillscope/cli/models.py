"""``distillscope models list``: which models are installed and how to get the rest."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from distillscope.cli._common import Json, console, print_json


def register(app: typer.Typer) -> None:
    models = typer.Typer(help="Model specs and the reference zoo.", no_args_is_help=True)

    @models.command("list")
    def list_(as_json: Json = False) -> None:
        """List zoo models (installed or not, with the install command) and the spec prefixes."""
        from distillscope.models import backends
        from distillscope.zoo import list_models

        rows = list_models()
        if as_json:
            print_json({"zoo": rows, "backends": backends()})
            return
        t = Table(title="Reference zoo")
        for c in ("spec", "installed", "description", "license", "install"):
            t.add_column(c)
        for r in rows:
            t.add_row(escape(r["name"]), "[green]yes[/]" if r["installed"] else "[red]no[/]", escape(r["description"]),
                      escape(r["license"]), "" if r["installed"] else escape(r["install"]))
        console.print(t)
        b = Table(title="Spec prefixes")
        b.add_column("prefix")
        b.add_column("backend")
        for k, v in backends().items():
            b.add_row(f"{k}:", escape(v))
        console.print(b)

    app.add_typer(models, name="models")
