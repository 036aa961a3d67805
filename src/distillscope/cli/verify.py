"""``distillscope verify ENDPOINT --reference SPEC``: is this endpoint serving the model it claims?

    distillscope verify openai:smollm2@http://127.0.0.1:8000/v1 --reference zoo:smollm2-135m-instruct
    distillscope verify openai:gpt-x@https://relay.example/v1 --reference zoo:smollm2-135m-instruct --samples 20 --json
    distillscope verify openai:m@URL --reference zoo:smollm2-135m-instruct --config verify.yaml
    distillscope verify-plan --delta 0.1 --power 0.9

Every option except the models, prompts and store can come from ``--config FILE.yaml`` (keys are the flag names);
flags given on the command line override the file. The options are generated from
:class:`distillscope.verify.config.VerifyConfig`.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from distillscope.cli._common import (
    ConfigFile,
    Field,
    Json,
    Prompts,
    Store,
    console,
    emit,
    exit_for,
    open_store,
    progress,
    say,
    spec_argument,
    spec_option,
)
from distillscope.cli._config import build_config, with_config
from distillscope.verify.config import VerifyConfig


def register(app: typer.Typer) -> None:
    app.command("verify")(verify_cmd)
    app.command("verify-plan")(plan_cmd)


@with_config(VerifyConfig)
def verify_cmd(
    endpoint: Annotated[str, spec_argument("Model under audit, e.g. openai:MODEL@BASE_URL.")],
    reference: Annotated[str, spec_option("--reference", "-r", help="The model it claims to be (zoo:/hf: for "
                                          "white-box likelihood tests).")],
    prompts: Prompts = None,
    field: Field = None,
    config: ConfigFile = None,
    store: Store = None,
    as_json: Json = False,
    cfg_values: dict[str, Any] | None = None,
) -> None:
    """Test whether ENDPOINT serves the same output distribution as --reference (substitution / relay audit).

    Null hypothesis: for every prompt, the endpoint's completions are drawn from the same distribution as the
    reference's at the claimed sampling settings. Samples both on the same prompts (cached in the sample store:
    rerunning with more --samples only pays for the new ones), then runs MMD (Hamming kernel), a likelihood-rank
    test (white-box reference), logprob tests (if the endpoint returns logprobs) and an exactly combined test.
    Exit code 0 = consistent with the reference, 1 = differs at --alpha, 2 = usage/input error.
    """
    from distillscope.inputs import read_prompt_texts

    cfg, _ = build_config(VerifyConfig, cfg_values or {}, config)
    plist = read_prompt_texts(prompts, field) if prompts is not None else None
    st = open_store(store)
    from distillscope.models import load_model
    from distillscope.verify.prompts import default_prompts
    from distillscope.verify.run import verify

    plist = plist or default_prompts()
    ep = load_model(endpoint)
    ref = load_model(reference)
    total = len(plist) * (cfg.samples + (cfg.reference_samples or cfg.samples))
    with progress(total, "sampling", enabled=not as_json) as adv:
        report = verify(ep, ref, plist, cfg, store=st, progress=adv)
    emit(report.to_dict(), as_json, lambda: _print_report(report))
    exit_for(report.substituted)


def _print_report(report: Any) -> None:

    from distillscope.report import print_evidence

    say(report.verdict, style="bold red" if report.substituted else "bold green")
    print_evidence(report.evidence, title=f"{report.prompts} prompts x {report.samples} samples", console=console)
    s = report.spend
    say(f"calls: {s.calls_new} new, {s.calls_cached} from the store; tokens: {s.prompt_tokens} prompt + "
        f"{s.completion_tokens} completion; cost estimate ${s.cost_usd:.4f} at ${s.price_in}/"
        f"${s.price_out} per 1M tokens")
    if report.declared_models:
        say(f"endpoint declared: {', '.join(report.declared_models)}")
    for e in report.evidence:
        for c in e.caveats:
            say(f"note ({e.name}): {c}", style="dim")


def plan_cmd(
    delta: Annotated[float, typer.Option(help="Distortion size: P(endpoint completion out-scores a reference "
                                         "completion under the reference) - 1/2.")] = 0.1,
    power: Annotated[float, typer.Option(min=0.0, max=1.0, help="Target power.")] = 0.9,
    alpha: Annotated[float, typer.Option(min=0.0, max=1.0, help="Test level.")] = 0.05,
    prompts: Annotated[str, typer.Option("--prompt-counts", help="Comma-separated numbers of prompts to plan "
                                         "for.")] = "10,25,50,100",
    as_json: Json = False,
) -> None:
    """How many prompts x samples the likelihood-rank test of `verify` needs to detect a distortion of size
    --delta at level --alpha with the target --power."""
    from dataclasses import asdict

    from distillscope.errors import InputError
    from distillscope.stats.power import plan_rank_test

    try:
        opts = tuple(int(x) for x in prompts.split(",") if x.strip())
    except ValueError as e:
        raise InputError(f"--prompt-counts must be comma-separated integers, got {prompts!r}.") from e
    rows = plan_rank_test(delta, alpha, power, opts)

    def human() -> None:
        from rich.table import Table

        t = Table(title=f"likelihood-rank test: delta={delta}, alpha={alpha}, target power={power}")
        for c in ("prompts", "samples/prompt", "power", "endpoint calls"):
            t.add_column(c)
        for r in rows:
            t.add_row(str(r.prompts), str(r.samples) if r.samples > 0 else "> max", f"{r.power:.3f}",
                      str(r.calls) if r.calls > 0 else "-")
        console.print(t)

    emit([asdict(r) for r in rows], as_json, human)
