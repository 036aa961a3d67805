"""End-to-end distillation runs: teacher + data -> trained student folder with provenance.json.

Methods:
  ``logits``     teacher top-k log-probs cached once (Parquet), student trained on the sparse KD loss (+ a little CE)
  ``sequences``  teacher answers to prompts generated through any backend (store-cached), student fine-tuned on them
  ``text``       a control: the student trained with hard labels on the same text, no teacher signal

Example::

    distillscope distill --teacher zoo:smollm2-135m-instruct --student-config tiny --method logits --out st/
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from distillscope.distill.config import METHODS, DistillConfig  # noqa: F401 - re-exported
from distillscope.distill.data import (
    Example,
    corpus_texts,
    data_hash,
    default_prompts,
    encode_chat,
    encode_texts,
    read_prompts,
    read_texts,
    tokenizer_hash,
)
from distillscope.distill.losses import distill_loss
from distillscope.distill.train import TrainConfig, TrainResult, collate_examples, config_key, train
from distillscope.errors import InputError
from distillscope.models.base import is_white_box


def split_heldout(examples: list[Example], frac: float, seed: int) -> tuple[list[Example], list[Example]]:
    """Deterministic train/held-out split (every ``1/frac``-th example after a seeded shuffle is held out)."""
    import random

    if frac <= 0:
        return examples, []
    idx = list(range(len(examples)))
    random.Random(seed + 17).shuffle(idx)
    n_held = max(1, round(len(examples) * frac))
    held = set(idx[:n_held])
    return [e for i, e in enumerate(examples) if i not in held], [e for i, e in enumerate(examples) if i in held]


@torch.no_grad()
def heldout_kl(teacher_model: Any, student_model: Any, examples: Sequence[Example], batch_size: int = 4,
               pad_id: int = 0) -> dict[str, float]:
    """Mean per-target-token forward KL(teacher || student) and the student's cross-entropy on ``examples``."""
    if not examples:
        return {"kl": float("nan"), "student_ce": float("nan"), "teacher_ce": float("nan"), "n_tokens": 0}
    kl_sum = ce_sum = tce_sum = 0.0
    n = 0
    for s in range(0, len(examples), batch_size):
        ids, attn, labels = collate_examples(examples[s : s + batch_size], pad_id)
        mask = labels != -100
        t = torch.log_softmax(teacher_model(input_ids=ids, attention_mask=attn).logits[:, :-1][mask].float(), -1)
        q = torch.log_softmax(student_model(input_ids=ids, attention_mask=attn).logits[:, :-1][mask].float(), -1)
        if t.shape != q.shape:
            raise InputError("Teacher and student vocabularies differ: KL needs a shared tokenizer.")
        kl_sum += float((t.exp() * (t - q)).sum())
        y = labels[mask]
        ce_sum += float(F.nll_loss(q, y, reduction="sum"))
        tce_sum += float(F.nll_loss(t, y, reduction="sum"))
        n += int(mask.sum())
    return {"kl": kl_sum / n, "student_ce": ce_sum / n, "teacher_ce": tce_sum / n, "n_tokens": n}


def logits_step(seqs: list[Any], cfg: TrainConfig, pad_id: int = 0) -> Any:
    """Step function for cached sparse-logit distillation (see :func:`distillscope.distill.train.train`)."""
    from distillscope.distill.cache import collate
    from distillscope.distill.losses import SparseTeacher

    def step(model: Any, idx: list[int]) -> tuple[torch.Tensor, dict[str, float], int]:
        ids, attn, labels, sp = collate([seqs[i] for i in idx], pad_id)
        mask = labels != -100
        logits = model(input_ids=ids, attention_mask=attn).logits[:, :-1][mask]
        teacher = SparseTeacher(sp.ids[mask], sp.logp[mask], sp.tail_logp[mask])
        loss, parts = distill_loss(logits, teacher, labels[mask], cfg.kind, cfg.beta, cfg.temperature, cfg.alpha)
        return loss, parts, int(mask.sum())

    return step


def dense_step(teacher_model: Any, examples: list[Example], cfg: TrainConfig, pad_id: int = 0) -> Any:
    """Step function with an on-the-fly full teacher forward pass per batch (the uncached baseline)."""

    def step(model: Any, idx: list[int]) -> tuple[torch.Tensor, dict[str, float], int]:
        ids, attn, labels = collate_examples([examples[i] for i in idx], pad_id)
        mask = labels != -100
        with torch.no_grad():
            t = teacher_model(input_ids=ids, attention_mask=attn).logits[:, :-1][mask]
        logits = model(input_ids=ids, attention_mask=attn).logits[:, :-1][mask]
        loss, parts = distill_loss(logits, t, labels[mask], cfg.kind, cfg.beta, cfg.temperature, cfg.alpha)
        return loss, parts, int(mask.sum())

    return step


def ce_step(examples: list[Example], pad_id: int = 0) -> Any:
    """Step function for hard-label training (sequence-level distillation and text controls)."""

    def step(model: Any, idx: list[int]) -> tuple[torch.Tensor, dict[str, float], int]:
        ids, attn, labels = collate_examples([examples[i] for i in idx], pad_id)
        mask = labels != -100
        logits = model(input_ids=ids, attention_mask=attn).logits[:, :-1][mask]
        loss = F.cross_entropy(logits.float(), labels[mask])
        return loss, {"ce": float(loss.detach())}, int(mask.sum())

    return step


def _load_teacher(spec: str) -> Any:
    from distillscope.models import load_model

    return load_model(spec)


def _make_student(cfg: DistillConfig, teacher_tok: Any) -> tuple[Any, Any, list[dict[str, Any]]]:
    from distillscope.distill.student import build_student, load_student

    if cfg.student:
        from distillscope.distill.provenance import weights_hash

        model, tok = load_student(cfg.student)
        return model, tok, [{"spec": cfg.student, "weights_sha256": weights_hash(model), "role": "init"}]
    if teacher_tok is None:
        raise InputError("--student-config needs the teacher's tokenizer, and this teacher is black-box. Give "
                         "--student hf:PATH (a checkpoint with its own tokenizer) instead.")
    model, tok = build_student(cfg.student_config or "tiny", teacher_tok, seed=cfg.seed)
    return model, tok, []


def _texts(cfg: DistillConfig) -> tuple[list[str], str]:
    if cfg.data:
        return read_texts(cfg.data, cfg.input_field)[: cfg.n_data], f"file:{Path(cfg.data).name}"
    return corpus_texts(cfg.n_data, seed=cfg.seed), "builtin:stdlib-docstrings"


def _prompts(cfg: DistillConfig) -> tuple[list[str], str]:
    if cfg.prompts:
        return read_prompts(cfg.prompts, cfg.input_field)[: cfg.n_data], f"file:{Path(cfg.prompts).name}"
    return default_prompts(cfg.n_data, seed=cfg.seed), "builtin:prompts.yaml"


def run_distill(cfg: DistillConfig, show_progress: bool = True, store: Any = None, teacher_model: Any = None,
                examples: list[Example] | None = None, source: str | None = None,
                extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run one distillation and write the student to ``cfg.out``. Returns a summary (also in provenance.json).

    Args:
        cfg: the run.
        store: SampleStore for teacher answers (default the user's store).
        teacher_model: an already loaded teacher Model (else loaded from ``cfg.teacher``).
        examples: ready training sequences (in the student's tokenizer) instead of ``cfg.data`` / ``cfg.prompts``;
            ``source`` names them in the manifest.
        extra: more fields for provenance.json (e.g. lineage relations).
    """
    from transformers.utils import logging as hf_logging

    from distillscope.distill.provenance import now, weights_hash, write_manifest

    cfg.validate()
    hf_logging.disable_progress_bar()  # Rich shows progress; transformers' per-shard bars would interleave
    started = now()
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    teacher = teacher_model or _load_teacher(cfg.teacher)
    white_box = is_white_box(teacher)
    t_tok = teacher.tokenizer if white_box else None
    # A black-box teacher that returns top_logprobs (an API) fills the same logit cache; its tokens must be
    # single tokens of the student's tokenizer, which cache_from_completions checks token by token.
    api_logits = cfg.method == "logits" and not white_box
    if api_logits and "logprobs" not in getattr(teacher, "capabilities", ()):
        raise InputError(f"{cfg.teacher} is black-box without logprobs: logit distillation needs its logits. "
                         "Use --method sequences.")
    if api_logits and cfg.student is None:
        raise InputError(f"{cfg.teacher} is an API teacher: give --student hf:PATH with the API model's tokenizer "
                         "for logit distillation from its top_logprobs, or use --method sequences.")
    student, s_tok, parents = _make_student(cfg, t_tok)
    from distillscope.distill.student import check_tokenizers

    if not api_logits:
        check_tokenizers(t_tok, s_tok, cfg.method)  # before any expensive work
    t_hash = weights_hash(teacher.module) if white_box else None
    teacher_info = {"spec": cfg.teacher, "weights_sha256": t_hash,
                    "declared_model": getattr(teacher, "name", None),
                    "tokenizer_sha256": tokenizer_hash(t_tok) if t_tok is not None else None}
    extra = dict(extra or {})
    sample_ids: list[str] = []
    api_cache = None
    if api_logits:
        from distillscope.distill.cache import cache_from_completions, cache_key
        from distillscope.distill.sequences import teacher_answers
        from distillscope.paths import cache_dir

        prompts, source = _prompts(cfg)
        comps = _with_progress(show_progress, "teacher answers + top_logprobs", len(prompts),
                               lambda cb: teacher_answers(teacher, prompts, cfg.answer_tokens, cfg.answer_temperature,
                                                          cfg.seed, store, top_logprobs=min(cfg.k, 20), progress=cb))
        sample_ids = [c.sample_id for c in comps if c.sample_id]
        api_cache = cache_from_completions(prompts, comps, s_tok, cache_dir("logits") / cache_key(
            cfg.teacher, sample_ids, cfg.k, tokenizer_hash(s_tok)), teacher_spec=cfg.teacher, k=min(cfg.k, 20))
        examples = [Example(list(map(int, q.input_ids)), [False] * int(q.target_pos[0]) + [True] * len(q.target_pos))
                    for q in api_cache.sequences()]
        extra["teacher_samples"] = {"n": len(comps), "sample_ids": sample_ids[:2000], "top_logprobs": min(cfg.k, 20)}
    elif examples is not None:
        source = source or "given examples"
    elif cfg.method == "sequences" or (cfg.method == "logits" and cfg.prompts):
        prompts, source = _prompts(cfg)
        from distillscope.distill.sequences import teacher_answers

        comps = _with_progress(show_progress, "teacher answers", len(prompts),
                               lambda cb: teacher_answers(teacher, prompts, cfg.answer_tokens,
                                                          cfg.answer_temperature, cfg.seed, store, progress=cb))
        sample_ids = [c.sample_id for c in comps if c.sample_id]
        tok = t_tok if cfg.method == "logits" else s_tok
        examples = [e for p, c in zip(prompts, comps) if (e := encode_chat(tok, p, c.text, cfg.max_len))]
        extra["teacher_samples"] = {"n": len(comps), "sample_ids": sample_ids[:2000],
                                    "temperature": cfg.answer_temperature, "max_tokens": cfg.answer_tokens}
    else:
        texts, source = _texts(cfg)
        examples = encode_texts(t_tok if cfg.method == "logits" else s_tok, texts, cfg.max_len)
    if not examples:
        raise InputError("No training examples after tokenisation: give more or longer texts/prompts.")
    train_ex, held_ex = split_heldout(examples, 0.0 if api_logits else cfg.heldout, cfg.seed)
    pad = int(s_tok.pad_token_id or 0)
    key = config_key(cfg.method, data_hash(train_ex), asdict(cfg.train), cfg.k, teacher_info["weights_sha256"],
                     cfg.student, cfg.student_config)
    cache_info: dict[str, Any] = {}
    if api_cache is not None:
        seqs = api_cache.sequences()
        cache_info = {"path": str(api_cache.path), "bytes": api_cache.nbytes, "k": api_cache.k,
                      "source": "api-top-logprobs"}
        step = logits_step(seqs, cfg.train, pad)
        n_items = len(seqs)
    elif cfg.method == "logits":
        from distillscope.distill.cache import build_logit_cache, cache_key
        from distillscope.paths import cache_dir

        cpath = cache_dir("logits") / cache_key(t_hash, data_hash(train_ex), cfg.k)
        n_t = sum(e.n_targets for e in train_ex)
        cache = _with_progress(show_progress, "teacher logits", n_t,
                               lambda cb: build_logit_cache(teacher, train_ex, cpath, cfg.k, teacher_hash=t_hash,
                                                            progress=cb))
        seqs = cache.sequences()
        cache_info = {"path": str(cpath), "bytes": cache.nbytes, "k": cache.k}
        step = logits_step(seqs, cfg.train, pad)
        n_items = len(seqs)
    else:
        step = ce_step(train_ex, pad)
        n_items = len(train_ex)
    result: TrainResult = train(student, n_items, step, cfg.train, work_dir=out, resume=cfg.resume,
                                show_progress=show_progress, description=f"distill ({cfg.method})", config_key=key)
    evals: dict[str, Any] = {}
    if held_ex and white_box and tokenizer_hash(t_tok) == tokenizer_hash(s_tok):
        evals = heldout_kl(teacher.module, student, held_ex, pad_id=pad)
    student.save_pretrained(out)
    s_tok.save_pretrained(out)
    ck = out / "checkpoint"
    if ck.exists():
        import shutil

        shutil.rmtree(ck)
    hp = {**asdict(cfg.train), "method": cfg.method, "student_config": cfg.student_config, "k": cfg.k,
          "max_len": cfg.max_len, "seed": cfg.seed}
    data_info = {"sha256": data_hash(train_ex), "n_sequences": len(train_ex),
                 "n_target_tokens": sum(e.n_targets for e in train_ex), "source": source,
                 "heldout_sequences": len(held_ex)}
    summary = {"out": str(out), "method": cfg.method, "steps": result.steps, "target_tokens": result.target_tokens,
               "tokens_per_s": result.tokens_per_s, "final_loss": result.final_loss,
               "resumed_from": result.resumed_from, "heldout": evals, "cache": cache_info}
    write_manifest(out, model=student, teacher=teacher_info, data=data_info, method=cfg.method,
                   hyperparameters=hp, started=started, parents=parents,
                   extra={"training": {k: v for k, v in summary.items() if k not in ("out",)}, **extra})
    del student
    gc.collect()
    return summary


def _with_progress(show: bool, desc: str, total: int, fn: Any) -> Any:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  disable=not show, console=Console(stderr=True)) as p:
        task = p.add_task(desc, total=total)
        return fn(lambda n: p.update(task, advance=n))
