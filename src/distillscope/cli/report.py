"""``distillscope report``: show, validate and render case files.

    distillscope report show out/case.json
    distillscope report html out/case.json --out out/report.html
    distillscope report validate out/case.json
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from distillscope.cli._common import Json, check_input, console, emit, out_option, say


def _case_path(p: Path) -> Path:
    """A case file, or a folder holding ``case.json``; checked before anything is read."""
    return check_input(p / "case.json" if p.is_dir() else p, "case file")  # type: ignore[return-value]


CaseArg = Annotated[Path, typer.Argument(help="case.json (or the folder holding it).", callback=_case_path)]


def register(app: typer.Typer) -> None:
    grp = typer.Typer(help="Case files: show the verdict and evidence, validate against the schema, render HTML.",
                      no_args_is_help=True)
    app.add_typer(grp, name="report")
    grp.command("show")(show_cmd)
    grp.command("validate")(validate_cmd)
    grp.command("html")(html_cmd)


def show_cmd(case: CaseArg, as_json: Json = False) -> None:
    """Print the verdict and the evidence table of a case file (--json: the case file itself on stdout)."""
    from distillscope.report import CaseFile, print_case

    c = CaseFile.load(case)
    emit(c.to_dict(), as_json, lambda: print_case(c, console))


def validate_cmd(case: CaseArg) -> None:
    """Check a case file against the JSON schema shipped in distillscope (exit 2 naming the first error)."""
    from distillscope.report import CaseFile

    c = CaseFile.load(case)
    say(f"{case}: valid ({len(c.evidence)} evidence; verdict: {c.verdict.headline})")


def html_cmd(case: CaseArg,
             out: Annotated[Path | None, out_option("Output file (default: report.html next to the case file).")]
             = None) -> None:
    """Render a case file as one self-contained report.html (inline CSS and SVG; no scripts, no network)."""
    from distillscope.report import CaseFile, write_html

    c = CaseFile.load(case)
    say(str(write_html(c, out or case.parent / "report.html")))
