"""``distillscope audit``: one case file answering "who distilled whom?" with the evidence the access allows.

    distillscope audit --suspect openai:smollm2@http://127.0.0.1:8000/v1 --reference zoo:smollm2-135m-instruct \\
        --expect smollm --budget 400 --out out/audit
    distillscope audit --suspect hf:student --candidate zoo:smollm2-135m-instruct --panel hf:t2,hf:t3 \\
        --controls hf:control-1,hf:control-2
    distillscope audit keygen keys/audit           # keys/audit.pem + keys/audit.pub
    distillscope audit verify-statement out/audit/statement.json --key keys/audit.pub

Exit codes: 0 no evidence, 1 evidence found (the verdict's), 2 usage or input error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from distillscope.cli._common import (
    Alpha,
    Json,
    Samples,
    Store,
    check_input,
    check_out,
    check_spec,
    console,
    emit,
    exit_for,
    open_store,
    out_option,
    say,
    spec_list,
)


def register(app: typer.Typer) -> None:
    grp = typer.Typer(help="Audit a model: plan the evidence its access allows within a call budget, run it, "
                           "write case.json, report.html and a signed statement.", invoke_without_command=True)
    app.add_typer(grp, name="audit")
    grp.callback()(audit_cmd)
    grp.command("verify-statement")(verify_statement_cmd)
    grp.command("keygen")(keygen_cmd)


def _opt_spec(value: str | None) -> str | None:
    return None if value is None else check_spec(value)


def _panel(value: str | None) -> str | None:
    spec_list(value)
    return value


def _key_file(value: Path | None) -> Path | None:
    return check_input(value, "key file")


def _private_key(value: Path | None) -> Path | None:
    """A readable Ed25519 private key, checked before any model loads."""
    if check_input(value, "key file") is not None:
        from distillscope.report.statement import load_private_key

        load_private_key(value)
    return value


def _statement_file(value: Path) -> Path | None:
    return check_input(value, "statement")


def _case_file(value: Path | None) -> Path | None:
    return check_input(value, "case file")


def _key_path(value: Path) -> Path | None:
    return check_out(value, flag="PATH")


def _watermark(value: str | None) -> str | None:
    if value and Path(value).suffix.lower() in {".json", ".yaml", ".yml"}:
        check_input(Path(value), "watermark config")
    return value


def audit_cmd(
    ctx: typer.Context,
    suspect: Annotated[str | None, typer.Option("--suspect", "-s", callback=_opt_spec,
                                                help="Model under audit (any spec).")] = None,
    candidate: Annotated[str | None, typer.Option("--candidate", "-c", callback=_opt_spec,
                                                  help="Model the suspect may derive from (its teacher?).")] = None,
    panel: Annotated[str | None, typer.Option(help="Comma-separated other models: the null's reference for "
                                              "black-box lineage, controls for functional lineage.",
                                              callback=_panel)] = None,
    controls: Annotated[str | None, typer.Option(help="Comma-separated models trained like the suspect without the "
                                                 "candidate: controls of functional lineage and null models of "
                                                 "weight lineage (default: the local --panel models).",
                                                 callback=_panel)] = None,
    reference: Annotated[str | None, typer.Option("--reference", "-r", callback=_opt_spec,
                                                  help="Model the suspect claims to be (substitution test).")] = None,
    expect: Annotated[str | None, typer.Option(help="Identity the suspect should claim (e.g. smollm, qwen); "
                                               "default: from its declared model name.")] = None,
    languages: Annotated[str, typer.Option(help="Identity languages (>= 2, comma-separated, or all).")] = "en,zh-Hans",
    budget: Annotated[int | None, typer.Option(min=0, help="Most model calls to spend (samples already in the "
                                               "store are free). Default: no limit.")] = None,
    samples: Samples = 6,
    identity_samples: Annotated[int, typer.Option(min=1, help="Answers per identity probe.")] = 4,
    watermark_key: Annotated[str | None, typer.Option(help="Watermark key, or a .json/.yaml watermark config: run "
                                                      "radioactivity tests against the candidate's watermark.",
                                                      callback=_watermark)] = None,
    alpha: Alpha = 0.05,
    seed: Annotated[int, typer.Option(help="Seed of every sample and permutation.")] = 0,
    store: Store = None,
    out: Annotated[Path, out_option("Folder for case.json, report.html, statement.json.", folder=True)] = Path(
        "audit-out"),
    key: Annotated[Path | None, typer.Option(help="Ed25519 private key (PEM, from `audit keygen`) to sign "
                                             "statement.json.", callback=_private_key)] = None,
    as_json: Json = False,
) -> None:
    """Plan the evidence that applies to the access at hand (identity in >= 2 languages, verify against
    --reference, tokenizer, black-box lineage, functional/weight lineage when local, radioactivity with
    --watermark-key), print the plan and its cost in calls, run it within --budget, and write case.json,
    report.html and statement.json.

    Null hypothesis: each test states its own (listed in the report); the verdict finds evidence when any
    Holm-adjusted p-value across the case is below --alpha. Exit code 0 = no evidence, 1 = evidence found,
    2 = usage/input error.
    """
    if ctx.invoked_subcommand is not None:
        return
    from distillscope.audit.run import AuditConfig, audit
    from distillscope.errors import InputError

    if not suspect:
        raise InputError("name the model to audit with --suspect SPEC (see `distillscope audit --help`).")
    cfg = AuditConfig(budget=budget, languages=languages, expect=expect, identity_samples=identity_samples,
                      verify_samples=samples, alpha=alpha, seed=seed)
    wm = None
    if watermark_key:
        from distillscope.watermark.config import WatermarkConfig

        wm = WatermarkConfig.load(watermark_key)
    st = open_store(store)
    from distillscope.models import load_model

    res = audit(load_model(suspect), candidate=load_model(candidate) if candidate else None,
                reference=load_model(reference) if reference else None,
                panel=[load_model(s) for s in spec_list(panel)],
                controls=[load_model(s) for s in spec_list(controls)], watermark=wm,
                config=cfg, store=st, out=out, key=key, command=sys.argv, on_plan=_print_plan(budget))

    def human() -> None:
        from distillscope.report import print_case

        print_case(res.case, console)

    emit(res.case.to_dict(), as_json, human)
    for kind, p in res.paths.items():
        say(f"{kind}: {p}")
    say(f"spent {res.case.spend['calls']} new call(s); re-run (same samples, same p-values): {res.case.command}")
    exit_for(res.case.verdict.finding)


def _print_plan(budget: int | None) -> Any:
    def show(rows: list[Any]) -> None:
        from rich.markup import escape
        from rich.table import Table

        t = Table(title="audit plan", title_justify="left")
        for col in ("step", "runs", "new calls", "cached", "what it tests / why not"):
            t.add_column(col)
        for r in rows:
            t.add_row(escape(r.step), "yes" if r.runs else "no", str(r.new_calls), str(r.cached_calls),
                      escape(r.purpose if r.runs else r.skip_reason))
        console.print(t)
        total = sum(r.new_calls for r in rows if r.runs)
        say(f"planned cost: {total} new model call(s)" + (f" of a budget of {budget}" if budget is not None
                                                          else " (no budget set)"))

    return show


def verify_statement_cmd(
    statement: Annotated[Path, typer.Argument(help="statement.json (plain or a signed DSSE envelope).",
                                              callback=_statement_file)],
    key: Annotated[Path | None, typer.Option(help="Ed25519 public key (PEM) of the signer.",
                                             callback=_key_file)] = None,
    case: Annotated[Path | None, typer.Option(help="case.json (default: next to the statement).",
                                              callback=_case_file)] = None,
    skip_subject: Annotated[bool, typer.Option("--skip-subject", help="Do not recompute the suspect's digest "
                                               "(loading local weights can take a while).")] = False,
    as_json: Json = False,
) -> None:
    """Check a statement: its signature (with --key), its in-toto shape, the suspect's digest and case.json's.
    Exit code 0 when every check passes, 1 when one fails, 2 on bad input."""
    from distillscope.report.statement import verify_statement

    r = verify_statement(statement, key=key, case_path=case, check_subject=not skip_subject)

    def human() -> None:
        for c in r["checks"]:
            say(f"{'ok ' if c['ok'] else 'BAD'} {c['check']}: {c['detail']}", None if c["ok"] else "red")
        say("statement verified" if r["ok"] else "statement NOT verified", "bold green" if r["ok"] else "bold red")

    emit({k: v for k, v in r.items() if k != "statement"}, as_json, human)
    exit_for(not r["ok"])


def keygen_cmd(path: Annotated[Path, typer.Argument(help="Key path without suffix: writes PATH.pem and PATH.pub.",
                                                    callback=_key_path)]) -> None:
    """Make an Ed25519 key pair for signing audit statements (never overwrites a key)."""
    from distillscope.report.statement import generate_key

    priv, pub = generate_key(path)
    say(f"private key: {priv} (keep it secret)\npublic key: {pub}")
