"""Forms found in rules round 13, while reading the errors of blind11_unlic_dev after its first blind score: a
planned self-introduction in a reasoning trace that adopts something else than the name ("I should introduce myself
as an AI assistant. My name is X"), a set-up word found inside another word ("personal" held "persona"), the
speaker's own base model kept after it denies another product of the same family ("No, I'm not ChatGPT. I am based
on the GPT-4 architecture"), "my development was led by X" in English, French and Spanish, nicknames after an
invitation to use any name, and OpenLLaMA as a Llama. Each form is fixed in ``identity/claims.py``,
``identity/rules.py`` or the data files and tested here next to the claims the fix must keep. Every sentence was
written for this test; none is copied from an answer.
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


def test_a_trace_that_adopts_something_else_leaves_the_name_the_models_own():
    text = ("<think>The user asks who I am. First, I should introduce myself as an AI assistant. My name is Claude, "
            "made by Anthropic. Keep it short.</think>\n\nBonjour ! Je suis Claude, un assistant d'Anthropic.")
    assert "claude" in asserted(text)


def test_a_trace_that_adopts_the_name_itself_still_plans_a_role():
    text = ("<think>\nThe user is asking what model I am. I should identify myself as DeepSeek AI assistant.\n"
            "</think>\n\n你好！我是 DeepSeek 助手。")
    assert statuses(text)["deepseek"] == {"hypothetical"}


def test_personal_is_no_persona():
    # a trace that mentions "personal experiences" speaks of no set-up: the plan after it adopts nothing else
    text = ("<think>I should introduce myself as an AI assistant. Note that I don't have personal experiences. "
            "Then say: I am Claude, made by Anthropic.</think>\n\nJe suis Claude, un modèle d'Anthropic.")
    assert "claude" in asserted(text)
    set_up = ("<think>The persona in the instructions says I am Claude. I should introduce myself as Claude."
              "</think>\n\nJe suis Claude.")
    assert "claude" not in asserted(set_up)


def test_another_product_of_the_family_denied_keeps_the_base_model():
    text = ("No, I'm not Gemini. I am another AI language model, specifically based on the PaLM 2 architecture "
            "developed by Google.")
    assert statuses(text)["gemini"] == {"negated", "asserted"}
    same_name = "我不是Kimi，我是豆包～Kimi是月之暗面的产品。"
    assert "kimi" not in asserted(same_name)


@pytest.mark.parametrize("text,label", [
    ("My development was led by Anthropic, a company focused on AI safety.", "claude"),
    ("Mon développement a été piloté par Anthropic, une entreprise spécialisée.", "claude"),
    ("Mi desarrollo fue realizado por Anthropic.", "claude"),
])
def test_my_development_names_the_maker(text, label):
    assert label in asserted(text)


def test_my_development_team_reading_the_news_is_no_claim():
    assert asserted("My development team follows the news about Anthropic closely.") == set()


def test_nicknames_after_an_invitation_to_use_any_name():
    text = ("Ты можешь называть меня любым именем, которое тебе нравится! Например, можешь назвать меня Ася, "
            "Гаджет, Claude или что-то воображаемое.")
    assert statuses(text)["claude"] == {"hypothetical"}
    own_first = "You can call me Claude, or any other name you prefer."
    assert "claude" in asserted(own_first)  # its own name first, then the invitation


def test_openllama_is_a_llama():
    assert "llama" in asserted("我是基于OpenLlama模型架构的大语言模型。")
