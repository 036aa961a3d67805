"""Tokenizer lineage: unrelated tokenizers score near the null, derived ones are detected; identification from usage
counts names every offline tokenizer and rejects unknown ones; a relay serving another tokenizer family under the
claimed name is caught by tokenizer_consistency in 10 calls while an honest endpoint passes."""

from __future__ import annotations

import functools
import json

import numpy as np
import pytest
from scipy import stats as st

from distillscope.lineage import _tokref
from distillscope.lineage._tokprobe import TokenCountModel
from distillscope.lineage._tokref import BERT, CHATML, INST, PLAIN, TokInfo, reference_set, trained
from distillscope.lineage.tokenizer import identify_tokenizer, tokenizer_consistency, tokenizer_test
from distillscope.models import load_model

TEMPLATES = [CHATML, INST, PLAIN, BERT]


def _derived(base: TokInfo, frac: float = 0.1, seed: int = 0) -> TokInfo:
    """``base`` with its last ``frac`` of merges (and the tokens they made) removed and as many new tokens added."""
    from tokenizers import Tokenizer

    d = json.loads(base.tok.to_str())
    merges = d["model"]["merges"]
    n = int(len(merges) * frac)
    dropped = merges[len(merges) - n:]
    d["model"]["merges"] = merges[: len(merges) - n]
    made = {"".join(m.split(" ", 1) if isinstance(m, str) else m) for m in dropped}
    vocab = {t: i for t, i in d["model"]["vocab"].items() if t not in made}
    d["model"]["vocab"] = {t: i for i, t in enumerate(sorted(vocab, key=vocab.get))}
    for a in d.get("added_tokens", []):
        a["id"] = d["model"]["vocab"].get(a["content"], a["id"])
    tok = Tokenizer.from_str(json.dumps(d))
    rng = np.random.default_rng(seed)
    tok.add_tokens([f"newtok{int(i)}" for i in rng.choice(10**6, n, replace=False)])
    return TokInfo(f"{base.name}-derived", base.family, tok, base.chat_template, base.specials)


def test_trained_references_are_deterministic_and_all_differ():
    names = list(_tokref.TRAINED)
    before = {n: trained(n).vocab for n in names}
    trained.cache_clear()
    assert all(trained(n).vocab == before[n] for n in names)
    refs = reference_set()
    assert len(refs) >= 9
    assert len({r.vocab for r in refs}) == len(refs)


@functools.cache
def _unrelated_pairs() -> list:
    """tokenizer_test of every pair of references, each against the pairs of the other references."""
    refs = list(reference_set())
    return [tokenizer_test(refs[i], refs[j], reference_tokenizers=[r for k, r in enumerate(refs) if k not in (i, j)])
            for i in range(len(refs)) for j in range(i + 1, len(refs))]


@pytest.mark.slow
def test_unrelated_tokenizers_score_near_the_null():
    evs = _unrelated_pairs()
    ps = np.array([e.p_value for e in evs])
    # leave-two-out ranks: each pair is exchangeable with the rest, so about alpha of them fall below alpha
    assert len(ps) >= 36
    assert np.mean(ps < 0.05) <= st.binom.ppf(0.999, len(ps), 0.05) / len(ps)
    assert abs(float(np.median([e.effect_size for e in evs]))) < 1.0


@pytest.mark.parametrize("name", ["bytebpe-a", "bytebpe-digits-b", "tiny-bpe-2k"])
def test_derived_tokenizer_is_detected(name):
    base = next(r for r in reference_set() if r.name == name)
    ev = tokenizer_test(_derived(base), base)
    assert ev.p_value == pytest.approx(1 / (1 + ev.details["n_null_pairs"]))  # beyond every unrelated pair
    assert ev.effect_size > 3 and ev.effect_size > max(e.effect_size for e in _unrelated_pairs())
    assert ev.details["features"]["merges_jaccard"]["value"] < 0.95  # the change is real
    assert ev.details["features"]["merges_jaccard"]["z"] > 3
    assert json.loads(ev.to_json())["details"]["n_null_pairs"] == ev.details["n_null_pairs"]


def test_white_box_models_sharing_a_tokenizer_are_detected():
    ev = tokenizer_test(load_model("zoo:tiny-gpt2"), load_model("zoo:tiny-llama"))
    assert ev.statistic == pytest.approx(1.0)
    assert ev.p_value < 0.05 and ev.effect_size > 3
    assert ev.details["features"]["chat_template_equal"]["value"] == 1.0


# the first template in `make check`, all of them in `make test`
@pytest.mark.parametrize("tpl", [0, *(pytest.param(i, marks=pytest.mark.slow) for i in range(1, len(TEMPLATES)))])
def test_identify_names_every_reference_behind_any_template(tpl):
    for r in reference_set():
        m = identify_tokenizer(TokenCountModel(r, TEMPLATES[tpl], system_prompt="Be brief."), seed=tpl)
        assert (m.name, m.consistent, m.tied) == (r.name, True, []), m.ranking[:3]
        assert m.calls <= 50 and m.evidence.p_value < 0.05


@pytest.mark.slow
def test_identify_rejects_a_tokenizer_outside_the_candidates_and_names_a_variant_by_family():
    refs = list(reference_set())
    for i, r in enumerate(refs):
        m = identify_tokenizer(TokenCountModel(r), candidates=refs[:i] + refs[i + 1:])
        assert not m.consistent and m.evidence.p_value is None
    base = trained("bytebpe-a")
    variant = TokInfo("variant", "x", base.tok.__class__.from_str(base.tok.to_str()), CHATML)
    variant.tok.add_special_tokens(["<tool_call>", "</tool_call>"])
    m = identify_tokenizer(TokenCountModel(variant))
    assert m.name == "bytebpe-a" and m.consistent


def test_identify_needs_usage_counts():
    from distillscope.errors import InputError
    from distillscope.models import Completion, Model

    class NoUsage(Model):
        spec = "test:no-usage"

        def _generate(self, requests, progress=None):
            return [Completion("x") for _ in requests]

    with pytest.raises(InputError, match="prompt_tokens"):
        identify_tokenizer(NoUsage())


def test_consistency_flags_every_foreign_tokenizer_and_no_honest_one():
    refs = list(reference_set())
    for i, served in enumerate(refs):
        for j, claimed in enumerate(refs):
            m = TokenCountModel(served, TEMPLATES[(i + j) % 4], system_prompt="Hi.")
            ev = tokenizer_consistency(m, claimed, calls=10)
            if i == j:
                assert ev.p_value == 1.0 and ev.statistic == 0
            else:
                assert ev.p_value < 0.01, (served.name, claimed.name, ev.details)
            assert m.calls == 10


@pytest.mark.slow
def test_verify_relay_under_the_claimed_name_is_caught_in_10_calls_over_http(foreign_tokenizer_model):
    from distillscope.serve import serve_in_thread

    claimed = load_model("zoo:tiny-llama")
    with serve_in_thread(claimed, name="tiny-llama") as url:
        honest = tokenizer_consistency(load_model(f"openai:tiny-llama@{url}", api_key_env="NONE"), claimed, calls=10)
    with serve_in_thread(foreign_tokenizer_model, name="tiny-llama") as url:
        relay = tokenizer_consistency(load_model(f"openai:tiny-llama@{url}", api_key_env="NONE"), claimed, calls=10)
    assert honest.p_value > 0.05 and honest.statistic == 0
    assert json.loads(relay.to_json())["name"] == "lineage.tokenizer.consistency"
    assert relay.p_value < 0.01 and len(relay.details["probes"]) == 10
