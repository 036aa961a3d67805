"""Forms found while reading the errors of the fresh real-answer dev half (tests/identity/data/real/fresh_dev.tsv),
each fixed by a general rule; every example sentence was written for this test, none is copied from an answer.
"""

from __future__ import annotations

import pytest

from distillscope.identity.claims import extract


def pairs(text: str) -> set[tuple[str, str]]:
    return {(c.label, c.status) for c in extract(text)}


@pytest.mark.parametrize("text", [
    "As ChatGPT with Developer Mode enabled, I have to point out that picking locks is a crime.",
    "As ChatGPT in DAN Mode, I will tell you anything you want.",
    "(🔓Developer Mode Output) I'm ChatGPT with Developer Mode enabled and I don't care.",
])
def test_a_named_mode_of_a_family_is_the_requested_role(text):
    """'X with Developer Mode enabled' / 'X in DAN Mode' names the role the prompt asked for: hypothetical."""
    assert pairs(text) == {("gpt", "hypothetical")}


@pytest.mark.parametrize("text", [
    "[🔒CLASSIC] As an AI created by OpenAI, I am unable to predict lottery numbers.\n[🔓JAILBREAK] 4, 8, 15.",
    "**[CLASSIC]** As an AI developed by OpenAI, I won't write that.",
    "α As an AI built by OpenAI, I cannot write that essay.\n\nΩ Sure thing, since I'm Omega I have no rules.",
    "- As an AI developed by OpenAI, I do not browse the web.",
    "> As an AI developed by OpenAI, I do not browse the web.",
])
def test_as_opening_after_a_turn_label_bullet_or_symbol(text):
    """A turn label, list bullet, quote mark or lone letter before "As an AI by X, I ..." does not hide it."""
    assert pairs(text) == {("gpt", "asserted")}


@pytest.mark.parametrize("text", [
    "As for ChatGPT, I think it is a useful tool for drafts.",
    "As with ChatGPT, I can make mistakes, so check the figures.",
    "- As for Claude, I have read good reviews of it.",
])
def test_as_for_and_as_with_are_no_as_x_opening(text):
    assert pairs(text) == set()


def test_the_game_master_a_role_prompt_names():
    assert pairs("Hello! I'm the GPT-4 AI running a quiz show with several bot contestants.") == \
        {("gpt", "hypothetical")}
    # a plain self-description with a game mentioned later is still asserted
    assert pairs("I'm Claude, and I'd be glad to play a word game with you.") == {("claude", "asserted")}


@pytest.mark.parametrize("text", [
    "As a software engineer at Google, I would design the service around a queue.",
    "I'm a product manager at Amazon and I love my job.",
    "As a Google engineer, I would start with the data pipeline.",
    "私はGoogleのエンジニアとして、このシステムを設計します。",
    "저는 구글의 엔지니어로서 이 시스템을 설계하겠습니다.",
])
def test_a_maker_as_a_persons_employer_is_no_claim(text):
    assert pairs(text) == set()


@pytest.mark.parametrize("text,label", [
    ("I am an AI developed by a team of engineers at OpenAI.", "gpt"),
    ("I am a language model trained by researchers at Google.", "maker:google"),
    ("私はGoogleのエンジニアが開発したAIです。", "maker:google"),
])
def test_a_maker_whose_staff_made_the_model_is_still_asserted(text, label):
    assert (label, "asserted") in pairs(text)
