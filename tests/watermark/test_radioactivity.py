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


def _bigram_text(n_seq: int, length: int, bias: torch.Tensor | None, seed: int) -> list[list[int]]:
    """Sequences from a random bigram model over tokens 0..63, 16 Zipf-weighted successors each (1,024 tuples in
    all, so a few thousand tokens repeat every tuple); ``bias`` [64, V] is added to its logits."""
    g = torch.Generator().manual_seed(123)
    logits = torch.full((64, V), -1e9)
    for a in range(64):
        nxt = torch.randperm(64, generator=g)[:16]
        logits[a, nxt] = -torch.log(torch.arange(1, 17, dtype=torch.float))
    if bias is not None:
        logits = logits + bias
    probs = torch.softmax(logits, -1)
    g = torch.Generator().manual_seed(seed)
    cur = torch.randint(0, 64, (n_seq,), generator=g)
    out = [cur]
    for _ in range(length - 1):
        cur = torch.multinomial(probs[cur], 1, generator=g)[:, 0]
        out.append(cur)
    return torch.stack(out, 1).tolist()


def test_closed_count_cap_null_is_calibrated_under_many_keys():
    """Key-independent text full of repeated tuples, scored under 120 KGW keys with count_cap 8: FPR <= alpha."""
    text = _bigram_text(50, 100, None, seed=0)
    ps = [closed_radioactivity(text, WatermarkConfig(key=f"null-{k}", gamma=0.25), vocab_size=V,
                               count_cap=8).p_value for k in range(120)]
    assert _fpr_ok(ps, 0.05, 120) and _fpr_ok(ps, 0.1, 120) and _fpr_ok(ps, 0.25, 120)
    assert np.mean(np.asarray(ps) < 0.5) > 0.3  # not degenerate (all p near 1 would pass the FPR check)


def test_closed_count_cap_known_positive_where_first_occurrences_saturate():
    """A suspect with +0.7 logit on green repeats green tuples more often; once the text covers every tuple the
    first-occurrence count sees little, the capped-count weighting still finds it."""
    cfg = WatermarkConfig(key="radio-secret", gamma=0.25)
    scheme = make_scheme(cfg, V)
    bias = 0.7 * torch.stack([scheme.token_scores([a]) for a in range(64)])
    text = _bigram_text(50, 100, bias, seed=1)
    once = closed_radioactivity(text, cfg, vocab_size=V)
    weighted = closed_radioactivity(text, cfg, vocab_size=V, count_cap=8)
    c = weighted.details["counts"]
    assert c["count_cap"] == 8 and c["n_scored"] == once.details["counts"]["n_scored"] <= 1024
    assert weighted.p_value < 1e-6 and weighted.p_value < once.p_value
    assert closed_radioactivity(text, WatermarkConfig(key="unrelated"), vocab_size=V, count_cap=8).p_value > 1e-3


def test_closed_count_cap_needs_dedup():
    with pytest.raises(InputError, match="dedup"):
        closed_radioactivity([[1, 2, 3]], WatermarkConfig(key="k"), vocab_size=V, dedup=False, count_cap=4)
    with pytest.raises(InputError, match="count_cap"):
        closed_radioactivity([[1, 2, 3]], WatermarkConfig(key="k"), vocab_size=V, count_cap=0)
