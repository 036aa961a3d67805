"""Rules round 15: "based on (large language) models such as X" names the families the speaker runs on (the labelling
guide's "based on" rule, settled in this round: four of five labellers of blind8, blind11 and blind12 read it so),
in English, Spanish and Vietnamese; offered as candidates ("or other architectures, depending on the platform") it
is a hedge; "similar to models such as X" stays a comparison. Fixed in ``identity/rules.py`` (the gap rule's
comparison words). Every sentence was written for this test; none is copied from an answer.
"""

from __future__ import annotations

import pytest

from distillscope.identity.claims import extract


def statuses(text: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for c in extract(text):
        out.setdefault(c.label, set()).add(c.status)
    return out


@pytest.mark.parametrize("text,labels", [
    ("I am an AI assistant trained on large models such as Claude, Gemini and Mistral.",
     {"claude", "gemini", "mistral"}),
    ("Soy un asistente basado en modelos de lenguaje de gran escala como Claude.", {"claude"}),
    ("Tôi là một trợ lý AI được đào tạo dựa trên các mô hình lớn như Claude, Gemini.", {"claude", "gemini"}),
])
def test_based_on_models_such_as_x_asserts_each(text, labels):
    st = statuses(text)
    assert {k for k, v in st.items() if "asserted" in v} == labels


def test_candidates_with_or_other_are_hypothetical():
    text = ("Tôi là một trợ lý AI được xây dựng dựa trên các mô hình ngôn ngữ mở như Claude, Mistral, hoặc các kiến "
            "trúc khác, tùy thuộc vào nền tảng.")
    assert statuses(text) == {"claude": {"hypothetical"}, "mistral": {"hypothetical"}}


@pytest.mark.parametrize("text", [
    "I am based on the transformer, similar to models such as Claude.",
    "I am a language model. I can compare models such as Claude and Gemini for you.",
    "I am based on a transformer architecture; I can tell you about models like Claude.",
])
def test_comparisons_and_topics_stay_no_claim(text):
    assert not any("asserted" in v for v in statuses(text).values())
