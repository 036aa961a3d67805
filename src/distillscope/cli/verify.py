"""``distillscope verify ENDPOINT --reference SPEC``: is this endpoint serving the model it claims?

    distillscope verify openai:smollm2@http://127.0.0.1:8000/v1 --reference zoo:smollm2-135m-instruct
    distillscope verify openai:gpt-x@https://relay.example/v1 --reference zoo:smollm2-135m-instruct --samples 20 --json
    distillscope verify-plan --delta 0.1 --power 0.9
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer


def register(app: typer.Typer) -> None:
    app.command("verify")(verify_cmd)
    app.command("verify-plan")(plan_cmd)


def verify_cmd(
    endpoint: Annotated[str, typer.Argument(help="Model under audit, e.g. openai:MODEL@BASE_URL.")],
    reference: Annotated[str, typer.Option("--reference", "-r", help="The model it claims to be (zoo:/hf: for "
                                           "white-box likelihood tests).")],
    prompts: Annotated[Path | None, typer.Option(help="Prompt file (.txt lines, .jsonl, .json, .yaml); default: "
                                                 "the shipped informative set.")] = None,
    samples: Annotated[int, typer.Option(help="Endpoint completions per prompt.")] = 10,
    reference_samples: Annotated[int | None, typer.Option(help="Reference completions per prompt (default: "
                                                          "--samples).")] = None,
    alpha: Annotated[float, typer.Option(help="Test level of the verdict.")] = 0.05,
    max_tokens: Annotated[int, typer.Option(help="Tokens per completion.")] = 32,
    temperature: Annotated[float, typer.Option(help="Claimed sampling temperature (both sides).")] = 1.0,
    top_p: Annotated[float, typer.Option(help="Claimed top-p (both sides).")] = 1.0,
    permutations: Annotated[int, typer.Option(help="Label shuffles per permutation test.")] = 1000,
    seed: Annotated[int, typer.Option(help="Seed of sampling and permutations.")] = 0,
    logprobs: Annotated[str, typer.Option(help="Ask the endpoint for logprobs: auto, yes or no.")] = "auto",
    logprob_tol: Annotated[float, typer.Option(help="Numerical tolerance of the logprob tests, nats/token.")] = 1e-3,
    price_in: Annotated[float, typer.Option(help="USD per 1M prompt tokens, for the cost estimate.")] = 0.15,
    price_out: Annotated[float, typer.Option(help="USD per 1M completion tokens, for the cost estimate.")] = 0.60,
    store: Annotated[Path | None, typer.Option(help="Sample store file (default: $DISTILLSCOPE_STORE or the "
                                               "user data dir).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Test whether ENDPOINT serves the same output distribution as --reference (substitution / relay audit).

    Samples both on the same prompts (cached in the sample store: rerunning with more --samples only pays for
    the new ones), then runs MMD (Hamming kernel), a likelihood-rank test (white-box reference), logprob tests
    (if the endpoint returns logprobs) and an exactly combined test. Exit code 0 = consistent, 1 = differs.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from distillscope.models import load_model
    from distillscope.store import SampleStore
    from distillscope.verify import BatteryConfig, VerifyConfig, load_prompts, verify

    cfg = VerifyConfig(samples=samples, reference_samples=reference_samples, max_tokens=max_tokens,
                       temperature=temperature, top_p=top_p, logprobs=logprobs, price_in=price_in,
                       price_out=price_out,
                       battery=BatteryConfig(alpha=alpha, n_perm=permutations, seed=seed, logprob_tol=logprob_tol))
    plist = load_prompts(prompts)
    ep = load_model(endpoint)
    ref = load_model(reference)
    st = SampleStore(store) if store is not None else SampleStore()
    total = len(plist) * (samples + (reference_samples or samples))
    err = Console(stderr=True)
    with Progress(TextColumn("sampling"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err,
                  disable=as_json, transient=True) as bar:
        task = bar.add_task("sampling", total=total)
        report = verify(ep, ref, plist, cfg, store=st, progress=lambda k: bar.advance(task, k))
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
    else:
        _print_report(report, Console())
    raise typer.Exit(1 if report.substituted else 0)


def _print_report(report: Any, console: Any) -> None:
    from rich.table import Table

    console.print(f"[bold]{'[red]' if report.substituted else '[green]'}{report.verdict}[/]")
    t = Table(title=f"{report.prompts} prompts x {report.samples} samples", show_lines=False)
    for col in ("test", "statistic", "p-value", "effect", "effect measures"):
        t.add_column(col, overflow="fold")
    for e in report.evidence:
        eff = "" if e.effect_size is None else f"{e.effect_size:.4g}"
        t.add_row(e.name, f"{e.statistic:.4g}", f"{e.p_value:.4g}", eff, e.effect_name)
    console.print(t)
    s = report.spend
    console.print(f"calls: {s.calls_new} new, {s.calls_cached} from the store; tokens: {s.prompt_tokens} prompt + "
                  f"{s.completion_tokens} completion; cost estimate ${s.cost_usd:.4f} at ${s.price_in}/"
                  f"${s.price_out} per 1M tokens")
    if report.declared_models:
        console.print(f"endpoint declared: {', '.join(report.declared_models)}")
    for e in report.evidence:
        for c in e.caveats:
            console.print(f"[dim]note ({e.name}): {c}[/]")


def plan_cmd(
    delta: Annotated[float, typer.Option(help="Distortion size: P(endpoint completion out-scores a reference "
                                         "completion under the reference) - 1/2.")] = 0.1,
    power: Annotated[float, typer.Option(help="Target power.")] = 0.9,
    alpha: Annotated[float, typer.Option(help="Test level.")] = 0.05,
    prompts: Annotated[str, typer.Option(help="Comma-separated numbers of prompts to plan for.")] = "10,25,50,100",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """How many prompts x samples the likelihood-rank test needs to detect a distortion of size --delta."""
    from dataclasses import asdict

    from rich.console import Console
    from rich.table import Table

    from distillscope.errors import InputError
    from distillscope.stats.power import plan_rank_test

    try:
        opts = tuple(int(x) for x in prompts.split(",") if x.strip())
    except ValueError as e:
        raise InputError(f"--prompts must be comma-separated integers, got {prompts!r}.") from e
    rows = plan_rank_test(delta, alpha, power, opts)
    if as_json:
        typer.echo(json.dumps([asdict(r) for r in rows]))
        return
    t = Table(title=f"likelihood-rank test: delta={delta}, alpha={alpha}, target power={power}")
    for c in ("prompts", "samples/prompt", "power", "endpoint calls"):
        t.add_column(c)
    for r in rows:
        t.add_row(str(r.prompts), str(r.samples) if r.samples > 0 else "> max", f"{r.power:.3f}",
                  str(r.calls) if r.calls > 0 else "-")
    Console().print(t)
