"""Terminal rendering of Evidence and case files: Rich tables on stderr, so stdout stays clean for ``--json``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from distillscope.evidence import Evidence

if TYPE_CHECKING:
    from distillscope.report.case import CaseFile


def stderr_console() -> Console:
    return Console(stderr=True)


def fmt_p(p: float | None) -> str:
    """A p-value for people: 3 significant digits, ``< 1e-300`` style floor, ``-`` when absent."""
    if p is None:
        return "-"
    if p == 0:
        return "0"
    return f"{p:.3g}"


def _short(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def fmt_num(x: float | None) -> str:
    return "-" if x is None else f"{x:.3g}"


def evidence_table(evidence: Sequence[Evidence], title: str = "evidence", alpha: float = 0.05) -> Table:
    """One row per Evidence: name, statistic, p, Holm-adjusted p, effect size and the null it tests."""
    t = Table(title=title, title_justify="left", show_lines=False)
    t.add_column("test", no_wrap=True)
    for col in ("statistic", "p", "p (Holm)"):
        t.add_column(col, justify="right", no_wrap=True)
    t.add_column("effect", max_width=34, overflow="ellipsis")
    t.add_column("null hypothesis (full text in case.json)", max_width=60, overflow="ellipsis")
    for e in evidence:
        sig = e.significant(alpha)
        style = "bold red" if sig and e.p_value is not None else ""
        t.add_row(escape(e.name), fmt_num(e.statistic), fmt_p(e.p_value), fmt_p(e.p_adjusted),
                  escape(f"{fmt_num(e.effect_size)} {e.effect_name}".strip()), escape(_short(e.null, 110)),
                  style=style)
    return t


def print_evidence(evidence: Sequence[Evidence], title: str = "evidence", alpha: float = 0.05,
                   console: Console | None = None) -> None:
    (console or stderr_console()).print(evidence_table(evidence, title, alpha))


def print_case(case: CaseFile, console: Console | None = None) -> None:
    """The verdict first, then the evidence table, explanations, skipped steps and caveats."""
    c = console or stderr_console()
    v = case.verdict
    colour = "red" if v.finding else "green"
    c.print(f"[bold {colour}]{escape(v.headline)}[/]")
    c.print(evidence_table(case.evidence, f"{case.kind}: {escape(case.suspect)}", case.alpha))
    for x in v.explanations:
        c.print(f"  [bold]{escape(x['explanation'])}[/]: {escape(', '.join(x['supported_by']))}")
    for lim in sorted({lim for x in v.explanations for lim in x["limits"]}):
        c.print(f"    [dim]cannot tell apart: {escape(lim)}[/]")
    for s in case.skipped:
        c.print(f"  [yellow]skipped[/] {escape(s['step'])}: {escape(s['reason'])}")
    for cav in [*v.caveats, *case.caveats]:
        c.print(f"  [dim]caveat: {escape(cav)}[/]")
