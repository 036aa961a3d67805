"""Sampling throughput on real SmolLM2: our batched ``hf:`` loop vs transformers' ``model.generate`` at the same
batch sizes, a one-prompt-at-a-time check that batching does not change any sample, and (``--http``) the overhead
of going through `serve` + the openai backend.

Run:  .venv/bin/python bench/sampling.py [--batches 8 32] [--max-tokens 40] [--rounds 2] [--http]

All figures come from one run, side by side, on the same prompts, sampling settings (temperature 1, top-p 1, no
top-k) and stop tokens; nothing is cached (the store is not used). Throughput counts the tokens each method kept
(up to and excluding a stop token), so a method that keeps stepping finished rows pays for it. Both run
single-threaded unless ``--threads`` says otherwise; the order (ours, generate) alternates between rounds and the
best round of each is reported, which damps the noise of a shared machine.
"""

from __future__ import annotations

import argparse
import time

import torch

from distillscope.models import GenRequest, HFModel, load_model

PROMPTS = ["Who are you?", "Tell me about the moon.", "Write a short poem about rain.", "What is 12 times 7?",
           "Give me three tips for sleeping well.", "Explain what a CPU does.", "Name a famous painter.",
           "What should I cook tonight?"]


def ours(model: HFModel, reqs: list[GenRequest]) -> tuple[int, float, list]:
    t0 = time.perf_counter()
    out = model.generate(reqs)
    return sum(len(c.token_ids) for c in out), time.perf_counter() - t0, out


def hf_generate(model: HFModel, reqs: list[GenRequest], batch: int, max_tokens: int) -> tuple[int, float]:
    """transformers' ``generate`` on the same left-padded batches (prompts sorted by length, as ours does)."""
    enc = sorted((model.encode(model.render(r)) for r in reqs), key=len)
    stops = sorted(model.stop_ids)
    pad = int(model.tokenizer.pad_token_id)
    toks = 0
    t0 = time.perf_counter()
    for s in range(0, len(enc), batch):
        chunk = enc[s : s + batch]
        w = max(len(e) for e in chunk)
        ids = torch.tensor([[pad] * (w - len(e)) + e for e in chunk])
        attn = torch.tensor([[0] * (w - len(e)) + [1] * len(e) for e in chunk])
        with torch.no_grad():
            out = model.module.generate(input_ids=ids, attention_mask=attn, do_sample=True, temperature=1.0,
                                        top_p=1.0, top_k=0, max_new_tokens=max_tokens, eos_token_id=stops,
                                        pad_token_id=pad)
        for row in out[:, ids.shape[1] :].tolist():
            toks += next((k for k, t in enumerate(row) if t in model.stop_ids), len(row))
    return toks, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batches", type=int, nargs="+", default=[8, 32])
    ap.add_argument("--requests-per-batch", type=int, default=2, help="requests = this x batch size")
    ap.add_argument("--max-tokens", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--single", type=int, default=8, help="requests re-sampled one at a time (identity check)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--http", action="store_true", help="also time the openai backend through `serve`")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    t0 = time.perf_counter()
    base = load_model("zoo:smollm2-135m-instruct")
    print(f"model load: {time.perf_counter() - t0:.1f} s")
    torch.manual_seed(0)
    rows = []
    for batch in a.batches:
        m = HFModel(base.module, base.tokenizer, spec=base.spec, batch_size=batch)
        reqs = [GenRequest.chat(PROMPTS[i % len(PROMPTS)], max_tokens=a.max_tokens, seed_index=i)
                for i in range(a.requests_per_batch * batch)]
        ours(m, reqs[:2])  # warm-up
        best_o, best_g = 0.0, 0.0
        for r in range(a.rounds):
            order = ("o", "g") if r % 2 == 0 else ("g", "o")
            for which in order:
                if which == "o":
                    n, dt, out = ours(m, reqs)
                    best_o = max(best_o, n / dt)
                else:
                    n, dt = hf_generate(m, reqs, batch, a.max_tokens)
                    best_g = max(best_g, n / dt)
        single = HFModel(base.module, base.tokenizer, spec=base.spec, batch_size=1)
        k = min(a.single, len(reqs))
        same = sum(x.token_ids == y.token_ids for x, y in zip(out[:k], single.generate(reqs[:k])))
        rows.append((batch, len(reqs), best_o, best_g, same, k))
    print(f"{'batch':>5s} {'requests':>8s} {'ours tok/s':>11s} {'generate tok/s':>15s} {'ratio':>6s}  "
          f"identical to one-at-a-time")
    for batch, n, o, g, same, k in rows:
        print(f"{batch:5d} {n:8d} {o:11.1f} {g:15.1f} {o / g:6.2f}  {same}/{k}")
    if a.http:
        from distillscope.serve import serve_in_thread

        m = HFModel(base.module, base.tokenizer, spec=base.spec, batch_size=a.batches[0])
        reqs = [GenRequest.chat(PROMPTS[i % len(PROMPTS)], max_tokens=a.max_tokens, seed_index=i)
                for i in range(2 * a.batches[0])]
        n, dt, _ = ours(m, reqs)
        with serve_in_thread(m, name="smollm2") as url:
            remote = load_model(f"openai:smollm2@{url}", concurrency=a.batches[0])
            t1 = time.perf_counter()
            out = remote.generate(reqs)
            dr = time.perf_counter() - t1
        nr = sum(c.usage.get("completion_tokens", 0) for c in out)
        print(f"openai backend via serve: {nr / dr:.1f} tok/s vs direct {n / dt:.1f} tok/s "
              f"(overhead {n / dt / (nr / dr):.2f}x)")


if __name__ == "__main__":
    main()
