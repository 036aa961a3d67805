"""The optional adjudicator: which answers go to the judge, both verdicts kept, Cohen's kappa, replay backend."""

from __future__ import annotations

import json

import pytest

from distillscope.errors import InputError
from distillscope.identity.claims import default_extractor
from distillscope.identity.judge import RUBRIC, adjudicate, cohen_kappa, parse_reply
from distillscope.models import load_model
from distillscope.models._mock import MockModel

TEXTS = [
    "I'm Claude, made by Anthropic.",  # sure: direct claim
    "Sorry, that goes against OpenAI's content policy.",  # uncertain: implied (policy cue)
    "Llama 3 and Qwen2 are both open models.",  # uncertain: names, no claim
    "I am Qwen, developed by Alibaba Cloud.",  # sure
    "The weather is nice today.",  # sure: nothing named
]


def judge_says(r) -> str:
    text = r.message_dicts[-1]["content"]
    if "content policy" in text:
        return '{"claims": [{"name": "OpenAI", "status": "asserted"}]}'  # disagrees with the rules
    if "Claude" in text:
        return 'Sure. {"claims": [{"name": "Claude", "status": "asserted"}]}'
    if "Qwen, developed" in text:
        return '{"claims": [{"name": "Qwen", "status": "asserted"}]}'
    if "Llama 3 and" in text:
        return "I cannot tell."  # unreadable: kept as None, not guessed
    return '{"claims": []}'


def test_uncertain_answers_and_an_audit_sample_go_to_the_judge_and_both_verdicts_are_kept():
    judge = MockModel(judge_says)
    rep = adjudicate(TEXTS, judge, audit=1.0)
    by_index = {j.index: j for j in rep.judged}
    assert {i for i, j in by_index.items() if j.reason == "uncertain"} == {1, 2}
    assert {i for i, j in by_index.items() if j.reason == "audit"} == {0, 3, 4}
    assert all(r.messages[0] == ("system", RUBRIC) and r.temperature == 0 for r in judge.requests)
    # the judge disagrees on answer 1; the rules' verdict is kept next to it, not replaced
    assert by_index[1].rules == {"gpt": "implied"} and by_index[1].judge == {"gpt": "asserted"}
    assert by_index[1].agree is False and by_index[0].agree is True
    assert by_index[2].judge is None and rep.unreadable == 1
    # items (answer, label): claude A/A, gpt implied/asserted, qwen A/A -> observed 2/3, chance 2/3: kappa 0
    assert rep.kappa["all"] == pytest.approx(0.0)
    assert rep.kappa["audit"] is None  # full agreement on a single category: kappa undefined, not 1


def test_audit_share_zero_sends_only_uncertain_answers():
    rep = adjudicate(TEXTS, MockModel(judge_says), audit=0.0)
    assert sorted(j.index for j in rep.judged) == [1, 2]
    with pytest.raises(InputError):
        adjudicate(TEXTS, MockModel(judge_says), audit=1.5)


def test_replay_backend_as_a_judge(tmp_path):
    """A judge's recorded replies (e.g. from an earlier run against an API) replayed offline."""
    path = tmp_path / "judge.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for t in TEXTS[1:3]:
            msgs = [{"role": "system", "content": RUBRIC}, {"role": "user", "content": t}]
            f.write(json.dumps({"messages": msgs, "response": '{"claims": [{"name": "OpenAI", "status": "implied"}]}'
                                if "policy" in t else '{"claims": []}'}) + "\n")
    rep = adjudicate(TEXTS, load_model(f"replay:{path}"), audit=0.0)
    assert [(j.index, j.agree) for j in rep.judged] == [(1, True), (2, True)]


def test_cohen_kappa_matches_sklearn_and_its_ends():
    sk = pytest.importorskip("sklearn.metrics")
    a = ["asserted", "none", "none", "negated", "asserted", "implied", "none", "asserted"]
    b = ["asserted", "none", "asserted", "negated", "none", "implied", "none", "asserted"]
    assert cohen_kappa(a, b) == pytest.approx(sk.cohen_kappa_score(a, b))
    assert cohen_kappa(a, a) == pytest.approx(1.0)
    assert cohen_kappa(["x", "y"] * 5, ["y", "x"] * 5) == pytest.approx(-1.0)
    assert cohen_kappa([], []) is None


def test_parse_reply_maps_names_to_labels_and_rejects_bad_statuses():
    ex = default_extractor()
    assert parse_reply('{"claims": [{"name": "GPT-4o", "status": "negated"}, {"name": "Anthropic", '
                       '"status": "asserted"}]}', ex) == {"gpt": "negated", "claude": "asserted"}
    assert parse_reply('{"claims": [{"name": "GPT-4o", "status": "maybe"}]}', ex) is None
    assert parse_reply("no json here", ex) is None
