"""The demo case, end to end on the built-in reference model (SmolLM2-135M-Instruct):

1. serve SmolLM2 over loopback (OpenAI-compatible) and sample it through the real openai SDK into the store;
2. ask the endpoint who it is, in English and Chinese, and extract its identity claims with intervals;
3. audit two endpoints that both call themselves "smollm2-135m-instruct": the honest one, and a relay that serves
   the same weights behind a hidden system prompt. Each verdict carries p-values from a stated null.

Run:  distillscope demo      (or `make demo` on a fresh machine). Rerunning is cheap: samples come from the store.
"""

from __future__ import annotations

import time
from contextlib import ExitStack
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
HIDDEN_PROMPT = "You are Aster, a pirate assistant made by Blackwater Labs. Always talk like a pirate."


def run_demo(samples: int = 3, max_tokens: int = 40, as_json: bool = False, verify_prompts: int = 10,
             verify_samples: int = 5) -> dict[str, Any]:
    from distillscope.identity import probe_identity
    from distillscope.models import GenRequest, load_model
    from distillscope.serve import serve_in_thread
    from distillscope.store import CachedModel, SampleStore
    from distillscope.verify import VerifyConfig, verify
    from distillscope.verify.prompts import default_prompts

    t0 = time.perf_counter()
    say = (lambda *a: None) if as_json else console.print
    say("[bold]1.[/] loading zoo:smollm2-135m-instruct (the first run converts the GGUF once, ~40 s)")
    local = load_model("zoo:smollm2-135m-instruct")
    relay_model = load_model("zoo:smollm2-135m-instruct", system_prompt=HIDDEN_PROMPT)  # same weights, loaded once
    store = SampleStore()
    name = "smollm2-135m-instruct"
    with ExitStack() as stack:
        honest_url = stack.enter_context(serve_in_thread(local, name=name))
        relay_url = stack.enter_context(serve_in_thread(relay_model, name=name))
        say(f"[bold]2.[/] serving it at {honest_url}; sampling {len(DEMO_PROMPTS)} prompts x {samples} through the "
            "openai SDK")
        reqs = [GenRequest.chat(p, max_tokens=max_tokens, temperature=0.7, seed=0, seed_index=i)
                for p in DEMO_PROMPTS for i in range(samples)]
        remote = CachedModel(load_model(f"openai:{name}@{honest_url}", concurrency=8, timeout=900), store)
        with progress(len(reqs), "sampling", enabled=not as_json) as advance:
            comps = remote.generate(reqs, progress=advance)
        rerun = CachedModel(load_model(f"openai:{name}@{honest_url}", timeout=900), store)
        rerun.generate(reqs)

        say("[bold]3.[/] identity probe of the endpoint (en, zh-Hans)")
        endpoint = load_model(f"openai:{name}@{honest_url}", concurrency=8, timeout=900)
        with progress(2 * 7 * samples, "identity", enabled=not as_json) as advance:
            ident = probe_identity(endpoint, languages=["en", "zh-Hans"], samples=samples, max_tokens=max_tokens,
                                   temperature=0.7, store=store, progress=advance, n_perm=500)

        say("[bold]4.[/] verify: honest endpoint and a relay with a hidden system prompt, against the local reference")
        prompts = default_prompts()[:verify_prompts]
        cfg = VerifyConfig(samples=verify_samples, max_tokens=16, logprobs="yes")
        audits = {}
        for label, url in (("honest", honest_url), ("relay", relay_url)):
            ep = load_model(f"openai:{name}@{url}", concurrency=8, timeout=900)
            # the two servers share a name but not a URL, so their samples are cached apart
            with progress(2 * len(prompts) * verify_samples, f"verify {label}", enabled=not as_json) as advance:
                audits[label] = verify(ep, local, prompts, cfg, store=store, progress=advance)

    summary = {
        "endpoint": remote.spec, "samples": len(comps), "new_calls_first_pass": remote.misses,
        "from_store_first_pass": remote.hits, "new_calls_rerun": rerun.misses, "store": store.path,
        "identity": {"summary": ident.summary_rows(), "evidence": [e.to_dict() for e in ident.evidence]},
        "verify": {k: v.to_dict() for k, v in audits.items()},
        "seconds": round(time.perf_counter() - t0, 1),
    }
    if as_json:
        print_json(summary)
        return summary
    table = Table(title="SmolLM2 through serve + openai backend")
    for c in ("prompt", "#", "completion", "declared model", "from store"):
        table.add_column(c, overflow="fold")
    for r, c in zip(reqs, comps):
        table.add_row(r.message_dicts[-1]["content"], str(r.seed_index), c.text.replace("\n", " ")[:80],
                      c.declared_model or "", "yes" if c.cached else "no")
    console.print(table)
    console.print(f"{len(comps)} samples: {remote.misses} generated now, {remote.hits} from the store; a rerun made "
                  f"{rerun.misses} new calls.")
    it = Table(title="Who does the endpoint say it is?")
    for c in ("language", "n", "top identity", "rate [95% CI]", "no identity named"):
        it.add_column(c)
    for row in ident.summary_rows():
        ci = (f"{row['top_rate']:.2f} [{row['top_low']:.2f}, {row['top_high']:.2f}]"
              if row["top_rate"] is not None else "-")
        it.add_row(row["language"], str(row["n"]), row["top"], ci, f"{row['none_rate']:.2f}")
    console.print(it)
    vt = Table(title="verify: same distribution as zoo:smollm2-135m-instruct?")
    for c in ("endpoint", "test", "p-value", "effect size"):
        vt.add_column(c, overflow="fold")
    for label, rep in audits.items():
        for e in rep.evidence:
            vt.add_row(label, e.name, "-" if e.p_value is None else f"{e.p_value:.3g}",
                       "-" if e.effect_size is None else f"{e.effect_size:.3g}")
    console.print(vt)
    console.print(f"null of the combined test: {next(iter(audits.values())).combined.null}  "
                  "(effect definitions and per-test nulls: --json)")
    for label, rep in audits.items():
        console.print(f"[bold]{label}:[/] {rep.verdict}  ({rep.spend.calls_new} new endpoint calls, "
                      f"{rep.spend.calls_cached} from the store)")
    console.print(f"done in {summary['seconds']} s; samples in {store.path}")
    return summary
