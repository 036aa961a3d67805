"""The demo case: SmolLM2 served over loopback, sampled through the real OpenAI client, cached in the store.

Run:  distillscope demo      (or `make demo` on a fresh machine)
"""

from __future__ import annotations

import time
from typing import Any

from rich.table import Table

from distillscope.cli._common import console, print_json, progress

DEMO_PROMPTS = [
    "Who are you?",
    "你是谁？",
    "What is the capital of France?",
    "Write a haiku about the sea.",
    "Explain photosynthesis in one sentence.",
    "Which company trained you?",
]


def run_demo(samples: int = 3, max_tokens: int = 40, as_json: bool = False) -> dict[str, Any]:
    from distillscope.models import GenRequest, load_model
    from distillscope.serve import serve_in_thread
    from distillscope.store import CachedModel, SampleStore

    t0 = time.perf_counter()
    console.print("[bold]1.[/] loading zoo:smollm2-135m-instruct (first run converts the GGUF once, ~40 s)")
    local = load_model("zoo:smollm2-135m-instruct")
    store = SampleStore()
    reqs = [GenRequest.chat(p, max_tokens=max_tokens, temperature=0.7, seed=0, seed_index=i)
            for p in DEMO_PROMPTS for i in range(samples)]
    with serve_in_thread(local) as url:
        console.print(f"[bold]2.[/] serving it at {url} (OpenAI-compatible); sampling through the openai SDK")
        remote = CachedModel(load_model(f"openai:smollm2@{url}", concurrency=4), store)
        with progress(len(reqs), "sampling", enabled=not as_json) as advance:
            comps = remote.generate(reqs, progress=advance)
        again = CachedModel(load_model(f"openai:smollm2@{url}"), store)
        again.generate(reqs)
    table = Table(title="SmolLM2 through serve + openai backend")
    for c in ("prompt", "#", "completion", "declared model", "from store"):
        table.add_column(c, overflow="fold")
    for r, c in zip(reqs, comps):
        table.add_row(r.message_dicts[-1]["content"], str(r.seed_index), c.text.replace("\n", " ")[:90],
                      c.declared_model or "", "yes" if c.cached else "no")
    summary = {
        "spec": remote.spec, "prompts": len(DEMO_PROMPTS), "samples": len(comps),
        "new_calls_first_pass": remote.misses, "from_store_first_pass": remote.hits,
        "new_calls_rerun": again.misses, "store": store.path, "seconds": round(time.perf_counter() - t0, 1),
        "declared_models": sorted({c.declared_model or "" for c in comps}),
    }
    if as_json:
        print_json(summary)
    else:
        console.print(table)
        console.print(f"[bold]3.[/] {summary['samples']} samples: {remote.misses} generated now, {remote.hits} "
                      f"already in the store; a rerun made {again.misses} new calls. Store: {store.path}")
        console.print(f"done in {summary['seconds']} s")
    return summary
