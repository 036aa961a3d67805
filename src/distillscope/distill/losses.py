"""Distillation losses: forward/reverse KL, a generalized JSD continuous at both ends, temperature, sparse teachers.

Conventions (P = teacher, Q = student, both over the last tensor dimension):

* ``forward``  KL(P || Q) = sum P (log P - log Q)      (mean-seeking; classic Hinton distillation)
* ``reverse``  KL(Q || P) = sum Q (log Q - log P)      (mode-seeking; MiniLLM)
* ``jsd``      D_beta(P, Q) = [beta KL(P || M) + (1 - beta) KL(Q || M)] / (beta (1 - beta)),  M = beta P + (1 - beta) Q

The raw skew-JSD ``beta KL(P||M) + (1-beta) KL(Q||M)`` tends to 0 at both ends (that is the discontinuity engines
like TRL patch by special-casing beta = 0 and 1). Dividing by ``beta (1 - beta)`` gives a divergence whose limits are
the endpoints themselves: beta -> 0 gives KL(P || Q) (forward), beta -> 1 gives KL(Q || P) (reverse), so beta = 0
and beta = 1 are evaluated as exactly those KLs and values near them are close to them. At beta = 0.5 it is 4 x JSD.

A *sparse* teacher keeps only its top-k token log-probabilities per position plus the log of the remaining mass
(the *tail bucket*). The student's distribution is collapsed onto the same k + 1 buckets (its probabilities at the
teacher's k ids, and the rest summed), and the divergence is taken between the two (k + 1)-bucket distributions.
With k = vocab the tail is empty and the sparse loss equals the dense one.

Temperature T divides both sides' logits; the distillation term is multiplied by T^2 so its gradient scale does not
shrink as T grows (Hinton et al. 2015). For a sparse teacher stored at T = 1, tempering the tail assumes its mass is
spread evenly over the tokens not in the top-k (exact at T = 1 and when the tail is empty).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F

from distillscope.errors import InputError

Kind = Literal["forward", "reverse", "jsd"]
KINDS: tuple[str, ...] = ("forward", "reverse", "jsd")

# Log-probability used for "no mass": finite so that 0 * (log p - log q) and its gradient stay finite.
LOG_ZERO = -1.0e4


def _kl(logp: torch.Tensor, logq: torch.Tensor) -> torch.Tensor:
    """KL(P || Q) over the last dim from log-probabilities (entries at LOG_ZERO carry no mass)."""
    return (logp.exp() * (logp - logq)).sum(-1)


def divergence(teacher_logp: torch.Tensor, student_logp: torch.Tensor, kind: Kind = "forward",
               beta: float = 0.5) -> torch.Tensor:
    """Per-position divergence between teacher P and student Q given log-probabilities over the last dim.

    Args:
        teacher_logp: log P, shape ``[..., n_buckets]``.
        student_logp: log Q, same shape.
        kind: ``"forward"`` KL(P||Q), ``"reverse"`` KL(Q||P) or ``"jsd"`` (see module docstring).
        beta: JSD mixture weight in [0, 1]; 0 is forward KL, 1 is reverse KL.

    Returns:
        Tensor of shape ``[...]``.
    """
    if teacher_logp.shape != student_logp.shape:
        raise InputError(f"teacher and student log-probs differ in shape: {tuple(teacher_logp.shape)} vs "
                         f"{tuple(student_logp.shape)}.")
    if kind == "forward":
        return _kl(teacher_logp, student_logp)
    if kind == "reverse":
        return _kl(student_logp, teacher_logp)
    if kind != "jsd":
        raise InputError(f"Unknown divergence {kind!r}: use one of {', '.join(KINDS)}.")
    if not 0.0 <= beta <= 1.0:
        raise InputError(f"beta must be in [0, 1], got {beta}.")
    if beta < BETA_EDGE:  # linear between the exact endpoint and the edge: continuous, no 0/0 in float32
        fwd = _kl(teacher_logp, student_logp)
        return fwd + (beta / BETA_EDGE) * (_skew_jsd(teacher_logp, student_logp, BETA_EDGE) - fwd)
    if beta > 1.0 - BETA_EDGE:
        rev = _kl(student_logp, teacher_logp)
        w = (1.0 - beta) / BETA_EDGE
        return rev + w * (_skew_jsd(teacher_logp, student_logp, 1.0 - BETA_EDGE) - rev)
    return _skew_jsd(teacher_logp, student_logp, beta)


# Below this distance from 0 or 1, D_beta is linearly interpolated to the exact endpoint: D is smooth in beta, so
# the error is O(beta * BETA_EDGE), while evaluating 1/beta * KL(Q||M) at tiny beta would divide rounding noise.
BETA_EDGE = 1e-3


def _log1p_w_expm1(w: float, lr: torch.Tensor) -> torch.Tensor:
    """log(1 + w (e^lr - 1)) = log((1 - w) + w e^lr), stable for small w and for large lr."""
    small = lr < 20.0
    a = torch.log1p(w * torch.expm1(lr.clamp(max=20.0)))
    b = torch.logaddexp(math.log(w) + lr.clamp(min=20.0), torch.full_like(lr, math.log1p(-w)))
    return torch.where(small, a, b)


def _skew_jsd(lp: torch.Tensor, lq: torch.Tensor, beta: float) -> torch.Tensor:
    """[beta KL(P||M) + (1-beta) KL(Q||M)] / (beta (1-beta)) for 0 < beta < 1, M = beta P + (1-beta) Q."""
    log_m_over_p = _log1p_w_expm1(1.0 - beta, lq - lp)  # log(beta + (1-beta) Q/P)
    log_m_over_q = _log1p_w_expm1(beta, lp - lq)  # log((1-beta) + beta P/Q)
    return -(lp.exp() * log_m_over_p).sum(-1) / (1.0 - beta) - (lq.exp() * log_m_over_q).sum(-1) / beta


@dataclass
class SparseTeacher:
    """Top-k teacher log-probabilities (at T = 1) per position plus the log of the tail mass.

    Attributes:
        ids: token ids, ``[B, L, k]`` (long). Padding slots carry ``logp = LOG_ZERO``.
        logp: teacher log-probabilities at ``ids``, ``[B, L, k]``.
        tail_logp: log of the mass outside ``ids``, ``[B, L]`` (LOG_ZERO when empty).
    """

    ids: torch.Tensor
    logp: torch.Tensor
    tail_logp: torch.Tensor

    @classmethod
    def from_logits(cls, logits: torch.Tensor, k: int) -> SparseTeacher:
        """Keep the top-k of dense teacher logits (used to fill the cache and in tests)."""
        logp = torch.log_softmax(logits.float(), dim=-1)
        k = min(k, logits.shape[-1])
        top, ids = logp.topk(k, dim=-1)
        return cls(ids, top, _tail_logp(logp, ids))


def _tail_logp(logp_full: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
    """log of the mass of ``logp_full`` outside ``ids`` computed by masking (exact even when the tail is tiny)."""
    masked = logp_full.scatter(-1, ids, LOG_ZERO)
    return torch.logsumexp(masked, dim=-1).clamp(min=LOG_ZERO)


def _sparse_buckets(student_logits: torch.Tensor, teacher: SparseTeacher,
                    temperature: float) -> tuple[torch.Tensor, torch.Tensor]:
    """(teacher, student) log-probabilities over the k + 1 buckets (top-k ids then the tail)."""
    vocab = student_logits.shape[-1]
    valid = teacher.logp > LOG_ZERO / 2  # padding slots (variable k, e.g. API top_logprobs) carry LOG_ZERO
    ids = torch.where(valid, teacher.ids, teacher.ids[..., :1])  # a repeated id is harmless in the tail mask
    if int(ids.max()) >= vocab or int(ids.min()) < 0:
        raise InputError(f"teacher token id {int(ids.max())} is outside the student vocabulary ({vocab}): "
                         "teacher and student tokenizers differ; use --method sequences for such pairs.")
    s_full = torch.log_softmax(student_logits.float() / temperature, dim=-1)
    s_top = torch.where(valid, s_full.gather(-1, ids), torch.full_like(teacher.logp, LOG_ZERO, dtype=s_full.dtype))
    s_tail = _tail_logp(s_full, ids)
    s = torch.cat([s_top, s_tail.unsqueeze(-1)], dim=-1)
    t_top = teacher.logp.float()
    t_tail = teacher.tail_logp.float()
    if temperature != 1.0:
        # Tail tokens assumed equally likely: n tokens of mass tail/n each, tempered: n * (tail/n)^(1/T).
        n_tail = (vocab - valid.sum(-1)).clamp(min=0).float()
        empty = (n_tail == 0) | (t_tail <= LOG_ZERO / 2)
        log_n = torch.log(n_tail.clamp(min=1.0))
        t_tail = torch.where(empty, torch.full_like(t_tail, LOG_ZERO), log_n + (t_tail - log_n) / temperature)
        t_top = torch.where(valid, t_top / temperature, t_top)
    t = torch.cat([t_top, t_tail.unsqueeze(-1)], dim=-1)
    t = (t - torch.logsumexp(t, dim=-1, keepdim=True)).clamp(min=LOG_ZERO)
    return t, s.clamp(min=LOG_ZERO)


def kd_loss(student_logits: torch.Tensor, teacher: torch.Tensor | SparseTeacher, mask: torch.Tensor | None = None,
            kind: Kind = "forward", beta: float = 0.5, temperature: float = 1.0) -> torch.Tensor:
    """Mean distillation divergence over masked positions, scaled by T^2.

    Args:
        student_logits: ``[B, L, V]``.
        teacher: dense teacher logits ``[B, L, V]`` or a :class:`SparseTeacher` aligned with the student positions.
        mask: ``[B, L]`` bool/0-1, positions that count (default all).
        kind, beta: see :func:`divergence`.
        temperature: T > 0 applied to both sides.
    """
    if temperature <= 0:
        raise InputError(f"temperature must be > 0, got {temperature}.")
    if isinstance(teacher, SparseTeacher):
        t_logp, s_logp = _sparse_buckets(student_logits, teacher, temperature)
    else:
        if teacher.shape != student_logits.shape:
            raise InputError(
                f"teacher logits {tuple(teacher.shape)} and student logits {tuple(student_logits.shape)} differ: "
                "a different vocabulary means a different tokenizer; use --method sequences for such pairs."
            )
        t_logp = torch.log_softmax(teacher.float() / temperature, dim=-1)
        s_logp = torch.log_softmax(student_logits.float() / temperature, dim=-1)
    per_pos = divergence(t_logp, s_logp, kind, beta)
    if mask is None:
        val = per_pos.mean()
    else:
        m = mask.to(per_pos.dtype)
        val = (per_pos * m).sum() / m.sum().clamp(min=1.0)
    return val * temperature**2


def distill_loss(student_logits: torch.Tensor, teacher: torch.Tensor | SparseTeacher, labels: torch.Tensor,
                 kind: Kind = "forward", beta: float = 0.5, temperature: float = 1.0,
                 alpha: float = 0.9) -> tuple[torch.Tensor, dict[str, float]]:
    """``alpha * T^2 * KD + (1 - alpha) * CE(labels)``, with positions where ``labels == -100`` ignored.

    ``student_logits[:, i]`` and ``teacher[:, i]`` predict ``labels[:, i]`` (already shifted by the caller). The
    default ``alpha = 0.9`` leans on the teacher's full distribution, with a little hard-label signal that keeps the
    student anchored to the data where the teacher is unsure; because the KD term carries T^2, both terms keep
    comparable gradient scales at any temperature.

    Returns:
        (loss, {"kd": ..., "ce": ...}) with the parts as floats for logging.
    """
    if not 0.0 <= alpha <= 1.0:
        raise InputError(f"alpha (weight of the distillation term) must be in [0, 1], got {alpha}.")
    mask = labels != -100
    kd = kd_loss(student_logits, teacher, mask, kind, beta, temperature) if alpha > 0 else student_logits.new_zeros(())
    if alpha < 1:
        ce = F.cross_entropy(student_logits.float().reshape(-1, student_logits.shape[-1]), labels.reshape(-1),
                             ignore_index=-100)
    else:
        ce = student_logits.new_zeros(())
    loss = alpha * kd + (1 - alpha) * ce
    return loss, {"kd": float(kd.detach()), "ce": float(ce.detach())}
