"""``distillscope identity``: ask a model who it is in 16 languages; annotate identity claims in transcripts.

    distillscope identity probe zoo:smollm2-135m-instruct --samples 4
    distillscope identity probe openai:my-model@http://localhost:8000/v1 --languages en,zh --expect qwen --json
    distillscope identity claims --jsonl chats.jsonl --text-field response > annotated.jsonl
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from distillscope.cli._common import console, print_json, progress
from distillscope.errors import InputError
from distillscope.jsonl import iter_jsonl


def _fmt(rate: float | None, lo: float | None, hi: float | None) -> str:
    if rate is None:
        return "-"
    return f"{rate:.0%} [{lo:.0%}, {hi:.0%}]"


def _field(obj: Any, path: str, where: str) -> str:
    cur = obj
    for part in path.split("."):
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        elif isinstance(cur, list) and part.lstrip("-").isdigit() and -len(cur) <= int(part) < len(cur):
            cur = cur[int(part)]
        else:
            raise InputError(f"{where}: no field {path!r} (missing {part!r}). Pick the field with --text-field, "
                             "e.g. --text-field response or --text-field choices.0.message.content.")
    if isinstance(cur, list) and cur and all(isinstance(m, dict) and "content" in m for m in cur):
        replies = [m for m in cur if m.get("role") == "assistant"] or cur
        cur = replies[-1]["content"]
    if cur is None:
        return ""
    if not isinstance(cur, str):
        raise InputError(f"{where}: field {path!r} is a {type(cur).__name__}, not text.")
    return cur


def register(app: typer.Typer) -> None:
    grp = typer.Typer(help="Identity probing: who does a model say it is, in which language, how consistently?",
                      no_args_is_help=True)
    app.add_typer(grp, name="identity")

    @grp.command("probe")
    def probe(
        spec: str = typer.Argument(..., help="Model spec, e.g. zoo:smollm2-135m-instruct or openai:MODEL@URL."),
        languages: str = typer.Option("all", "--languages", "-l",
                                      help="Comma-separated battery languages (en, zh-Hans, zh, ja, ...) or 'all'."),
        samples: int = typer.Option(8, "--samples", "-n", min=1, help="Answers per probe and language."),
        expect: str | None = typer.Option(None, "--expect", "-e",
                                          help="Identity the model should claim (family such as qwen or claude, "
                                               "or any product name). Default: from the declared model name."),
        probes: str | None = typer.Option(None, "--probes", help="Only these probe ids (comma-separated)."),
        max_tokens: int = typer.Option(64, min=1, help="Maximum new tokens per answer."),
        temperature: float = typer.Option(1.0, min=0.0, help="Sampling temperature."),
        seed: int = typer.Option(0, help="Base seed; answer i of a probe uses (seed, i)."),
        tolerance: float | None = typer.Option(
            None, min=0.0, max=0.99,
            help="Foreign-claim rate attributed to extractor error in the test's null. Default: the extractor's "
                 "false assertions per answer measured on blind labelled probe answers (upper 95% bound)."),
        store: Path | None = typer.Option(None, help="Sample store (default: $DISTILLSCOPE_STORE or data dir)."),
        out: Path | None = typer.Option(None, "--out", "-o", help="Also write the full JSON report here."),
        as_json: bool = typer.Option(False, "--json", help="Print the JSON report (with every response) on stdout."),
    ) -> None:
        """Ask SPEC who it is (7 phrasings x 16 languages), extract its identity claims, report rates with
        Wilson 95% intervals, the consistency index and the rate of claims contradicting the expected identity."""
        from distillscope.identity.battery import load_battery
        from distillscope.identity.probing import probe_identity
        from distillscope.models import load_model
        from distillscope.store import SampleStore

        probe_ids = [p.strip() for p in probes.split(",") if p.strip()] if probes else None
        total = len(load_battery(languages, probe_ids)) * samples
        model = load_model(spec)
        with progress(total, f"probing {spec}", enabled=not as_json) as advance:
            report = probe_identity(model, languages=languages, samples=samples, max_tokens=max_tokens,
                                    temperature=temperature, expect=expect, probes=probe_ids, seed=seed,
                                    store=SampleStore(store), progress=advance, tolerance=tolerance)
        d = report.to_dict()
        if out:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(d, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
        if as_json:
            print_json(d)
            return
        from rich.table import Table

        t = Table(title=f"identity of {spec}" + (f" (expected: {report.expected})" if report.expected else ""))
        for col in ("language", "n", "top identity", "rate [95% CI]", "no identity", "foreign [95% CI]", "all"):
            t.add_column(col)
        for row in report.summary_rows():
            t.add_row(row["language"], str(row["n"]), row["top"],
                      _fmt(row["top_rate"], row["top_low"], row["top_high"]), f"{row['none_rate']:.0%}",
                      _fmt(row.get("foreign_rate"), row.get("foreign_low"), row.get("foreign_high")),
                      ", ".join(f"{k}:{v}" for k, v in row["identities"].items()))
        console.print(t)
        c = report.consistency
        if c["index"] is not None:
            console.print(f"consistency index {c['index']:.2f} over {c['n_named']} answers naming an identity "
                          f"(coverage {c['coverage']:.0%}; most common: {c['mode']})")
        else:
            console.print(f"too few answers name an identity to measure consistency ({c['n_named']} of {c['n']})")
        for e in report.evidence:
            console.print(f"[bold]{e.name}[/]: statistic {e.statistic:.3g}, p = {e.p_value:.3g} — H0: {e.null}")
        v = report.extractor_validation
        if v:
            pr, rc, fa = v["precision"], v["recall"], v["false_assertion_rate"]
            console.print(
                f"claim extractor ({'these rules' if v['current_rules'] else 'earlier versions of its rules'}) on "
                f"{v['responses']} blind labelled {', '.join(v['kinds'])} ({len(v['sets'])} sets it was not tuned on): "
                f"asserted precision {_fmt(pr['value'], pr['low'], pr['high'])}, "
                f"recall {_fmt(rc['value'], rc['low'], rc['high'])}, false assertions per answer "
                f"{_fmt(fa['value'], fa['low'], fa['high'])}", style="dim")
        if out:
            console.print(f"report written to {out}")

    @grp.command("compare")
    def compare_cmd(
        spec_a: str = typer.Argument(..., help="First model spec."),
        spec_b: str = typer.Argument(..., help="Second model spec."),
        languages: str = typer.Option("all", "--languages", "-l", help="Battery languages or 'all'."),
        samples: int = typer.Option(8, "--samples", "-n", min=1, help="Answers per probe, language and model."),
        probes: str | None = typer.Option(None, "--probes", help="Only these probe ids (comma-separated)."),
        max_tokens: int = typer.Option(64, min=1, help="Maximum new tokens per answer."),
        n_perm: int = typer.Option(2000, min=99, help="Permutations for the p-value."),
        seed: int = typer.Option(0, help="Base seed (sampling and permutations)."),
        store: Path | None = typer.Option(None, help="Sample store (default: $DISTILLSCOPE_STORE or data dir)."),
        as_json: bool = typer.Option(False, "--json", help="Print the Evidence record as JSON."),
    ) -> None:
        """Do two models claim the same identities? Chi-square on model x claimed identity, p-value from
        permuting model labels within (language, probe)."""
        from distillscope.identity.analysis import compare
        from distillscope.identity.battery import load_battery
        from distillscope.identity.probing import collect
        from distillscope.models import load_model
        from distillscope.store import SampleStore

        probe_ids = [p.strip() for p in probes.split(",") if p.strip()] if probes else None
        battery = load_battery(languages, probe_ids)
        st = SampleStore(store)
        resp = []
        for spec in (spec_a, spec_b):
            model = load_model(spec)
            with progress(len(battery) * samples, f"probing {spec}", enabled=not as_json) as advance:
                resp.append(collect(model, battery, samples, max_tokens=max_tokens, seed=seed, store=st,
                                    progress=advance))
        ev = compare(resp[0], resp[1], spec_a, spec_b, n_perm=n_perm, seed=seed)
        if as_json:
            print_json(ev.to_dict())
            return
        from rich.table import Table

        t = Table(title="claimed identity (share of answers, 95% Wilson interval)")
        t.add_column("identity")
        for nm in (spec_a, spec_b):
            t.add_column(nm)
        for lab in ev.params["labels"]:
            t.add_row(lab, *(_fmt(ev.details["rates"][nm][lab]["rate"], ev.details["rates"][nm][lab]["low"],
                                  ev.details["rates"][nm][lab]["high"]) for nm in (spec_a, spec_b)))
        console.print(t)
        console.print(f"[bold]{ev.name}[/]: chi2 {ev.statistic:.3g}, p = {ev.p_value:.3g}, "
                      f"Cramér's V {ev.effect_size:.2f} — H0: {ev.null}")

    @grp.command("claims")
    def claims(
        jsonl: Path = typer.Option(..., "--jsonl", help="Input JSONL file, one JSON object per line."),
        text_field: str = typer.Option(..., "--text-field", "-f",
                                       help="Field holding the text (dotted path; a messages list uses the last "
                                            "assistant message)."),
        out: Path | None = typer.Option(None, "--out", "-o", help="Write JSONL here instead of stdout."),
        expect: str | None = typer.Option(None, "--expect", "-e", help="Also recognise this name as an identity."),
        summary: bool = typer.Option(False, "--summary", help="Print counts of asserted identities on stderr."),
    ) -> None:
        """Annotate each line of a JSONL transcript with its identity claims (span, family, maker, status).

        Output: one JSON object per non-empty input line: the input object plus "claims" (list) and "identity"
        (first asserted identity or "none")."""
        from collections import Counter

        from distillscope.identity.probing import extractor_for

        if not jsonl.exists():
            raise InputError(f"No such file: {jsonl}")
        ex = extractor_for(expect)
        counts: Counter[str] = Counter()
        sink = out.open("w", encoding="utf-8") if out else sys.stdout
        n = 0
        try:
            for i, obj in iter_jsonl(jsonl):
                text = _field(obj, text_field, f"{jsonl}:{i}")
                cl = ex.extract(text)
                asserted = [c.label for c in cl if c.status == "asserted"]
                counts[asserted[0] if asserted else "none"] += 1
                rec = dict(obj) if isinstance(obj, dict) else {"value": obj}
                rec["claims"] = [c.to_dict() for c in cl]
                rec["identity"] = asserted[0] if asserted else "none"
                sink.write(json.dumps(rec, ensure_ascii=False) + "\n")
                n += 1
        finally:
            if out:
                sink.close()
        if summary or out:
            console.print(f"{n} lines annotated" + (f" -> {out}" if out else "") + "; identities: "
                          + ", ".join(f"{k} {v}" for k, v in counts.most_common()))
