"""Batched scoring agrees with the backend's own score_ids, and reported tokens are aligned correctly."""

import numpy as np
import pytest

from distillscope.models import GenRequest, is_white_box, load_model
from distillscope.models.base import Completion, TokenLogprob
from distillscope.verify.scoring import Scorer


def test_batched_scores_match_score_ids(sharp):
    sc = Scorer(sharp, batch_size=3)
    reqs = [GenRequest.chat(p, max_tokens=6, seed_index=i, logprobs=True) for p in ("Hi.", "A longer prompt here.")
            for i in range(3)]
    comps = sharp.generate(reqs)
    batched = sc.score_ids([(sc.context_ids(r), c.token_ids) for r, c in zip(reqs, comps)])
    for r, c, b in zip(reqs, comps, batched):
        one = np.array([t.logprob for t in sharp.score_ids(sc.context_ids(r), c.token_ids)])
        gen = np.array([t.logprob for t in c.logprobs])
        assert np.allclose(b, one, atol=1e-4) and np.allclose(b, gen, atol=1e-4)
        ids, how = sc.aligned_ids(Completion(c.text, None, c.logprobs))  # no ids: recovered from token strings
        assert how in ("exact", "ambiguous")
        if how == "exact":
            assert ids == c.token_ids


def test_foreign_tokens_and_black_box(sharp):
    sc = Scorer(sharp)
    comp = Completion("zzz", None, [TokenLogprob("\u2603\u2603\u2603", -1.0)])  # not a token of this vocabulary
    assert sc.aligned_ids(comp)[1] == "foreign"
    assert not is_white_box(load_model("mock:echo"))


@pytest.mark.integration
def test_shared_prefix_scoring_on_smollm2(smollm2):
    """Real SmolLM2: the shared-KV-cache scorer reproduces the generation logprobs of the model's own samples."""
    sc = Scorer(smollm2)
    reqs = [GenRequest.chat("Name a color.", max_tokens=6, seed_index=i, logprobs=True) for i in range(3)]
    comps = smollm2.generate(reqs)
    scored = sc.score_ids([(sc.context_ids(r), c.token_ids) for r, c in zip(reqs, comps)])
    for c, s in zip(comps, scored):
        assert np.allclose(s, [t.logprob for t in c.logprobs], atol=1e-3)
