"""Training loop, end-to-end runs on tiny models, resume, tokenizer refusal, provenance."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from distillscope.distill.data import Example, default_prompts, encode_chat
from distillscope.distill.provenance import read_manifest, verify_manifest, weights_hash
from distillscope.distill.run import DistillConfig, ce_step, run_distill, split_heldout
from distillscope.distill.student import build_student, check_tokenizers
from distillscope.distill.train import TrainConfig, batch_order, collate_examples, train
from distillscope.errors import InputError
from distillscope.models import Model


def test_batch_order_is_deterministic_and_covers_epochs():
    a = [batch_order(10, 4, s, seed=3) for s in range(5)]
    assert a == [batch_order(10, 4, s, seed=3) for s in range(5)]
    flat = [i for b in a for i in b]
    assert sorted(flat[:10]) == list(range(10))  # first epoch is a permutation
    assert a != [batch_order(10, 4, s, seed=4) for s in range(5)]


def test_collate_examples_masks_non_targets():
    ex = [Example([5, 6, 7, 8], [False, False, True, True]), Example([9, 10], [False, True])]
    _, attn, labels = collate_examples(ex, pad_id=0)
    assert labels.tolist() == [[-100, 7, 8], [10, -100, -100]]
    assert attn.tolist() == [[1, 1, 1, 1], [1, 1, 0, 0]]


def _tiny_examples(tok, n=12):
    prompts = default_prompts(n)
    return [encode_chat(tok, p, "A short answer about " + p.split()[-1], 40) for p in prompts]


def test_resume_after_interruption_equals_uninterrupted_run(tiny, tmp_path):
    ex = _tiny_examples(tiny.tokenizer)
    cfg = TrainConfig(steps=6, batch_size=3, lr=1e-2, checkpoint_every=2, warmup=1)
    m1, _ = build_student("tiny", tiny.tokenizer, seed=0)
    r1 = train(m1, len(ex), ce_step(ex), cfg, tmp_path / "a", show_progress=False)
    m2, _ = build_student("tiny", tiny.tokenizer, seed=0)
    part = train(m2, len(ex), ce_step(ex), cfg, tmp_path / "b", show_progress=False, stop_after=3)
    assert part.steps == 3 and (tmp_path / "b" / "checkpoint" / "trainer_state.pt").exists()
    m3, _ = build_student("tiny", tiny.tokenizer, seed=123)  # a fresh process would start from other weights
    r3 = train(m3, len(ex), ce_step(ex), cfg, tmp_path / "b", show_progress=False)
    assert r3.resumed_from == 3 and r3.steps == 6
    assert [h["loss"] for h in r3.history] == pytest.approx([h["loss"] for h in r1.history], rel=1e-4)
    for (n, p), (_, q) in zip(m1.named_parameters(), m3.named_parameters()):
        assert torch.allclose(p, q, atol=1e-5), n
    with pytest.raises(InputError, match="other settings"):
        train(m3, len(ex), ce_step(ex), cfg, tmp_path / "b", show_progress=False, config_key="other")


def test_tokenizer_mismatch_refused_with_pointer_to_sequences(tiny):
    import copy

    other = copy.deepcopy(tiny.tokenizer)
    other.add_tokens(["<brand-new-token>"])
    check_tokenizers(tiny.tokenizer, tiny.tokenizer, "logits")
    check_tokenizers(tiny.tokenizer, other, "sequences")  # text-level distillation does not care
    with pytest.raises(InputError, match="--method sequences"):
        check_tokenizers(tiny.tokenizer, other, "logits")


def test_logit_run_refuses_mismatch_before_work(tiny, tmp_path):
    import copy

    m, tok = build_student("tiny", tiny.tokenizer)
    tok = copy.deepcopy(tok)
    tok.add_tokens(["<x-new>"])
    m.resize_token_embeddings(len(tok))
    m.save_pretrained(tmp_path / "s")
    tok.save_pretrained(tmp_path / "s")
    cfg = DistillConfig(teacher="zoo:tiny-llama", out=str(tmp_path / "o"), method="logits",
                        student=f"hf:{tmp_path / 's'}", student_config=None)
    with pytest.raises(InputError, match="Tokenizer mismatch"):
        run_distill(cfg, show_progress=False, teacher_model=tiny)
    assert not (tmp_path / "o" / "checkpoint").exists()


@pytest.mark.parametrize("method", ["logits", "sequences", "text"])
def test_end_to_end_tiny_run_writes_loadable_student_and_manifest(tiny, tmp_path, method):
    from distillscope.models import load_model
    from distillscope.store import SampleStore

    out = tmp_path / method
    cfg = DistillConfig(teacher="zoo:tiny-llama", out=str(out), method=method, n_data=10, max_len=32,
                        answer_tokens=6, train=TrainConfig(steps=3, batch_size=2, checkpoint_every=2))
    s = run_distill(cfg, show_progress=False, teacher_model=tiny, store=SampleStore(tmp_path / "s.duckdb"))
    assert s["steps"] == 3 and s["target_tokens"] > 0
    assert s["heldout"]["kl"] >= 0  # same tokenizer: the held-out KL to the teacher is reported
    m = read_manifest(out)
    assert m["method"] == method and m["teacher"]["spec"] == "zoo:tiny-llama"
    assert m["teacher"]["weights_sha256"] == weights_hash(tiny.model)
    assert m["data"]["n_sequences"] > 0 and m["hyperparameters"]["steps"] == 3
    assert m["code"]["distillscope"]
    if method == "sequences":
        assert m["teacher_samples"]["n"] == 10 and len(m["teacher_samples"]["sample_ids"]) == 10
    if method == "logits":
        assert m["training"]["cache"]["k"] == 20
    student = load_model(f"hf:{out}")
    assert weights_hash(student.model) == m["student"]["weights_sha256"]
    assert not (out / "checkpoint").exists()
    assert verify_manifest(out)["ok"]


def test_verify_detects_tampering(tiny, tmp_path):
    out = tmp_path / "st"
    cfg = DistillConfig(teacher="zoo:tiny-llama", out=str(out), method="text", n_data=4, max_len=24,
                        train=TrainConfig(steps=1, batch_size=2))
    run_distill(cfg, show_progress=False, teacher_model=tiny)
    res = verify_manifest(out, check_teacher=True)
    assert res["ok"] and any(c["check"] == "teacher weights" and c["ok"] for c in res["checks"])
    # change the weights: both the file hash and the weight hash fail
    from safetensors.torch import load_file, save_file

    sd = load_file(str(out / "model.safetensors"))
    k = next(iter(sd))
    sd[k] = sd[k] + 0.01
    save_file(sd, str(out / "model.safetensors"), metadata={"format": "pt"})
    res = verify_manifest(out)
    assert not res["ok"]
    failed = {c["check"] for c in res["checks"] if not c["ok"]}
    assert "file model.safetensors" in failed and "student weights" in failed
    (out / "provenance.json").write_text(json.dumps({"schema": "other"}))
    with pytest.raises(InputError, match="schema"):
        read_manifest(out)


def test_split_heldout_is_disjoint_and_deterministic():
    ex = [Example([1, i + 2], [False, True]) for i in range(20)]
    a, b = split_heldout(ex, 0.2, 0)
    assert len(b) == 4 and len(a) == 16
    assert {e.input_ids[1] for e in a}.isdisjoint({e.input_ids[1] for e in b})
    assert split_heldout(ex, 0.2, 0)[1] == b


def test_bad_config_is_refused():
    with pytest.raises(InputError, match="method"):
        DistillConfig(teacher="zoo:tiny-llama", out="x", method="magic").validate()
    with pytest.raises(InputError, match="--loss"):
        TrainConfig(kind="tv").validate()


@pytest.mark.integration
def test_smollm2_teacher_tiny_student_logit_distillation_smoke(smollm2, tmp_path):
    from distillscope.distill.cache import build_logit_cache
    from distillscope.distill.run import logits_step
    from distillscope.zoo import tiny_tokenizer

    with pytest.raises(InputError, match="--method sequences"):
        check_tokenizers(smollm2.tokenizer, tiny_tokenizer(), "logits")
    student, tok = build_student("tiny", smollm2.tokenizer, seed=0)
    assert student.config.vocab_size == len(smollm2.tokenizer) == 49152
    check_tokenizers(smollm2.tokenizer, tok, "logits")
    ex = [encode_chat(tok, "What is the moon?", "The moon is Earth's natural satellite.", 64)]
    cache = build_logit_cache(smollm2, ex, tmp_path / "c", k=20)
    (seq,) = cache.sequences()
    # the teacher's top-1 at each answer position is a real token and most of the mass is in the top-20
    assert np.all(np.exp(seq.top_logp).sum(-1) + np.exp(seq.tail_logp) == pytest.approx(1.0, abs=0.02))
    cfg = TrainConfig(steps=2, batch_size=1)
    res = train(student, 1, logits_step([seq], cfg), cfg, show_progress=False)
    assert res.steps == 2 and np.isfinite(res.final_loss)


class _ApiLike(Model):
    """A black-box view of a white-box model: text + top_logprobs only, as an API would offer."""

    capabilities = frozenset({"text", "logprobs"})

    def __init__(self, inner):
        self.inner, self.spec = inner, "api:" + inner.spec

    def _generate(self, reqs, progress=None):
        return self.inner.generate(reqs, progress=progress)


def test_api_top_logprobs_feed_logit_distillation(tiny, tmp_path):
    from distillscope.store import SampleStore

    api = _ApiLike(tiny)
    tiny.model.save_pretrained(tmp_path / "s")
    tiny.tokenizer.save_pretrained(tmp_path / "s")
    cfg = DistillConfig(teacher="api:tiny", out=str(tmp_path / "o"), method="logits", student=f"hf:{tmp_path / 's'}",
                        student_config=None, n_data=4, answer_tokens=5, k=5,
                        train=TrainConfig(steps=2, batch_size=2))
    s = run_distill(cfg, show_progress=False, teacher_model=api, store=SampleStore(tmp_path / "st.duckdb"))
    assert s["cache"]["source"] == "api-top-logprobs" and s["cache"]["k"] == 5 and s["target_tokens"] > 0
    assert read_manifest(tmp_path / "o")["teacher_samples"]["top_logprobs"] == 5
    no_student = DistillConfig(teacher="api:tiny", out=str(tmp_path / "o2"), method="logits")
    with pytest.raises(InputError, match="--student hf:PATH"):
        run_distill(no_student, show_progress=False, teacher_model=api)
