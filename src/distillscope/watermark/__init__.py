"""Watermarking (KGW and SynthID via transformers' processors), detection and radioactivity tests.

Three steps:
  1. ``cfg = WatermarkConfig(key="deployment secret")`` (``scheme="synthid"`` for SynthID-Text);
  2. ``wm = watermark_model(load_model("zoo:..."), cfg, Perturbation(logit_noise=0.5))`` samples watermarked;
  3. ``detect(texts, cfg, tokenizer)`` for text, or ``open_radioactivity(suspect, texts, cfg)`` /
     ``closed_radioactivity(completions, cfg, tokenizer, prompts=...)`` for a model trained on such text.
"""

from distillscope.watermark.config import WatermarkConfig
from distillscope.watermark.detect import Detection, detect
from distillscope.watermark.model import Perturbation, WatermarkedModel, watermark_model
from distillscope.watermark.perturb import utility_cost
from distillscope.watermark.radioactivity import (
    closed_radioactivity,
    closed_radioactivity_from_model,
    open_radioactivity,
)
from distillscope.watermark.schemes import make_scheme
from distillscope.watermark.scoring import HitCounts, count_hits

__all__ = ["Detection", "HitCounts", "Perturbation", "WatermarkConfig", "WatermarkedModel", "closed_radioactivity",
           "closed_radioactivity_from_model", "count_hits", "detect", "make_scheme", "open_radioactivity",
           "utility_cost", "watermark_model"]
