"""Integration: the real SmolLM2-135M-Instruct (loaded once per run)."""

from __future__ import annotations

import pytest

from distillscope.models import GenRequest

pytestmark = pytest.mark.integration


def test_greedy_answer(smollm2):
    c = smollm2.generate([GenRequest.chat("What is the capital of France?", max_tokens=16, temperature=0)])[0]
    assert "Paris" in c.text
    assert c.finish_reason in ("stop", "length") and c.usage["completion_tokens"] <= 16


def test_score_agrees_with_generate_logits(smollm2):
    reqs = [GenRequest.chat("Name a colour.", max_tokens=12, seed_index=i, logprobs=True) for i in range(2)]
    for r, c in zip(reqs, smollm2.generate(reqs)):
        scored = smollm2.score_ids(smollm2.encode(smollm2.render(r)), c.token_ids)
        assert [t.logprob for t in scored] == pytest.approx([t.logprob for t in c.logprobs], abs=2e-3)
        # the text-level API agrees where the tokenisation round-trips
        if smollm2.encode(c.text) == c.token_ids:
            assert sum(t.logprob for t in smollm2.score(r.message_dicts, c.text)) == pytest.approx(
                c.sum_logprob, abs=1e-2)
