"""Radioactivity: exact-null calibration, the two failure modes dedup/exclusion prevent, and known positives."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from distillscope.errors import InputError
from distillscope.models import load_model
from distillscope.watermark import (
    WatermarkConfig,
    closed_radioactivity,
    closed_radioactivity_from_model,
    make_scheme,
    open_radioactivity,
    watermark_model,
)

V = 2048


class LogitEdit:
    """A white-box suspect built from ``base`` whose logits at each position are edited by ``edit(ids, i, z)``."""

    def __init__(self, base, edit):
        self.base, self.edit, self.spec = base, edit, f"edited:{base.spec}"

    def logits(self, input_ids, attention_mask=None):
        z = self.base.logits(input_ids).clone()
        ids = z.new_tensor(input_ids).long()[0].tolist()
        for i in range(len(ids)):
            z[0, i] = self.edit(ids, i, z[0, i])
        return z

    def __getattr__(self, name):  # every other white-box member is the base model's
        return getattr(self.base, name)


def _fpr_ok(ps, alpha, n):
    return np.mean(np.asarray(ps) < alpha) <= alpha + 3 * np.sqrt(alpha * (1 - alpha) / n)


@pytest.mark.slow
def test_open_null_clean_teacher_on_watermarked_text(teacher, kgw_texts, kgw_cfg):
    """The clean teacher reading its own watermarked outputs is the hardest null: it must not look radioactive."""
    wm, _ = kgw_texts
    ev = open_radioactivity(teacher, [c.token_ids for c in wm], kgw_cfg)
    assert ev.p_value > 1e-3 and ev.details["counts"]["n_scored"] > 100
    ps = [open_radioactivity(teacher, [c.token_ids for c in wm], WatermarkConfig(key=f"o-{k}")).p_value
          for k in range(60)]
    assert _fpr_ok(ps, 0.05, 60) and _fpr_ok(ps, 0.1, 60)


def test_open_known_positive_partially_radioactive_suspect(teacher, kgw_texts, kgw_cfg):
    """A suspect that picked up a fraction of the bias (+1.0 logit on green, vs 3.0 at generation) is caught."""
    scheme = make_scheme(kgw_cfg, V)
    suspect = LogitEdit(teacher, lambda ids, i, z: z + 1.0 * scheme.token_scores(ids[: i + 1]))
    texts = [c.token_ids for c in kgw_texts[1]]  # reading clean text is enough: the bias is in the model
    ev = open_radioactivity(suspect, texts, kgw_cfg)
    assert ev.p_value < 1e-6 and ev.effect_size > 0.05
    assert ev.details["green_mass_excess"] > 0.05
    ev_s = open_radioactivity(suspect, texts, kgw_cfg, mode="sample")
    assert ev_s.p_value < 1e-3
    assert open_radioactivity(suspect, texts, WatermarkConfig(key="unrelated")).p_value > 1e-3


def test_open_context_exclusion_prevents_copying_false_positive(teacher, kgw_texts, kgw_cfg):
    """An induction-style suspect copies n-grams it has already read; without exclusion it looks radioactive."""

    def copy_edit(ids, i, z):
        for j in range(i - 1, -1, -1):
            if ids[j] == ids[i]:
                z = z.clone()
                z[ids[j + 1]] += 30.0
                break
        return z

    suspect = LogitEdit(teacher, copy_edit)
    texts = [c.token_ids * 2 for c in kgw_texts[0]]  # each watermarked text read twice in a row
    naive = open_radioactivity(suspect, texts, kgw_cfg, exclude_context=False)
    assert naive.p_value < 1e-6
    ev = open_radioactivity(suspect, texts, kgw_cfg)
    assert ev.p_value > 1e-3 and ev.details["counts"]["n_excluded"] > 100


def test_closed_setting(teacher, kgw_cfg):
    prompts = [f"Say something about item {i}." for i in range(6)]
    tok = teacher.tokenizer
    pos = closed_radioactivity_from_model(watermark_model(teacher, kgw_cfg), prompts, kgw_cfg, tok, V, max_tokens=32)
    assert pos.p_value < 1e-6 and pos.name == "watermark.radioactivity.closed"
    neg = closed_radioactivity_from_model(teacher, prompts, kgw_cfg, tok, V, max_tokens=32)
    assert neg.p_value > 1e-3


def test_closed_prompt_exclusion_prevents_echo_false_positive(kgw_texts, kgw_cfg, teacher):
    """A model that echoes watermarked prompts repeats their green n-grams; excluding prompt n-grams fixes it."""
    wm_prompts = [c.text for c in kgw_texts[0]]
    echo = load_model("mock:echo")
    outs = [c.text for c in echo.generate(
        [__import__("distillscope.models", fromlist=["GenRequest"]).GenRequest.chat(p) for p in wm_prompts])]
    naive = closed_radioactivity(outs, kgw_cfg, teacher.tokenizer, V)
    assert naive.p_value < 1e-6
    ev = closed_radioactivity(outs, kgw_cfg, teacher.tokenizer, V, prompts=wm_prompts)
    assert ev.p_value == 1.0 and ev.details["counts"]["n_scored"] == 0


def test_open_setting_refuses_black_box(kgw_cfg):
    with pytest.raises(InputError, match="white-box"):
        open_radioactivity(load_model("mock:echo"), ["text"], kgw_cfg)
    with pytest.raises(InputError, match="mode"):
        open_radioactivity(load_model("mock:echo"), ["text"], kgw_cfg, mode="nope")


def test_synthid_open_known_positive_and_null(teacher, synthid_cfg):
    scheme = make_scheme(synthid_cfg, V)
    suspect = LogitEdit(teacher, lambda ids, i, z: z + 2.0 * (scheme.token_scores(ids[: i + 1]) - 0.5))
    texts = [list(range(5 + k, 45 + k)) for k in range(3)]
    assert open_radioactivity(suspect, texts, synthid_cfg).p_value < 1e-6
    assert open_radioactivity(teacher, texts, synthid_cfg).p_value > 1e-3
    torch.manual_seed(0)
