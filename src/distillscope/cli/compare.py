"""``distillscope compare SPEC,SPEC,... --tasks FILE``: accuracy per model on your own tasks, side by side.

    distillscope compare zoo:smollm2-135m-instruct,zoo:tiny-llama --tasks arithmetic --out out/compare
    distillscope compare openai:a@http://host/v1,openai:b@http://host/v1 --tasks my_tasks.jsonl --json
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from distillscope.cli._common import (
    Alpha,
    Json,
    Store,
    check_input,
    console,
    emit,
    open_store,
    out_option,
    progress,
    say,
    spec_list,
)


def register(app: typer.Typer) -> None:
    app.command("compare")(compare_cmd)


def _specs(value: str) -> str:
    if not spec_list(value):
        raise typer.BadParameter("give at least one model spec, e.g. zoo:tiny-llama,mock:echo")
    return value


def _tasks(value: str) -> str:
    from distillscope.audit.compare import SHIPPED

    if value not in SHIPPED:
        check_input(Path(value), "task file")
    return value


def compare_cmd(
    specs: Annotated[str, typer.Argument(help="Comma-separated model specs, e.g. zoo:smollm2-135m-instruct,mock:echo.",
                                         callback=_specs)],
    tasks: Annotated[str, typer.Option("--tasks", "-t", callback=_tasks,
                                       help="Task file (JSONL: prompt, answer, match = number | exact | contains) "
                                            "or 'arithmetic' for the shipped set.")] = "arithmetic",
    max_tokens: Annotated[int, typer.Option(min=1, help="Tokens per answer (greedy).")] = 32,
    seed: Annotated[int, typer.Option(help="Request seed.")] = 0,
    alpha: Alpha = 0.05,
    store: Store = None,
    out: Annotated[Path | None, out_option("Folder for case.json and report.html.", folder=True)] = None,
    as_json: Json = False,
) -> None:
    """Answer every task with every model (greedy, through the sample store) and report accuracy with Wilson 95%
    intervals and exact McNemar tests between each pair, Holm-adjusted at --alpha. Descriptive: exit code 0 unless
    the input is bad (2). Code-execution tasks (HumanEval) are not scored: that needs a sandbox."""
    from distillscope.audit.compare import compare_models, load_tasks
    from distillscope.report import print_case, write_outputs

    task_list = load_tasks(tasks)
    st = open_store(store)
    from distillscope.models import load_model

    models = [load_model(s) for s in spec_list(specs)]
    with progress(len(task_list) * len(models), "answering tasks", enabled=not as_json) as advance:
        case = compare_models(models, task_list, max_tokens=max_tokens, seed=seed, store=st, alpha=alpha,
                              progress=advance, command=sys.argv)
    emit(case.to_dict(), as_json, lambda: print_case(case, console))
    if out is not None:
        for kind, p in write_outputs(case, out).items():
            say(f"{kind}: {p}")
