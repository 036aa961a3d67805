"""The training loop: plain torch + transformers schedulers, checkpoints, resume, Rich progress with loss and tok/s.

It is deliberately small: a step function computes the loss of a batch, the loop handles order, optimisation,
checkpoints and progress. Batch order is a pure function of (seed, step), so a resumed run sees exactly the batches
an uninterrupted one would have.
"""

from __future__ import annotations

import json
import random
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from distillscope.distill.config import TrainConfig
from distillscope.distill.data import Example
from distillscope.errors import DistillscopeError, InputError


@dataclass
class TrainResult:
    steps: int
    target_tokens: int
    seconds: float
    tokens_per_s: float
    final_loss: float
    resumed_from: int
    history: list[dict[str, float]]


def batch_order(n_items: int, batch_size: int, step: int, seed: int) -> list[int]:
    """Indices of the batch at ``step``: epochs of seeded permutations, concatenated."""
    if n_items == 0:
        raise InputError("No training examples.")
    out = []
    pos = step * batch_size
    while len(out) < batch_size:
        epoch, off = divmod(pos, n_items)
        perm = list(range(n_items))
        random.Random(seed * 1_000_003 + epoch).shuffle(perm)
        take = perm[off : off + batch_size - len(out)]
        out.extend(take)
        pos += len(take)
    return out


def collate_examples(examples: Sequence[Example], pad_id: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(input_ids [B, L], attention_mask [B, L], labels [B, L-1])`` with -100 at non-target positions."""
    width = max(len(e.input_ids) for e in examples)
    b = len(examples)
    ids = torch.full((b, width), pad_id, dtype=torch.long)
    attn = torch.zeros((b, width), dtype=torch.long)
    labels = torch.full((b, width - 1), -100, dtype=torch.long)
    for i, e in enumerate(examples):
        n = len(e.input_ids)
        ids[i, :n] = torch.tensor(e.input_ids)
        attn[i, :n] = 1
        t = torch.tensor(e.targets[1:n])
        labels[i, : n - 1] = torch.where(t, ids[i, 1:n], torch.full_like(ids[i, 1:n], -100))
    return ids, attn, labels


StepFn = Callable[[Any, list[int]], tuple[torch.Tensor, dict[str, float], int]]


def _save_checkpoint(ckpt: Path, model: Any, opt: Any, sched: Any, step: int, history: list[dict[str, float]],
                     config_key: str) -> None:
    tmp = ckpt.with_name(ckpt.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    model.save_pretrained(tmp)
    torch.save({"optimizer": opt.state_dict(), "scheduler": sched.state_dict(), "step": step,
                "torch_rng": torch.get_rng_state(), "history": history, "config_key": config_key},
               tmp / "trainer_state.pt")
    if ckpt.exists():
        shutil.rmtree(ckpt)
    tmp.rename(ckpt)


def _load_checkpoint(ckpt: Path, model: Any, opt: Any, sched: Any, config_key: str) -> tuple[int, list]:
    from safetensors.torch import load_file

    state = torch.load(ckpt / "trainer_state.pt", weights_only=True)  # tensors and plain containers only
    if state.get("config_key") != config_key:
        raise InputError(f"The checkpoint in {ckpt} is from a run with other settings or data. Delete it, or "
                         "pass --no-resume, to start over.")
    sd = {}
    for f in sorted(ckpt.glob("*.safetensors")):
        sd.update(load_file(str(f)))
    missing, unexpected = model.load_state_dict(sd, strict=False)
    if unexpected or any("lm_head" not in k for k in missing):
        raise InputError(f"The checkpoint in {ckpt} does not fit this student (architecture changed).")
    opt.load_state_dict(state["optimizer"])
    sched.load_state_dict(state["scheduler"])
    torch.set_rng_state(state["torch_rng"])
    return int(state["step"]), list(state["history"])


def train(model: Any, n_items: int, step_fn: StepFn, cfg: TrainConfig, work_dir: str | Path | None = None,
          resume: bool = True, show_progress: bool = True, description: str = "training",
          config_key: str = "", stop_after: int | None = None) -> TrainResult:
    """Optimise ``model`` for ``cfg.steps`` steps.

    Args:
        model: a transformers causal LM (trained in place).
        n_items: number of training items; batches are index lists drawn by :func:`batch_order`.
        step_fn: ``step_fn(model, indices) -> (loss, parts, n_target_tokens)``.
        cfg: optimisation settings.
        work_dir: where ``checkpoint/`` lives (None: no checkpoints, no resume).
        resume: continue from ``work_dir/checkpoint`` when present.
        config_key: identifies data + settings; a checkpoint with another key is refused rather than mixed in.
        stop_after: stop (after checkpointing) at this step, as an interruption would (tests of resume use it).
    """
    from transformers import get_cosine_schedule_with_warmup

    cfg.validate()
    torch.manual_seed(cfg.seed)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    sched = get_cosine_schedule_with_warmup(opt, min(cfg.warmup, cfg.steps // 2), cfg.steps)
    ckpt = Path(work_dir) / "checkpoint" if work_dir is not None else None
    start, history = 0, []
    if ckpt is not None and resume and (ckpt / "trainer_state.pt").exists():
        start, history = _load_checkpoint(ckpt, model, opt, sched, config_key)
    n_tok = 0
    t0 = time.perf_counter()
    loss_ema = float("nan")
    step = start
    progress = _progress(show_progress)
    with progress:
        task = progress.add_task(description, total=cfg.steps, completed=start, loss=float("nan"), tps=0.0)
        try:
            for step in range(start, cfg.steps):
                idx = batch_order(n_items, cfg.batch_size, step, cfg.seed)
                loss, parts, ntok = step_fn(model, idx)
                if not torch.isfinite(loss):
                    raise DistillscopeError(f"Loss became {float(loss)} at step {step}: lower --lr or check the data.")
                opt.zero_grad(set_to_none=True)
                loss.backward()
                if cfg.grad_clip > 0:
                    torch.nn.utils.clip_grad_norm_(params, cfg.grad_clip)
                opt.step()
                sched.step()
                n_tok += ntok
                lv = float(loss.detach())
                loss_ema = lv if step == start else 0.9 * loss_ema + 0.1 * lv
                history.append({"step": step + 1, "loss": lv, **parts})
                tps = n_tok / max(time.perf_counter() - t0, 1e-9)
                progress.update(task, advance=1, loss=loss_ema, tps=tps)
                done = step + 1
                if ckpt is not None and (done % cfg.checkpoint_every == 0 or done == stop_after):
                    _save_checkpoint(ckpt, model, opt, sched, done, history, config_key)
                if stop_after is not None and done >= stop_after:
                    step = done
                    break
            else:
                step = cfg.steps
        except KeyboardInterrupt:
            if ckpt is not None and step > start:
                _save_checkpoint(ckpt, model, opt, sched, step, history, config_key)
                raise DistillscopeError(f"Interrupted at step {step}; rerun the same command to resume.") from None
            raise
    secs = time.perf_counter() - t0
    model.eval()
    return TrainResult(step, n_tok, secs, n_tok / max(secs, 1e-9),
                       history[-1]["loss"] if history else float("nan"), start, history)


def _progress(show: bool) -> Any:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("loss {task.fields[loss]:.4f}"), TextColumn("{task.fields[tps]:.0f} tok/s"),
        TimeRemainingColumn(), disable=not show, transient=False, console=Console(stderr=True),
    )


def config_key(*parts: Any) -> str:
    import hashlib

    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]
