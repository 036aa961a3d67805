"""``distillscope sample SPEC --prompts FILE -n N``: draw samples through the store (cached, resumable)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from distillscope.cli._common import console, print_json, progress


def register(app: typer.Typer) -> None:
    @app.command()
    def sample(
        spec: str = typer.Argument(..., help="Model spec, e.g. zoo:smollm2-135m-instruct or openai:MODEL@URL."),
        prompts: Path = typer.Option(..., "--prompts", "-p", help=".txt (one prompt a line) or .jsonl file."),
        n: int = typer.Option(1, "-n", min=1, help="Samples per prompt."),
        temperature: float = typer.Option(1.0, min=0.0, help="Sampling temperature (0 = greedy)."),
        top_p: float = typer.Option(1.0, min=0.0, max=1.0, help="Nucleus sampling mass."),
        max_tokens: int = typer.Option(64, min=1, help="Maximum new tokens per sample."),
        seed: int = typer.Option(0, help="Base seed; sample i of a prompt uses (seed, i)."),
        logprobs: bool = typer.Option(False, help="Ask for per-token logprobs."),
        out: Path | None = typer.Option(None, "--out", "-o", help="Write samples as JSONL here."),
        store: Path | None = typer.Option(None, help="Sample store (default: $DISTILLSCOPE_STORE or data dir)."),
        as_json: bool = typer.Option(False, "--json", help="Print a JSON summary on stdout."),
    ) -> None:
        """Sample N completions per prompt. Samples already in the store are not requested again."""
        from distillscope.models import GenRequest, load_model
        from distillscope.prompts import load_prompts
        from distillscope.store import CachedModel, SampleStore

        items = load_prompts(prompts)
        kw = {"max_tokens": max_tokens, "temperature": temperature, "top_p": top_p, "seed": seed, "logprobs": logprobs}
        reqs = [GenRequest.raw(it["prompt"], seed_index=i, **kw) if "prompt" in it
                else GenRequest.chat(it["messages"], seed_index=i, **kw) for it in items for i in range(n)]
        model = CachedModel(load_model(spec), SampleStore(store))
        with progress(len(reqs), f"sampling {spec}", enabled=not as_json) as advance:
            comps = model.generate(reqs, progress=advance)
        if out:
            out.parent.mkdir(parents=True, exist_ok=True)
            with out.open("w", encoding="utf-8") as f:
                for r, c in zip(reqs, comps):
                    f.write(json.dumps({"prompt": r.prompt, "messages": r.message_dicts or None,
                                        "sample_index": r.seed_index, "completion": c.text,
                                        "sample_id": c.sample_id, "model": c.declared_model, "cached": c.cached},
                                       ensure_ascii=False) + "\n")
        summary = {"spec": spec, "prompts": len(items), "samples": len(comps), "from_store": model.hits,
                   "new_calls": model.misses, "store": model.store.path, "out": str(out) if out else None}
        if as_json:
            print_json(summary)
        else:
            console.print(f"{len(comps)} samples ({model.misses} new model calls, {model.hits} from the store "
                          f"{model.store.path})" + (f" -> {out}" if out else ""))
