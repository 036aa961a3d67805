"""``distillscope compare SPEC,SPEC,... --tasks FILE``: accuracy per model on your own tasks, side by side.

    distillscope compare zoo:smollm2-135m-instruct,zoo:tiny-llama --tasks arithmetic --out out/compare
    distillscope compare openai:a@http://host/v1,openai:b@http://host/v1 --tasks my_tasks.jsonl --json
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command("compare")(compare_cmd)


def compare_cmd(
    specs: Annotated[str, typer.Argument(help="Comma-separated model specs, e.g. zoo:smollm2-135m-instruct,mock:echo.")],
    tasks: Annotated[str, typer.Option("--tasks", "-t", help="Task file (JSONL: prompt, answer, match = number | "
                                       "exact | contains) or 'arithmetic' for the shipped set.")] = "arithmetic",
    max_tokens: Annotated[int, typer.Option(min=1, help="Tokens per answer (greedy).")] = 32,
    seed: Annotated[int, typer.Option(help="Request seed.")] = 0,
    alpha: Annotated[float, typer.Option(help="Family-wise level of the paired tests (Holm).")] = 0.05,
    store: Annotated[Path | None, typer.Option(help="Sample store (default: $DISTILLSCOPE_STORE or data dir).")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write case.json and report.html here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print case.json on stdout.")] = False,
) -> None:
    """Answer every task with every model and report accuracy with Wilson 95% intervals and exact McNemar tests
    between each pair (Holm-adjusted). Code-execution tasks (HumanEval) are not scored: that needs a sandbox."""
    from distillscope.audit.compare import compare_models, load_tasks
    from distillscope.cli._common import console, print_json, progress
    from distillscope.errors import InputError
    from distillscope.models import load_model
    from distillscope.report import print_case, write_outputs
    from distillscope.store import SampleStore

    names = [s.strip() for s in specs.split(",") if s.strip()]
    if not names:
        raise InputError("Give at least one model spec, e.g. `distillscope compare zoo:tiny-llama,mock:echo`.")
    task_list = load_tasks(tasks)
    models = [load_model(s) for s in names]
    with progress(len(task_list) * len(models), "answering tasks", enabled=not as_json) as advance:
        case = compare_models(models, task_list, max_tokens=max_tokens, seed=seed, store=SampleStore(store),
                              alpha=alpha, progress=advance, command=sys.argv)
    if out is not None:
        paths = write_outputs(case, out)
        for kind, p in paths.items():
            console.print(f"{kind}: {p}")
    if as_json:
        print_json(case.to_dict())
        return
    print_case(case, console)
