"""White-box generation with a watermark and/or output perturbation applied to the logits before sampling.

:func:`watermark_model` wraps any :class:`~distillscope.models.base.WhiteBox` model. The wrapper keeps the
backend's sampling loop untouched: it asks for a view of the model with a logits transform that, at every sampling
step, rewrites the last-position logits (perturbation first, then the watermark processor).
Scoring (``score``, ``hidden_states``) sees the clean model. Returned logprobs are those of the distribution that
was actually sampled, so they do not leak the unwatermarked distribution.

    from distillscope.models import load_model
    from distillscope.watermark import WatermarkConfig, watermark_model
    wm = watermark_model(load_model("zoo:smollm2-135m-instruct"), WatermarkConfig(key="s3cret"))
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import torch

from distillscope.errors import InputError
from distillscope.models.base import Completion, GenRequest, Model, WhiteBox
from distillscope.watermark.config import WatermarkConfig
from distillscope.watermark.schemes import Scheme, make_scheme


@dataclass(frozen=True)
class Perturbation:
    """Output defences applied at serving time (see :mod:`distillscope.watermark.defences`).

    Sampling: logits / ``temperature_factor``, plus N(0, ``logit_noise``²), plus ``fingerprint_bias`` on a
    key-derived ``fingerprint_gamma`` share of the vocabulary. Served text: the contents between ``trace_open``
    and ``trace_close`` replaced by ``trace_placeholder`` (a withheld reasoning trace). Served
    log-probabilities: the runner-up raised to ``logprob_decoy_margin`` nats below the top token, rounded to
    multiples of ``logprob_step`` nats and at most ``top_logprobs_max`` alternatives per token (sampling
    untouched).
    The noise is drawn from a generator seeded by the request's own seed, so a sample stays reproducible.
    """

    temperature_factor: float = 1.0
    logit_noise: float = 0.0
    fingerprint_bias: float = 0.0
    fingerprint_key: str = ""
    fingerprint_gamma: float = 0.25
    logprob_step: float = 0.0
    top_logprobs_max: int | None = None
    logprob_decoy_margin: float | None = None
    trace_open: str = ""
    trace_close: str = ""
    trace_placeholder: str = "[reasoning withheld]"

    def __post_init__(self) -> None:
        if not self.temperature_factor > 0:
            raise InputError(f"temperature_factor must be > 0, got {self.temperature_factor}.")
        if self.logit_noise < 0:
            raise InputError(f"logit_noise must be >= 0, got {self.logit_noise}.")
        if self.fingerprint_bias != 0 and not self.fingerprint_key:
            raise InputError("fingerprint_bias needs a fingerprint_key (a secret string).")
        if not 0 < self.fingerprint_gamma < 1:
            raise InputError(f"fingerprint_gamma must be in (0, 1), got {self.fingerprint_gamma}.")
        if self.logprob_step < 0:
            raise InputError(f"logprob_step must be >= 0, got {self.logprob_step}.")
        if self.top_logprobs_max is not None and self.top_logprobs_max < 0:
            raise InputError(f"top_logprobs_max must be >= 0, got {self.top_logprobs_max}.")
        if self.logprob_decoy_margin is not None and not self.logprob_decoy_margin > 0:
            raise InputError(f"logprob_decoy_margin must be > 0, got {self.logprob_decoy_margin}.")
        if self.trace_close and not self.trace_open:
            raise InputError("trace_close needs trace_open (the marker that starts a reasoning trace).")

    @property
    def samples_changed(self) -> bool:
        """Whether sampling itself is distorted (not only the served log-probabilities)."""
        return self.temperature_factor != 1.0 or self.logit_noise > 0 or self.fingerprint_bias != 0

    @property
    def logprobs_changed(self) -> bool:
        return (self.logprob_step > 0 or self.top_logprobs_max is not None or self.logprob_decoy_margin is not None
                or self.redacts)

    @property
    def redacts(self) -> bool:
        """Whether a reasoning trace is withheld from the served text."""
        return bool(self.trace_open)

    @property
    def active(self) -> bool:
        return self.samples_changed or self.logprobs_changed

    @property
    def tag(self) -> str:
        t = f"perturb:t{self.temperature_factor:g}:n{self.logit_noise:g}"
        if self.fingerprint_bias:
            kid = hashlib.sha256(f"fp-id:{self.fingerprint_key}".encode()).hexdigest()[:8]
            t += f":fp{self.fingerprint_bias:g}-{self.fingerprint_gamma:g}-{kid}"
        if self.logprobs_changed:
            t += f":lp{self.logprob_step:g}-{self.top_logprobs_max}"
        if self.logprob_decoy_margin is not None:
            t += f":decoy{self.logprob_decoy_margin:g}"
        if self.redacts:
            t += ":redact-" + hashlib.sha256(f"{self.trace_open}|{self.trace_close}".encode()).hexdigest()[:8]
        return t

    def apply(self, logits: torch.Tensor, gens: list[torch.Generator] | None = None,
              generator: torch.Generator | None = None) -> torch.Tensor:
        """The perturbed logits ``[..., V]``: one noise generator per row (``gens``) or one for all."""
        out = logits / self.temperature_factor if self.temperature_factor != 1.0 else logits
        if self.logit_noise > 0:
            if gens is None:
                noise = torch.randn(out.shape, generator=generator)
            else:
                noise = torch.stack([torch.randn(out.shape[-1], generator=g) for g in gens])
            out = out + self.logit_noise * noise
        if self.fingerprint_bias:
            from distillscope.watermark.defences import fingerprint_mask

            mask = fingerprint_mask(self.fingerprint_key, out.shape[-1], self.fingerprint_gamma)
            out = out + self.fingerprint_bias * mask.to(out.dtype)
        return out

    def serve(self, completions: list[Completion]) -> list[Completion]:
        """The completions as served: the trace withheld, then the log-probabilities' decoy and coarsening."""
        if not self.logprobs_changed:
            return completions
        from distillscope.watermark.defences import coarsen_logprobs, decoy_logprobs, redact_trace

        if self.redacts:
            completions = redact_trace(completions, self.trace_open, self.trace_close, self.trace_placeholder)
        if self.logprob_decoy_margin is not None:
            completions = decoy_logprobs(completions, self.logprob_decoy_margin)
        if self.logprob_step > 0 or self.top_logprobs_max is not None:
            completions = coarsen_logprobs(completions, self.logprob_step, self.top_logprobs_max)
        return completions


class WatermarkedModel(Model):
    """A white-box model whose samples carry a watermark and/or a sampling perturbation (see module docstring).

    It forwards every white-box member (tokenizer, ``score``, ``logits``, ...) to the clean model it wraps.
    """

    def __init__(self, base: Model, watermark: WatermarkConfig | None = None,
                 perturbation: Perturbation | None = None) -> None:
        if not isinstance(base, WhiteBox):
            raise InputError(f"Watermarking needs a white-box transformers model (hf:/zoo:); {base.spec} is "
                             f"{type(base).__name__}. Watermark black-box upstreams at their own provider.")
        self.base = base
        self.watermark = watermark
        self.perturbation = perturbation if perturbation is not None and perturbation.active else None
        self.scheme: Scheme | None = make_scheme(watermark, base.vocab_size) if watermark is not None else None
        tags = [t for t in (self.perturbation.tag if self.perturbation else None,
                            f"wm:{watermark.key_id}:d{watermark.delta:g}" if watermark else None) if t]
        self.inner = base.with_logits_transform(self, "+".join(tags))
        self.spec = self.inner.spec
        self.capabilities = base.capabilities

    @property
    def watermark_key_id(self) -> str | None:
        return self.watermark.key_id if self.watermark else None

    def start(self, requests: list[GenRequest]) -> Any:
        """One generation batch: a fresh watermark processor and per-request noise generators."""
        proc = self.scheme.processor() if self.scheme is not None else None
        gens = [torch.Generator().manual_seed(_noise_seed(r)) for r in requests]
        perturbation = self.perturbation if self.perturbation is not None and self.perturbation.samples_changed \
            else None

        def rewrite(history: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
            if perturbation is not None:
                logits = perturbation.apply(logits, gens)
            if proc is not None:
                logits = proc(history, logits)
            return logits

        return rewrite

    def _generate(self, requests: list[GenRequest], progress: Any = None) -> list[Completion]:
        outs = self.inner.generate(requests, progress)
        return self.perturbation.serve(outs) if self.perturbation is not None else outs

    def __getattr__(self, name: str) -> Any:
        if name in ("inner", "base"):
            raise AttributeError(name)
        return getattr(self.inner, name)


def _noise_seed(req: GenRequest) -> int:
    h = hashlib.sha256(f"noise:{req.seed}:{req.seed_index}:{req.messages}:{req.prompt}".encode()).digest()
    return int.from_bytes(h[:8], "little") & ((1 << 63) - 1)


def watermark_model(model: Model, watermark: WatermarkConfig | None = None,
                    perturbation: Perturbation | None = None) -> Model:
    """Wrap a white-box model so that its samples are watermarked and/or perturbed.

    Returns ``model`` itself when neither is requested.
    """
    if watermark is None and (perturbation is None or not perturbation.active):
        return model
    return WatermarkedModel(model, watermark, perturbation)  # type: ignore[arg-type]
