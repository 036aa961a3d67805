"""Closed-setting radioactivity with power: is 5% watermarked training data detectable from the suspect's text only?

    python bench/radioactivity.py            # power curve, count students (toy language), ~20 min here (5 min CPU)
    python bench/radioactivity.py --smollm   # the earlier SmolLM2 experiment
    python bench/radioactivity.py --neural --fractions 0.05 ...   # tiny GPT-2 students: command and figures below

Power curve (default). Only the suspect's generated text is scored (closed setting), with each (window, token)
tuple counted once and a stated budget of distinct tuples; p-values are exact binomial tails.

1. Teacher: a toy language model with a known next-token distribution (a sparse random bigram model over
   ``--vocab`` tokens, ``--successors`` plausible next tokens each, Zipf-like weights: several nats of entropy
   per token, like fluent LM text). Watermarked text is sampled with KGW (delta 2, gamma 0.25, lefthash: the
   project's ``KGWScheme``, whose green lists are transformers' ``WatermarkLogitsProcessor``'s).
2. Students: bigram models fitted (maximum likelihood, add-``--smoothing``) on a ``--corpus``-token corpus of which a
   fraction f is watermarked. A count model is the most sample-efficient student of this teacher: it shows what the
   data carries, an upper bound on what a neural student trained on the same tokens inherits.
3. Each student generates text; ``closed_radioactivity(..., max_scored=B)`` scores B distinct tuples. Printed:
   p-value vs tuples scored vs f, next to ``tokens_needed`` (the budget the normal approximation says gives
   p < 1e-6 with 90% power at the student's measured excess hit rate).
4. Controls: the f = 0 student under ``--null-keys`` unrelated keys (p-values must be uniform: KS test and
   FPR at 0.05/0.01), and the f = 5% student under unrelated keys.

Neural students (``--neural``): a tiny GPT-2 per fraction, trained on a 1M-token mixture from the same teacher,
sampled at temperature 1 (first token uniform, 50-token documents, batched with a KV cache); budgets are tokens of
the suspect's text read (``--read``), every distinct (previous token, token) tuple in them scored, once
(``count_cap`` 1: the plain exact binomial) and with capped counts (``--count-cap 4``: each distinct tuple weighs
min(occurrences, 4); exact weighted-binomial null, ``distillscope.stats.weighted_binomial``). The excess hit rate
(first occurrences) is measured on a separate 200k-token sample, not the scored one.

Measured 2026-12-07 (one core each through the shared CPU-slot wrapper, load average 2.4-4.9 on 2 shared cores):
1 layer, width 256, MLP 512, untied output layer, batch 32, lr 3e-3 one-cycle, 2 epochs; per student 190-425 s
training and 110-220 s sampling the 1M scored tokens (whole runs: 5% 713 s at load 3.7-4.9; 2% 376 s and 100%
370 s at load 2.2-3.1)::

    python bench/radioactivity.py --neural --corpus 1000000 --width 256 --layers 1 --inner 512 --untied \
        --batch 32 --neural-lr 3e-3 --neural-epochs 2 --read 32000 128000 512000 1000000 --count-cap 4 \
        --control-budget 32000 --cache teacher_1M.pt --fractions 0.05 --null-keys 100   # and 0.0 / 0.02 / 1.0

    f     train / held-out loss  excess   log10 p, cap 1 / cap 4, at tokens read (distinct tuples)
                                           32k (23.7k)    128k (73k)     512k (223k)     1M (378k)
    0     4.706 / 4.785          +0.0005  -0.90 / -1.30  -0.50 / -0.58  -0.04 / -0.17   -0.11 / -0.17
    0.02  4.709 / 4.780          +0.0029  -1.93 / -1.62  -2.24 / -2.58  -4.14 / -5.25   -2.67 / -4.65
    0.05  4.713 / 4.783          +0.0075  -4.08 / -4.28  -3.08 / -7.23  -3.19 / -11.12  -3.02 / -12.22
    1.0   4.217 / 5.441          +0.1445  -1432 / -1811  -1958 / -3211  -1550 / -4338   -1154 / -4174

    (the 100% student's held-out loss is on clean teacher text; distinct tuples at 1M: 316k)
    second student seed (``--student-seed 4 --fractions 0.05 --read 32000 128000 1000000 --null-keys 20``,
    912 s at load 3.3-4.2): 0.05  4.713 / 4.78  +0.0058  -7.46 / -9.18  -5.62 / -11.24  (1M: -6.36 / -17.22);
    its controls (20 unrelated keys, 32k read): KS p 0.52 (cap 1) and 0.90 (cap 4)
    controls, 32k tokens read, unrelated keys (KS p / FPR@0.05 / FPR@0.01, cap 1 then cap 4):
      f = 0 student, 200 keys:    0.71 / 0.065 / 0   and 0.88 / 0.05 / 0.005 (deciles flat: 18-30 and 15-23 per 20)
      f = 5% student, 100 keys:   0.18 / 0.03 / 0    and 0.15 / 0.06 / 0
    at 128k tokens read (the goal's budget; what ``--control-budget 128000`` runs), f = 2% student, 100 keys:
                                  0.37 / 0.04 / 0    and 0.47 / 0.06 / 0

**5% watermarked data is detected at p < 1e-6 from 128k tokens of the suspect's text** (73k distinct tuples;
log10 p = -7.2, and -12.2 at 1M tokens), with the capped-count score; the student's held-out loss is 4.78 nats
against the teacher's entropy 3.76 (2 epochs of 1M tokens: still not converged). The once-per-tuple score peaks
early (-4.1 at 32k tokens) and then falls (-3.0 at 1M).

What limited the earlier neural student (2 layers x 64, tied embeddings; loss 5.6; log10 p -1.5 at 128k tuples):

* **Rank.** The teacher is a random bigram, so its watermark is a random pattern over (previous token, token)
  pairs, and a GPT-2's logits over the previous token are a rank-``width`` bilinear form. The best rank-d
  approximation of the probability-weighted pattern ``P * (green - gamma)`` keeps 20% of its energy at d = 64,
  33% at 128, 51% at 256, 74% at 512; tying the output layer to the input embedding makes it worse (held-out loss
  after 400k tokens at width 256: 5.74 tied, 5.59 untied). Width 256 with an untied head (and a 1-layer, MLP-512
  body to pay for it on one core): trained on 400k tokens of the 5% mixture, its token-level excess is 0.009,
  half the count student's 0.019 on the same data.
* **Learning rate.** lr 1e-2 stalls a width-256 student at log V (7.6 nats after 400k tokens); 3e-3 trains.
* **Dedup saturates.** The teacher has 2048 x 128 = 262k plausible tuples. Scored once each, the first tuples
  read are the student's likely (watermark-carrying) ones; a long read fills in rare ones that carry little, so
  the once-per-tuple excess falls as the read grows (count student at 5%: +0.019 over the first 32k distinct
  tuples, +0.010 over all 193k in 1M tokens; z stalls near 9.9 from 64k distinct tuples on), and a neural student
  that spreads mass off the teacher's support adds unlearned tuples (378k distinct in 1M tokens). So the 278k
  distinct tuples ``tokens_needed`` asked for exist, but not with the excess it was given (measured over ~100k
  tuples, it assumes a constant excess): the GPT-2 5% student's once-per-tuple log10 p is -4.1 at 23.7k distinct
  tuples and -3.0 at 378k. The repeats are where the
  signal keeps growing: a student that learned the watermark repeats its green continuations more often. Capped
  counts keep that while the null stays exact (weights depend on the text only); uncapped counts are dominated by
  the teacher's own Zipf head (count student, 1M tokens: z 8.9 once-per-tuple, 12.3 capped at 4, 12.2 at 16,
  9.3 at 64; 8.3 uncapped on another 1M-token sample).
* **Temperature** did not help the count student (T = 0.6 / 0.8 / 1.0 within noise at 100k-1M tokens); the
  generation length (50-token documents) and prompts (first token uniform) do not matter for a bigram teacher.

Controls "leaning high" (earlier: KS p 0.033 over 20 keys, 0.047 over 50): not reproduced. Those two samples were
largely one (the same f = 0 student text, the same first 16k tuples, keys unrelated-0..19 in both), and no p below
0.05 in 50 keys happens with probability 0.95^50 = 0.08 under uniformity. With 200 keys (GPT-2 f = 0 student,
above) and 300 keys (count f = 0 student, 16k tuples: KS p 0.80, FPR@0.05 0.06, deciles 24-36 per 30) the
p-values are uniform. One real, small and conservative effect remains: lefthash KGW's green lists hold exactly
gamma * V tokens, so distinct tokens after one context are drawn without replacement (hit-count variance times
(V - m) / (V - 1) for m distinct tokens after a context: 0.997 at 16k distinct tuples, about 0.91 at the 378k
of 1M tokens of the GPT-2 student), so the binomial upper tail is slightly conservative, more so on long reads.

The earlier student, for the record (2 layers x 64, tied, lr 1e-2, 2 epochs, budgets in distinct tuples, 324 s
at load 1.0-1.3): f = 0: log10 p -0.10 / -0.09 / -0.22 at 2k / 8k / 32k tuples; 5%: -0.80 / -1.56 / -1.31
(and -1.48 at 128k); 100%: -99 / -258 / -418; loss 5.6.

Why the earlier bench gave p = 0.37 at 5% (``--smollm``): 120 answers x 48 tokens, so the 5% student saw 6
watermarked answers (about 290 watermarked tokens), and the closed setting scored about 1,900 tuples from 40
prompts. Even a student that had fully absorbed a 5% mixture (excess hit rate about 0.015) needs about 17,000
scored tuples for p < 1e-6 (``tokens_needed(0.015)``), and one that saw only 290 watermarked tokens has almost
no excess at all: too few tokens scored *and* too little watermarked data, not a dedup or scoring defect.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time

import numpy as np
import torch

from distillscope.models import load_model
from distillscope.watermark import (
    Perturbation,
    WatermarkConfig,
    closed_radioactivity,
    open_radioactivity,
    utility_cost,
    watermark_model,
)

TOPICS = ["the ocean", "volcanoes", "bread", "chess", "the moon", "bees", "rain", "libraries", "trains", "music",
          "gardens", "winter", "mountains", "coffee", "robots", "rivers", "birds", "bicycles", "clocks", "maps",
          "forests", "stars", "cheese", "paper", "bridges", "islands", "deserts", "kites", "lighthouses", "tea"]
FORMS = ["Write a short paragraph about {}.", "Tell me three facts about {}.", "Describe {} to a child.",
         "Why do people like {}?"]


def prompts(n: int) -> list[str]:
    out = [f.format(t) for f in FORMS for t in TOPICS]
    return out[:n]


class PrunedStudent:
    """A tiny Llama over a subset of the teacher's token ids, exposing the HFModel bits radioactivity uses."""

    def __init__(self, keep: list[int], vocab: int, encode, seed: int, d: int = 64) -> None:
        from transformers import AutoModelForCausalLM

        from distillscope.zoo import tiny_config

        torch.manual_seed(seed)
        self.keep = torch.tensor(sorted(set(keep)))
        self.to_small = {int(t): i for i, t in enumerate(self.keep.tolist())}
        self.vocab, self.encode_text = vocab, encode
        cfg = tiny_config("llama", vocab_size=len(self.keep) + 1, d=d, layers=2)
        self.net = AutoModelForCausalLM.from_config(cfg)
        self.spec = f"pruned-student-s{seed}"
        outer = self

        class _Full:  # logits on the teacher's vocabulary; tokens outside the student's get -inf
            config = type("C", (), {"vocab_size": vocab})()

            def __call__(self, input_ids):
                small = torch.tensor([[outer.to_small.get(int(t), len(outer.keep)) for t in input_ids[0]]])
                z = outer.net(input_ids=small).logits[0, :, : len(outer.keep)]
                full = torch.full((1, z.shape[0], outer.vocab), -1e9)
                full[0][:, outer.keep] = z
                return type("O", (), {"logits": full})()

        self.model = _Full()

    def encode(self, text: str) -> list[int]:
        return self.encode_text(text)

    def fit(self, seqs: list[list[int]], epochs: int, lr: float = 3e-3, bs: int = 16) -> list[float]:
        data = [[self.to_small[t] for t in s] for s in seqs if len(s) > 1]
        L = max(len(s) for s in data)
        x = torch.zeros((len(data), L), dtype=torch.long)
        m = torch.zeros((len(data), L))
        for i, s in enumerate(data):
            x[i, : len(s)], m[i, : len(s)] = torch.tensor(s), 1
        opt = torch.optim.AdamW(self.net.parameters(), lr=lr)
        g = torch.Generator().manual_seed(0)
        self.net.train()
        losses = []
        for _ in range(epochs):
            perm = torch.randperm(len(data), generator=g)
            tot = 0.0
            for s in range(0, len(data), bs):
                idx = perm[s: s + bs]
                xb, mb = x[idx], m[idx]
                z = self.net(input_ids=xb, attention_mask=mb.long()).logits[:, :-1]
                ce = torch.nn.functional.cross_entropy(z.reshape(-1, z.shape[-1]), xb[:, 1:].reshape(-1),
                                                       reduction="none")
                loss = (ce * mb[:, 1:].reshape(-1)).sum() / mb[:, 1:].sum()
                opt.zero_grad()
                loss.backward()
                opt.step()
                tot += float(loss.detach()) * len(idx)
            losses.append(tot / len(data))
        self.net.eval()
        return losses

    @torch.no_grad()
    def answer(self, prompt_ids: list[int], max_tokens: int, seed: int) -> list[int]:
        g = torch.Generator().manual_seed(seed)
        ids = list(prompt_ids)
        out = []
        for _ in range(max_tokens):
            z = self.model(torch.tensor([ids])).logits[0, -1]
            t = int(torch.multinomial(torch.softmax(z, -1), 1, generator=g))
            out.append(t)
            ids.append(t)
        return out


def smollm_main(args: argparse.Namespace) -> None:
    """The earlier experiment: SmolLM2 answers, pruned-vocabulary students, open and closed settings."""
    torch.set_num_threads(args.threads)
    from distillscope.distill.sequences import teacher_answers

    t0 = time.time()
    cfg = WatermarkConfig(key="bench-radioactivity-secret", gamma=0.25, delta=2.0)
    teacher = load_model("zoo:smollm2-135m-instruct")
    vocab = int(teacher.model.config.vocab_size)
    ps = prompts(args.prompts)
    wm = watermark_model(teacher, cfg)
    ans_w = teacher_answers(wm, ps, max_tokens=args.max_tokens, temperature=1.0)
    ans_c = teacher_answers(teacher, ps, max_tokens=args.max_tokens, temperature=1.0)
    t_gen = time.time() - t0
    ids_w = [a.token_ids for a in ans_w]
    ids_c = [a.token_ids for a in ans_c]
    n5 = max(1, round(0.05 * len(ps)))
    mix5 = ids_w[:n5] + ids_c[n5:]
    results: dict[str, object] = {"prompts": len(ps), "teacher_tokens": sum(map(len, ids_w + ids_c)),
                                  "generation_s": round(t_gen, 1), "key_id": cfg.key_id}
    keep = [t for s in ids_w + ids_c for t in s]
    students = {"100%": ids_w, "5%": mix5, "control": ids_c}
    read_sets = {"100%": ids_w, "5%": ids_w[:n5], "control": ids_w}
    rows = []
    for name, data in students.items():
        st = PrunedStudent(keep, vocab, teacher.encode, seed=1)
        t = time.time()
        losses = st.fit(data, args.epochs, lr=args.lr)
        row = {"student": name, "train_s": round(time.time() - t, 1), "final_loss": round(losses[-1], 3)}
        ev = open_radioactivity(st, read_sets[name], cfg, vocab_size=vocab)
        c = ev.details["counts"]
        row.update(open_p=ev.p_value, open_log10p=c["log10_p"], open_scored=c["n_scored"], open_rate=round(c["rate"], 3))
        if name == "control":  # the control must also be null on the 5% student's texts
            ev5 = open_radioactivity(st, ids_w[:n5], cfg, vocab_size=vocab)
            row["open_p_on_5%_texts"] = ev5.p_value
            nulls = [open_radioactivity(st, ids_w, WatermarkConfig(key=f"other-{k}"), vocab_size=vocab).p_value
                     for k in range(args.null_keys)]
            from scipy import stats

            row["other_keys_fpr@0.05"] = sum(p < 0.05 for p in nulls) / len(nulls)
            row["other_keys_ks_p"] = float(stats.kstest(nulls, "uniform").pvalue)
        cps = ps[: args.closed_prompts]
        gens = [st.answer(teacher.encode(teacher.render(p)), args.max_tokens, seed=i) for i, p in enumerate(cps)]
        evc = closed_radioactivity(gens, cfg, tokenizer=teacher.tokenizer, vocab_size=vocab,
                                   prompts=[teacher.render(p) for p in cps])
        row.update(closed_p=evc.p_value, closed_log10p=evc.details["counts"]["log10_p"],
                   closed_scored=evc.details["counts"]["n_scored"])
        rows.append(row)
        print(json.dumps(row), flush=True)
    results["students"] = rows
    texts = [a.text for a in ans_c[:24]]
    results["utility_cost"] = {
        "kgw_delta2": utility_cost(teacher, texts, watermark=cfg),
        "temperature_x1.3": utility_cost(teacher, texts, perturbation=Perturbation(temperature_factor=1.3)),
        "logit_noise_1.0": utility_cost(teacher, texts, perturbation=Perturbation(logit_noise=1.0), n_noise=2),
    }
    results["total_s"] = round(time.time() - t0, 1)
    print(json.dumps(results, indent=1, default=lambda x: None if isinstance(x, float) and math.isnan(x) else x))


# --- closed-setting power curve on a toy language ---------------------------------------------------------------
class ToyLanguage:
    """A sparse random bigram LM: token a is followed by one of ``successors`` tokens with Zipf-like weights."""

    def __init__(self, vocab: int, successors: int, seed: int = 0) -> None:
        g = torch.Generator().manual_seed(seed)
        self.vocab = vocab
        self.logits = torch.full((vocab, vocab), -1e9)
        for a in range(vocab):
            nxt = torch.randperm(vocab, generator=g)[:successors]
            w = -torch.log(torch.arange(1, successors + 1, dtype=torch.float)) * 1.0
            self.logits[a, nxt] = w[torch.randperm(successors, generator=g)] + 0.5 * torch.randn(successors, generator=g)

    def sample(self, logits_table: torch.Tensor, n_docs: int, length: int, seed: int) -> torch.Tensor:
        g = torch.Generator().manual_seed(seed)
        x = torch.randint(0, self.vocab, (n_docs, 1), generator=g)
        out = [x[:, 0]]
        cur = x[:, 0]
        for _ in range(length - 1):
            cur = torch.multinomial(torch.softmax(logits_table[cur], -1), 1, generator=g)[:, 0]
            out.append(cur)
        return torch.stack(out, 1)


def green_table(cfg: WatermarkConfig, vocab: int) -> torch.Tensor:
    """KGW green masks for every previous token, from the project's scheme (rows: previous token)."""
    from distillscope.watermark import make_scheme

    scheme = make_scheme(cfg, vocab)
    return torch.stack([scheme.token_scores([a]) for a in range(vocab)])


def bigram_student(docs: torch.Tensor, vocab: int, smoothing: float) -> torch.Tensor:
    """Log-probability table of a bigram model fitted by counting (add-``smoothing``)."""
    a, b = docs[:, :-1].reshape(-1), docs[:, 1:].reshape(-1)
    counts = torch.bincount(a * vocab + b, minlength=vocab * vocab).reshape(vocab, vocab).float()
    return torch.log((counts + smoothing) / (counts + smoothing).sum(-1, keepdim=True))


def _teacher_corpora(args: argparse.Namespace):
    """The watermark config, toy teacher, green table, watermarked logits, clean and watermarked corpora, entropy.

    With ``--cache FILE`` the two corpora (the slow part, deterministic given the arguments) are saved there on
    the first run and read back on later runs with the same vocabulary, successors, corpus and document length."""
    cfg = WatermarkConfig(key="bench-radioactivity-secret", gamma=0.25, delta=2.0)
    lang = ToyLanguage(args.vocab, args.successors, seed=0)
    green = green_table(cfg, args.vocab)
    wm_logits = lang.logits + cfg.delta * green
    n_docs = args.corpus // args.doc_len
    sig = [args.vocab, args.successors, args.corpus, args.doc_len]
    cache = getattr(args, "cache", None)
    saved = torch.load(cache) if cache and os.path.exists(cache) else None
    if saved is not None and saved["sig"] == sig:
        clean, marked = saved["clean"], saved["marked"]
    else:
        clean = lang.sample(lang.logits, n_docs, args.doc_len, seed=1)
        marked = lang.sample(wm_logits, n_docs, args.doc_len, seed=2)
        if cache:
            torch.save({"sig": sig, "clean": clean, "marked": marked}, cache)
    p = torch.softmax(lang.logits, -1)
    ent = float(-(p * torch.log(p.clamp(min=1e-30))).sum(-1).mean())
    return cfg, lang, green, wm_logits, n_docs, clean, marked, ent


def power_main(args: argparse.Namespace) -> None:
    from scipy import stats

    from distillscope.watermark import tokens_needed

    torch.set_num_threads(args.threads)
    t0 = time.time()
    cfg, lang, green, wm_logits, n_docs, clean, marked, ent = _teacher_corpora(args)
    teacher_green = float((torch.softmax(wm_logits, -1) * green).sum(-1).mean())
    print(json.dumps({"vocab": args.vocab, "teacher_entropy_nats": round(ent, 3), "corpus_tokens": args.corpus,
                      "watermarked_teacher_green_rate": round(teacher_green, 4), "gamma": cfg.gamma,
                      "key_id": cfg.key_id}), flush=True)
    budgets = sorted(args.budgets)
    n_gen = max(budgets) * 2 // args.doc_len + 1  # dedup drops repeats: generate twice the largest budget
    rows, suspects = [], {}
    for f in args.fractions:
        k = round(f * n_docs)
        corpus = torch.cat([marked[:k], clean[k:]])
        table = bigram_student(corpus, args.vocab, args.smoothing)
        gen = lang.sample(table, n_gen, args.doc_len, seed=100 + int(1000 * f))
        suspects[f] = gen
        excess = float((table.exp() * green).sum(-1).mean()) - cfg.gamma
        row = {"fraction": f, "watermarked_tokens": k * args.doc_len, "student_excess_hit_rate": round(excess, 4),
               "tokens_needed_p<1e-6_power0.9": tokens_needed(excess) if excess > 0 else None}
        for b in budgets:
            ev = closed_radioactivity(gen.tolist(), cfg, vocab_size=args.vocab, max_scored=b)
            c = ev.details["counts"]
            row[f"log10p@{b}"] = round(c["log10_p"], 2)
            row[f"scored@{b}"] = c["n_scored"]
        rows.append(row)
        print(json.dumps(row), flush=True)
    # controls: unrelated keys on the clean student (f = 0) and on the 5% student
    controls = {}
    for f in (0.0, 0.05):
        if f not in suspects:
            continue
        ps = [closed_radioactivity(suspects[f].tolist(), WatermarkConfig(key=f"unrelated-{j}", gamma=0.25),
                                   vocab_size=args.vocab, max_scored=args.control_budget).p_value
              for j in range(args.null_keys)]
        controls[f"f={f}"] = {"keys": len(ps), "ks_p": round(float(stats.kstest(ps, "uniform").pvalue), 4),
                              "fpr@0.05": float(np.mean(np.asarray(ps) < 0.05)),
                              "fpr@0.01": float(np.mean(np.asarray(ps) < 0.01)), "budget": args.control_budget}
    print(json.dumps({"controls": controls}), flush=True)
    head = ["fraction", "wm tokens", "excess", "needed"] + [f"log10 p @{b}" for b in budgets]
    print(" | ".join(head))
    print(" | ".join("---" for _ in head))
    for r in rows:
        print(" | ".join(str(x) for x in [r["fraction"], r["watermarked_tokens"], r["student_excess_hit_rate"],
                                          r["tokens_needed_p<1e-6_power0.9"]]
                         + [r[f"log10p@{b}"] for b in budgets]))
    goal = next((r for r in rows if abs(r["fraction"] - 0.05) < 1e-9), None)
    if goal is not None:
        meeting = [b for b in budgets if goal[f"log10p@{b}"] < -6]
        best = min(meeting) if meeting else max(budgets)
        print(f"5% watermarked: log10 p = {goal[f'log10p@{best}']} at {best} tuples scored "
              f"({'meets' if goal[f'log10p@{best}'] < -6 else 'misses'} p < 1e-6) | {round(time.time() - t0, 1)} s")


# --- neural student (--neural): a tiny GPT-2 trained on the same corpus mixture ----------------------------------
def neural_student(docs: torch.Tensor, vocab: int, block: int, epochs: int, lr: float, d: int, layers: int,
                   batch: int, seed: int, inner: int | None = None, tied: bool = True):
    """Train a tiny GPT-2 (``layers`` layers, width ``d``, MLP width ``inner`` (default 4d), context ``block``) on
    ``docs`` cut into ``block``-token pieces; ``tied``: the output layer shares the input embedding (GPT-2's
    default). Returns the model (eval mode) and the mean training loss of each epoch."""
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(seed)
    cfg = GPT2Config(vocab_size=vocab, n_positions=block, n_embd=d, n_layer=layers, n_head=max(1, d // 32),
                     n_inner=inner, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, bos_token_id=0,
                     eos_token_id=0, tie_word_embeddings=tied)
    net = GPT2LMHeadModel(cfg)
    x = docs[:, : docs.shape[1] // block * block].reshape(-1, block)
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=0.0)
    steps = epochs * math.ceil(len(x) / batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.05)
    g = torch.Generator().manual_seed(seed)
    net.train()
    losses = []
    for _ in range(epochs):
        perm, tot = torch.randperm(len(x), generator=g), 0.0
        for s in range(0, len(x), batch):
            xb = x[perm[s: s + batch]]
            loss = net(input_ids=xb, labels=xb).loss
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += float(loss.detach()) * len(xb)
        losses.append(tot / len(x))
    net.eval()
    return net, losses


@torch.no_grad()
def neural_loss(net, docs: torch.Tensor, block: int) -> float:
    """Mean next-token cross-entropy (nats) of ``net`` on ``docs`` cut into ``block``-token pieces."""
    x = docs[:, : docs.shape[1] // block * block].reshape(-1, block)
    return float(sum(net(input_ids=x[s: s + 256], labels=x[s: s + 256]).loss * len(x[s: s + 256])
                     for s in range(0, len(x), 256)) / len(x))


@torch.no_grad()
def neural_sample(net, vocab: int, n_docs: int, length: int, seed: int, batch: int = 512,
                  temperature: float = 1.0) -> torch.Tensor:
    """Sample ``n_docs`` documents of ``length`` tokens (first token uniform, KV cache)."""
    g = torch.Generator().manual_seed(seed)
    out = []
    for s in range(0, n_docs, batch):
        cur = torch.randint(0, vocab, (min(batch, n_docs - s), 1), generator=g)
        seq, past = [cur], None
        for _ in range(length - 1):
            o = net(input_ids=cur, past_key_values=past, use_cache=True)
            past = o.past_key_values
            cur = torch.multinomial(torch.softmax(o.logits[:, -1] / temperature, -1), 1, generator=g)
            seq.append(cur)
        out.append(torch.cat(seq, 1))
    return torch.cat(out)


def _control_row(text: list[list[int]], vocab: int, keys: int, caps: list[int]) -> dict[str, object]:
    """p-values of ``text`` (which no key below generated) under ``keys`` unrelated keys, for each count cap."""
    from scipy import stats

    out: dict[str, object] = {"keys": keys, "tokens_read": sum(map(len, text))}
    for cap in caps:
        ps = np.array([closed_radioactivity(text, WatermarkConfig(key=f"unrelated-{j}", gamma=0.25),
                                            vocab_size=vocab, count_cap=cap).p_value for j in range(keys)])
        out[f"cap{cap}"] = {"ks_p": round(float(stats.kstest(ps, "uniform").pvalue), 4),
                            "fpr@0.05": float(np.mean(ps < 0.05)), "fpr@0.01": float(np.mean(ps < 0.01)),
                            "min_p": float(ps.min()), "mean_p": round(float(ps.mean()), 4),
                            "deciles": np.histogram(ps, bins=10, range=(0, 1))[0].tolist()}
    return out


def neural_main(args: argparse.Namespace) -> None:
    """Same teacher and corpus mixtures as :func:`power_main`, with a tiny GPT-2 student per fraction; budgets are
    tokens of the suspect's text read, scored once per distinct tuple (count cap 1) and with capped counts."""
    from distillscope.watermark import tokens_needed

    torch.set_num_threads(args.threads)
    t0 = time.time()
    cfg, lang, _, _, n_docs, clean, marked, ent = _teacher_corpora(args)
    fresh = lang.sample(lang.logits, 250, args.doc_len, seed=9)  # 50k held-out clean teacher tokens
    caps = sorted({1, *args.count_cap})
    print(json.dumps({"student": f"gpt2 {args.layers}x{args.width} mlp {args.inner or 4 * args.width} "
                      f"ctx {args.block}{' untied' if args.untied else ''} batch {args.batch}",
                      "vocab": args.vocab, "teacher_entropy_nats": round(ent, 3),
                      "corpus_tokens": args.corpus, "epochs": args.epochs, "lr": args.lr,
                      "temperature": args.temperature, "count_caps": caps, "key_id": cfg.key_id,
                      "setup_s": round(time.time() - t0, 1)}), flush=True)
    reads = sorted(args.read)
    rows, suspects = [], {}
    for f in args.fractions:
        k = round(f * n_docs)
        corpus = torch.cat([marked[:k], clean[k:]])
        t = time.time()
        net, losses = neural_student(corpus, args.vocab, args.block, args.epochs, args.lr, args.width,
                                     args.layers, args.batch, seed=args.student_seed, inner=args.inner,
                                     tied=not args.untied)
        t_train = time.time() - t
        t = time.time()
        shift = 0 if args.student_seed == 3 else 10_000 * args.student_seed  # seed 3: the documented runs
        gen = neural_sample(net, args.vocab, -(-max(reads) // args.block), args.block,
                            seed=100 + int(1000 * f) + shift, temperature=args.temperature)
        t_gen = time.time() - t
        suspects[f] = gen
        if args.save_suspects:
            torch.save(suspects, args.save_suspects)
        # excess hit rate of first occurrences, on a separate 200k-token sample (not the one scored)
        held = neural_sample(net, args.vocab, 200_000 // args.block, args.block, seed=200 + int(1000 * f) + shift,
                             temperature=args.temperature)
        hc = closed_radioactivity(held.tolist(), cfg, vocab_size=args.vocab).details["counts"]
        excess = hc["rate"] - cfg.gamma
        row = {"fraction": f, "watermarked_tokens": k * args.doc_len, "train_loss": round(losses[-1], 3),
               "heldout_loss_clean": round(neural_loss(net, fresh, args.block), 3), "train_s": round(t_train, 1),
               "sample_s": round(t_gen, 1), "excess_first_occurrence": round(excess, 4),
               "tokens_needed_p<1e-6_power0.9": tokens_needed(excess) if excess > 0 else None}
        for b in reads:
            text = gen[: -(-b // args.block)].tolist()
            for cap in caps:
                c = closed_radioactivity(text, cfg, vocab_size=args.vocab, count_cap=cap).details["counts"]
                row[f"log10p@{b}/cap{cap}"] = round(c["log10_p"], 2)
            row[f"distinct@{b}"] = c["n_scored"]
        rows.append(row)
        print(json.dumps(row), flush=True)
        if f in (0.0, 0.05) and args.null_keys:  # the student's text under keys that did not watermark its data
            ctrl = _control_row(gen[: -(-args.control_budget // args.block)].tolist(), args.vocab, args.null_keys,
                                caps)
            print(json.dumps({f"controls f={f}": ctrl}), flush=True)
    head = ["fraction", "train loss", "held-out loss", "excess"] + [
        f"@{b} read: distinct, " + ", ".join(f"log10 p cap {c}" for c in caps) for b in reads]
    print(" | ".join(head))
    print(" | ".join("---" for _ in head))
    for r in rows:
        print(" | ".join(str(x) for x in [r["fraction"], r["train_loss"], r["heldout_loss_clean"],
                                          r["excess_first_occurrence"]]
                         + [", ".join(str(v) for v in [r[f"distinct@{b}"]] + [r[f"log10p@{b}/cap{c}"] for c in caps])
                            for b in reads]))
    print(f"total {round(time.time() - t0, 1)} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smollm", action="store_true", help="run the SmolLM2 student experiment instead")
    ap.add_argument("--prompts", type=int, default=120, help="(--smollm)")
    ap.add_argument("--max-tokens", type=int, default=48, help="(--smollm)")
    ap.add_argument("--epochs", type=int, default=30, help="(--smollm)")
    ap.add_argument("--lr", type=float, default=1e-2, help="(--smollm)")
    ap.add_argument("--closed-prompts", type=int, default=40, help="(--smollm)")
    ap.add_argument("--null-keys", type=int, default=100)
    ap.add_argument("--vocab", type=int, default=2048)
    ap.add_argument("--successors", type=int, default=128)
    ap.add_argument("--corpus", type=int, default=2_000_000, help="student training tokens")
    ap.add_argument("--doc-len", type=int, default=200)
    ap.add_argument("--smoothing", type=float, default=0.01)
    ap.add_argument("--fractions", type=float, nargs="*", default=[0.0, 0.01, 0.02, 0.05, 0.1, 1.0])
    ap.add_argument("--budgets", type=int, nargs="*", default=[2_000, 8_000, 32_000, 64_000])
    ap.add_argument("--control-budget", type=int, default=16_000)
    ap.add_argument("--neural", action="store_true", help="tiny GPT-2 students instead of bigram counts")
    ap.add_argument("--layers", type=int, default=2, help="(--neural)")
    ap.add_argument("--width", type=int, default=64, help="(--neural)")
    ap.add_argument("--block", type=int, default=50, help="(--neural) context length")
    ap.add_argument("--batch", type=int, default=64, help="(--neural) sequences per step")
    ap.add_argument("--neural-epochs", dest="epochs_n", type=int, default=1, help="(--neural)")
    ap.add_argument("--neural-lr", dest="lr_n", type=float, default=3e-3, help="(--neural)")
    ap.add_argument("--inner", type=int, default=None, help="(--neural) MLP width (default 4 x width)")
    ap.add_argument("--student-seed", type=int, default=3, help="(--neural) initialisation/order/sampling seed")
    ap.add_argument("--untied", action="store_true", help="(--neural) output layer not tied to the input embedding")
    ap.add_argument("--cache", default=None, help="file to keep the teacher corpora in between runs")
    ap.add_argument("--read", type=int, nargs="*", default=[32_000, 128_000, 512_000, 1_000_000],
                    help="(--neural) budgets: tokens of the suspect's text read")
    ap.add_argument("--count-cap", type=int, nargs="*", default=[4],
                    help="(--neural) also score with each distinct tuple weighted by min(occurrences, cap)")
    ap.add_argument("--save-suspects", default=None, help="(--neural) torch.save the scored suspect texts here")
    ap.add_argument("--temperature", type=float, default=1.0, help="(--neural) the suspect's sampling temperature")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.smollm:
        smollm_main(args)
    elif args.neural:
        args.epochs, args.lr = args.epochs_n, args.lr_n
        neural_main(args)
    else:
        power_main(args)


if __name__ == "__main__":
    main()
