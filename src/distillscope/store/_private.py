"""Files that hold prompts, completions and client IPs are created private to their owner (0600, folders 0700).

Where the code opens a file itself it passes the mode (:func:`private_open`). DuckDB creates its database and WAL
files itself (with the process umask), so writes to a DuckDB file run inside :func:`private_files`, which sets
the umask to 077 while any such block runs (reference-counted across threads; other files created meanwhile
are private too, never more open).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_lock = threading.Lock()
_depth = 0
_saved = 0o022


@contextmanager
def private_files() -> Iterator[None]:
    """Files created inside this block get mode 0600 (folders 0700)."""
    global _depth, _saved
    with _lock:
        if _depth == 0:
            _saved = os.umask(0o077)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                os.umask(_saved)


def private_dir(path: Path) -> None:
    """Create ``path`` (and missing parents) as 0700 folders; an existing folder is left as it is."""
    if path.is_dir():
        return
    with private_files():
        path.mkdir(parents=True, exist_ok=True)


def private_open(path: Path, flags: int = os.O_WRONLY | os.O_CREAT | os.O_TRUNC) -> int:
    """``os.open`` with mode 0600 for a file it creates."""
    return os.open(path, flags, 0o600)
