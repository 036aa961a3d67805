"""Watermarking (KGW and SynthID via transformers' processors), detection and radioactivity tests.

Three steps:
  1. ``cfg = WatermarkConfig(key="deployment secret")`` (``scheme="synthid"`` for SynthID-Text);
  2. ``wm = watermark_model(load_model("zoo:..."), cfg, Perturbation(logit_noise=0.5))`` samples watermarked;
  3. ``detect(texts, cfg, tokenizer)`` for text, or ``open_radioactivity(suspect, texts, cfg)`` /
     ``closed_radioactivity(completions, cfg, tokenizer, prompts=...)`` for a model trained on such text.

Names are imported lazily: ``WatermarkConfig`` alone does not import torch.

Adding a scheme in three steps:
  1. subclass :class:`~distillscope.watermark.schemes.Scheme` (``processor``, ``hits``, ``token_scores``,
     ``transform_positions``, and the ``context``/``trials``/``p0`` attributes) in your own module;
  2. its constructor takes ``(config: WatermarkConfig, vocab_size: int)``;
  3. ``registry("watermark_scheme").register("myscheme", "mypkg.mod:MyScheme", help="...")`` (or the entry point
     group ``distillscope.watermark_schemes``); ``WatermarkConfig(scheme="myscheme", key=...)`` then works.
"""

from __future__ import annotations

from distillscope._lazy import lazy_getattr
from distillscope.registry import registry

registry("watermark_scheme").register(
    "kgw", "distillscope.watermark.schemes:KGWScheme", help="Kirchenbauer et al. green lists")
registry("watermark_scheme").register(
    "synthid", "distillscope.watermark.schemes:SynthIDScheme", help="SynthID-Text tournament")

_EXPORTS = {
    "WatermarkConfig": "config",
    "Detection": "detection", "detect": "detection",
    "Perturbation": "model", "WatermarkedModel": "model", "watermark_model": "model",
    "utility_cost": "perturb",
    "closed_radioactivity": "radioactivity", "closed_radioactivity_from_model": "radioactivity",
    "open_radioactivity": "radioactivity", "tokens_needed": "radioactivity",
    "make_scheme": "schemes",
    "HitCounts": "scoring", "count_hits": "scoring",
}

__all__ = list(_EXPORTS)


__getattr__ = lazy_getattr(__name__, _EXPORTS)
