"""Teacher-logit cache: quantization error, round trip, resume, API top_logprobs, collation alignment."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from distillscope.distill.cache import (
    LogitCache,
    build_logit_cache,
    cache_from_completions,
    collate,
    dequantize,
    quantize,
)
from distillscope.distill.data import Example, encode_texts
from distillscope.distill.losses import LOG_ZERO, SparseTeacher, kd_loss
from distillscope.errors import InputError
from distillscope.models import Completion, TokenLogprob


def test_quantize_roundtrip_error_and_zero_code():
    lp = np.array([0.0, -0.001, -1.234567, -20.0, -63.9, -70.0, LOG_ZERO])
    back = dequantize(quantize(lp))
    assert np.all(np.abs(back[:5] - lp[:5]) <= 0.5 / 1024 + 1e-7)
    assert back[5] == LOG_ZERO and back[6] == LOG_ZERO


def _examples(tiny, n=6):
    g = np.random.default_rng(0)
    return [Example(list(map(int, g.integers(5, 2048, 10 + i % 4))), [True] * (10 + i % 4)) for i in range(n)]


def test_encode_texts_windows(tiny):
    ex = encode_texts(tiny.tokenizer, ["hello world " * 30, "short text here ok"], max_len=16)
    assert all(len(e.input_ids) <= 16 for e in ex) and not any(e.targets[0] for e in ex)


def test_cache_roundtrip_matches_teacher(tiny, tmp_path):
    ex = _examples(tiny)
    cache = build_logit_cache(tiny, ex, tmp_path / "c", k=8, batch_size=2)
    seqs = cache.sequences()
    assert len(seqs) == len(ex) == len(cache)
    assert cache.meta["n_targets"] == sum(e.n_targets for e in ex)
    with torch.no_grad():
        logits = tiny.model(input_ids=torch.tensor([ex[0].input_ids])).logits[0]
    s = seqs[0]
    ref = SparseTeacher.from_logits(logits[s.target_pos - 1], 8)
    assert np.array_equal(s.top_ids, ref.ids.numpy())
    assert np.allclose(s.top_logp, ref.logp.numpy(), atol=1e-3)
    assert np.allclose(s.tail_logp, ref.tail_logp.numpy(), atol=1e-3)
    # compact: 2 bytes id + 2 bytes logprob per entry, far below a dense float32 distribution
    assert cache.nbytes < 0.1 * cache.meta["n_targets"] * 2048 * 4


def test_collate_aligns_labels_and_teacher(tiny, tmp_path):
    ex = _examples(tiny, 3)
    seqs = build_logit_cache(tiny, ex, tmp_path / "c", k=2048).sequences()
    ids, attn, labels, sp = collate(seqs)
    # at k = vocab the cached sparse loss equals the dense loss on the same positions (up to quantization)
    with torch.no_grad():
        t_logits = tiny.model(input_ids=ids, attention_mask=attn).logits[:, :-1]
    g = torch.Generator().manual_seed(0)
    s_logits = torch.randn(t_logits.shape, generator=g)
    mask = labels != -100
    assert torch.equal(labels[mask], ids[:, 1:][mask])
    dense = kd_loss(s_logits, t_logits, mask)
    sparse = kd_loss(s_logits, sp, mask)
    assert abs(float(dense) - float(sparse)) < 2e-3


def test_build_resumes_and_refuses_other_data(tiny, tmp_path):
    ex = _examples(tiny, 34)  # more than one shard of 32
    path = tmp_path / "c"
    build_logit_cache(tiny, ex, path, k=4)
    shards = sorted(path.glob("shard-*.parquet"))
    assert len(shards) == 2
    shards[1].unlink()  # simulate an interruption before the last shard was written
    mtime0 = shards[0].stat().st_mtime_ns
    calls = []
    build_logit_cache(tiny, ex, path, k=4, progress=calls.append)
    assert shards[0].stat().st_mtime_ns == mtime0 and shards[1].exists()
    assert len(LogitCache(path)) == len(ex)
    with pytest.raises(InputError, match="different logit cache"):
        build_logit_cache(tiny, ex[:5], path, k=4)


def test_cache_from_api_top_logprobs(tiny, tmp_path):
    tok = tiny.tokenizer
    words = [" the", " cat", " sat"]
    ids = [tok(w, add_special_tokens=False)["input_ids"] for w in words]
    words = [w for w, i in zip(words, ids) if len(i) == 1]
    assert words, "fixture tokenizer should have single-token words"
    lps = [TokenLogprob(w, -0.5, None, [(w, -0.5), ("zzqqxx-not-a-token", -2.0)]) for w in words]
    comp = Completion(text="".join(words), logprobs=lps)
    cache = cache_from_completions(["hi"], [comp], tok, tmp_path / "api", teacher_spec="openai:x@u")
    (s,) = cache.sequences()
    assert cache.meta["source"] == "api-top-logprobs" and cache.k == 2
    assert len(s.target_pos) == len(words)
    # the multi-token alternative was dropped into the tail: one kept entry, tail = 1 - e^-0.5
    assert np.all((s.top_logp > LOG_ZERO / 2).sum(-1) == 1)
    assert np.allclose(np.exp(s.tail_logp), 1 - np.exp(-0.5), atol=2e-3)
    assert list(s.input_ids[s.target_pos]) == [tok(w, add_special_tokens=False)["input_ids"][0] for w in words]
    bad = Completion(text="x", logprobs=[TokenLogprob("zzqqxx-not-a-token", -0.1)])
    with pytest.raises(InputError, match="--method sequences"):
        cache_from_completions(["hi"], [bad], tok, tmp_path / "api2")
    with pytest.raises(InputError, match="no logprobs"):
        cache_from_completions(["hi"], [Completion(text="x")], tok, tmp_path / "api3")


def test_black_box_teacher_is_refused(tmp_path):
    with pytest.raises(InputError, match="black-box"):
        build_logit_cache(object(), [Example([1, 2, 3], [False, True, True])], tmp_path / "c")
