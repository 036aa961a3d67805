"""White-box generation with a watermark and/or output perturbation applied to the logits before sampling.

:func:`watermark_model` wraps an :class:`~distillscope.models._hf.HFModel`. The wrapper keeps the lead backend's
sampling loop untouched: its transformers module is replaced by a thin proxy that, only while a generation batch
runs, rewrites the last-position logits of each forward pass (perturbation first, then the watermark processor).
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
from distillscope.models._hf import HFModel
from distillscope.models.base import Completion, GenRequest, Model
from distillscope.watermark.config import WatermarkConfig
from distillscope.watermark.schemes import Scheme, make_scheme


@dataclass(frozen=True)
class Perturbation:
    """Sampling distortion against distillation: logits / ``temperature_factor`` plus N(0, ``logit_noise``²).

    The noise is drawn from a generator seeded by the request's own seed, so a sample stays reproducible.
    """

    temperature_factor: float = 1.0
    logit_noise: float = 0.0

    def __post_init__(self) -> None:
        if not self.temperature_factor > 0:
            raise InputError(f"temperature_factor must be > 0, got {self.temperature_factor}.")
        if self.logit_noise < 0:
            raise InputError(f"logit_noise must be >= 0, got {self.logit_noise}.")

    @property
    def active(self) -> bool:
        return self.temperature_factor != 1.0 or self.logit_noise > 0

    @property
    def tag(self) -> str:
        return f"perturb:t{self.temperature_factor:g}:n{self.logit_noise:g}"

    def apply(self, logits: torch.Tensor, gens: list[torch.Generator] | None = None) -> torch.Tensor:
        out = logits / self.temperature_factor if self.temperature_factor != 1.0 else logits
        if self.logit_noise > 0:
            if gens is None:
                noise = torch.randn(out.shape)
            else:
                noise = torch.stack([torch.randn(out.shape[-1], generator=g) for g in gens])
            out = out + self.logit_noise * noise
        return out


class _LogitsProxy:
    """Stands in for the transformers module; rewrites last-position logits while ``owner._active``."""

    def __init__(self, inner: Any, owner: WatermarkedModel) -> None:
        self.__dict__["_inner"] = inner
        self.__dict__["_owner"] = owner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def __call__(self, *args: Any, **kw: Any) -> Any:
        out = self._inner(*args, **kw)
        owner = self._owner
        if owner._active:
            ids = kw.get("input_ids", args[0] if args else None)
            owner._history = ids if owner._history is None else torch.cat([owner._history, ids], dim=1)
            last = out.logits[:, -1, :].float()
            out.logits[:, -1, :] = owner._transform(owner._history, last).to(out.logits.dtype)
        return out


class WatermarkedModel(HFModel):
    """An HFModel whose samples carry a watermark and/or a sampling perturbation (see module docstring)."""

    def __init__(self, base: HFModel, watermark: WatermarkConfig | None = None,
                 perturbation: Perturbation | None = None) -> None:
        if not isinstance(base, HFModel):
            raise InputError(f"Watermarking needs a white-box transformers model (hf:/zoo:); {base.spec} is "
                             f"{type(base).__name__}. Watermark black-box upstreams at their own provider.")
        self.__dict__.update(base.__dict__)
        self.base = base
        self.watermark = watermark
        self.perturbation = perturbation if perturbation is not None and perturbation.active else None
        vocab = int(base.model.config.vocab_size)
        self.scheme: Scheme | None = make_scheme(watermark, vocab) if watermark is not None else None
        self.model = _LogitsProxy(base.model, self)
        tags = [t for t in (self.perturbation.tag if self.perturbation else None,
                            f"wm:{watermark.key_id}:d{watermark.delta:g}" if watermark else None) if t]
        self.spec = base.spec + "".join(f"+{t}" for t in tags)
        self._active = False
        self._history: torch.Tensor | None = None
        self._proc: Any = None
        self._gens: list[torch.Generator] | None = None

    @property
    def watermark_key_id(self) -> str | None:
        return self.watermark.key_id if self.watermark else None

    def _transform(self, history: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
        if self.perturbation is not None:
            logits = self.perturbation.apply(logits, self._gens)
        if self._proc is not None:
            logits = self._proc(history, logits)
        return logits

    def _generate_batch(self, reqs: list[GenRequest], enc: list[list[int]]) -> list[Completion]:
        self._history = None
        self._proc = self.scheme.processor() if self.scheme is not None else None
        self._gens = [torch.Generator().manual_seed(_noise_seed(r)) for r in reqs]
        self._active = True
        try:
            return super()._generate_batch(reqs, enc)
        finally:
            self._active = False
            self._history = self._proc = self._gens = None


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
