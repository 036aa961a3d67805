"""Small pieces shared by CLI modules: console, JSON output, progress bars, store option."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

console = Console(stderr=True)  # human output goes to stderr so stdout stays clean for --json


def print_json(obj: Any) -> None:
    from distillscope.evidence import _jsonable

    sys.stdout.write(json.dumps(_jsonable(obj), ensure_ascii=False, indent=2) + "\n")


@contextmanager
def progress(total: int, description: str, enabled: bool = True) -> Iterator[Callable[[int], None]]:
    """A Rich progress bar; yields ``advance(n)``."""
    if not enabled:
        yield lambda n: None
        return
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TimeRemainingColumn(), console=console, transient=False) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)
