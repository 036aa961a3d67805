"""``distillscope monitor``: find distillation campaigns in API exchange logs.

    distillscope monitor simulate --out sim/ --exchanges 1000000 --accounts 12000 --campaigns 24 --campaign-accounts 2400
    distillscope monitor scan sim/ --out results/                      # DuckDB (default)
    distillscope monitor scan logs/ --engine spark --json              # PySpark local mode
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from distillscope.cli._common import Json, console, emit, exit_for, out_argument, out_option, say
from distillscope.errors import InputError

# Files distillscope itself writes next to logs that are not logs: simulate's ground truth, scan's own results.
NOT_LOGS = frozenset({"truth.parquet", "accounts.parquet", "links.parquet", "bad_rows.jsonl", "campaigns.json"})

SCAN_TERMS = """Null hypothesis: a campaign's members are ordinary accounts of this log. Each candidate campaign
(linked accounts) gets a p-value: its members' mean score against volume-matched accounts resampled from the same
log (outside campaigns already flagged), Holm-adjusted over all candidates; it is flagged when p_adj <= alpha
(0.001) and the effect is >= 0.5 pool sd (distillscope.monitor.campaigns.LinkConfig). Groups that pay through
one organisation id, or whose outputs are no longer than ordinary accounts' (no harvesting), are named with the
reason and not flagged. Inside a flagged campaign each member is tested too: a member whose indicators are no
likelier under the group's other members than under ordinary accounts (and lie below the group's median) is set
aside, listed in the campaign's evidence and not flagged (columns member_projection_sd, member_density_ratio);
an account whose content neighbours are mostly in a flagged campaign joins it only if it passes the same test.
Exit code 1 when any campaign is flagged.

With --benign-reference (known-good accounts: distillscope.monitor.reference) the null is those accounts instead
of the log: a group's mean score is compared with volume-matched reference accounts (screen), and the group must
hold fewer reference accounts than benign groups of its size do (binomial depletion test, confirming the screened
groups; flagged only when both reject). account_p is the account's rank among the reference accounts; reference
accounts are never flagged. The reference must be a random sample of the benign accounts.

With --pu as well, single accounts are flagged too (distillscope.monitor.pu): a classifier of "other accounts vs
reference" over each account's behaviour features, request shape (models, user-agent family, max_tokens,
temperature, streaming), hour-of-day profile and prompt words, cross-fitted so no account is scored by a model
that saw it; half the reference is held out of every model, and an account's conformal p-value is
(1 + held-out reference accounts scoring at least as high) / (held-out + 1). Null: the account is benign, like the
reference (which must be a random sample of the benign accounts). Accounts with p <= --pu-alpha are flagged
(pu_flagged; expected benign false-positive rate <= alpha, on average over reference draws: one draw can be
several times alpha when look-alike benign accounts, e.g. one organisation's, fall outside the held-out half
together; docs/monitor-blind-scores.md); the smallest
p-value is 1 / (held-out + 1), so alpha 0.005 needs about 400 reference accounts, 0.001 about 2000. Each campaign
also reports the Simes combination of its members' p-values (pu_simes_p, Holm-adjusted pu_simes_p_adj).

Terms: a link joins two accounts by content (their word signatures are mutual nearest neighbours that share most
of their neighbour lists; needs no shared infrastructure), or when at least two kinds of metadata evidence agree:
infra (shared IP, /24 netblock or org/payment id), tpl (shared prompt templates), sync (the same hours of
activity) and shift (both moved onto a newly released model at once). The "links" column counts links with each
kind (infra/tpl/sync/shift/content). cohesion = mean number of evidence kinds per link / 5; score (likeness) =
mean over members of the account score, the mean percentile within this log of: chain-of-thought, exhaustive-answer
and long-output shares, capability coverage, template reuse, statelessness and timing regularity."""


def _log_files(logs: list[Path]) -> list[Path]:
    from distillscope.monitor.ingest import expand_paths

    out: list[Path] = []
    for p in logs:
        if p.is_dir():
            found = [f for f, _ in expand_paths([p]) if f.name not in NOT_LOGS]
            if not found:
                raise InputError(f"{p}: folder has no log files (.jsonl, .parquet, .csv, .duckdb).")
            out += found
        elif p.is_file():
            out.append(p)
        else:
            raise InputError(f"{p}: no such file or folder.")
    return out


def register(app: typer.Typer) -> None:
    mon = typer.Typer(help="Detect distillation campaigns in API logs (log schema: distillscope.monitor.schema).",
                      no_args_is_help=True)

    @mon.command("scan", epilog=SCAN_TERMS)
    def scan_cmd(
        logs: Annotated[list[Path], typer.Argument(
            help="Log files or folders: .jsonl, .parquet, .csv, or the gateway's .duckdb database.")],
        engine: Annotated[str, typer.Option("--engine", "-e", help="duckdb (embedded) or spark (PySpark).")] = "duckdb",
        out: Annotated[Path | None, out_option("Folder to write campaigns.json, accounts.parquet, links.parquet and "
                                               "bad_rows.jsonl into.", folder=True)] = None,
        top: Annotated[int, typer.Option(min=1, help="Campaigns to show in the table.")] = 20,
        min_accounts: Annotated[int, typer.Option(min=2, help="Smallest group reported as a campaign.")] = 3,
        style_groups: Annotated[bool, typer.Option(
            "--style-groups", help="Also group accounts by elicitation style and automation on one half of their "
                                   "history and test them on the other (experimental: not calibrated against "
                                   "ordinary accounts that are persistently alike, see monitor/style.py).")] = False,
        benign_reference: Annotated[str | None, typer.Option(
            "--benign-reference", metavar="SPEC",
            help="Known-good accounts as the null of every test instead of the log itself: ids:PATH (account ids "
                 "of this log, one per line), log:PATH (a log of known-good traffic, scanned with it), or a bare "
                 "PATH (.txt/.ids/.lst or a one-column account_id CSV = ids, else a log); several items "
                 "comma-separated. They are never flagged. Must be a random sample of the benign accounts "
                 "(see distillscope.monitor.reference).")] = None,
        pu: Annotated[bool, typer.Option(
            "--pu", help="With --benign-reference: also flag single accounts whose conformal p-value against "
                         "held-out reference accounts, from a cross-fitted classifier of the other accounts vs the "
                         "reference, is <= --pu-alpha (expected benign FPR <= alpha; see the terms below).")] = False,
        pu_alpha: Annotated[float, typer.Option(
            "--pu-alpha", min=0.0, max=1.0, help="Level of the --pu account flags.")] = 0.005,
        as_json: Json = False,
    ) -> None:
        """Rank campaigns (linked accounts with distillation-like traffic) and score every account.

        Null hypothesis: the accounts act independently; see the terms below. Exit code 1 when a campaign is
        flagged.
        """
        if engine not in ("duckdb", "spark"):
            raise InputError(f"--engine must be duckdb or spark, got {engine!r}.")
        files = _log_files(logs)
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        from distillscope.monitor.campaigns import LinkConfig
        from distillscope.monitor.pu import PUConfig
        from distillscope.monitor.scan import scan

        if pu and benign_reference is None:
            raise InputError("--pu needs --benign-reference: it learns what sets the log's accounts apart from "
                             "known-good ones.")

        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console,
                      transient=True, disable=as_json) as prog:
            task = prog.add_task("scan", total=None)
            res = scan(files, engine=engine, cfg=LinkConfig(min_accounts=min_accounts, style_groups=style_groups),
                       progress=lambda s: prog.update(task, description=s), reference=benign_reference,
                       pu=PUConfig(alpha=pu_alpha) if pu else None)
        if out is not None:
            res.write(out)
        emit(res.to_dict(), as_json, lambda: _print(res, top, out))
        exit_for(any(c.flagged for c in res.campaigns))

    @mon.command("simulate")
    def simulate_cmd(
        out_pos: Annotated[Path | None, out_argument("Output folder (same as --out).", folder=True)] = None,
        out: Annotated[Path | None, out_option("Folder to write log.parquet and truth.parquet (ground truth, not a "
                                               "log) into.", folder=True)] = None,
        exchanges: Annotated[int, typer.Option(min=1, help="Rows (approximately).")] = 100_000,
        accounts: Annotated[int, typer.Option(min=1, help="Accounts, campaign accounts included.")] = 2_000,
        campaigns: Annotated[int, typer.Option(min=0, help="Number of distillation campaigns.")] = 5,
        campaign_accounts: Annotated[int, typer.Option(min=0, help="Accounts across all campaigns.")] = 400,
        days: Annotated[int, typer.Option(min=1, help="Days covered by the log.")] = 90,
        seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
        as_json: Json = False,
    ) -> None:
        """Write a realistic simulated log (benign users, hard negatives, campaigns) with ground truth."""
        out = out or out_pos
        if out is None:
            raise InputError("Give the output folder: distillscope monitor simulate --out sim/.")
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
        emit(summary, as_json, lambda: say(f"wrote {summary['exchanges']} exchanges from {summary['accounts']} "
                                           f"accounts to {out}; scan them with: distillscope monitor scan {out}"))

    app.add_typer(mon, name="monitor")


def _print(res: Any, top: int, out: Path | None) -> None:
    from rich.markup import escape
    from rich.table import Table

    s = res.summary()
    say(f"{s['headline']} (of {s['accounts']} accounts, {s['exchanges']} exchanges; {s['bad_rows']} bad rows "
        f"skipped; {s['timings_s']['total']:.1f} s on {s['engine']})", style="bold")
    t = Table(title="campaigns (flagged first, by score); terms: distillscope monitor scan --help")
    for c in ("#", "status", "p_adj", "score", "accounts", "account ids", "exchanges", "cohesion",
              "links infra/tpl/sync/shift/content", "top IP"):
        t.add_column(c)
    for c in res.campaigns[:top]:
        lk = "/".join(str(v) for v in c.evidence["links_by_kind"].values())
        ip = c.evidence["shared_ips"][0] if c.evidence["shared_ips"] else None
        ids = ", ".join(map(str, c.accounts[:3])) + (f", +{len(c.accounts) - 3}" if len(c.accounts) > 3 else "")
        t.add_row(str(c.campaign_id), c.status, f"{c.p_adjusted:.2g}", f"{c.score:.2f}", str(c.n_accounts),
                  escape(ids), str(c.n_exchanges), f"{c.cohesion:.2f}", lk,
                  escape(f"{ip['token']} ({ip['accounts']} accts)") if ip else "")
    console.print(t)
    if res.pu is not None:
        say(next(n for n in res.notes if n.startswith("PU scores")) + " (accounts.parquet: pu_flagged, pu_p)")
    if res.ingest.n_bad:
        ex = res.ingest.bad[0]
        say(f"{res.ingest.n_bad} bad rows, e.g. {ex.file}:{ex.position} {ex.reason}", style="yellow")
    if out is not None:
        say(f"results in {out}/")
