"""Fixtures shared by the corpus builders' tests."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def git_repo(tmp_path: Path) -> Callable[[dict[str, str | bytes]], tuple[Path, str]]:
    """A function that commits ``{path: text or bytes}`` to a fresh repository under ``tmp_path`` and returns its git
    directory and the commit, the way the builders read their mirrors."""

    def make(files: dict[str, str | bytes]) -> tuple[Path, str]:
        repo = tmp_path / "src"
        for name, data in files.items():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            (repo / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
               "GIT_COMMITTER_EMAIL": "t@t", "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
        for cmd in (["init", "-q"], ["add", "."], ["commit", "-qm", "x"]):
            subprocess.run(["git", "-C", str(repo), *cmd], check=True, env=env)
        head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], check=True, capture_output=True,
                              text=True).stdout.strip()
        return repo / ".git", head

    return make
