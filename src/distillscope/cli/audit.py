"""``distillscope audit``: one case file answering "who distilled whom?" with the evidence the access allows.

    distillscope audit --suspect openai:smollm2@http://127.0.0.1:8000/v1 --reference zoo:smollm2-135m-instruct \\
        --expect smollm --budget 400 --out out/audit
    distillscope audit --suspect zoo:tiny-llama-s1 --candidate zoo:tiny-llama --panel zoo:tiny-gpt2,zoo:tiny-llama-s2
    distillscope audit keygen keys/audit           # keys/audit.pem + keys/audit.pub
    distillscope audit verify-statement out/audit/statement.json --key keys/audit.pub

Exit codes: 0 no evidence, 1 evidence found (the verdict's), 2 bad input.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    grp = typer.Typer(help="Audit a model: plan the evidence its access allows within a call budget, run it, "
                           "write case.json, report.html and a signed statement.", invoke_without_command=True)
    app.add_typer(grp, name="audit")
    grp.callback()(audit_cmd)
    grp.command("verify-statement")(verify_statement_cmd)
    grp.command("keygen")(keygen_cmd)


def _specs(s: str | None) -> list[str]:
    return [x.strip() for x in (s or "").split(",") if x.strip()]


def audit_cmd(
    ctx: typer.Context,
    suspect: Annotated[str | None, typer.Option("--suspect", "-s", help="Model under audit (any spec).")] = None,
    candidate: Annotated[str | None, typer.Option("--candidate", "-c", help="Model the suspect may derive from.")] = None,
    panel: Annotated[str | None, typer.Option(help="Comma-separated other models (null reference, controls).")] = None,
    reference: Annotated[str | None, typer.Option("--reference", "-r",
                                                  help="Model the suspect claims to be (substitution test).")] = None,
    expect: Annotated[str | None, typer.Option(help="Identity the suspect should claim (e.g. smollm, qwen).")] = None,
    languages: Annotated[str, typer.Option(help="Identity languages (>= 2, comma-separated).")] = "en,zh-Hans",
    budget: Annotated[int | None, typer.Option(help="Most model calls to spend (cached samples are free).")] = None,
    samples: Annotated[int, typer.Option("--samples", "-n", min=2, help="Samples per prompt (verify).")] = 6,
    identity_samples: Annotated[int, typer.Option(min=1, help="Answers per identity probe.")] = 4,
    watermark_key: Annotated[str | None, typer.Option(help="Watermark key or config file: run radioactivity "
                                                      "tests against the candidate's watermark.")] = None,
    alpha: Annotated[float, typer.Option(help="Family-wise error rate of the verdict (Holm).")] = 0.05,
    seed: Annotated[int, typer.Option(help="Seed of every sample and permutation.")] = 0,
    store: Annotated[Path | None, typer.Option(help="Sample store (default: $DISTILLSCOPE_STORE or data dir).")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for case.json, report.html, statement.json.")] = Path(
        "audit-out"),
    key: Annotated[Path | None, typer.Option(help="Ed25519 private key (PEM) to sign statement.json.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print case.json on stdout.")] = False,
) -> None:
    """Plan the evidence that applies (identity in >= 2 languages, verify against --reference, black-box lineage,
    tokenizer, functional/weight lineage when local, radioactivity with --watermark-key), print the plan and its
    cost in calls, run it within --budget, and write case.json, report.html and statement.json."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.table import Table

    from distillscope.audit.run import AuditConfig, audit
    from distillscope.cli._common import console, print_json
    from distillscope.errors import InputError
    from distillscope.models import load_model
    from distillscope.report import print_case
    from distillscope.store import SampleStore

    if not suspect:
        raise InputError("Name the model to audit with --suspect SPEC (see `distillscope audit --help`).")
    cfg = AuditConfig(budget=budget, languages=languages, expect=expect, identity_samples=identity_samples,
                      verify_samples=samples, alpha=alpha, seed=seed)
    wm = None
    if watermark_key:
        from distillscope.watermark.config import WatermarkConfig

        wm = WatermarkConfig.load(watermark_key)

    def show_plan(rows: list) -> None:
        t = Table(title="audit plan", title_justify="left")
        for col in ("step", "runs", "new calls", "cached", "what it tests / why not"):
            t.add_column(col)
        for r in rows:
            t.add_row(r.step, "yes" if r.runs else "no", str(r.new_calls), str(r.cached_calls),
                      r.purpose if r.runs else r.skip_reason)
        console.print(t)
        total = sum(r.new_calls for r in rows if r.runs)
        console.print(f"planned cost: {total} new model call(s)" + (f" of a budget of {budget}" if budget is not None
                                                                  else " (no budget set)"))

    res = audit(load_model(suspect), candidate=load_model(candidate) if candidate else None,
                reference=load_model(reference) if reference else None,
                panel=[load_model(s) for s in _specs(panel)], watermark=wm, config=cfg, store=SampleStore(store),
                out=out, key=key, command=sys.argv, on_plan=show_plan)
    if as_json:
        print_json(res.case.to_dict())
    else:
        print_case(res.case, console)
    for kind, p in res.paths.items():
        console.print(f"{kind}: {p}")
    console.print(f"spent {res.case.spend['calls']} new call(s); re-run (same samples, same p-values): "
                  f"{res.case.command}")
    raise typer.Exit(1 if res.case.verdict.finding else 0)


def verify_statement_cmd(
    statement: Annotated[Path, typer.Argument(help="statement.json (plain or a signed DSSE envelope).")],
    key: Annotated[Path | None, typer.Option(help="Ed25519 public key (PEM) of the signer.")] = None,
    case: Annotated[Path | None, typer.Option(help="case.json (default: next to the statement).")] = None,
    skip_subject: Annotated[bool, typer.Option("--skip-subject", help="Do not recompute the suspect's digest "
                                               "(loading local weights can take a while).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the checks as JSON.")] = False,
) -> None:
    """Check a statement's signature (with --key), its in-toto shape, the suspect's digest and case.json's.
    Exit 0 when every check passes, 1 otherwise."""
    from distillscope.cli._common import console, print_json
    from distillscope.report.statement import verify_statement

    r = verify_statement(statement, key=key, case_path=case, check_subject=not skip_subject)
    if as_json:
        print_json({k: v for k, v in r.items() if k != "statement"})
    else:
        for c in r["checks"]:
            console.print(f"[{'green' if c['ok'] else 'red'}]{'ok ' if c['ok'] else 'BAD'}[/] {c['check']}: "
                          f"{c['detail']}")
        console.print("[bold green]statement verified[/]" if r["ok"] else "[bold red]statement NOT verified[/]")
    raise typer.Exit(0 if r["ok"] else 1)


def keygen_cmd(path: Annotated[Path, typer.Argument(help="Key path without suffix: writes PATH.pem and PATH.pub.")]
               ) -> None:
    """Make an Ed25519 key pair for signing audit statements."""
    from distillscope.cli._common import console
    from distillscope.report.statement import generate_key

    priv, pub = generate_key(path)
    console.print(f"private key: {priv} (keep it secret)\npublic key: {pub}")
