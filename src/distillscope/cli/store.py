"""``distillscope store``: inspect and export the sample store.

    distillscope store info
    distillscope store export samples.parquet --spec zoo:smollm2-135m-instruct
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from distillscope.cli._common import Json, Store, console, emit, open_store, out_argument, out_option, say


def register(app: typer.Typer) -> None:
    st = typer.Typer(help="Inspect and export the sample store.", no_args_is_help=True)

    @st.command("info")
    def info(store: Store = None, as_json: Json = False) -> None:
        """Samples per model spec (a store that does not exist yet is reported empty, not created)."""
        from distillscope.paths import default_store_path

        s = open_store(store, create=False)
        path = s.path if s is not None else str(store or default_store_path())
        rows = s.specs() if s is not None else []

        def human() -> None:
            from rich.markup import escape
            from rich.table import Table

            if s is None:
                say(f"no sample store at {path} yet (it is created when a command first stores samples)")
                return
            t = Table(title=escape(path))
            t.add_column("spec")
            t.add_column("samples", justify="right")
            for a, b in rows:
                t.add_row(escape(a), str(b))
            console.print(t)

        emit({"store": path, "exists": s is not None, "specs": [{"spec": a, "samples": b} for a, b in rows]},
             as_json, human)

    @st.command("export")
    def export(out_pos: Annotated[Path | None, out_argument("Output file (same as --out).")] = None,
               out: Annotated[Path | None, out_option("Output file: .parquet or .jsonl (overwritten).")] = None,
               spec: Annotated[str | None, typer.Option(help="Only samples of this model spec.")] = None,
               store: Store = None,
               as_json: Json = False) -> None:
        """Export samples (requests, completions, logprobs, metadata) to Parquet or JSONL."""
        from distillscope.errors import InputError

        out = out or out_pos
        if out is None:
            raise InputError("Give the output file: distillscope store export --out samples.parquet.")
        if out.suffix not in (".parquet", ".jsonl"):
            raise InputError(f"{out}: the export format follows the suffix; use .parquet or .jsonl.")
        from distillscope.paths import default_store_path

        s = open_store(store, create=False)
        if s is None:
            raise InputError(f"No sample store at {store or default_store_path()}; nothing to export. Check --store.")
        n = s.export(out, spec)
        emit({"out": str(out), "samples": n}, as_json, lambda: say(f"exported {n} samples to {out}"))

    app.add_typer(st, name="store")
