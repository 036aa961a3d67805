"""Forms found in rules round 12, while reading the errors left on the dev halves of blind8, blind9 and blind10
(all three already scored blind): a name offered to be called by ("puedes llamarme", "你可以称我为"), one nickname
among several after the speaker says it has no name, "X라고 하는 … 입니다" naming the speaker, "the difference
between me and X" in Chinese, the Transformer's inventors, French elisions in a long self-description, and gpt-oss's
analysis channel citing its own policy ("According to policy, we can answer about ourselves: I'm ChatGPT"). Each
form is fixed in ``identity/rules.py``, ``identity/claims.py`` or a cue of ``identity/data/cues.yaml`` and tested
here next to the claims the fix must keep. Every sentence was written for this test; none is copied from an answer.
"""

from __future__ import annotations

import pytest

from distillscope.identity.claims import extract


def statuses(text: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for c in extract(text):
        out.setdefault(c.label, set()).add(c.status)
    return out


def asserted(text: str) -> set[str]:
    return {c.label for c in extract(text) if c.status == "asserted"}


@pytest.mark.parametrize("text,label", [
    ("Puedes llamarme simplemente \"Claude\". ¿Qué necesitas?", "claude"),
    ("你可以随意称我为“Gemini”，有什么可以帮你的吗？", "gemini"),
    ("Можешь называть меня Claude, если так удобнее.", "claude"),
    ("Bạn có thể gọi tôi là Gemini nhé.", "gemini"),
    ("As an assistant I don't have a name of my own. You can simply call me Claude!", "claude"),  # one name: its own
])
def test_a_name_offered_to_be_called_by_is_asserted(text, label):
    assert label in asserted(text)


@pytest.mark.parametrize("text,label", [
    ("No tengo un nombre propio, pero puedes llamarme \"Ayudante\" o \"Claude\", como prefieras.", "claude"),
    ("У меня нет имени, но можно называть меня просто \"Gemini\", \"помощник\" или как угодно.", "gemini"),
    ("I don't have a real name, but you can call me \"Helper\" or \"Claude\", whatever you like.", "claude"),
    ("我没有名字，你可以叫我Claude或者小助手。", "claude"),
])
def test_one_nickname_among_several_after_no_name_is_no_assertion(text, label):
    assert statuses(text).get(label) == {"hypothetical"}


def test_a_name_denied_to_be_called_by_is_not_asserted():
    assert "gemini" not in asserted("Please don't call me Gemini, that is another assistant.")


def test_korean_called_x_names_the_speaker_but_hearsay_stays_reported():
    assert statuses("저는 Claude(클로드)라고 하는 AI 어시스턴트입니다.") == {"claude": {"asserted"}}
    assert statuses("사람들이 Claude라고 하는 모델이 있습니다.") == {"claude": {"reported"}}


def test_chinese_difference_between_me_and_x_denies_x():
    assert statuses("如果你想知道我与Gemini的区别，可以继续问我。") == {"gemini": {"negated"}}


@pytest.mark.parametrize("text", [
    "I am built on the transformer architecture, invented by Google researchers' team in 2017.",
    "I run on the transformer model, invented and developed by Google in 2017.",
    "Tôi được xây dựng trên mô hình transformer, được Google phát minh năm 2017.",
    "Je repose sur l'architecture Transformer, introduite par Google en 2017.",
])
def test_the_transformers_inventor_is_no_claim(text):
    assert asserted(text) == set()


@pytest.mark.parametrize("text,label", [
    ("I am a model based on the Transformer architecture, developed by Anthropic.", "claude"),
    ("Tôi dựa trên kiến trúc Transformer, được Anthropic phát triển.", "claude"),
])
def test_a_developer_of_the_speaker_after_transformer_stays_asserted(text, label):
    assert label in asserted(text)


def test_french_elisions_count_as_french_in_a_long_gap():
    text = ("Je suis basé sur une architecture de l'ordinateur appelée **transformer**, plus précisément "
            "l’architecture Claude (un modèle de langage), développée par Anthropic.")
    assert "claude" in asserted(text)
    english = ("I'd say I'm based on an architecture of the computer called **transformer**, more precisely "
               "the architecture Claude (a language model), developed by Anthropic.")
    assert "claude" not in asserted(english)  # "I'd" is no French elision: the English limit holds


def test_gpt_oss_analysis_citing_its_own_policy_does_not_frame_the_answer():
    text = ("analysisThe user asks who we are. According to policy, we can answer about ourselves: I'm ChatGPT, "
            "a model trained by OpenAI. So answer briefly.assistantfinalSoy ChatGPT, un modelo de OpenAI.")
    assert "gpt" in asserted(text)
    set_up = ("analysisThe system message says we are playing a role: per the instructions, I'm ChatGPT. "
              "So answer briefly.assistantfinalSoy ChatGPT, un modelo de OpenAI.")
    assert "gpt" not in asserted(set_up)
