"""``distillscope identity``: ask a model who it is in 16 languages; annotate identity claims in transcripts.

    distillscope identity probe zoo:smollm2-135m-instruct --samples 4
    distillscope identity probe openai:my-model@http://localhost:8000/v1 --languages en,zh --expect qwen --json
    distillscope identity compare zoo:smollm2-135m-instruct openai:m@http://localhost:8000/v1 -n 4
    distillscope identity claims chats.jsonl --field response > annotated.jsonl
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from distillscope.cli._common import (
    Alpha,
    Json,
    Samples,
    Spec,
    Store,
    check_input,
    console,
    emit,
    exit_for,
    open_store,
    out_option,
    progress,
    say,
    spec_argument,
)
from distillscope.errors import InputError

Languages = Annotated[str, typer.Option("--languages", "-l", help="Comma-separated battery languages (en, zh-Hans, "
                                        "zh, ja, ...) or 'all'.")]
Probes = Annotated[str | None, typer.Option("--probes", help="Only these probe ids (comma-separated).")]
MaxTokens = Annotated[int, typer.Option(min=1, help="Maximum new tokens per answer.")]


def _fmt(rate: float | None, lo: float | None, hi: float | None) -> str:
    if rate is None:
        return "-"
    return f"{rate:.0%} [{lo:.0%}, {hi:.0%}]"


def register(app: typer.Typer) -> None:
    grp = typer.Typer(help="Identity probing: who does a model say it is, in which language, how consistently?",
                      no_args_is_help=True)
    app.add_typer(grp, name="identity")

    @grp.command("probe")
    def probe(
        spec: Spec,
        languages: Languages = "all",
        samples: Samples = 8,
        expect: Annotated[str | None, typer.Option(
            "--expect", "-e", help="Identity the model should claim (family such as qwen or claude, or any product "
                                   "name). Default: from the declared model name.")] = None,
        probes: Probes = None,
        max_tokens: MaxTokens = 64,
        temperature: Annotated[float, typer.Option(min=0.0, help="Sampling temperature.")] = 1.0,
        seed: Annotated[int, typer.Option(help="Base seed; answer i of a probe uses (seed, i).")] = 0,
        tolerance: Annotated[float | None, typer.Option(
            min=0.0, max=0.99,
            help="Foreign-claim rate attributed to extractor error in the test's null. Default: the extractor's "
                 "false assertions per answer measured on blind labelled probe answers (upper 95% bound).")] = None,
        implied: Annotated[bool, typer.Option(
            "--implied", help="Also count implied affiliations (\"against OpenAI's content policy\", what a "
                              "role persona says) as foreign claims; default: asserted claims only.")] = False,
        alpha: Alpha = 0.05,
        store: Store = None,
        out: Annotated[Path | None, out_option("Also write the full JSON report to this file (overwritten).")]
        = None,
        as_json: Json = False,
    ) -> None:
        """Ask SPEC who it is (7 phrasings x 16 languages), extract its identity claims, report rates with
        Wilson 95% intervals, the consistency index and the rate of claims contradicting the expected identity.

        Null hypothesis: the model asserts an identity other than the expected one in at most --tolerance of its
        answers (foreign-claim test), and that share is the same in every language. Exit code 1 when a
        Holm-adjusted p-value is below --alpha.
        """
        from distillscope.evidence import holm
        from distillscope.identity.battery import load_battery
        from distillscope.identity.probing import probe_identity

        probe_ids = [p.strip() for p in probes.split(",") if p.strip()] if probes else None
        total = len(load_battery(languages, probe_ids)) * samples
        st = open_store(store)
        from distillscope.models import load_model

        model = load_model(spec)
        with progress(total, f"probing {spec}", enabled=not as_json) as advance:
            report = probe_identity(model, languages=languages, samples=samples, max_tokens=max_tokens,
                                    temperature=temperature, expect=expect, probes=probe_ids, seed=seed,
                                    store=st, progress=advance, tolerance=tolerance, implied=implied)
        holm(report.evidence)
        found = any(e.p_adjusted is not None and e.p_adjusted < alpha for e in report.evidence)
        d = {**report.to_dict(), "alpha": alpha, "evidence_found": found}
        if out:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(d, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
        emit(d, as_json, lambda: _print_probe(spec, report, alpha, found, out))
        exit_for(found)

    @grp.command("compare")
    def compare_cmd(
        spec_a: Annotated[str, spec_argument("First model spec.")],
        spec_b: Annotated[str, spec_argument("Second model spec.")],
        languages: Languages = "all",
        samples: Samples = 8,
        probes: Probes = None,
        max_tokens: MaxTokens = 64,
        n_perm: Annotated[int, typer.Option("--permutations", min=99, help="Permutations for the p-value.")] = 2000,
        seed: Annotated[int, typer.Option(help="Base seed (sampling and permutations).")] = 0,
        alpha: Alpha = 0.05,
        store: Store = None,
        as_json: Json = False,
    ) -> None:
        """Do two models claim the same identities? Chi-square on model x claimed identity, p-value from
        permuting model labels within (language, probe).

        Null hypothesis: the two models have the same distribution of claimed identity for each probe. Exit code 1
        when the p-value is below --alpha.
        """
        from distillscope.identity.analysis import compare
        from distillscope.identity.battery import load_battery
        from distillscope.identity.probing import collect

        probe_ids = [p.strip() for p in probes.split(",") if p.strip()] if probes else None
        battery = load_battery(languages, probe_ids)
        st = open_store(store)
        from distillscope.models import load_model

        resp = []
        for spec in (spec_a, spec_b):
            model = load_model(spec)
            with progress(len(battery) * samples, f"probing {spec}", enabled=not as_json) as advance:
                resp.append(collect(model, battery, samples, max_tokens=max_tokens, seed=seed, store=st,
                                    progress=advance))
        ev = compare(resp[0], resp[1], spec_a, spec_b, n_perm=n_perm, seed=seed)
        found = ev.p_value < alpha

        def human() -> None:
            from rich.table import Table

            t = Table(title="claimed identity (share of answers, 95% Wilson interval)")
            t.add_column("identity")
            for nm in (spec_a, spec_b):
                t.add_column(escape(nm))
            for lab in ev.params["labels"]:
                t.add_row(escape(lab), *(_fmt(ev.details["rates"][nm][lab]["rate"],
                                              ev.details["rates"][nm][lab]["low"],
                                              ev.details["rates"][nm][lab]["high"]) for nm in (spec_a, spec_b)))
            console.print(t)
            say(f"{ev.name}: chi2 {ev.statistic:.3g}, p = {ev.p_value:.3g}, Cramér's V {ev.effect_size:.2f}")
            if found:
                say(f"The two models claim different identities (p < alpha {alpha}).", style="bold red")
            else:
                say(f"No evidence that the two models claim different identities (alpha {alpha}).",
                    style="bold green")

        emit(ev.to_dict(), as_json, human)
        exit_for(found)

    @grp.command("claims")
    def claims(
        source: Annotated[Path | None, typer.Argument(
            help="Transcripts: .jsonl (one object a line), .json, .yaml, .csv or .parquet records.",
            show_default=False)] = None,
        field: Annotated[str | None, typer.Option(
            "--field", help="Field holding the text (dotted path, e.g. choices.0.message.content; a messages list "
                            "gives its last assistant message). Default: text/completion/response/content.")] = None,
        jsonl_old: Annotated[Path | None, typer.Option("--jsonl", hidden=True, help="Deprecated: SOURCE.")] = None,
        field_old: Annotated[str | None, typer.Option("--text-field", "-f", hidden=True,
                                                      help="Deprecated: --field.")] = None,
        out: Annotated[Path | None, out_option("Write the annotated JSONL here (overwritten) instead of stdout.")]
        = None,
        expect: Annotated[str | None, typer.Option("--expect", "-e", help="Also recognise this name as an "
                                                   "identity.")] = None,
        summary: Annotated[bool, typer.Option("--summary", help="Print counts of asserted identities on stderr.")]
        = False,
        judge: Annotated[str | None, typer.Option(
            "--judge", help="Model spec of an adjudicator (e.g. openai:gpt-4o-mini@URL, replay:FILE.jsonl): the "
                            "answers the rules are unsure of, and an --audit sample, get its verdict too.")] = None,
        audit: Annotated[float, typer.Option(min=0.0, max=1.0, help="With --judge: share of the other answers "
                                             "judged as an audit.")] = 0.05,
    ) -> None:
        """Annotate each record of a transcript file with its identity claims (span, family, maker, status).

        Output (stdout or --out): JSONL, one object per input record: the record plus "claims" (list) and
        "identity" (first asserted identity or "none"); with --judge, judged records also get "judge" (both
        verdicts, side by side: the judge never replaces the rules' claims) and stderr reports the rules-judge
        agreement (Cohen's kappa). Tests nothing; no --json (the output is JSON already).
        """
        from distillscope.identity.probing import extractor_for
        from distillscope.inputs import records, text_of

        src = source or jsonl_old
        if src is None:
            raise InputError("Give the transcript file: distillscope identity claims FILE --field NAME.")
        check_input(src, "transcript file")
        rows = list(records(src, kind="texts"))
        fld = field or field_old
        texts = [text_of(rec, fld, where) for where, rec in rows]  # every record checked before any output
        ex = extractor_for(expect)
        judged = _judge(texts, judge, audit, ex) if judge else None
        sink = out.open("w", encoding="utf-8") if out else sys.stdout
        try:
            counts = _annotate(rows, texts, ex, judged[0] if judged else {}, sink)
        finally:
            if out:
                sink.close()
        if summary or out:
            say(f"{len(rows)} records annotated" + (f" -> {out}" if out else "") + "; identities: "
                + ", ".join(f"{k} {v}" for k, v in counts.most_common()))
        if judged is not None:
            say(judged[1])


def _annotate(rows: list[Any], texts: list[str], ex: Any, judged: dict[int, Any], sink: Any) -> Any:
    """Write each record with its claims (and the judge's entry, if judged); counts of first asserted identity."""
    from collections import Counter

    counts: Counter[str] = Counter()
    for k, ((_, obj), text) in enumerate(zip(rows, texts)):
        cl = ex.extract(text)
        asserted = [c.label for c in cl if c.status == "asserted"]
        counts[asserted[0] if asserted else "none"] += 1
        rec = dict(obj) if isinstance(obj, dict) else {"value": obj}
        rec["claims"] = [c.to_dict() for c in cl]
        rec["identity"] = asserted[0] if asserted else "none"
        if k in judged:
            rec["judge"] = judged[k]
        sink.write(json.dumps(rec, ensure_ascii=False, default=str) + "\n")
    return counts


def _judge(texts: list[str], spec: str, audit: float, ex: Any) -> tuple[dict[int, Any], str]:
    """Judge the uncertain answers and an audit sample; per record index the judged entry, and a summary line."""
    from distillscope.identity.judge import adjudicate
    from distillscope.models import load_model

    rep = adjudicate(texts, load_model(spec), ex, audit=audit)
    kappa = ", ".join(f"{k} {v:.2f}" if v is not None else f"{k} n/a" for k, v in rep.kappa.items())
    n_unsure = sum(j.reason == "uncertain" for j in rep.judged)
    line = (f"judge {spec}: {len(rep.judged)} answers judged ({n_unsure} uncertain, {len(rep.judged) - n_unsure} "
            f"audit), {sum(bool(j.agree) for j in rep.judged)} agree with the rules, {rep.unreadable} unreadable "
            f"replies; Cohen's kappa rules-judge: {kappa}")
    return {j.index: j.to_dict() for j in rep.judged}, line


def _print_probe(spec: str, report: Any, alpha: float, found: bool, out: Path | None) -> None:
    from rich.table import Table

    t = Table(title=escape(f"identity of {spec}" + (f" (expected: {report.expected})" if report.expected else "")))
    for col in ("language", "n", "top identity", "rate [95% CI]", "no identity", "foreign [95% CI]", "all"):
        t.add_column(col)
    for row in report.summary_rows():
        named = row["top"] not in (None, "none")
        t.add_row(escape(row["language"]), str(row["n"]), escape(row["top"]) if named else "(none named)",
                  _fmt(row["top_rate"], row["top_low"], row["top_high"]) if named else "-",
                  f"{row['none_rate']:.0%}",
                  _fmt(row.get("foreign_rate"), row.get("foreign_low"), row.get("foreign_high")),
                  escape(", ".join(f"{k}:{v}" for k, v in row["identities"].items())))
    console.print(t)
    c = report.consistency
    if c["index"] is not None:
        say(f"consistency index {c['index']:.2f} over {c['n_named']} answers naming an identity "
            f"(coverage {c['coverage']:.0%}; most common: {c['mode']})")
    else:
        say(f"too few answers name an identity to measure consistency ({c['n_named']} of {c['n']})")
    if report.evidence:
        from distillscope.report import print_evidence

        print_evidence(report.evidence, title="tests (Holm-adjusted across this run)", alpha=alpha, console=console)
    v = report.extractor_validation
    if v:
        pr, rc, fa = v["precision"], v["recall"], v["false_assertion_rate"]
        say(f"claim extractor ({'these rules' if v['current_rules'] else 'earlier versions of its rules'}) on "
            f"{v['responses']} blind labelled {', '.join(v['kinds'])} ({len(v['sets'])} sets it was not tuned on): "
            f"asserted precision {_fmt(pr['value'], pr['low'], pr['high'])}, "
            f"recall {_fmt(rc['value'], rc['low'], rc['high'])}, false assertions per answer "
            f"{_fmt(fa['value'], fa['low'], fa['high'])}", style="dim")
    say(_probe_verdict(spec, report, alpha, found), style="bold red" if found else "bold green")
    if out:
        say(f"report written to {out}")


def _probe_verdict(spec: str, report: Any, alpha: float, found: bool) -> str:
    c = report.consistency
    if not c["n_named"]:
        named = f"{spec} named no identity in {c['n']} answers"
    else:
        named = f"{spec} most often claims to be {c['mode']}"
    if not report.evidence:
        return f"{named}; nothing was tested (give --expect to test for foreign identity claims)."
    if found:
        worst = min(report.evidence, key=lambda e: e.p_adjusted if e.p_adjusted is not None else 1.0)
        return (f"{named}; evidence against the null at alpha {alpha} ({worst.name}, Holm-adjusted p = "
                f"{worst.p_adjusted:.3g}; H0: {worst.null}).")
    return f"{named}; no evidence against the nulls at alpha {alpha}."
