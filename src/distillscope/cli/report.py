"""``distillscope report``: show, validate and render case files.

    distillscope report show out/case.json
    distillscope report html out/case.json --out out/report.html
    distillscope report validate out/case.json
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    grp = typer.Typer(help="Case files: show the verdict and evidence, validate against the schema, render HTML.",
                      no_args_is_help=True)
    app.add_typer(grp, name="report")

    @grp.command("show")
    def show(case: Annotated[Path, typer.Argument(help="case.json (or its folder).")],
             as_json: Annotated[bool, typer.Option("--json", help="Print the case file on stdout.")] = False) -> None:
        """Print the verdict and the evidence table of a case file."""
        from distillscope.cli._common import console, print_json
        from distillscope.report import CaseFile, print_case

        c = CaseFile.load(case)
        if as_json:
            print_json(c.to_dict())
        else:
            print_case(c, console)

    @grp.command("validate")
    def validate(case: Annotated[Path, typer.Argument(help="case.json (or its folder).")]) -> None:
        """Check a case file against the schema shipped in distillscope (exit 2 with the first error)."""
        from distillscope.cli._common import console
        from distillscope.report import CaseFile

        c = CaseFile.load(case)
        console.print(f"{case}: valid ({len(c.evidence)} evidence, verdict: {c.verdict.headline})")

    @grp.command("html")
    def html(case: Annotated[Path, typer.Argument(help="case.json (or its folder).")],
             out: Annotated[Path | None, typer.Option("--out", "-o", help="Output file (default: report.html next "
                                                      "to the case file).")] = None) -> None:
        """Render a case file as one self-contained report.html (no scripts, no network)."""
        from distillscope.cli._common import console
        from distillscope.report import CaseFile, write_html

        c = CaseFile.load(case)
        target = out or (case if case.is_dir() else case.parent) / "report.html"
        console.print(str(write_html(c, target)))
