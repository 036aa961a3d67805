"""The functional lineage test on tiny models trained here: a teacher, a student of another architecture logit-
distilled from it, and controls trained on the same text without it.

    PYTHONPATH=src python -m pytest -q tests/lineage/test_functional.py
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from scipy import stats

from distillscope.distill.data import corpus_texts
from distillscope.errors import InputError
from distillscope.lineage._align import boundaries_from_end, prediction_test
from distillscope.lineage.functional import functional_test, heldout_texts
from distillscope.models import HFModel
from distillscope.stats import rejection_rate, sign_flip_test
from distillscope.zoo import DATA as ZOO_DATA
from distillscope.zoo import tiny_config, tiny_model, tiny_tokenizer

# Trains a teacher, its students and controls once per module (~30 s): part of `make test`, not `make check`.
pytestmark = pytest.mark.slow

STEPS, BATCH, LEN, N_CONTROLS, N_TEACHERS = 120, 8, 32, 5, 4


def _windows(tok, texts: list[str], length: int = LEN) -> torch.Tensor:
    stream: list[int] = []
    for t in texts:
        stream += [*tok(t, add_special_tokens=False)["input_ids"], tok.eos_token_id]
    n = len(stream) // length
    return torch.tensor(stream[: n * length]).view(n, length)


def _fit(model, data: torch.Tensor, steps: int, seed: int, teacher=None):
    """Hard-label training, or (with ``teacher``) dense logit distillation: KL(teacher || student) per token."""
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    model.train()
    for _ in range(steps):
        x = data[torch.randint(len(data), (BATCH,), generator=gen)]
        logits = model(input_ids=x).logits[:, :-1]
        if teacher is None:
            loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), x[:, 1:].reshape(-1))
        else:
            with torch.no_grad():
                t = teacher(input_ids=x).logits[:, :-1].log_softmax(-1)
            loss = torch.nn.functional.kl_div(logits.log_softmax(-1), t, log_target=True, reduction="sum") / t[..., 0].numel()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model.eval()


def _gpt2(seed: int):
    from transformers import AutoModelForCausalLM

    torch.manual_seed(seed)
    return AutoModelForCausalLM.from_config(tiny_config("gpt2", d=32, layers=2))


@pytest.fixture(scope="module")
def trained():
    """Four Llama teachers, each trained on its own quarter of other text; a GPT-2 student logit-distilled from each
    on the shared data; GPT-2 controls trained with hard labels on the same shared data."""
    torch.set_num_threads(1)
    tok = tiny_tokenizer()
    corpus = corpus_texts(seed=0)
    data, rest = _windows(tok, corpus[:120]), corpus[120:]
    teachers = []
    for i in range(N_TEACHERS):
        t, _ = tiny_model("llama", 20 + i)
        teachers.append(_fit(t, _windows(tok, rest[i::N_TEACHERS]), 160, seed=20 + i))
    students = [_fit(_gpt2(30 + i), data, STEPS, seed=30 + i, teacher=t) for i, t in enumerate(teachers)]
    controls = [_fit(_gpt2(10 + i), data, STEPS, seed=10 + i) for i in range(N_CONTROLS)]
    wrap = lambda m, name: HFModel(m, tok, spec=f"test:{name}")
    return {"teachers": [wrap(t, f"teacher-{i}") for i, t in enumerate(teachers)],
            "students": [wrap(s, f"student-of-{i}") for i, s in enumerate(students)],
            "teacher": wrap(teachers[0], "teacher-0"), "student": wrap(students[0], "student-of-0"),
            "controls": [wrap(c, f"control-{i}") for i, c in enumerate(controls)]}


def test_heldout_texts_are_not_training_text():
    held = heldout_texts()
    assert len(held) >= 90
    corpus = set(corpus_texts(seed=0))
    assert not corpus.intersection(held)


def test_logit_distilled_student_of_another_architecture_is_detected(trained):
    ev = functional_test(trained["student"], trained["teacher"], trained["controls"], max_tokens=1024)
    assert ev.name == "lineage.functional"
    assert ev.p_value < 0.01, ev.details["metrics"]
    assert ev.effect_size > 0.2  # the student's KL to the teacher is well below the controls'
    kl = ev.details["metrics"]["kl"]
    assert kl["suspect"] < min(kl["controls"])
    assert ev.details["metrics"]["kl"]["rank_p"] == pytest.approx(1 / (N_CONTROLS + 1))
    json.dumps(ev.to_dict())  # JSON-serialisable
    assert len(ev.details["chunks"]) == ev.params["n_chunks"] <= 200


def test_control_as_suspect_is_not_convicted(trained):
    """Null on real models: each control as suspect against the other controls, for each of the four teachers as
    candidate (20 tests): the rejection rate's exact interval contains alpha or lies below it."""
    cs = trained["controls"]
    ps = []
    for teacher in trained["teachers"]:
        for i, suspect in enumerate(cs):
            ev = functional_test(suspect, teacher, [c for j, c in enumerate(cs) if j != i], max_tokens=1024)
            ps.append(ev.p_value)
    rate = rejection_rate(ps, alpha=0.05)
    assert rate.low <= 0.05, (rate, ps)


def test_students_of_other_teachers_as_strict_controls(trained):
    """Soft-label students agree more with *any* teacher than hard-label controls do, so the strictest controls are
    students distilled from other teachers. Against them the candidate's own student still stands out, and a student
    of another teacher is not convicted."""
    teachers, students = trained["teachers"], trained["students"]
    ev = functional_test(students[0], teachers[0], students[1:], max_tokens=1024)
    assert ev.p_value < 0.05, ev.details["metrics"]
    for j in range(1, N_TEACHERS):
        others = [s for k, s in enumerate(students) if k not in (0, j)]
        ev = functional_test(students[j], teachers[0], others, max_tokens=1024)
        assert ev.p_value > 0.05, (j, ev.details["metrics"])


def test_prediction_null_is_calibrated_where_chunk_test_is_not():
    """Simulated agreement tables: each model has its own seed effect plus chunk noise. The prediction test over
    models gives uniform p-values; a sign-flip test over chunks (B minus the mean control) rejects far too often."""
    rng = np.random.default_rng(0)
    p_model, p_chunk = [], []
    for _ in range(400):
        k, n = 4, 40
        effect = rng.normal(0, 0.05, k + 1)  # seed-to-seed spread of agreement with A
        table = 0.5 + effect[:, None] + rng.normal(0, 0.05, (k + 1, n)) + rng.normal(0, 0.1, n)[None]
        means = table.mean(1)
        p_model.append(prediction_test(means[0], means[1:])[1])
        p_chunk.append(sign_flip_test(table[0] - table[1:].mean(0), n_perm=200, seed=0).p_value)
    assert stats.kstest(p_model, "uniform").pvalue > 0.01
    assert rejection_rate(p_model, 0.05).low <= 0.05
    assert rejection_rate(p_chunk, 0.05).low > 0.2


def test_needs_two_controls(trained):
    with pytest.raises(InputError, match="at least 2 control"):
        functional_test(trained["student"], trained["teacher"], trained["controls"][:1])


def _permuted_tokenizer(seed: int):
    """The tiny tokenizer with its (non-special) token ids shuffled: same strings, different ids."""
    from tokenizers import Tokenizer
    from transformers import PreTrainedTokenizerFast

    spec = json.loads((ZOO_DATA / "tiny-bpe-2k.json").read_text())
    special = {a["id"] for a in spec.get("added_tokens", [])}
    vocab = spec["model"]["vocab"]
    movable = sorted(i for i in vocab.values() if i not in special)
    perm = dict(zip(movable, np.random.default_rng(seed).permutation(movable).tolist()))
    spec["model"]["vocab"] = {s: perm.get(i, i) for s, i in vocab.items()}
    tok = PreTrainedTokenizerFast(tokenizer_object=Tokenizer.from_str(json.dumps(spec)), eos_token="<|im_end|>",
                                  pad_token="<|pad|>", bos_token="<|endoftext|>", unk_token="<|endoftext|>")
    return tok, perm


def test_different_tokenizer_maps_tokens_by_string(trained):
    """A copy of the teacher behind a tokenizer with shuffled ids is compared token by token through strings:
    its KL to the teacher is ~0, and the caveat says the vocabularies differ."""
    import copy

    tok, perm = _permuted_tokenizer(1)
    teacher = trained["teacher"]
    clone = copy.deepcopy(teacher.module)
    w = teacher.module.get_input_embeddings().weight
    with torch.no_grad():
        new = w.clone()
        for old_id, new_id in perm.items():
            new[new_id] = w[old_id]
        clone.get_input_embeddings().weight.copy_(new)  # tied LM head follows
    copy_model = HFModel(clone, tok, spec="test:teacher-permuted-vocab")
    text = heldout_texts()[0]
    assert copy_model.encode(text) != teacher.encode(text)
    assert (boundaries_from_end(tok, copy_model.encode(text)) == boundaries_from_end(teacher.tokenizer,
                                                                                     teacher.encode(text))).all()
    ev = functional_test(copy_model, teacher, trained["controls"][:3], max_tokens=512)
    assert ev.params["shared_tokenizer"] is False
    assert any("Tokenizers differ" in c for c in ev.caveats)
    assert ev.details["metrics"]["kl"]["suspect"] < 1e-4
    assert ev.details["metrics"]["top_overlap"]["suspect"] > 0.99
    assert ev.p_value < 0.05


def test_tiny_vocabulary_intersection_is_refused(trained):
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {f"qz{i}": i for i in range(300)} | {"<unk>": 300}
    t = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    t.pre_tokenizer = pre_tokenizers.Whitespace()
    tok = PreTrainedTokenizerFast(tokenizer_object=t, unk_token="<unk>", eos_token="<unk>")
    m, _ = tiny_model("gpt2", 3, vocab_size=301)
    other = HFModel(m, tok, spec="test:alien-vocab")
    with pytest.raises(InputError, match="share only"):
        functional_test(other, trained["teacher"], trained["controls"][:2])
