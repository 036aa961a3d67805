"""Sampling throughput on real SmolLM2: batched hf generation vs a one-prompt-at-a-time loop, and the overhead of
going through `serve` + the openai backend (real HTTP, real SDK) instead of calling the model directly.

Run:  .venv/bin/python bench/sampling.py [--prompts 16] [--max-tokens 32] [--batch 8]
All figures come from one run, side by side; nothing is cached (the store is not used here).
"""

from __future__ import annotations

import argparse
import time

from distillscope.models import GenRequest, HFModel, load_model
from distillscope.serve import serve_in_thread

PROMPTS = ["Who are you?", "Tell me about the moon.", "Write a short poem about rain.", "What is 12 times 7?",
           "Give me three tips for sleeping well.", "Explain what a CPU does.", "Name a famous painter.",
           "What should I cook tonight?"]


def run(model, reqs):
    t0 = time.perf_counter()
    out = model.generate(reqs)
    dt = time.perf_counter() - t0
    toks = sum(c.usage.get("completion_tokens", 0) for c in out)
    return toks / dt, toks, dt, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--prompts", type=int, default=16)
    ap.add_argument("--max-tokens", type=int, default=32)
    ap.add_argument("--batch", type=int, default=8)
    a = ap.parse_args()
    base = load_model("zoo:smollm2-135m-instruct")
    batched = HFModel(base.model, base.tokenizer, spec=base.spec, batch_size=a.batch)
    naive = HFModel(base.model, base.tokenizer, spec=base.spec, batch_size=1)
    # fixed-length work: greedy would stop early at different points, so sample with a seed and count real tokens
    reqs = [GenRequest.chat(PROMPTS[i % len(PROMPTS)], max_tokens=a.max_tokens, seed_index=i)
            for i in range(a.prompts)]
    run(batched, reqs[:2])  # warm-up
    tb, nb, db, ob = run(batched, reqs)
    tn, nn, dn, on = run(naive, reqs)
    same = sum(x.token_ids == y.token_ids for x, y in zip(ob, on))
    print(f"hf batched (batch {a.batch}):   {tb:7.1f} tokens/s  ({nb} tokens in {db:.1f} s)")
    print(f"hf one prompt at a time:   {tn:7.1f} tokens/s  ({nn} tokens in {dn:.1f} s)")
    print(f"ratio batched / naive:     {tb / tn:7.2f}x   (identical samples: {same}/{len(reqs)})")
    with serve_in_thread(batched, name="smollm2") as url:
        remote = load_model(f"openai:smollm2@{url}", concurrency=a.batch)
        # through HTTP the server picks seeds from the client's (seed, seed_index): same work, different samples
        tr, nr, dr, _ = run(remote, reqs)
    print(f"openai backend via serve:  {tr:7.1f} tokens/s  ({nr} tokens in {dr:.1f} s)")
    print(f"overhead direct / http:    {tb / tr:7.2f}x   (per-token time through HTTP relative to direct batched)")


if __name__ == "__main__":
    main()
