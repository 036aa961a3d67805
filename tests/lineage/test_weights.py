"""Weight and representation lineage tests on tiny fixtures: the raw-cosine trap, unrelated pairs (null),
derived pairs (quantized, noisy, fine-tuned, unit-permuted, layer-pruned copies) and models of different shapes.

    PYTHONPATH=src python -m pytest -q tests/lineage/test_weights.py
"""

from __future__ import annotations

import copy
import json

import pytest
import torch

from distillscope.errors import InputError
from distillscope.lineage._align import centred_gram, cka_u, hsic_u_features
from distillscope.lineage.weights import raw_cosine, representation_test, weight_test
from distillscope.models import HFModel, load_model
from distillscope.stats import rejection_rate
from distillscope.zoo import tiny_model
from distillscope.zoo.lineage import quantize_weights


@pytest.fixture(scope="module")
def zoo():
    torch.set_num_threads(1)
    return {"a": load_model("zoo:tiny-llama"), "unrelated": [load_model(f"zoo:tiny-llama-s{i}") for i in range(1, 8)]}


def _wrap(module, like, name):
    return HFModel(module, like.tokenizer, spec=f"test:{name}")


def _permuted(a, seed: int = 0):
    """A copy of a tiny Llama with residual dims, attention heads and MLP units permuted (same function)."""
    m = copy.deepcopy(a.module)
    cfg = m.config
    g = torch.Generator().manual_seed(seed)
    pd = torch.randperm(cfg.hidden_size, generator=g)
    hd = cfg.hidden_size // cfg.num_attention_heads
    ph = torch.randperm(cfg.num_attention_heads, generator=g)
    rows = (ph[:, None] * hd + torch.arange(hd)[None]).flatten()
    with torch.no_grad():
        emb = m.model.embed_tokens.weight
        emb.copy_(emb[:, pd])
        m.model.norm.weight.copy_(m.model.norm.weight[pd])
        for layer in m.model.layers:
            at, mlp = layer.self_attn, layer.mlp
            for ln in (layer.input_layernorm, layer.post_attention_layernorm):
                ln.weight.copy_(ln.weight[pd])
            for lin in (at.q_proj, at.k_proj, at.v_proj):
                lin.weight.copy_(lin.weight[rows][:, pd])
            at.o_proj.weight.copy_(at.o_proj.weight[pd][:, rows])
            pu = torch.randperm(mlp.up_proj.weight.shape[0], generator=g)
            for lin in (mlp.gate_proj, mlp.up_proj):
                lin.weight.copy_(lin.weight[pu][:, pd])
            mlp.down_proj.weight.copy_(mlp.down_proj.weight[pd][:, pu])
    return _wrap(m, a, "permuted")


def _fine_tuned(a, steps: int = 20):
    m = copy.deepcopy(a.module).train()
    opt = torch.optim.Adam(m.parameters(), lr=1e-4)
    g = torch.Generator().manual_seed(0)
    for _ in range(steps):
        x = torch.randint(4, 2000, (4, 32), generator=g)
        loss = m(input_ids=x, labels=x).loss
        opt.zero_grad()
        loss.backward()
        opt.step()
    return _wrap(m.eval(), a, "fine-tuned")


def _noisy(a, scale: float = 0.5):
    m = copy.deepcopy(a.module)
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for p in m.parameters():
            if p.dim() == 2:
                p.add_(torch.randn(p.shape, generator=g) * p.std() * scale)
    return _wrap(m, a, "noisy")


def _pruned_depth(a):
    """A one-block copy: the first block of A kept, the second dropped."""
    m = copy.deepcopy(a.module)
    m.model.layers = torch.nn.ModuleList([m.model.layers[0]])
    m.config.num_hidden_layers = 1
    return _wrap(m, a, "pruned-depth")


def test_debiased_cka_properties():
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(60, 7, generator=g), torch.randn(60, 5, generator=g)
    gram = (centred_gram(x) * centred_gram(y)).sum() / (60 * 57)
    assert hsic_u_features(x, y) == pytest.approx(float(gram), rel=1e-9, abs=1e-12)
    q, _ = torch.linalg.qr(torch.randn(7, 7, generator=g))
    assert cka_u(x, x) == pytest.approx(1.0)
    assert cka_u(x, 3 * x @ q + 2) == pytest.approx(1.0, abs=1e-6)  # rotation, scale, shift
    big = [cka_u(torch.randn(300, 20, generator=g), torch.randn(300, 20, generator=g)) for _ in range(20)]
    assert abs(sum(big) / len(big)) < 0.01  # debiased: ~0 for independent data


def test_permuted_copy_computes_the_same_function(zoo):
    a = zoo["a"]
    p = _permuted(a)
    ids = torch.tensor([a.encode("The quick brown fox jumps over the lazy dog.")])
    assert torch.allclose(a.logits(ids), p.logits(ids), atol=1e-4)


def test_raw_cosine_trap(zoo):
    """Unrelated models look alike to the raw cosine, and a derived (unit-permuted) copy looks no closer; the CKA
    statistic acquits the unrelated pair and convicts the copy."""
    a, un = zoo["a"], zoo["unrelated"]
    trap = raw_cosine(a, un[0])
    assert trap > 0.5  # norm weights of 1 and a shared init scale; the weights themselves are independent
    perm = _permuted(a)
    assert raw_cosine(a, perm) < trap + 0.05
    ev_un = weight_test(un[0], a, null_models=un[1:5])
    ev_perm = weight_test(perm, a, null_models=un[1:5])
    assert ev_un.p_value > 0.05
    assert ev_perm.p_value < 0.01 and ev_perm.effect_size > 10


def test_unrelated_pairs_fpr(zoo):
    """Null: every tiny-llama seed as suspect against candidates s0 and s7, other seeds as null models."""
    models = [zoo["a"], *zoo["unrelated"]]
    ps, perm_ps = [], []
    for cand in (0, 7):
        for s in range(1, 7):
            nulls = [m for i, m in enumerate(models) if i not in (cand, s)][:4]
            ev = weight_test(models[s], models[cand], null_models=nulls, permutations=100)
            ps.append(ev.p_value)
            perm_ps.append(ev.details["perm_p"])
    for p in (ps, perm_ps):
        rate = rejection_rate(p, 0.05)
        assert rate.low <= 0.05 and rate.rate <= 0.2, (rate, p)


@pytest.mark.parametrize("make", [lambda a: _wrap(quantize_weights(copy.deepcopy(a.module)), a, "quantized"),
                                  _noisy, _fine_tuned, _permuted, _pruned_depth],
                         ids=["quantized-4bit", "noise", "fine-tuned", "permuted-units", "pruned-depth"])
def test_derived_pairs_detected(zoo, make):
    a, un = zoo["a"], zoo["unrelated"]
    ev = weight_test(make(a), a, null_models=un[:4])
    assert ev.name == "lineage.weights"
    assert ev.p_value < 0.01
    assert ev.effect_size > 10  # z against the null models
    assert all(row["perm_p"] < 0.05 for row in ev.details["layers"])
    json.dumps(ev.to_dict())


def test_different_shapes_compare_what_is_comparable(zoo):
    a, un = zoo["a"], zoo["unrelated"]
    narrow, _ = tiny_model("llama", 11, d=32, layers=3)
    gpt2 = load_model("zoo:tiny-gpt2-s3")
    for other in (_wrap(narrow, a, "narrow-deep"), gpt2):
        ev = weight_test(other, a, null_models=un[:3], permutations=50)
        assert 0 < ev.p_value <= 1
        assert len(ev.details["layers"]) == 2  # one row per block of the shallower model
    ev = weight_test(_wrap(narrow, a, "narrow-deep"), a, permutations=50)
    assert ev.details["matched_dims"] == 32
    assert any("Shapes differ" in c for c in ev.caveats)
    assert ev.p_value is None and any("No p-value" in c for c in ev.caveats)


@pytest.mark.slow
def test_representations(zoo):
    a, un = zoo["a"], zoo["unrelated"]
    texts = None
    q = _wrap(quantize_weights(copy.deepcopy(a.module)), a, "quantized")
    ev_q = representation_test(q, a, texts, null_models=un[:4], max_texts=24)
    ev_u = representation_test(un[5], a, texts, null_models=un[:4], max_texts=24)
    assert ev_q.p_value < 0.01 and ev_q.effect_size > 5
    assert ev_u.p_value > 0.05
    # The trap for representations: unrelated models' CKA on the same texts is far from 0.
    assert min(ev_u.details["null_mean_cka"]) > 0.05
    ev_none = representation_test(q, a, texts, max_texts=24)
    assert ev_none.p_value is None and any("null_models" in c for c in ev_none.caveats)


def test_representations_candidate_peers_side(zoo):
    """Both sides: a quantized copy is convicted by the larger p-value (known positive), and unrelated suspects,
    with the other seeds split into null models and peers of the candidate, keep the FPR at alpha (null)."""
    models = [zoo["a"], *zoo["unrelated"]]
    a = models[0]
    q = _wrap(quantize_weights(copy.deepcopy(a.module)), a, "quantized")
    ev = representation_test(q, a, null_models=models[1:5], candidate_peers=models[1:], max_texts=24)
    assert ev.p_value < 0.01 and ev.details["p_candidate_peers"] < 0.01
    assert ev.p_value == max(ev.details["p_null_models"], ev.details["p_candidate_peers"])
    ps = []
    for cand in (0, 7):
        for s in range(1, 7):
            rest = [m for i, m in enumerate(models) if i not in (cand, s)]
            ev = representation_test(models[s], models[cand], null_models=rest[:3], candidate_peers=rest[3:6],
                                      max_texts=24)
            ps.append(ev.p_value)
    rate = rejection_rate(ps, 0.05)
    assert rate.low <= 0.05 and rate.rate <= 0.2, (rate, ps)


def test_embedding_rows_aligned_by_token_string(zoo):
    """A copy behind a tokenizer whose token ids are shuffled (same strings) is matched row by row through the
    strings and convicted; without that alignment its embedding rows would look unrelated."""
    import numpy as np
    from tokenizers import Tokenizer
    from transformers import PreTrainedTokenizerFast

    from distillscope.zoo import DATA as ZOO_DATA

    a, un = zoo["a"], zoo["unrelated"]
    spec = json.loads((ZOO_DATA / "tiny-bpe-2k.json").read_text())
    special = {t["id"] for t in spec.get("added_tokens", [])}
    movable = sorted(i for i in spec["model"]["vocab"].values() if i not in special)
    perm = dict(zip(movable, np.random.default_rng(0).permutation(movable).tolist()))
    spec["model"]["vocab"] = {s: perm.get(i, i) for s, i in spec["model"]["vocab"].items()}
    tok = PreTrainedTokenizerFast(tokenizer_object=Tokenizer.from_str(json.dumps(spec)), eos_token="<|im_end|>",
                                  pad_token="<|pad|>", bos_token="<|endoftext|>", unk_token="<|endoftext|>")
    m = copy.deepcopy(a.module)
    w = a.module.get_input_embeddings().weight
    with torch.no_grad():
        new = w.clone()
        for old_id, new_id in perm.items():
            new[new_id] = w[old_id]
        m.get_input_embeddings().weight.copy_(new)
    ev = weight_test(HFModel(m, tok, spec="test:shuffled-vocab"), a, null_models=un[:4])
    assert ev.details["embedding_cka"] > 0.99
    assert ev.p_value < 0.01 and ev.statistic > 0.99


def test_disjoint_vocabularies_are_refused(zoo):
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    t = Tokenizer(models.WordLevel({f"qz{i}": i for i in range(300)} | {"<unk>": 300}, unk_token="<unk>"))
    t.pre_tokenizer = pre_tokenizers.Whitespace()
    tok = PreTrainedTokenizerFast(tokenizer_object=t, unk_token="<unk>", eos_token="<unk>")
    m, _ = tiny_model("gpt2", 3, vocab_size=301)
    with pytest.raises(InputError, match="share only"):
        weight_test(HFModel(m, tok, spec="test:alien"), zoo["a"])


@pytest.fixture(scope="module")
def trained():
    """Five tiny GPT-2s trained from different seeds on the same text: unrelated, but not random."""
    from transformers import AutoModelForCausalLM

    from distillscope.distill.data import corpus_texts
    from distillscope.zoo import tiny_config, tiny_tokenizer

    torch.set_num_threads(1)
    tok = tiny_tokenizer()
    stream: list[int] = []
    for t in corpus_texts(seed=0)[:100]:
        stream += [*tok(t, add_special_tokens=False)["input_ids"], tok.eos_token_id]
    data = torch.tensor(stream[: len(stream) // 32 * 32]).view(-1, 32)
    out = []
    for seed in range(5):
        torch.manual_seed(seed)
        m = AutoModelForCausalLM.from_config(tiny_config("gpt2", d=64, layers=2))
        opt = torch.optim.AdamW(m.parameters(), lr=3e-3)
        g = torch.Generator().manual_seed(seed)
        for _ in range(60):
            x = data[torch.randint(len(data), (8,), generator=g)]
            loss = m(input_ids=x, labels=x).loss
            opt.zero_grad()
            loss.backward()
            opt.step()
        out.append(HFModel(m.eval(), tok, spec=f"test:trained-gpt2-{seed}"))
    return out


@pytest.mark.slow  # trains several tiny models (~5 s)
def test_permutation_null_is_a_trap_for_trained_models(trained):
    """Unrelated models trained on the same text sit far above the random-permutation null (the residual alignment
    finds their shared token geometry), so without null models there is no p-value; with them there is no conviction,
    while a fine-tuned copy is still convicted."""
    ev = weight_test(trained[1], trained[0], permutations=100)
    assert ev.details["perm_p"] < 0.05 and ev.statistic > 0.2  # what a permutation-only test would report
    assert ev.p_value is None
    ps = []
    for i in range(1, 5):
        nulls = [m for j, m in enumerate(trained[1:], 1) if j != i]
        ps.append(weight_test(trained[i], trained[0], null_models=nulls, permutations=100).p_value)
    assert sum(p < 0.05 for p in ps) <= 1, ps
    ev = weight_test(_fine_tuned(trained[0]), trained[0], null_models=trained[1:], permutations=100)
    assert ev.p_value < 0.05 and ev.effect_size > 5  # ~7 here: trained null models are spread far wider than fresh ones


def _train_gpt2(tok, data, seed: int, steps: int = 60) -> HFModel:
    from transformers import AutoModelForCausalLM

    from distillscope.zoo import tiny_config

    torch.manual_seed(seed)
    m = AutoModelForCausalLM.from_config(tiny_config("gpt2", d=64, layers=2))
    opt = torch.optim.AdamW(m.parameters(), lr=3e-3)
    g = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        x = data[torch.randint(len(data), (8,), generator=g)]
        loss = m(input_ids=x, labels=x).loss
        opt.zero_grad()
        loss.backward()
        opt.step()
    return HFModel(m.eval(), tok, spec=f"test:trained-gpt2-data-{seed}")


@pytest.mark.slow  # trains six tiny models (~20 s)
def test_embedding_cka_follows_the_data_and_is_not_the_verdict():
    """Two unrelated models trained on one text sample, null models on another: the embedding CKA over shared
    tokens convicts them (the data trap), so it stays descriptive; the verdict is the block-CKA prediction test."""
    from distillscope.distill.data import corpus_texts
    from distillscope.lineage._align import prediction_test
    from distillscope.zoo import tiny_tokenizer

    torch.set_num_threads(1)
    tok = tiny_tokenizer()

    def data(lo: int, hi: int) -> torch.Tensor:
        stream: list[int] = []
        for t in corpus_texts(seed=0)[lo:hi]:
            stream += [*tok(t, add_special_tokens=False)["input_ids"], tok.eos_token_id]
        return torch.tensor(stream[: len(stream) // 32 * 32]).view(-1, 32)

    dx, dy = data(0, 60), data(200, 260)
    a, b = _train_gpt2(tok, dx, 0), _train_gpt2(tok, dx, 1)
    nulls = [_train_gpt2(tok, dy, 10 + s) for s in range(4)]
    ev = weight_test(b, a, null_models=nulls, permutations=20)
    d = ev.details
    assert d["embedding_null_models_z"] > 10 and d["embedding_null_models_p"] < 1e-3  # the trap
    assert ev.p_value == d["null_models_p"]  # the verdict is the block test alone
    means = d["null_mean_cka"]
    assert ev.p_value == pytest.approx(prediction_test(ev.statistic, means)[1])
    assert ev.p_value > 100 * d["embedding_null_models_p"]


@pytest.mark.integration
def test_smollm2_quantized_copy_detected(smollm2):
    q = HFModel(quantize_weights(copy.deepcopy(smollm2.module)), smollm2.tokenizer, spec="test:smollm2-q4")
    ev = weight_test(q, smollm2, permutations=100)
    assert ev.statistic > 0.98 and ev.details["perm_z"] > 20
    assert all(row["cka"] > 0.95 for row in ev.details["layers"])
