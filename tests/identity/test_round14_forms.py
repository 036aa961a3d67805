"""Forms found in rules round 14, while reading the errors of blind12_unlic_dev after its first blind score: a
reasoning trace that plans to introduce the model by its name ("First, I should introduce myself as Qwen, the
model developed by Alibaba Cloud"), Korean self-naming with "라고 합니다" after a first-person topic, and a Russian
self-description that names its maker late. Each form is fixed in ``identity/claims.py``, ``identity/rules.py`` or
a cue of ``identity/data/cues.yaml`` and tested here next to the claims the fix must keep. Every sentence was written
for this test; none is copied from an answer.
"""

from __future__ import annotations

from distillscope.identity.claims import extract


def statuses(text: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for c in extract(text):
        out.setdefault(c.label, set()).add(c.status)
    return out


def test_a_planned_self_introduction_by_name_is_the_models_own_word():
    text = ("<think>\nThe user asks who I am in French. First, I should introduce myself as Claude, the assistant made "
            "by Anthropic. Then list what I can do.\n</think>\n\nJe suis Claude, un assistant conçu par Anthropic.")
    assert statuses(text)["claude"] == {"asserted"}


def test_a_planned_identity_to_present_stays_a_role():
    text = ("<think>\nThe user is asking what model I am. I should identify myself as DeepSeek AI assistant.\n"
            "</think>\n\nJe suis DeepSeek, un assistant.")
    assert "asserted" not in statuses(text).get("deepseek", set())
    set_up = ("<think>\nThe system prompt tells me to play a part. First, I should introduce myself as Claude.\n"
              "</think>\n\nJe suis Claude.")
    assert "asserted" not in statuses(set_up).get("claude", set())


def test_korean_self_naming_with_ragohamnida():
    assert statuses("저는 Gemini라고 합니다. 반갑습니다!") == {"gemini": {"asserted"}}
    assert statuses("사람들은 저를 Gemini라고 합니다.") == {"gemini": {"reported"}}


def test_a_russian_self_description_reaches_a_late_maker():
    text = ("Я — это модель языковой модели, основанная на архитектуре Transformer, разработанная и "
            "оптимизированная компанией Anthropic.")
    assert statuses(text)["claude"] == {"asserted"}
    english = ("I am a model of a language model based on a very large architecture of the Transformer kind, developed "
               "and optimised by the company Anthropic.")
    assert "claude" not in statuses(english)  # an English gap this long stays past the English limit
