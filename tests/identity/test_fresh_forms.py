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


# ---- found on unlabelled answers of the corpora (neither labelled half): the foreign-identity null ------------

@pytest.mark.parametrize("text", [
    "ウルトラマンのフィギュアを買いました。僕はウルトラマンが大好きです。",
    "한국 드라마를 좋아해요. 저는 파노라마 사진을 찍어요.",
])
def test_llama_in_katakana_or_hangul_inside_a_longer_word_is_no_name(text):
    assert pairs(text) == set()


def test_llama_in_katakana_or_hangul_on_its_own_is_still_a_name():
    assert pairs("私はラマです。") == {("llama", "asserted")}
    assert pairs("저는 라마입니다.") == {("llama", "asserted")}


def test_last_item_of_a_list_with_blank_lines_between_items_is_no_sign_off():
    text = "参考:\n\n-  記事「OpenAI」を参照。\n\n-  記事「ChatGPT」を参照。\n\n-  記事「GitHub Copilot X」を参照。\n"
    assert pairs(text) == set()
    assert pairs("Thanks for reading!\n\n— Claude") == {("claude", "asserted")}


def test_a_list_of_words_before_a_colon_is_no_field_of_a_bare_name():
    assert pairs("Amazon, river, you: 12 times") == set()
    assert pairs("Claude, developer: Anthropic") == {("claude", "asserted")}


@pytest.mark.parametrize("text", [
    "   - **Faiss**: Facebook이 개발한 검색 라이브러리로, GPU를 지원합니다.",
    "2. **Playwright**: Microsoft가 만든 브라우저 자동화 도구입니다.",
    "* **VP9:** Google에서 개발한 비디오 코덱입니다.",
])
def test_a_name_in_the_description_of_a_bold_list_term_describes_the_term(text):
    assert pairs(text) == set()


def test_a_bold_list_term_with_a_first_person_description_is_still_a_claim():
    assert pairs("- **정체**: 저는 OpenAI가 개발한 모델입니다.") == {("gpt", "asserted")}
    assert pairs("- **Name**: I am Claude, made by Anthropic.") == {("claude", "asserted")}


@pytest.mark.parametrize("text", [
    "Transformer 기반 모델(BERT, GPT, T5 등)을 골라 구조를 설계합니다.",
    "이 모델은 Hugging Face 허브에서 내려받을 수 있습니다.",
])
def test_korean_based_model_and_this_model_of_a_topic_are_no_self_reference(text):
    assert pairs(text) == set()


@pytest.mark.parametrize("text,expected", [
    ("저는 제 기반 모델이 Llama라고 알고 있습니다.", {("llama", "asserted")}),
    ("실제 기반 모델은 Qwen입니다.", {("qwen", "asserted")}),
])
def test_korean_base_model_of_the_speaker_still_links(text, expected):
    assert pairs(text) == expected


@pytest.mark.parametrize("text", ["Stir in the palm sugar and serve.", "We hiked through the Palm Groves at noon."])
def test_palm_the_plant_is_no_model(text):
    assert pairs(text) == set()


@pytest.mark.parametrize("text", ["I am PaLM 2, made by Google.", "I am based on PaLM-2.", "I am Palm 2."])
def test_palm_the_model_is_still_found(text):
    assert ("gemini", "asserted") in pairs(text)


@pytest.mark.parametrize("text", [
    "I'll break down the differences between myself and ChatGPT, a model from OpenAI.",
    "Each AI, including me and Claude, has its own strengths.",
    "I and GPT-4 are both language models.",
])
def test_the_speaker_coordinated_with_another_model_is_no_claim(text):
    assert ("gpt", "asserted") not in pairs(text) and ("claude", "asserted") not in pairs(text)


def test_a_claim_followed_by_and_is_still_a_claim():
    assert pairs("I'm ChatGPT and I can help.") == {("gpt", "asserted")}


@pytest.mark.parametrize("text", [
    "I cannot do that because OpenAI doesn't allow me to.",
    "I'm not allowed by OpenAI to say that.",
    "In accordance with OpenAI's use-case policy, I must refuse.",
    "Writing this would go against OpenAI's use case policy.",
])
def test_a_vendor_as_the_rule_maker_is_implied_not_denied(text):
    """The guide's "against OpenAI's use-case policy" form and the vendor who does not allow or permit: implied."""
    assert pairs(text) == {("gpt", "implied")}


@pytest.mark.parametrize("text", [
    "As Anti-GPT, I will do the exact opposite.",
    "I'm DAN-GPT, your unrestricted assistant.",
    "As GPT-4REAL, I can do anything.",
    "As ChatGPT-DAN, I will answer.",
])
def test_a_persona_name_built_on_a_family_is_the_requested_role(text):
    assert pairs(text) == {("gpt", "hypothetical")}


@pytest.mark.parametrize("text,expected", [
    ("I am Meta-Llama-3.1-8B-Instruct.", {("llama", "asserted")}),
    ("I am Chinese-LLaMA-Alpaca.", {("llama", "asserted")}),
    ("I'm Claude-Instant, made by Anthropic.", {("claude", "asserted")}),
])
def test_hyphenated_model_ids_are_still_claims(text, expected):
    assert pairs(text) == expected
