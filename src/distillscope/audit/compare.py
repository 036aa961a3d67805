"""Side by side on your own tasks: accuracy per model with Wilson intervals and paired exact McNemar tests.

    from distillscope.audit.compare import compare_models, load_tasks
    case = compare_models([load_model("zoo:smollm2-135m-instruct"), load_model("mock:fixed=42")],
                          load_tasks("arithmetic"))
    case.save("out")   # case.json; write_html(case, "out/report.html") for the report

A task file is JSONL: ``{"id", "prompt", "answer", "match"}`` with ``match`` one of ``number`` (the last number in
the reply equals the answer), ``exact`` (the reply, stripped and case-folded, equals it) or ``contains`` (the reply
contains it, case-folded). ``arithmetic`` names the shipped file (60 items: +, -, x on small integers).

Code-execution tasks (HumanEval) are not scored: running model-written code needs a sandbox this package does not
provide, and a subprocess with a timeout is not one. Answers are greedy (temperature 0), one per task, through the
sample store, so a rerun costs nothing.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from distillscope.errors import InputError
from distillscope.evidence import Evidence
from distillscope.jsonl import iter_jsonl
from distillscope.models.base import GenRequest, Model
from distillscope.report.case import CaseFile, Example
from distillscope.report.verdict import Verdict
from distillscope.stats.intervals import wilson

SHIPPED = {"arithmetic": "data/arithmetic.jsonl"}
MATCHES = ("number", "exact", "contains")
_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


@dataclass(frozen=True)
class Task:
    id: str
    prompt: str
    answer: str
    match: str = "exact"


def load_tasks(source: str | Path) -> list[Task]:
    """Tasks from a JSONL file, or the shipped set named ``arithmetic``."""
    if str(source) in SHIPPED:
        text = resources.files("distillscope.audit").joinpath(SHIPPED[str(source)]).read_text()
        path = Path(str(source))
        rows = [(n, r) for n, r in enumerate(_json_lines(text), 1)]
    else:
        path = Path(source)
        if not path.exists():
            raise InputError(f"No task file {path}: give a JSONL file or one of {', '.join(SHIPPED)}.")
        rows = list(iter_jsonl(path))
    tasks = []
    for n, r in rows:
        if not isinstance(r, dict) or not {"prompt", "answer"} <= set(r):
            raise InputError(f"{path}:{n}: a task needs 'prompt' and 'answer' (and optionally 'id', 'match').")
        m = r.get("match", "exact")
        if m not in MATCHES:
            raise InputError(f"{path}:{n}: match {m!r} is not one of {', '.join(MATCHES)} (code execution is not "
                             "supported).")
        tasks.append(Task(str(r.get("id", n)), str(r["prompt"]), str(r["answer"]), m))
    if not tasks:
        raise InputError(f"{path} holds no tasks.")
    return tasks


def _json_lines(text: str) -> list[Any]:
    import json

    return [json.loads(line) for line in text.splitlines() if line.strip()]


def score(task: Task, reply: str) -> bool:
    """Does ``reply`` answer ``task``? (see the module docstring for the three match rules)"""
    if task.match == "number":
        nums = _NUMBER.findall(reply.replace(",", ""))
        try:
            return bool(nums) and float(nums[-1]) == float(task.answer.replace(",", ""))
        except ValueError:
            return False
    if task.match == "contains":
        return task.answer.casefold() in reply.casefold()
    return reply.strip().casefold() == task.answer.strip().casefold()


def accuracy_evidence(spec: str, correct: Sequence[bool], confidence: float = 0.95) -> Evidence:
    k, n = int(sum(correct)), len(correct)
    lo, hi = wilson(k, n, confidence)
    return Evidence(
        name=f"compare.accuracy[{spec}]", null="(descriptive: accuracy with a Wilson interval, no test)",
        statistic=k / n, p_value=None, effect_size=k / n, effect_name="accuracy",
        params={"model": spec, "confidence": confidence},
        details={"accuracy": {"k": k, "n": n, "rate": k / n, "low": lo, "high": hi}, "correct": [int(c) for c in correct]})


def mcnemar(spec_a: str, a: Sequence[bool], spec_b: str, b: Sequence[bool]) -> Evidence:
    """Exact McNemar test on paired correctness: among tasks exactly one model gets right, is each equally likely?"""
    x, y = np.asarray(a, dtype=bool), np.asarray(b, dtype=bool)
    if x.shape != y.shape or x.ndim != 1 or x.size == 0:
        raise InputError("mcnemar() needs two equally long, non-empty correctness vectors.")
    only_a, only_b = int(np.sum(x & ~y)), int(np.sum(~x & y))
    p = float(stats.binomtest(only_a, only_a + only_b, 0.5).pvalue) if only_a + only_b else 1.0
    return Evidence(
        name=f"compare.mcnemar[{spec_a} vs {spec_b}]",
        null=f"{spec_a} and {spec_b} are equally accurate on these tasks (paired by task)",
        statistic=float(only_a - only_b), p_value=p, effect_size=float(x.mean() - y.mean()),
        effect_name=f"accuracy of {spec_a} minus {spec_b}",
        params={"a": spec_a, "b": spec_b, "only_a": only_a, "only_b": only_b, "n": int(x.size)},
        caveats=["Exact two-sided binomial test on discordant tasks; with few of them it has little power."])


def compare_verdict(evidence: list[Evidence], alpha: float = 0.05, **_: Any) -> Verdict:
    """Headline of a compare case: the most accurate model and which paired differences survive Holm."""
    acc = sorted((e for e in evidence if e.name.startswith("compare.accuracy")), key=lambda e: -e.statistic)
    tests = [e for e in evidence if e.p_value is not None]
    sig = [e for e in tests if e.p_adjusted is not None and e.p_adjusted < alpha]
    best = acc[0] if acc else None
    head = "" if best is None else (
        f"Most accurate: {best.params['model']} ({best.statistic:.0%}, 95% CI "
        f"[{best.details['accuracy']['low']:.0%}, {best.details['accuracy']['high']:.0%}]). ")
    head += (f"{len(sig)} of {len(tests)} pairwise differences are significant after Holm at alpha = {alpha:g}."
             if tests else "No pairwise test (one model).")
    rows = [{"name": e.name, "null": e.null, "p_value": e.p_value, "p_adjusted": e.p_adjusted,
             "effect_size": e.effect_size, "effect_name": e.effect_name} for e in sig]
    return Verdict(False, head, "descriptive", alpha, rows, [], None,
                   ["Accuracy on a task file describes these tasks only; it says nothing about a model's origin."],
                   rule="compare")


def compare_models(models: Sequence[Model], tasks: Sequence[Task], *, max_tokens: int = 32, seed: int = 0,
                   store: Any = None, alpha: float = 0.05, progress: Callable[[int], None] | None = None,
                   command: str | Sequence[str] | None = None, examples_per_model: int = 3) -> CaseFile:
    """Answer every task with every model (greedy, through the store) and build a compare case file."""
    if not models:
        raise InputError("compare needs at least one model.")
    from distillscope.store import CachedModel, SampleStore

    st = store if store is not None else SampleStore()
    reqs = [GenRequest.chat(t.prompt, max_tokens=max_tokens, temperature=0.0, seed=seed) for t in tasks]
    evidence, correct, examples, spend = [], {}, {}, {}
    for m in models:
        cm = m if isinstance(m, CachedModel) else CachedModel(m, st)
        comps = cm.generate(reqs, progress=progress)
        ok = [score(t, c.text) for t, c in zip(tasks, comps)]
        correct[m.spec] = ok
        ev = accuracy_evidence(m.spec, ok)
        ev.sample_ids = [c.sample_id for c in comps if c.sample_id]
        evidence.append(ev)
        wrong = [(t, c) for t, c, k in zip(tasks, comps, ok) if not k][:examples_per_model]
        examples[ev.name] = [Example(c.sample_id or "", c.text, m.spec, t.prompt, f"expected {t.answer}")
                             for t, c in wrong]
        spend[m.spec] = {"calls_new": cm.misses, "calls_cached": cm.hits}
    for a, b in itertools.combinations(correct, 2):
        evidence.append(mcnemar(a, correct[a], b, correct[b]))
    return CaseFile.build(evidence, models[0].spec, alpha=alpha, decider=compare_verdict, kind="compare",
                          panel=[m.spec for m in models[1:]], command=command, examples=examples, spend=spend,
                          extra={"tasks": len(tasks), "max_tokens": max_tokens, "seed": seed},
                          caveats=[("HumanEval-style code tasks are not scored: executing model-written code needs a "
                                   "sandbox, which this tool does not provide.")])
