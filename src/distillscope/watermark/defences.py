"""Output defences against distillation that are not watermarks: a key-seeded fingerprint bias, rounding and
truncation of served log-probabilities, and an antidistillation-sampling tilt (Savani et al., 2025).

* :func:`fingerprint_mask`: a fixed, key-derived subset (``gamma`` of the vocabulary) whose logits get
  ``+bias`` at every step (a context-free green list, as in the unigram watermark): a student that imitates the
  served text inherits the preference, which a holder of the key can test for.
* :func:`coarsen_logprobs`: what a served completion's log-probabilities look like after rounding to a grid of
  ``step`` nats and keeping at most ``top_max`` alternatives; sampling itself is untouched.
* :func:`decoy_logprobs`: served log-probabilities with the runner-up raised to ``margin`` nats below the top
  token (renormalised; the top token stays first, sampling untouched): a student fitting the served
  distribution learns a wrong second answer with nearly the weight of the right one.
* :func:`redact_trace`: the text between two markers (a reasoning trace) served as a placeholder, its tokens'
  log-probabilities withheld; the answer after the trace is served unchanged.
* :class:`AntidistillationTilt`: the directional derivative of a proxy student's log-probabilities along the
  gradient of its downstream loss, computed with two extra forward passes (parameters ``θ ± ε·g``) as in the
  paper. Adding ``λ·Δ`` to the teacher's logits favours tokens that, if a student trained on them, would raise
  its downstream loss.

    from distillscope.watermark.defences import AntidistillationTilt, fingerprint_mask
    tilt = AntidistillationTilt.from_loss(proxy_module, loss_fn, eps=1e-2)
    logits = teacher_logits + lam * tilt(input_ids)
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

import torch

from distillscope.errors import InputError
from distillscope.models.base import Completion, TokenLogprob


@lru_cache(maxsize=16)
def fingerprint_mask(key: str, vocab_size: int, gamma: float = 0.25) -> torch.Tensor:
    """0/1 float mask over ``vocab_size`` with ``round(gamma * vocab_size)`` ones at key-derived positions."""
    seed = int.from_bytes(hashlib.sha256(f"distillscope-fingerprint:{key}".encode()).digest()[:8], "little")
    g = torch.Generator().manual_seed(seed & ((1 << 63) - 1))
    n = max(1, round(gamma * vocab_size))
    m = torch.zeros(vocab_size)
    m[torch.randperm(vocab_size, generator=g)[:n]] = 1.0
    return m


def _round(x: float, step: float) -> float:
    if step <= 0 or not math.isfinite(x):
        return x
    return min(0.0, round(x / step) * step)


def coarsen_logprobs(completions: Sequence[Completion], step: float = 0.0, top_max: int | None = None
                     ) -> list[Completion]:
    """Completions whose log-probabilities are rounded to multiples of ``step`` nats (0: not rounded, and never
    above 0) and whose lists of alternatives keep at most ``top_max`` entries. Text and token ids are unchanged."""
    out = []
    for c in completions:
        if c.logprobs is None:
            out.append(c)
            continue
        lps = [TokenLogprob(t.token, _round(t.logprob, step), t.token_id,
                            [(s, _round(v, step)) for s, v in (t.top if top_max is None else t.top[:top_max])])
               for t in c.logprobs]
        out.append(replace(c, logprobs=lps))
    return out


def decoy_logprobs(completions: Sequence[Completion], margin: float) -> list[Completion]:
    """Completions whose second alternative per token is raised to ``margin`` nats below the first (never
    lowered) and whose log-probabilities are renormalised for the added mass. Text and token ids are unchanged;
    the first alternative stays first for any ``margin`` > 0. Tokens with fewer than two alternatives are left
    as they are."""
    if margin <= 0:
        raise InputError(f"logprob_decoy_margin must be > 0 (the top token must stay first), got {margin}.")
    out = []
    for c in completions:
        if c.logprobs is None:
            out.append(c)
            continue
        lps = []
        for t in c.logprobs:
            if len(t.top) < 2 or not all(math.isfinite(v) for _, v in t.top[:2]):
                lps.append(t)
                continue
            (s0, v0), (s1, v1) = t.top[0], t.top[1]
            new = max(v1, v0 - margin)
            norm = math.log1p(math.exp(new) - math.exp(v1))
            top = [(s0, v0 - norm), (s1, new - norm)] + [(s, v - norm) for s, v in t.top[2:]]
            own = new - norm if t.token == s1 else t.logprob - norm
            lps.append(TokenLogprob(t.token, min(0.0, own), t.token_id, top))
        out.append(replace(c, logprobs=lps))
    return out


def _trace_spans(text: str, open_marker: str, close_marker: str) -> list[tuple[int, int]]:
    """Character spans of the contents between ``open_marker`` and the next ``close_marker`` (to the end of the
    text if the trace is not closed)."""
    spans, at = [], 0
    while (a := text.find(open_marker, at)) >= 0:
        start = a + len(open_marker)
        b = text.find(close_marker, start) if close_marker else -1
        end = len(text) if b < 0 else b
        if end > start:
            spans.append((start, end))
        at = end + len(close_marker) if b >= 0 else len(text)
    return spans


def redact_trace(completions: Sequence[Completion], open_marker: str, close_marker: str,
                 placeholder: str = "[reasoning withheld]") -> list[Completion]:
    """Completions whose text between ``open_marker`` and ``close_marker`` is replaced by ``placeholder``.

    The redacted tokens leave the served token ids; in the served log-probabilities the tokens that overlap a
    trace become one entry whose text is the placeholder (plus any marker characters those tokens carried),
    with log-probability 0 and no alternatives. Where the tokens' texts do not add up to the text, no
    log-probabilities or token ids are served for that completion.
    """
    if not open_marker:
        raise InputError("redact_trace needs the marker that opens a trace (e.g. '<think>').")
    out = []
    for c in completions:
        spans = _trace_spans(c.text, open_marker, close_marker)
        if not spans:
            out.append(c)
            continue
        text = c.text
        for a, b in reversed(spans):
            text = text[:a] + placeholder + text[b:]
        toks = c.logprobs
        if toks is None or "".join(t.token for t in toks) != c.text:
            out.append(replace(c, text=text, logprobs=None, token_ids=None))
            continue
        lps: list[TokenLogprob] = []
        ids: list[int] = []
        pos, k = 0, 0
        for a, b in spans:
            while k < len(toks) and pos + len(toks[k].token) <= a:  # tokens wholly before the trace
                lps.append(toks[k])
                ids += [] if toks[k].token_id is None else [toks[k].token_id]
                pos += len(toks[k].token)
                k += 1
            pos0 = pos
            while k < len(toks) and pos < b:  # tokens overlapping the trace: one placeholder entry
                pos += len(toks[k].token)
                k += 1
            merged = c.text[pos0:a] + placeholder + c.text[b:pos]
            lps.append(TokenLogprob(merged, 0.0, None, [(merged, 0.0)]))
        lps += toks[k:]
        ids += [t.token_id for t in toks[k:] if t.token_id is not None]
        out.append(replace(c, text=text, logprobs=lps, token_ids=ids if c.token_ids is not None else None))
    return out


def coarsen_tensor(logp: torch.Tensor, step: float) -> torch.Tensor:
    """:func:`coarsen_logprobs`'s rounding on a tensor of log-probabilities."""
    if step <= 0:
        return logp
    return (torch.round(logp / step) * step).clamp(max=0.0)


class AntidistillationTilt:
    """``Δ(x) = [log p_{θ+εg}(x | ctx) - log p_{θ-εg}(x | ctx)] / 2ε`` at the last position of ``input_ids``.

    ``g`` is the unit-norm gradient of the proxy's downstream loss at its parameters ``θ``. The proxy module is
    never modified: the two shifted parameter sets are evaluated with :func:`torch.func.functional_call`.
    """

    def __init__(self, module: Any, direction: dict[str, torch.Tensor], eps: float = 1e-2) -> None:
        self.module, self.eps = module, float(eps)
        self.scale = 1.0  # callers may rescale the tilt so that lambda is in nats at a typical position
        params = dict(module.named_parameters())
        self.plus = {k: (p + self.eps * direction[k]).detach() if k in direction else p.detach()
                     for k, p in params.items()}
        self.minus = {k: (p - self.eps * direction[k]).detach() if k in direction else p.detach()
                      for k, p in params.items()}

    @classmethod
    def from_loss(cls, module: Any, loss_fn: Callable[[Any], torch.Tensor], eps: float = 1e-2
                  ) -> AntidistillationTilt:
        """The tilt along the gradient of ``loss_fn(module)`` (the proxy's downstream loss), normalised to 1."""
        names = [k for k, p in module.named_parameters() if p.requires_grad]
        params = [p for k, p in module.named_parameters() if p.requires_grad]
        grads = torch.autograd.grad(loss_fn(module), params, allow_unused=True)
        grads = [torch.zeros_like(p) if g is None else g for p, g in zip(params, grads)]
        norm = torch.sqrt(sum((g.float() ** 2).sum() for g in grads)).clamp(min=1e-12)
        return cls(module, {k: (g / norm).detach() for k, g in zip(names, grads)}, eps)

    @torch.no_grad()
    def __call__(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None) -> torch.Tensor:
        from torch.func import functional_call

        if self.module.training:
            raise InputError("The proxy student is in training mode (dropout would swamp the finite difference): "
                             "call .eval() on it first.")
        kw = {"input_ids": input_ids}
        if attention_mask is not None:
            kw["attention_mask"] = attention_mask
        zp = functional_call(self.module, self.plus, args=(), kwargs=kw).logits[:, -1]
        zm = functional_call(self.module, self.minus, args=(), kwargs=kw).logits[:, -1]
        return ((torch.log_softmax(zp, -1) - torch.log_softmax(zm, -1)) / (2 * self.eps)).float()
