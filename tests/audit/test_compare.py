"""compare: task loading and scoring, McNemar (null: FPR <= alpha; known positive), the CLI on mock models."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from typer.testing import CliRunner

from distillscope.audit.compare import Task, compare_models, load_tasks, mcnemar, score
from distillscope.cli import app
from distillscope.errors import InputError
from distillscope.models.base import Completion, Model
from distillscope.stats.intervals import wilson


class Solver(Model):
    """Answers the shipped arithmetic correctly except for every ``miss``-th task (by id)."""

    capabilities = frozenset({"text"})

    def __init__(self, miss: int, spec: str) -> None:
        self.miss, self.spec = miss, spec

    def _generate(self, requests, progress=None):
        out = []
        for r in requests:
            q = r.messages[-1][1]
            a, word, b = re.search(r"What is (-?\d+) (\w+) (-?\d+)", q).groups()
            val = {"plus": int(a) + int(b), "minus": int(a) - int(b), "times": int(a) * int(b)}[word]
            wrong = self.miss and (int(a) + int(b)) % self.miss == 0
            out.append(Completion(text=f"The answer is {val + 1 if wrong else val}.", usage={}))
        return out


def test_shipped_tasks_and_scoring():
    tasks = load_tasks("arithmetic")
    assert len(tasks) == 60 and {t.match for t in tasks} == {"number"}
    t = tasks[0]
    assert score(t, f"{t.prompt.split()[2]} plus ... = {t.answer}") and not score(t, "no idea")
    assert score(Task("x", "q", "1,000", "number"), "It is 1,000.")
    assert score(Task("x", "q", "Paris", "exact"), "  paris ") and not score(Task("x", "q", "Paris"), "Paris!")
    assert score(Task("x", "q", "Paris", "contains"), "It is Paris!")


def test_bad_task_files(tmp_path):
    p = tmp_path / "t.jsonl"
    p.write_text('{"prompt": "x"}\n')
    with pytest.raises(InputError, match="t.jsonl:1"):
        load_tasks(p)
    p.write_text('{"prompt": "x", "answer": "1", "match": "execute"}\n')
    with pytest.raises(InputError, match="code execution"):
        load_tasks(p)
    with pytest.raises(InputError, match="No task file"):
        load_tasks(tmp_path / "missing.jsonl")


def test_mcnemar_null_fpr_and_known_positive():
    rng = np.random.default_rng(0)
    reps, n, alpha = 1000, 80, 0.05
    rej = sum(mcnemar("a", rng.random(n) < 0.6, "b", rng.random(n) < 0.6).p_value < alpha for _ in range(reps))
    lo, _ = wilson(rej, reps)
    assert lo <= alpha  # exact test: at most alpha under the null
    x, y = rng.random(100) < 0.9, rng.random(100) < 0.3
    e = mcnemar("good", x, "bad", y)
    assert e.p_value < 1e-6 and e.effect_size == pytest.approx(x.mean() - y.mean())


def test_compare_case_on_mock_models(tmp_path):
    from distillscope.store import SampleStore

    tasks = load_tasks("arithmetic")
    store = SampleStore(tmp_path / "s.duckdb")
    good, bad = Solver(0, "test:good"), Solver(2, "test:bad")
    case = compare_models([good, bad], tasks, store=store, command="compare")
    acc = {e.params["model"]: e.statistic for e in case.evidence if e.name.startswith("compare.accuracy")}
    expect_bad = np.mean([(int(t.prompt.split()[2]) + int(t.prompt.split()[4].rstrip("?"))) % 2 != 0
                          for t in tasks])
    assert acc == {"test:good": 1.0, "test:bad": pytest.approx(expect_bad)}
    test = next(e for e in case.evidence if e.name.startswith("compare.mcnemar"))
    assert test.p_adjusted == test.p_value and test.p_value < 0.05
    assert case.verdict.headline.startswith("Most accurate: test:good (100%")
    assert all("expected" in x.note for x in case.examples["compare.accuracy[test:bad]"])
    again = compare_models([good, bad], tasks, store=store)
    assert again.spend["test:good"] == {"calls_new": 0, "calls_cached": len(tasks)}  # resumable via the store


def test_cli_compare_writes_report(tmp_path):
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["compare", "mock:echo,mock:fixed=52", "--tasks", "arithmetic", "--out", str(out),
                                 "--store", str(tmp_path / "s.duckdb"), "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout[r.stdout.index("{"):])
    acc = {e["params"]["model"]: e["statistic"] for e in d["evidence"] if e["name"].startswith("compare.accuracy")}
    n52 = sum(t.answer == "52" for t in load_tasks("arithmetic"))
    assert acc == {"mock:echo": 0.0, "mock:fixed=52": pytest.approx(n52 / 60)}
    assert (out / "case.json").exists() and "accuracy per model" in (out / "report.html").read_text()
