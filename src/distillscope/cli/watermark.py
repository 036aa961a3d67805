"""``distillscope watermark detect`` and ``distillscope radioactivity``: watermark evidence from text or a model.

    distillscope watermark detect outputs.jsonl --key SECRET --tokenizer zoo:smollm2-135m-instruct
    distillscope watermark detect --text "some text to check" --key SECRET
    distillscope radioactivity hf:./suspect --key SECRET --texts my_watermarked_outputs.jsonl
    distillscope radioactivity openai:m@URL --key SECRET --setting closed --prompts prompts.txt -n 4
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from distillscope.cli._common import (
    Alpha,
    Field,
    Json,
    Prompts,
    Samples,
    Store,
    check_input,
    console,
    emit,
    exit_for,
    open_store,
    progress,
    say,
    spec_argument,
    spec_option,
)
from distillscope.errors import InputError
from distillscope.report.terminal import print_evidence

KEY_HELP = ("Watermark secret, or a .json/.yaml config file ({scheme, key, gamma, delta, ...}). "
            "Env: DISTILLSCOPE_WATERMARK_KEY.")
TOKENIZER_HELP = "The watermarked model (its tokenizer and vocabulary define the watermark)."
DEFAULT_TOKENIZER = "zoo:smollm2-135m-instruct"

Key = Annotated[str | None, typer.Option("--key", "-k", envvar="DISTILLSCOPE_WATERMARK_KEY", help=KEY_HELP)]
Scheme = Annotated[str | None, typer.Option(help="kgw or synthid (overrides the config).")]


def _config(key: str | None, scheme: str | None) -> Any:
    from distillscope.watermark import WatermarkConfig

    if not key:
        raise InputError("No watermark key: pass --key SECRET (or a config file) or set DISTILLSCOPE_WATERMARK_KEY.")
    cfg = WatermarkConfig.load(key)
    if scheme and scheme != cfg.scheme:
        cfg = WatermarkConfig.load({**cfg.model_dump(), "scheme": scheme})
    return cfg


def _verdict(found: bool, p: float, alpha: float, yes: str, no: str) -> None:
    if found:
        say(f"{yes} (p = {p:.3g} < alpha {alpha}).", style="bold red")
    else:
        say(f"{no} (p = {p:.3g}, alpha {alpha}).", style="bold green")


def register(app: typer.Typer) -> None:
    wm = typer.Typer(help="Watermark detection (KGW / SynthID via transformers' processors).", no_args_is_help=True)
    app.add_typer(wm, name="watermark")

    @wm.command()
    def detect(
        source: Annotated[Path | None, typer.Argument(help="File of texts: .txt (one text a paragraph), .jsonl, "
                                                      ".json, .yaml, .csv or .parquet (field --field or text/"
                                                      "completion/response/content).", show_default=False)] = None,
        text: Annotated[str | None, typer.Option("--text", help="Check this literal text instead of a file.")]
        = None,
        key: Key = None,
        scheme: Scheme = None,
        tokenizer: Annotated[str, spec_option("--tokenizer", help=TOKENIZER_HELP)] = DEFAULT_TOKENIZER,
        model_old: Annotated[str | None, typer.Option("--model", hidden=True, help="Deprecated: --tokenizer.")]
        = None,
        field: Field = None,
        alpha: Alpha = 0.05,
        as_json: Json = False,
    ) -> None:
        """z-score and exact p-value of the watermark in each text and in all texts pooled (repeated n-grams
        counted once).

        Null hypothesis: the texts were written without watermark key K (each distinct n-gram hits the key's green
        list with its base rate). Exit code 1 when the pooled p-value is below --alpha (watermark found).
        """
        from distillscope.inputs import read_texts

        if (source is None) == (text is None):
            raise InputError("Give a file of texts (SOURCE) or --text TEXT, not both or neither.")
        cfg = _config(key, scheme)
        texts = [text] if text is not None else read_texts(check_input(source, "file of texts"), field)
        from distillscope.models import load_model
        from distillscope.watermark import detect as run_detect

        m = load_model(model_old or tokenizer)
        per, pooled, ev = run_detect(texts, cfg, tokenizer=m.tokenizer, vocab_size=m.vocab_size)
        found = pooled.counts.p_value < alpha

        def human() -> None:
            from rich.table import Table

            t = Table("text", "scored", "hits", "rate", "z", "p-value")
            for d in [*per[:50], pooled]:
                c = d.counts
                t.add_row("all" if d.index is None else str(d.index), str(c.n_scored), str(c.hits),
                          f"{c.rate:.3f}" if c.trials else "-", f"{c.z:.2f}", f"{c.p_value:.3g}")
            console.print(t)
            say(f"key {cfg.key_id}: pooled over {pooled.counts.n_scored} distinct n-grams, hit rate "
                f"{pooled.counts.rate:.3f} vs {pooled.counts.p0:.3f} expected without the watermark")
            print_evidence([ev], title="test", alpha=alpha, console=console)
            _verdict(found, pooled.counts.p_value, alpha, f"Watermark {cfg.key_id} found in these texts",
                     f"No evidence of watermark {cfg.key_id} in these texts")

        emit({"key_id": cfg.key_id, "alpha": alpha, "watermarked": found, "pooled": pooled.to_dict(),
              "texts": [d.to_dict() for d in per], "evidence": ev.to_dict()}, as_json, human)
        exit_for(found)

    @app.command()
    def radioactivity(
        suspect: Annotated[str, spec_argument("Suspect model spec (white-box for --setting open).")],
        key: Key = None,
        texts: Annotated[Path | None, typer.Option(help="Open setting: texts for the suspect to read (any format "
                                                   "of distillscope.inputs), e.g. your own watermarked outputs.")]
        = None,
        prompts: Prompts = None,
        setting: Annotated[str, typer.Option(help="open (white-box suspect reads --texts) or closed (the suspect "
                                             "answers --prompts; answers cached in the store).")] = "open",
        scheme: Scheme = None,
        tokenizer: Annotated[str, spec_option("--tokenizer", help=TOKENIZER_HELP)] = DEFAULT_TOKENIZER,
        teacher_old: Annotated[str | None, typer.Option("--teacher", hidden=True, help="Deprecated: --tokenizer.")]
        = None,
        mode: Annotated[str, typer.Option(help="Open setting: score the top-1 token (greedy) or a sampled one.")]
        = "greedy",
        samples: Samples = 1,
        n_samples_old: Annotated[int | None, typer.Option("--n-samples", hidden=True, help="Deprecated: -n.")]
        = None,
        max_tokens: Annotated[int, typer.Option(min=1, help="Closed setting: tokens per sample.")] = 128,
        count_cap: Annotated[int, typer.Option(min=1, help=(
            "Closed setting: weigh each distinct n-gram by min(its occurrences, N), exact weighted-binomial null; "
            "1 counts each once. 4 found 5% watermarked training data from 128k tokens of a toy student's text "
            "(bench/radioactivity.py --neural)."))] = 1,
        field: Field = None,
        alpha: Alpha = 0.05,
        store: Store = None,
        as_json: Json = False,
    ) -> None:
        """Did SUSPECT learn from text watermarked with --key? Exact binomial p-value over distinct n-grams.

        Null hypothesis: the suspect's outputs do not depend on the watermark key (it was not trained on text
        watermarked with it). Exit code 1 when the p-value is below --alpha (traces of the watermark found).
        """
        from distillscope.inputs import read_prompt_texts, read_texts

        if setting not in ("open", "closed"):
            raise InputError(f"--setting must be open or closed, got {setting!r}.")
        cfg = _config(key, scheme)
        samples = n_samples_old or samples
        if setting == "open":
            if texts is None:
                raise InputError("--setting open needs --texts FILE (texts for the suspect to read).")
            items = read_texts(check_input(texts, "file of texts"), field)
        else:
            if prompts is None:
                raise InputError("--setting closed needs --prompts FILE (prompts to ask the suspect).")
            items = read_prompt_texts(prompts, field)
            st = open_store(store)
        from distillscope.models import load_model
        from distillscope.watermark import closed_radioactivity_from_model, open_radioactivity

        if setting == "open":
            m = load_model(suspect)
            with progress(len(items), "reading texts", enabled=not as_json) as adv:
                ev = open_radioactivity(m, items, cfg, mode=mode, progress=adv)
        else:
            from distillscope.store import CachedModel

            tm = load_model(teacher_old or tokenizer)
            m = CachedModel(load_model(suspect), st)
            with progress(len(items) * samples, f"sampling {suspect}", enabled=not as_json) as adv:
                ev = closed_radioactivity_from_model(m, items, cfg, tm.tokenizer, tm.vocab_size,
                                                     n_samples=samples, max_tokens=max_tokens, progress=adv,
                                                     count_cap=count_cap)
        found = ev.p_value < alpha

        def human() -> None:
            c = ev.details["counts"]
            say(f"{ev.name}: {c['hits']}/{c['trials']} hits over {c['n_scored']} distinct n-grams "
                f"(null rate {c['p0']:.3f}, observed {c['rate']:.3f}); z = {ev.statistic:.2f}")
            print_evidence([ev], title="test", alpha=alpha, console=console)
            _verdict(found, ev.p_value, alpha, f"{suspect} shows traces of watermark {cfg.key_id}",
                     f"No evidence that {suspect} learned from text watermarked with {cfg.key_id}")

        emit(ev.to_dict(), as_json, human)
        exit_for(found)
