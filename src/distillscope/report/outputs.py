"""Write a case's files into one folder: ``case.json``, ``report.html`` and, given a subject, ``statement.json``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from distillscope.report.case import CaseFile
from distillscope.report.html import write_html


def write_outputs(case: CaseFile, folder: str | Path, subject: dict[str, Any] | None = None,
                  key: str | Path | None = None) -> dict[str, Path]:
    """Write the case files into ``folder`` and return their paths by kind (``case``, ``html``, ``statement``)."""
    out = Path(folder)
    paths = {"case": case.save(out), "html": write_html(case, out / "report.html")}
    if subject is not None:
        from distillscope.report.statement import write_statement

        paths["statement"] = write_statement(case, out / "statement.json", subject, paths["case"], key)
    return paths
