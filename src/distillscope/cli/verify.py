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
    test (white-box reference), text-only tests under a proxy LM (--proxy; the reference when white-box):
    proxy-likelihood features and the token kernel (sees watermarks keyed to previous tokens), format statistics,
    logprob tests (if the endpoint returns logprobs) and an exactly combined test (min over the tests' shuffle
    p-values by default, --npc). Without --prompts: the shipped informative prompts and three self-description
    probes ("Who are you?"), which reveal a system prompt that a relay adds without telling.
    Exit code 0 = consistent with the reference, 1 = differs at --alpha, 2 = usage/input error.
    """
    from distillscope.inputs import read_prompt_texts

    cfg, _ = build_config(VerifyConfig, cfg_values or {}, config)
    plist = read_prompt_texts(prompts, field) if prompts is not None else None
    st = open_store(store)
    from distillscope.models import load_model
    from distillscope.verify.prompts import verify_prompts
    from distillscope.verify.run import verify

    plist = plist or verify_prompts()
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
    pilot: Annotated[str | None, typer.Option(help="Plan from a pilot instead: sample this endpoint (a suspect, "
                                              "or a known distortion of the reference) and --reference, text "
                                              "only, and measure each test's power by subsampling.")] = None,
    reference: Annotated[str | None, typer.Option("--reference", "-r", help="With --pilot: the claimed model.")]
    = None,
    pilot_samples: Annotated[int, typer.Option(min=4, help="With --pilot: completions per prompt per side.")] = 20,
    max_tokens: Annotated[int, typer.Option(min=1, help="With --pilot: tokens per completion.")] = 40,
    proxy: Annotated[str, typer.Option(help="With --pilot: proxy LM of the proxy-likelihood test (a zoo:/hf: spec, "
                                       "auto = the reference when white-box, none).")] = "auto",
    price_in: Annotated[float, typer.Option(min=0.0, help="USD per 1M prompt tokens.")] = 0.15,
    price_out: Annotated[float, typer.Option(min=0.0, help="USD per 1M completion tokens.")] = 0.60,
    trials: Annotated[int, typer.Option(min=5, help="With --pilot: subsamples per size.")] = 40,
    prompt_file: Prompts = None,
    store: Store = None,
    as_json: Json = False,
) -> None:
    """How many samples `verify` needs to detect a distortion at level --alpha with the target --power.

    Without --pilot: the likelihood-rank test's analytic plan for a distortion of size --delta (white-box
    reference). With --pilot ENDPOINT --reference SPEC: a text-only pilot (no logprobs) of --pilot-samples per
    prompt on each side, then for every test (proxy-likelihood, token kernel, format, MMD, rank, combined) the
    samples per prompt reaching --power, measured by subsampling the pilot and fitted conservatively (sizes beyond the pilot
    are marked extrapolated), with the endpoint calls and the cost of that audit.
    """
    from dataclasses import asdict

    from distillscope.errors import InputError

    if pilot is not None:
        _plan_from_pilot(pilot, reference, pilot_samples, max_tokens, proxy, power, alpha, price_in, price_out,
                         trials, prompt_file, store, as_json)
        return
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


def _plan_from_pilot(pilot: str, reference: str | None, samples: int, max_tokens: int, proxy: str, power: float,
                     alpha: float, price_in: float, price_out: float, trials: int, prompt_file: Any, store: Any,
                     as_json: bool) -> None:
    from dataclasses import asdict

    from distillscope.errors import InputError

    if reference is None:
        raise InputError("--pilot needs --reference SPEC (the model the endpoint claims to be).")
    from distillscope.inputs import read_prompt_texts
    from distillscope.models import load_model
    from distillscope.verify.config import BatteryConfig
    from distillscope.verify.planner import plan_text_only
    from distillscope.verify.prompts import default_prompts
    from distillscope.verify.run import collect

    plist = (read_prompt_texts(prompt_file, None) if prompt_file is not None else None) or default_prompts()
    cfg = VerifyConfig(samples=samples, max_tokens=max_tokens, logprobs="no", proxy=proxy,
                       battery=BatteryConfig(alpha=alpha, n_perm=200))
    ep, ref = load_model(pilot), load_model(reference)
    with progress(2 * len(plist) * samples, "pilot", enabled=not as_json) as adv:
        ss, spend, _ = collect(ep, ref, plist, cfg, store=open_store(store), progress=adv)
    calls = max(1, spend.calls_new + spend.calls_cached)
    new = max(1, spend.calls_new)
    plans = plan_text_only(ss, power, BatteryConfig(alpha=alpha, n_perm=200), trials=trials,
                           prompt_tokens=spend.prompt_tokens / new, completion_tokens=spend.completion_tokens / new,
                           price_in=price_in, price_out=price_out)

    def human() -> None:
        from rich.table import Table

        t = Table(title=f"text-only plan from a pilot of {pilot} vs {reference}: {len(plist)} prompts x "
                        f"{samples} samples ({calls} endpoint calls), target power {power}, alpha {alpha}")
        for c in ("test", "power by samples/prompt", "samples/prompt needed", "endpoint calls", "cost USD"):
            t.add_column(c, overflow="fold")
        for p in plans:
            need = "-" if p.samples is None else f"{p.samples}{' (extrapolated)' if p.extrapolated else ''}"
            t.add_row(p.test, " ".join(f"{n}:{r:.2f}" for n, r in p.power_by_n.items()), need,
                      "-" if p.calls is None else str(p.calls), "-" if p.cost_usd is None else f"{p.cost_usd:.4f}")
        console.print(t)
        say("'-': the pilot shows no power above alpha for that test (or it needs more than 1000 samples/prompt).",
            style="dim")

    emit([asdict(p) for p in plans], as_json, human)
