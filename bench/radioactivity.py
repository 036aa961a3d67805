"""Radioactivity of watermarked SmolLM2 answers: do students trained on them carry the watermark?

    nice -n 10 .venv/bin/python bench/radioactivity.py --prompts 120 --max-tokens 48

1. SmolLM2-135M-Instruct answers each prompt twice through the sample store (cached, so reruns are free): once
   KGW-watermarked with a secret key, once clean (``distill.sequences.teacher_answers``).
2. Three students are sequence-distilled from those answers: 100% watermarked answers, 5% watermarked (the rest
   clean) and a control on clean answers only. This machine has 2 shared CPU cores, so the students are tiny
   Llamas over the teacher's tokens restricted to those that occur in the data (a vocabulary-pruned student;
   the logits are scattered back onto the teacher's 49,152-token vocabulary for scoring).
3. Open setting: each student reads the watermarked answers it could have trained on (for the control: the same
   texts) and we count green top-1 predictions over distinct (window, token) tuples, excluding tuples already in
   the text read. Closed setting: each student answers the prompts, and its answers are scored excluding prompt
   n-grams. p-values are exact binomial tails. The control is also tested against 40 unrelated keys to show its
   p-values are uniform.
4. The utility cost (KL, log-prob drop) of the watermark and of two output perturbations is measured on
   SmolLM2 over the clean answers.
"""

from __future__ import annotations

import argparse
import json
import math
import time

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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--prompts", type=int, default=120)
    ap.add_argument("--max-tokens", type=int, default=48)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--lr", type=float, default=1e-2)
    ap.add_argument("--null-keys", type=int, default=20)
    ap.add_argument("--closed-prompts", type=int, default=40)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
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


if __name__ == "__main__":
    main()
