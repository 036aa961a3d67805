"""``distillscope watermark detect`` and ``distillscope radioactivity``: watermark evidence from text or a model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from distillscope.cli._common import console, print_json, progress
from distillscope.errors import InputError
from distillscope.jsonl import iter_jsonl

KEY_HELP = ("Watermark secret, or a .json/.yaml config file ({scheme, key, gamma, delta, ...}). "
            "Env: DISTILLSCOPE_WATERMARK_KEY.")


def _config(key: str | None, scheme: str | None) -> Any:
    from distillscope.watermark import WatermarkConfig

    if not key:
        raise InputError("No watermark key: pass --key SECRET (or a config file) or set DISTILLSCOPE_WATERMARK_KEY.")
    cfg = WatermarkConfig.load(key)
    if scheme and scheme != cfg.scheme:
        cfg = WatermarkConfig.load({**cfg.model_dump(), "scheme": scheme})
    return cfg


def _read_texts(source: str, field: str | None) -> list[str]:
    """A .jsonl file (one text per line, from ``field`` or completion/text/content), another file, or literal text."""
    p = Path(source)
    if not p.is_file():
        return [source]
    if p.suffix != ".jsonl":
        return [p.read_text(encoding="utf-8")]
    texts = []
    for n, obj in iter_jsonl(p):
        if isinstance(obj, str):
            texts.append(obj)
            continue
        keys = [field] if field else ["completion", "text", "content", "response"]
        val = next((obj[k] for k in keys if isinstance(obj, dict) and isinstance(obj.get(k), str)), None)
        if val is None:
            raise InputError(f"{p}:{n}: no text field ({' / '.join(keys)}); choose one with --field.")
        texts.append(val)
    if not texts:
        raise InputError(f"{p} holds no texts.")
    return texts


def register(app: typer.Typer) -> None:
    wm = typer.Typer(help="Watermark detection (KGW / SynthID via transformers' processors).", no_args_is_help=True)
    app.add_typer(wm, name="watermark")

    @wm.command()
    def detect(
        source: str = typer.Argument(..., help="Text, a text file, or a .jsonl file (one completion a line)."),
        key: str | None = typer.Option(None, "--key", "-k", envvar="DISTILLSCOPE_WATERMARK_KEY", help=KEY_HELP),
        scheme: str | None = typer.Option(None, help="kgw or synthid (overrides the config)."),
        model: str = typer.Option("zoo:smollm2-135m-instruct", help="The watermarked model (for its tokenizer)."),
        field: str | None = typer.Option(None, help="JSONL field holding the text."),
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    ) -> None:
        """z-score and exact p-value of the watermark in each text and in all texts pooled (repeated n-grams
        counted once)."""
        from distillscope.models import load_model
        from distillscope.watermark import detect as run_detect

        cfg = _config(key, scheme)
        texts = _read_texts(source, field)
        m = load_model(model)
        per, pooled, ev = run_detect(texts, cfg, tokenizer=m.tokenizer, vocab_size=m.vocab_size)
        if as_json:
            print_json({"key_id": cfg.key_id, "pooled": pooled.to_dict(), "texts": [d.to_dict() for d in per],
                        "evidence": ev.to_dict()})
            return
        from rich.table import Table

        t = Table("text", "scored", "hits", "rate", "z", "p-value")
        for d in [*per[:50], pooled]:
            c = d.counts
            t.add_row("all" if d.index is None else str(d.index), str(c.n_scored), str(c.hits),
                      f"{c.rate:.3f}" if c.trials else "-", f"{c.z:.2f}", f"{c.p_value:.3g}")
        console.print(t)
        console.print(f"key {cfg.key_id}: pooled p = {pooled.counts.p_value:.3g} over {pooled.counts.n_scored} "
                      f"distinct n-grams (null hit rate {pooled.counts.p0:.3f})")

    @app.command()
    def radioactivity(
        suspect: str = typer.Argument(..., help="Suspect model spec (white-box for --setting open)."),
        key: str | None = typer.Option(None, "--key", "-k", envvar="DISTILLSCOPE_WATERMARK_KEY", help=KEY_HELP),
        texts: str | None = typer.Option(None, help="Open setting: texts to read (.jsonl / text file), e.g. your "
                                                    "own watermarked outputs."),
        prompts: Path | None = typer.Option(None, help="Closed setting: prompts to ask the suspect (.txt/.jsonl)."),
        setting: str = typer.Option("open", help="open (white-box suspect) or closed (generate and score)."),
        scheme: str | None = typer.Option(None, help="kgw or synthid (overrides the config)."),
        teacher: str = typer.Option("zoo:smollm2-135m-instruct", help="The watermarked model (its tokenizer)."),
        mode: str = typer.Option("greedy", help="Open setting: score the top-1 token (greedy) or a sampled one."),
        n_samples: int = typer.Option(1, min=1, help="Closed setting: samples per prompt."),
        max_tokens: int = typer.Option(128, min=1, help="Closed setting: tokens per sample."),
        field: str | None = typer.Option(None, help="JSONL field holding the text."),
        as_json: bool = typer.Option(False, "--json", help="Print the Evidence as JSON."),
    ) -> None:
        """Did SUSPECT learn from text watermarked with --key? Exact binomial p-value over distinct n-grams."""
        from distillscope.models import load_model
        from distillscope.prompts import load_prompts
        from distillscope.watermark import closed_radioactivity_from_model, open_radioactivity

        cfg = _config(key, scheme)
        if setting == "open":
            if not texts:
                raise InputError("--setting open needs --texts FILE (texts for the suspect to read).")
            items = _read_texts(texts, field)
            m = load_model(suspect)
            with progress(len(items), "reading texts", enabled=not as_json) as adv:
                ev = open_radioactivity(m, items, cfg, mode=mode, progress=adv)
        elif setting == "closed":
            if prompts is None:
                raise InputError("--setting closed needs --prompts FILE (prompts to ask the suspect).")
            ps = [it["messages"][-1]["content"] if "messages" in it else it["prompt"] for it in load_prompts(prompts)]
            tm = load_model(teacher)
            m = load_model(suspect)
            with progress(len(ps) * n_samples, f"sampling {suspect}", enabled=not as_json) as adv:
                ev = closed_radioactivity_from_model(m, ps, cfg, tm.tokenizer, tm.vocab_size,
                                                     n_samples=n_samples, max_tokens=max_tokens, progress=adv)
        else:
            raise InputError(f"--setting must be open or closed, got {setting!r}.")
        if as_json:
            print_json(ev.to_dict())
            return
        c = ev.details["counts"]
        console.print(f"{ev.name}: {c['hits']}/{c['trials']} hits over {c['n_scored']} distinct n-grams "
                      f"(null rate {c['p0']:.3f}, observed {c['rate']:.3f}); z = {ev.statistic:.2f}, "
                      f"p = {ev.p_value:.3g}")
