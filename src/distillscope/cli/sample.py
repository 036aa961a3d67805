"""``distillscope sample SPEC --prompts FILE -n N``: draw samples through the store (cached, resumable).

    distillscope sample zoo:smollm2-135m-instruct --prompts prompts.txt -n 5
    distillscope sample openai:m@http://127.0.0.1:8000/v1 -p prompts.jsonl -n 5 --out samples.jsonl --json
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from distillscope.cli._common import (
    Field,
    Json,
    Prompts,
    Samples,
    Spec,
    Store,
    emit,
    out_option,
    progress,
    say,
)


def register(app: typer.Typer) -> None:
    @app.command()
    def sample(
        spec: Spec,
        prompts: Prompts,
        n: Samples = 1,
        field: Field = None,
        temperature: Annotated[float, typer.Option(min=0.0, help="Sampling temperature (0 = greedy).")] = 1.0,
        top_p: Annotated[float, typer.Option(min=0.0, max=1.0, help="Nucleus sampling mass.")] = 1.0,
        max_tokens: Annotated[int, typer.Option(min=1, help="Maximum new tokens per sample.")] = 64,
        seed: Annotated[int, typer.Option(help="Base seed; sample i of a prompt uses (seed, i).")] = 0,
        logprobs: Annotated[bool, typer.Option(help="Ask for per-token logprobs.")] = False,
        out: Annotated[Path | None, out_option("Also write the samples as JSONL to this file (overwritten).")] = None,
        show: Annotated[int, typer.Option(min=0, help="Samples to show on stderr (0 = none).")] = 10,
        store: Store = None,
        as_json: Json = False,
    ) -> None:
        """Sample N completions per prompt. Samples already in the store are not requested again, and a fully
        cached run does not load the model."""
        from distillscope.inputs import read_prompts
        from distillscope.models.registry import canonical_spec
        from distillscope.store import CachedModel, SampleStore

        items = read_prompts(prompts, field)
        kw = {"max_tokens": max_tokens, "temperature": temperature, "top_p": top_p, "seed": seed, "logprobs": logprobs}
        reqs = [it.request(seed_index=i, **kw) for it in items for i in range(n)]
        st = SampleStore(store)
        key_spec = canonical_spec(spec)
        found = st.get_many(sorted({r.key(key_spec) for r in reqs}))
        if len(found) == len({r.key(key_spec) for r in reqs}):
            comps, hits, misses = [found[r.key(key_spec)] for r in reqs], len(reqs), 0
        else:
            from distillscope.models import load_model

            model = CachedModel(load_model(spec), st)
            with progress(len(reqs), f"sampling {spec}", enabled=not as_json) as advance:
                comps = model.generate(reqs, progress=advance)
            hits, misses = model.hits, model.misses
        rows = [{"prompt": r.prompt, "messages": r.message_dicts or None, "sample_index": r.seed_index,
                 "completion": c.text, "sample_id": c.sample_id, "model": c.declared_model, "cached": c.cached}
                for r, c in zip(reqs, comps)]
        if out:
            out.parent.mkdir(parents=True, exist_ok=True)
            with out.open("w", encoding="utf-8") as f:
                f.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        summary = {"spec": spec, "prompts": len(items), "samples": len(comps), "from_store": hits,
                   "new_calls": misses, "store": st.path, "out": str(out) if out else None, "rows": rows}
        emit(summary, as_json, lambda: _human(summary, rows, show))


def _human(summary: dict[str, Any], rows: list[dict[str, Any]], show: int) -> None:
    from rich.table import Table

    from distillscope.cli._common import console

    if show:
        t = Table("prompt", "#", "completion", title=f"samples of {summary['spec']}", show_lines=True)
        for row in rows[:show]:
            prompt = row["prompt"] if row["prompt"] is not None else row["messages"][-1]["content"]
            t.add_row(_cut(prompt), str(row["sample_index"]), _cut(row["completion"], 300))
        console.print(t)
        if len(rows) > show:
            say(f"... {len(rows) - show} more (see --out or --json)")
    say(f"{summary['samples']} samples ({summary['new_calls']} new model calls, {summary['from_store']} from the "
        f"store {summary['store']})" + (f" -> {summary['out']}" if summary["out"] else ""))


def _cut(s: str, n: int = 80) -> str:
    from rich.markup import escape

    s = " ".join(s.split())
    return escape(s if len(s) <= n else s[: n - 3] + "...")
