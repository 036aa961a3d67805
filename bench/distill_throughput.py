"""Throughput and memory of cached sparse-logit distillation vs on-the-fly teacher forward passes (and TRL GKD).

Run (a few minutes on an idle 2-core machine; prefix with ``nice -n 10`` on a shared one)::

    python bench/distill_throughput.py                      # SmolLM2-135M-Instruct -> tiny student
    python bench/distill_throughput.py --steps 60 --no-trl

Every mode trains the same freshly initialised student (same seed, data order, steps, optimizer, forward KL with
alpha = 1) and is measured in its own subprocess, so peak RSS is that mode's alone:

* ``cached``    teacher top-k (k=20) log-probs read from the Parquet logit cache; no teacher in memory.
* ``onthefly``  teacher forward pass on every batch, dense KL (teacher and student in memory together).
* ``trl``       TRL's GKDTrainer (lmbda=0: off-policy, beta=0: forward KL) on the same batches, if TRL imports.

Reported per mode: target tokens/s of training, the held-out KL(teacher || student) reached, peak RSS during
training. The one-time cache build is reported separately, and amortised over one epoch's worth of training.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _load_examples(work: Path, name: str):
    from distillscope.distill.data import Example

    return [Example(e["ids"], e["t"]) for e in json.loads((work / f"{name}.json").read_text())]


def prepare(args: argparse.Namespace, work: Path) -> dict:
    from distillscope.distill.cache import build_logit_cache
    from distillscope.distill.data import corpus_texts, encode_texts
    from distillscope.distill.provenance import weights_hash
    from distillscope.distill.run import split_heldout
    from distillscope.models import load_model

    teacher = load_model(args.teacher)
    ex = encode_texts(teacher.tokenizer, corpus_texts(args.n_data, seed=1), args.max_len)
    train_ex, held = split_heldout(ex, 0.15, 0)
    for name, xs in (("train", train_ex), ("heldout", held)):
        (work / f"{name}.json").write_text(json.dumps([{"ids": e.input_ids, "t": e.targets} for e in xs]))
    n_t = sum(e.n_targets for e in train_ex)
    t0 = time.perf_counter()
    cache = build_logit_cache(teacher, train_ex, work / "cache", k=args.k, teacher_hash=weights_hash(teacher.model))
    secs = time.perf_counter() - t0
    return {"cache_build_s": secs, "cache_build_tok_s": n_t / secs, "cache_bytes": cache.nbytes,
            "dense_bytes_equivalent": n_t * teacher.vocab_size * 4, "train_targets": n_t,
            "train_sequences": len(train_ex), "heldout_targets": sum(e.n_targets for e in held)}


def run_mode(args: argparse.Namespace, work: Path) -> dict:
    import torch

    from distillscope.distill.cache import LogitCache
    from distillscope.distill.run import dense_step, heldout_kl, logits_step
    from distillscope.distill.student import build_student
    from distillscope.distill.train import TrainConfig, train

    cfg = TrainConfig(steps=args.steps, batch_size=args.batch_size, lr=args.lr, warmup=max(1, args.steps // 10),
                      alpha=1.0, kind="forward", seed=0, checkpoint_every=10**9)
    train_ex = _load_examples(work, "train")
    tok = _tokenizer(args.teacher)
    rss0 = _rss_mb()
    teacher = None
    if args.mode != "cached":
        from distillscope.models import load_model

        teacher = load_model(args.teacher)
    student, _ = build_student(args.student_config, tok, seed=0)
    pad = int(tok.pad_token_id or 0)
    if args.mode == "cached":
        seqs = LogitCache(work / "cache").sequences()
        res = train(student, len(seqs), logits_step(seqs, cfg, pad), cfg, show_progress=False)
        secs, ntok = res.seconds, res.target_tokens
    elif args.mode == "onthefly":
        res = train(student, len(train_ex), dense_step(teacher.model, train_ex, cfg, pad), cfg, show_progress=False)
        secs, ntok = res.seconds, res.target_tokens
    else:
        secs, ntok = _train_trl(args, student, teacher.model, tok, train_ex)
    rss_train = _rss_mb()
    if teacher is None:
        from distillscope.models import load_model

        teacher = load_model(args.teacher)
    student.eval()
    ev = heldout_kl(teacher.model, student, _load_examples(work, "heldout"), pad_id=pad)
    torch.set_grad_enabled(True)
    return {"mode": args.mode, "train_s": secs, "target_tokens": ntok, "tok_s": ntok / secs,
            "peak_rss_mb": rss_train, "rss_before_models_mb": rss0, "heldout_kl": ev["kl"],
            "heldout_student_ce": ev["student_ce"], "teacher_ce": ev["teacher_ce"]}


def _tokenizer(spec: str):
    """The teacher's tokenizer without loading the teacher's weights (the cached mode must not hold them)."""
    from transformers import AutoTokenizer

    from distillscope.models import gguf_cache_dir
    from distillscope.zoo import gguf_path, tiny_tokenizer

    if spec.startswith("zoo:tiny-"):
        return tiny_tokenizer()
    if spec.startswith("zoo:"):
        conv = gguf_cache_dir(gguf_path(spec[4:]))
        if (conv / "tokenizer_config.json").exists():
            return AutoTokenizer.from_pretrained(str(conv))
    if spec.startswith("hf:"):
        return AutoTokenizer.from_pretrained(spec[3:])
    from distillscope.models import load_model

    return load_model(spec).tokenizer


def _train_trl(args: argparse.Namespace, student, teacher_model, tok, train_ex) -> tuple[float, int]:
    import torch
    from datasets import Dataset
    from trl.experimental.gkd import GKDConfig, GKDTrainer

    from distillscope.distill.train import batch_order

    # Exactly our batches, in our order: a dataset of batch indices, one row per step, batch size 1 in TRL's eyes.
    rows = [{"idx": batch_order(len(train_ex), args.batch_size, s, 0)} for s in range(args.steps)]

    def collate(items):
        exs = [train_ex[i] for i in items[0]["idx"]]
        width = max(len(e.input_ids) for e in exs)
        pad = int(tok.pad_token_id or 0)
        ids = torch.full((len(exs), width), pad, dtype=torch.long)
        attn = torch.zeros_like(ids)
        labels = torch.full_like(ids, -100)
        for i, e in enumerate(exs):
            n = len(e.input_ids)
            ids[i, :n] = torch.tensor(e.input_ids)
            attn[i, :n] = 1
            t = torch.tensor(e.targets)
            labels[i, :n] = torch.where(t, ids[i, :n], torch.full_like(ids[i, :n], -100))
        return {"input_ids": ids, "attention_mask": attn, "labels": labels}

    out = Path(tempfile.mkdtemp(prefix="gkd-"))
    cfg = GKDConfig(output_dir=str(out), per_device_train_batch_size=1, max_steps=args.steps, learning_rate=args.lr,
                    lr_scheduler_type="cosine", warmup_steps=max(1, args.steps // 10), lmbda=0.0, beta=0.0,
                    temperature=1.0, max_grad_norm=1.0, save_strategy="no", report_to="none", logging_steps=10,
                    use_cpu=True, seed=0, dataloader_num_workers=0, disable_tqdm=True, max_length=args.max_len)
    trainer = GKDTrainer(model=student, teacher_model=teacher_model, args=cfg, train_dataset=Dataset.from_list(rows),
                         processing_class=tok, data_collator=collate)
    trainer.args.shuffle = False
    trainer._get_train_sampler = lambda *a, **k: torch.utils.data.SequentialSampler(trainer.train_dataset)
    t0 = time.perf_counter()
    trainer.train()
    secs = time.perf_counter() - t0
    ntok = sum(sum(train_ex[i].targets[1:]) for r in rows for i in r["idx"])
    return secs, ntok


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--teacher", default="zoo:smollm2-135m-instruct")
    p.add_argument("--student-config", default="tiny")
    p.add_argument("--n-data", type=int, default=60, help="corpus paragraphs")
    p.add_argument("--max-len", type=int, default=64)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--k", type=int, default=20)
    p.add_argument("--no-trl", action="store_true")
    p.add_argument("--mode", default=None, help=argparse.SUPPRESS)
    p.add_argument("--work", default=None, help=argparse.SUPPRESS)
    p.add_argument("--json-out", default=None, help="also write the results here")
    args = p.parse_args()
    if args.mode:  # child process
        work = Path(args.work)
        res = prepare(args, work) if args.mode == "prepare" else run_mode(args, work)
        (work / f"{args.mode}.result.json").write_text(json.dumps(res))
        return

    work = Path(tempfile.mkdtemp(prefix="distill-bench-"))
    modes = ["prepare", "cached", "onthefly"]
    if not args.no_trl:
        try:
            import trl.experimental.gkd  # noqa: F401

            modes.append("trl")
        except Exception as e:  # noqa: BLE001 - TRL missing or incompatible: say so, measure the rest
            print(f"TRL GKDTrainer unavailable ({type(e).__name__}: {e}); skipping it.", file=sys.stderr)
    results = {}
    passthrough = [a for a in sys.argv[1:] if a not in ("--no-trl",)]
    for mode in modes:
        print(f"[bench] {mode} ...", file=sys.stderr, flush=True)
        r = subprocess.run([sys.executable, __file__, *passthrough, "--mode", mode, "--work", str(work)],
                           env={**os.environ}, capture_output=True, text=True, check=False)
        f = work / f"{mode}.result.json"
        if r.returncode != 0 or not f.exists():
            print(f"[bench] {mode} failed:\n{r.stderr[-3000:]}", file=sys.stderr)
            if mode == "prepare":
                sys.exit(1)
            continue
        results[mode] = json.loads(f.read_text())
    prep = results.pop("prepare")
    base = results.get("onthefly")
    print(f"\nteacher {args.teacher} -> student config {args.student_config}; {prep['train_sequences']} sequences, "
          f"{prep['train_targets']} target tokens, {args.steps} steps x {args.batch_size} sequences, "
          f"held-out {prep['heldout_targets']} tokens")
    print(f"logit cache: built in {prep['cache_build_s']:.1f} s ({prep['cache_build_tok_s']:.0f} tok/s), "
          f"{prep['cache_bytes'] / 1e6:.2f} MB on disk (dense float32 would be "
          f"{prep['dense_bytes_equivalent'] / 1e9:.2f} GB)")
    print(f"\n{'mode':<10} {'tok/s':>8} {'x vs on-the-fly':>16} {'held-out KL':>12} {'peak RSS MB':>12}")
    for mode, r in results.items():
        ratio = r["tok_s"] / base["tok_s"] if base else float("nan")
        print(f"{mode:<10} {r['tok_s']:>8.1f} {ratio:>16.2f} {r['heldout_kl']:>12.4f} {r['peak_rss_mb']:>12.0f}")
    if "cached" in results and base:
        c = results["cached"]
        amort = c["target_tokens"] / (c["train_s"] + prep["cache_build_s"])
        print(f"\ncached incl. building the cache in this run ({c['target_tokens'] / prep['train_targets']:.1f} epochs):"
              f" {amort:.1f} tok/s ({amort / base['tok_s']:.2f}x on-the-fly); the cache is reused by every later "
              "run on the same data (other students, seeds, hyperparameters).")
        print(f"peak memory: cached {c['peak_rss_mb']:.0f} MB vs teacher+student {base['peak_rss_mb']:.0f} MB "
              f"({c['peak_rss_mb'] / base['peak_rss_mb']:.2f}x)")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"prepare": prep, **results, "args": vars(args)}, indent=2))


if __name__ == "__main__":
    main()
