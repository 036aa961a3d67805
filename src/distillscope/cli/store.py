"""``distillscope store``: inspect and export the sample store."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from distillscope.cli._common import console, print_json


def register(app: typer.Typer) -> None:
    st = typer.Typer(help="Inspect and export the sample store.", no_args_is_help=True)

    @st.command("info")
    def info(store: Path | None = typer.Option(None, help="Store path (default: data dir)."),
             as_json: bool = typer.Option(False, "--json")) -> None:
        """Samples per model spec."""
        from distillscope.store import SampleStore

        s = SampleStore(store)
        rows = s.specs()
        if as_json:
            print_json({"store": s.path, "specs": [{"spec": a, "samples": b} for a, b in rows]})
            return
        t = Table(title=s.path)
        t.add_column("spec")
        t.add_column("samples", justify="right")
        for a, b in rows:
            t.add_row(a, str(b))
        console.print(t)

    @st.command("export")
    def export(out: Path = typer.Argument(..., help="Output file: .parquet or .jsonl."),
               spec: str | None = typer.Option(None, help="Only samples of this model spec."),
               store: Path | None = typer.Option(None, help="Store path (default: data dir).")) -> None:
        """Export samples (requests, completions, logprobs, metadata) to Parquet or JSONL."""
        from distillscope.store import SampleStore

        n = SampleStore(store).export(out, spec)
        console.print(f"exported {n} samples to {out}")

    app.add_typer(st, name="store")
