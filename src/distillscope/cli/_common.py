"""The one grammar of the command line: shared options, one printer, exit codes, errors.

- Shared options are declared once here (``Store``, ``Json``, ``Samples``, ``Prompts``, ``Field``, ``Spec``,
  ``Alpha``, :func:`out_option`) and every command reuses them.
- Human output (tables, verdicts, progress) goes to stderr; ``--json`` prints one JSON document (indent 2) on
  stdout, so ``distillscope X --json | jq`` always works. Both go through :func:`emit`.
- Exit codes: 0 = no evidence against the null hypothesis (or nothing tested), 1 = evidence found at level alpha,
  2 = usage or input error (one ``error:`` line on stderr, no traceback; ``DISTILLSCOPE_DEBUG=1`` shows it).

Nothing here imports torch: ``distillscope --help`` stays fast.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from typer._click.core import Abort, Command
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError  # typer vendors click
from typer.core import TyperGroup, TyperOption

from distillscope.errors import DistillscopeError, InputError

console = Console(stderr=True)  # human output goes to stderr so stdout stays clean for --json

EXIT_OK, EXIT_EVIDENCE, EXIT_USAGE = 0, 1, 2
EXIT_CODES_HELP = "Exit code 0 = no evidence against the null, 1 = evidence found at --alpha, 2 = usage/input error."


# ----------------------------------------------------------------------------------------------------- printing
def print_json(obj: Any) -> None:
    """One JSON document on stdout, indent 2 (NaN/inf, dataclasses and numpy values made JSON-safe)."""
    from distillscope.evidence import _jsonable

    sys.stdout.write(json.dumps(_jsonable(obj), ensure_ascii=False, indent=2, default=str) + "\n")


def emit(obj: Any, as_json: bool, human: Callable[[], None] | None = None) -> None:
    """The one printer: ``obj`` as JSON on stdout with ``--json``, else ``human()`` (which prints on stderr)."""
    if as_json:
        print_json(obj)
    elif human is not None:
        human()


def say(msg: str, style: str | None = None) -> None:
    """A line of human output on stderr; ``msg`` is plain text (square brackets are shown as written)."""
    console.print(escape(msg), style=style, soft_wrap=True)


def error_line(msg: str) -> None:
    console.print(f"[bold red]error:[/] {escape(msg)}", soft_wrap=True, highlight=False)


def exit_for(evidence_found: bool) -> None:
    """Exit 1 when the command found evidence against its null hypothesis, else return (exit 0)."""
    if evidence_found:
        raise typer.Exit(EXIT_EVIDENCE)


@contextmanager
def progress(total: int, description: str, enabled: bool = True) -> Iterator[Callable[[int], None]]:
    """A Rich progress bar on stderr; yields ``advance(n)``."""
    if not enabled:
        yield lambda n: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TimeRemainingColumn(), console=console, transient=True) as bar:
        task = bar.add_task(escape(description), total=total)
        yield lambda n: bar.advance(task, n)


# ------------------------------------------------------------------------------------------------------- errors
def _user_error(e: BaseException) -> str | None:
    """The one-line message for an error that is the user's to fix, or None for a bug (keep the traceback)."""
    if isinstance(e, DistillscopeError):
        return str(e)
    if isinstance(e, ClickException):
        return e.format_message()
    if isinstance(e, UnicodeDecodeError):
        return f"an input is not UTF-8 text ({e.reason} at byte {e.start}); give a text file saved as UTF-8."
    if isinstance(e, OSError):
        name = f": {e.filename}" if e.filename else ""
        return f"{e.strerror or e}{name}"
    if type(e).__module__.split(".")[0] == "_duckdb" or type(e).__module__.startswith("duckdb"):
        return f"database error ({type(e).__name__}): {str(e).splitlines()[0]}"
    return None


class Group(TyperGroup):
    """The root command group: user errors become one ``error:`` line and exit code 2, never a traceback."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        try:
            rv = super().main(args=args, prog_name=prog_name, complete_var=complete_var, standalone_mode=False,
                              **extra)
        except NoArgsIsHelpError:  # the help was printed already
            code: int = EXIT_USAGE
        except Abort:
            error_line("aborted.")
            code = 130
        except Exception as e:
            msg = _user_error(e)
            if msg is None or os.environ.get("DISTILLSCOPE_DEBUG"):  # a bug, or asked for the traceback
                raise
            if isinstance(e, UsageError) and e.ctx is not None:
                msg += f" (see '{e.ctx.command_path} --help')"
            error_line(msg)
            code = EXIT_USAGE
        else:
            code = rv if isinstance(rv, int) else EXIT_OK
        if not standalone_mode:
            return code
        sys.exit(code)


# ---------------------------------------------------------------------------------------------- option checks
def _is_duckdb(p: Path) -> bool:
    with p.open("rb") as f:
        return f.read(12)[8:12] == b"DUCK"


def check_store(p: Path | None) -> Path | None:
    """A store path that is a DuckDB file, or that does not exist yet in a writable folder."""
    if p is None:
        return None
    if p.is_dir():
        raise InputError(f"--store {p} is a folder; give a DuckDB file, e.g. --store {p / 'samples.duckdb'}.")
    if p.exists():
        if not _is_duckdb(p):
            raise InputError(f"--store {p} is not a distillscope sample store (not a DuckDB file). Give another "
                             "path, or leave --store out to use the default store.")
    else:
        _check_writable_parent(p, "--store")
    return p


def open_store(p: Path | None, create: bool = True) -> Any:
    """The :class:`~distillscope.store.SampleStore` at ``p`` (default: ``$DISTILLSCOPE_STORE`` or the data dir),
    checked first; with ``create=False`` a missing store is None instead of a new file."""
    from distillscope.paths import default_store_path

    path = p if p is not None else default_store_path()
    check_store(path)
    if not create and not path.exists():
        return None
    from distillscope.store import SampleStore

    return SampleStore(path)


def _check_writable_parent(p: Path, flag: str) -> None:
    parent = p.parent if str(p.parent) else Path(".")
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"{flag} {p}: cannot write there ({parent} is not a writable folder). Choose another path.")


def check_out(p: Path | None, folder: bool = False, flag: str = "--out") -> Path | None:
    """An output path that can be written: a file (overwritten) or a folder (created), never clobbering a file
    with a folder or a folder with a file."""
    if p is None:
        return None
    if folder and p.exists() and not p.is_dir():
        raise InputError(f"{flag} {p} is an existing file; {flag} names a folder here. Choose a new path.")
    if not folder and p.is_dir():
        raise InputError(f"{flag} {p} is a folder; {flag} names a file here, e.g. {p / 'out.jsonl'}.")
    if p.exists():
        if not os.access(p, os.W_OK):
            raise InputError(f"{flag} {p} is not writable. Choose another path.")
    else:
        _check_writable_parent(p, flag)
    return p


def check_input(p: Path | None, what: str = "input file") -> Path | None:
    """An input file that exists, is a file and is readable (the format is checked when it is read)."""
    if p is None:
        return None
    from distillscope.inputs import check_file

    return check_file(p, what)


def check_spec(spec: str) -> str:
    """A model spec that parses, names a known backend and passes only options that backend takes."""
    from distillscope.models.registry import check_spec as _check

    _check(spec)
    return spec


def spec_list(value: str | None) -> list[str]:
    """The model specs of a comma-separated option (``--panel a,b``), each checked by :func:`check_spec`."""
    return [check_spec(s.strip()) for s in (value or "").split(",") if s.strip()]


def _cb(fn: Callable[..., Any], *a: Any, **kw: Any) -> Callable[[Any], Any]:
    def callback(value: Any) -> Any:
        return fn(value, *a, **kw)

    return callback


# ---------------------------------------------------------------------------------------------- shared options
STORE_HELP = ("Sample store, a DuckDB file (default: $DISTILLSCOPE_STORE, else the user data dir); created when "
              "a command first writes to it.")
JSON_HELP = "Print the result as one JSON document on stdout (human output goes to stderr)."
ALPHA_HELP = "Test level: exit code 1 when the p-value is below it."

Store = Annotated[Path | None, typer.Option("--store", help=STORE_HELP, callback=check_store, show_default=False)]
Json = Annotated[bool, typer.Option("--json", help=JSON_HELP)]
Samples = Annotated[int, typer.Option("--samples", "-n", min=1, help="Samples (completions) drawn per prompt.")]
Alpha = Annotated[float, typer.Option("--alpha", min=0.0, max=1.0, help=ALPHA_HELP)]
Spec = Annotated[str, typer.Argument(help="Model spec, e.g. zoo:smollm2-135m-instruct, hf:PATH or "
                                          "openai:MODEL@URL (see `distillscope models list`).", callback=check_spec)]
Field = Annotated[str | None, typer.Option("--field", help="Field of each record holding the prompt or text "
                                                           "(dotted path allowed); see `distillscope.inputs`.")]
PROMPTS_HELP = ("Prompt file: .txt (one a line), .jsonl, .json, .yaml, .csv or .parquet (field 'prompt' or "
                "--field).")
Prompts = Annotated[Path | None, typer.Option("--prompts", "-p", help=PROMPTS_HELP, callback=_cb(check_input,
                                                                                                "prompt file"))]
ConfigFile = Annotated[Path | None, typer.Option("--config", help="YAML file of this command's options (the "
                                                 "names below, without --); flags given here override it.",
                                                 callback=_cb(check_input, "config file"))]


def spec_argument(help: str) -> Any:
    """A positional model spec with its own help, validated like :data:`Spec`."""
    return typer.Argument(help=help, callback=check_spec)


def spec_option(*names: str, help: str) -> Any:
    """A model-spec option (e.g. ``--reference``), validated like the :data:`Spec` argument."""
    return typer.Option(*names, help=help, callback=check_spec)


def out_option(help: str, folder: bool = False) -> Any:
    """``--out/-o``: where results are written (a file, or a folder if ``folder``); checked before any work."""
    return typer.Option("--out", "-o", help=help, callback=_cb(check_out, folder=folder))


def out_argument(help: str, folder: bool = False) -> Any:
    """A positional output path (a file, or a folder if ``folder``), checked like :func:`out_option`."""
    return typer.Argument(help=help, callback=_cb(check_out, folder=folder, flag="OUT"))


def input_argument(help: str, what: str = "input file") -> Any:
    """A positional input file, checked to exist and be a readable file before any work."""
    return typer.Argument(help=help, callback=_cb(check_input, what))


# ---------------------------------------------------------------------------------------------- command table
SHARED_FLAGS = ("--json", "--store", "--samples", "--prompts", "--field", "--out", "--alpha", "--config")


def leaf_commands(app: typer.Typer | None = None) -> list[tuple[str, Command]]:
    """``(path, command)`` for every command of the CLI, sorted by path (``verify``, ``identity probe``, ...);
    a group with options of its own (``audit``) is a command too."""
    if app is None:
        from distillscope.cli import app as app_
        app = app_
    root = typer.main.get_command(app)
    out: list[tuple[str, Command]] = []

    def walk(cmd: Command, path: list[str]) -> None:
        if isinstance(cmd, TyperGroup):
            if path and flags_of(cmd) - {"--help"}:  # a group that runs on its own (audit --suspect ...)
                out.append((" ".join(path), cmd))
            for name, sub in cmd.commands.items():
                if not sub.hidden:
                    walk(sub, [*path, name])
        else:
            out.append((" ".join(path), cmd))

    walk(root, [])
    return sorted(out)


def flags_of(cmd: Command) -> set[str]:
    return {o for p in cmd.params if isinstance(p, TyperOption) and not p.hidden for o in p.opts}


def states_null(cmd: Command) -> bool:
    """Whether the command tests a null hypothesis (its help says so)."""
    return "Null hypothes" in (cmd.help or "")


def command_table(app: typer.Typer | None = None) -> str:
    """The README's table of every command and the shared flags it takes, generated from the CLI itself."""
    head = ["command", *(f"`{f}`" for f in SHARED_FLAGS), "tests a null (exit 1)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for path, cmd in leaf_commands(app):
        flags = flags_of(cmd)
        marks = ["yes" if f in flags else "" for f in SHARED_FLAGS]
        lines.append("| " + " | ".join([f"`{path}`", *marks, "yes" if states_null(cmd) else ""]) + " |")
    return "\n".join(lines)


TABLE_START, TABLE_END = "<!-- command-table -->", "<!-- /command-table -->"


def sync_readme(path: str | Path, write: bool = True) -> bool:
    """Put :func:`command_table` between the README's markers; returns whether the README already had it.

    ``python -c "from distillscope.cli._common import sync_readme; sync_readme('README.md')"``
    """
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    a, b = text.index(TABLE_START) + len(TABLE_START), text.index(TABLE_END)
    new = text[:a] + "\n" + command_table() + "\n" + text[b:]
    if write and new != text:
        p.write_text(new, encoding="utf-8")
    return new == text
