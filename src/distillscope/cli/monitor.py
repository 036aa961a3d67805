"""``distillscope monitor``: find distillation campaigns in API exchange logs.

    distillscope monitor simulate sim/ --exchanges 1000000 --accounts 12000 --campaigns 24 --campaign-accounts 2400
    distillscope monitor scan sim/log.parquet --out results/          # DuckDB (default)
    distillscope monitor scan logs/ --engine spark --json              # PySpark local mode
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console(stderr=True)


def register(app: typer.Typer) -> None:
    mon = typer.Typer(help="Detect distillation campaigns in API logs (log schema: distillscope.monitor.schema).",
                      no_args_is_help=True)

    @mon.command("scan")
    def scan_cmd(
        logs: Annotated[list[Path], typer.Argument(
            help="Log files or folders: .jsonl, .parquet, .csv, or the gateway's .duckdb database.")],
        engine: Annotated[str, typer.Option("--engine", "-e", help="duckdb (embedded) or spark (PySpark).")] = "duckdb",
        out: Annotated[Path | None, typer.Option("--out", "-o", help="Write campaigns.json, accounts.parquet, "
                                                 "links.parquet and bad_rows.jsonl here.")] = None,
        top: Annotated[int, typer.Option(help="Campaigns to show in the table.")] = 20,
        min_accounts: Annotated[int, typer.Option(help="Smallest group reported as a campaign.")] = 3,
        as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")] = False,
    ) -> None:
        """Rank campaigns (linked accounts with distillation-like traffic) and score every account."""
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        from distillscope.evidence import _jsonable
        from distillscope.monitor.campaigns import LinkConfig
        from distillscope.monitor.scan import scan

        if engine not in ("duckdb", "spark"):
            raise typer.BadParameter("use duckdb or spark", param_hint="--engine")
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console,
                      transient=True, disable=as_json) as prog:
            task = prog.add_task("scan", total=None)
            res = scan(logs, engine=engine, cfg=LinkConfig(min_accounts=min_accounts),
                       progress=lambda s: prog.update(task, description=s))
        if out is not None:
            res.write(out)
        if as_json:
            typer.echo(json.dumps(_jsonable(res.to_dict()), ensure_ascii=False))
            return
        _print(res, top, out)

    @mon.command("simulate")
    def simulate_cmd(
        out: Annotated[Path, typer.Argument(help="Folder to write log.parquet and truth.parquet into.")],
        exchanges: Annotated[int, typer.Option(help="Rows (approximately).")] = 100_000,
        accounts: Annotated[int, typer.Option(help="Accounts, campaign accounts included.")] = 2_000,
        campaigns: Annotated[int, typer.Option(help="Number of distillation campaigns.")] = 5,
        campaign_accounts: Annotated[int, typer.Option(help="Accounts across all campaigns.")] = 400,
        days: Annotated[int, typer.Option(help="Days covered by the log.")] = 90,
        seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
        as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary on stdout.")] = False,
    ) -> None:
        """Write a realistic simulated log (benign users, hard negatives, campaigns) with ground truth."""
        from rich.progress import Progress

        from distillscope.monitor.simulate import SimConfig, simulate

        cfg = SimConfig(n_exchanges=exchanges, n_accounts=accounts, n_campaigns=campaigns,
                        campaign_accounts=campaign_accounts, days=days, release_day=max(1, days * 2 // 3), seed=seed)
        out.mkdir(parents=True, exist_ok=True)
        with Progress(console=console, transient=True, disable=as_json) as prog:
            task = prog.add_task("simulating accounts", total=accounts)
            truth = simulate(cfg, out / "log.parquet", progress=lambda k: prog.advance(task, k))
        truth.to_parquet(out / "truth.parquet", index=False)
        summary = {"log": str(out / "log.parquet"), "truth": str(out / "truth.parquet"),
                   "exchanges": int(truth["n_exchanges"].sum()), "accounts": len(truth),
                   "by_population": truth["population"].value_counts().to_dict()}
        if as_json:
            typer.echo(json.dumps(summary))
        else:
            console.print(f"wrote {summary['exchanges']} exchanges from {summary['accounts']} accounts to {out}")

    app.add_typer(mon, name="monitor")


def _print(res, top: int, out: Path | None) -> None:
    from rich.table import Table

    s = res.summary()
    out_console = Console()
    out_console.print(f"[bold]{s['headline']}[/] (of {s['accounts']} accounts, {s['exchanges']} exchanges; "
                      f"{s['bad_rows']} bad rows skipped; {s['timings_s']['total']:.1f} s on {s['engine']})")
    t = Table(title="campaigns (flagged first, by score)")
    for c in ("#", "flagged", "score", "accounts", "exchanges", "cohesion", "likeness",
              "links infra/tpl/sync/shift", "top IP"):
        t.add_column(c)
    for c in res.campaigns[:top]:
        lk = "/".join(str(v) for v in c.evidence["links_by_kind"].values())
        ip = c.evidence["shared_ips"][0] if c.evidence["shared_ips"] else None
        t.add_row(str(c.campaign_id), "yes" if c.flagged else "", f"{c.score:.2f}", str(c.n_accounts),
                  str(c.n_exchanges), f"{c.cohesion:.2f}", f"{c.likeness:.2f}", lk,
                  f"{ip['token']} ({ip['accounts']} accts)" if ip else "")
    out_console.print(t)
    if res.ingest.n_bad:
        ex = res.ingest.bad[0]
        out_console.print(f"[yellow]{res.ingest.n_bad} bad rows[/], e.g. {ex.file}:{ex.position} {ex.reason}")
    if out is not None:
        out_console.print(f"results in {out}/")
