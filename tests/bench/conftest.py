"""Fixtures shared by the corpus builders' tests."""

from __future__ import annotations

import dataclasses
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


@pytest.fixture
def window_builds(git_repo, tmp_path: Path, monkeypatch) -> Callable[..., tuple[list[dict], str]]:
    """A function that checks one labels-only window set's builder (``real_answers_blind8.WindowSet``) on a one-file
    source: ``records`` are written as that file (with extra fields the builder does not read), the set's windows
    are patched to cover lines 2-3 whole and a tail cut mid-line, and the rows built from a git mirror, from the
    whole file and from an excerpt (window-tagged lines, one of a window that is not pinned) must be the same and
    hold lines 2-3 only. Returns the rows and the commit."""
    import json

    import real_answers_blind8 as b8

    def check(module, ws_attr: str, path: str, records: list[dict]) -> tuple[list[dict], str]:
        full = [{**r, "content_clean": r["content"], "reasoning": None, "ts": 1.0} for r in records]
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in full)
        g, head = git_repo({path: text})
        second = len(json.dumps(full[0], ensure_ascii=False)) + 1  # where the second line starts
        windows = [(second, 3 * second), (len(text) - 5, len(text))]  # lines 2-3 whole; a cut tail
        monkeypatch.setattr(module, ws_attr, dataclasses.replace(getattr(module, ws_attr), files={path: (head, windows)}))
        monkeypatch.setattr(b8, "REPO", "t/src")
        mirrors = tmp_path / "mirrors"
        (mirrors / "t+src").mkdir(parents=True)
        (mirrors / "t+src" / "repo").symlink_to(g.parent)
        from_git = module.build(mirrors=mirrors)
        assert sorted(r["answer"] for r in from_git) == sorted([records[1]["content"], records[2]["content"]])
        raw = tmp_path / "raw"
        raw.mkdir()
        (raw / Path(path).name).write_text(text, encoding="utf-8")
        assert module.build(raw=raw) == from_git
        # an excerpt keeps only the fields the builder reads; a line of a window that is not pinned is dropped
        excerpt = [{**records[i], "_window": list(windows[0]), "_commit": head} for i in (1, 2)]
        excerpt.append({**records[3], "_window": [0, 10], "_commit": head})
        (raw / Path(path).name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in excerpt),
                                           "utf-8")
        assert module.build(raw=raw) == from_git
        return from_git, head

    return check
