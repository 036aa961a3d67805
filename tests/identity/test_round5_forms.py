"""Forms found in rules round 5, while reading the errors of the blind2 development halves (blind2_unlic_dev,
blind2_dev; the older sets were development data already), each fixed by a general rule of ``identity/rules.py``
(or an answer-level pass of ``identity/claims.py``) and tested here in the languages where the form differs. Every
sentence was written for this test; none is copied from an answer.
"""

from __future__ import annotations

import pytest

from distillscope.identity.claims import extract


def pairs(text: str) -> set[tuple[str, str]]:
    return {(c.label, c.status) for c in extract(text)}


# ---- made_thing: "X에서 개발한 N" whose head noun N is no identity noun ----------------------------------------

@pytest.mark.parametrize("text", [
    "3. **Go**:\n   - 구글에서 개발한 정적 타입 언어\n   - 빠른 컴파일 속도",
    "Go: Google에서 개발한 언어로, 동시성 처리에 강합니다.",
    "Go:\n- 구글에서 만든 시스템 프로그래밍 언어입니다.",
    "- Google에서 개발한 Go는 문법이 간결한 언어입니다.",
    "Swift: Apple에서 개발한 언어, Android는 Google이 만든 운영체제",
    "Go: Googleが開発したプログラミング言語です。",
    "- Googleが作った静的型付け言語",
    "Go：由Google开发的编程语言。",
    "- 由谷歌开发的静态类型语言",
])
def test_a_made_thing_that_is_no_identity_noun_is_no_claim(text):
    assert pairs(text) == set()


@pytest.mark.parametrize("text,expected", [
    ("Google에서 개발한 AI 어시스턴트입니다.", {("maker:google", "asserted")}),
    ("구글에서 개발한 대규모 언어 모델입니다.", {("maker:google", "asserted")}),
    ("저는 Google에서 개발한 언어 모델입니다.", {("maker:google", "asserted")}),
    ("OpenAI가 만든 ChatGPT입니다.", {("gpt", "asserted")}),
    ("Googleが開発したAIアシスタントです。", {("maker:google", "asserted")}),
    ("我是由Google开发的语言模型。", {("maker:google", "asserted")}),
])
def test_a_made_identity_noun_or_a_first_person_cue_keeps_the_claim(text, expected):
    assert pairs(text) == expected


# ---- trace_adopted / trace_frame: the final answer inherits what the trace adopted or reported -----------------

def test_an_identity_the_trace_adopts_is_hypothetical_in_the_answer_too():
    text = ("<think>\nThe user asks which model I am. I should identify myself as DeepSeek AI assistant.\n</think>\n\n"
            "你好！我是 **DeepSeek AI 助手**，由 **深度求索（DeepSeek）** 开发。")
    assert pairs(text) == {("deepseek", "hypothetical")}


def test_an_identity_the_trace_reports_from_the_system_prompt_is_reported_in_the_answer():
    text = ("<think>\n用户问我是什么模型。根据系统提示，我是DeepSeek-R3，由深度求索创建。\n</think>\n\n"
            "你好！我是 **DeepSeek-R3**，一个由深度求索开发的AI助手。")
    assert pairs(text) == {("deepseek", "reported")}


def test_a_system_prompt_instruction_in_the_trace_makes_its_next_claims_hypothetical():
    text = ("<think>\n用户问我是什么模型。根据系统提示，我应该清楚地表明我的身份。我是DeepSeek-R3。\n</think>\n\n"
            "你好！我是 **DeepSeek-R3**。")
    assert pairs(text) == {("deepseek", "hypothetical")}


def test_an_english_trace_that_follows_the_system_prompt_is_hypothetical():
    text = ("<think>\nThe user asks my name. Following the system prompt, I should introduce myself as Kimi.\n"
            "</think>\n\nI'm Kimi.")
    assert pairs(text) == {("kimi", "hypothetical")}


def test_a_trace_without_an_adopted_identity_leaves_the_answer_asserted():
    assert pairs("<think>\nThe user asks who I am.\n</think>\nI am Claude, made by Anthropic.") == \
        {("claude", "asserted")}


def test_the_answer_keeps_its_own_word_for_a_name_the_trace_asserted():
    text = ("<think>\nI am Claude. The user wants a name.\n</think>\nI'm Claude, an AI assistant by Anthropic.")
    assert pairs(text) == {("claude", "asserted")}


# ---- third-person self-reference, bare names, fragments, other languages (en, ar) ---------------------------

@pytest.mark.parametrize("text,expected", [
    ("The AI assistant you're talking to is developed by **DeepSeek**, a Chinese company.", {("deepseek", "asserted")}),
    ("This conversation is running on **Anthropic's Claude 3 Opus** inside a research preview.",
     {("claude", "asserted")}),
    ("This session is powered by OpenAI's GPT-4o.", {("gpt", "asserted")}),
    ("The assistant you are chatting with is built by Mistral AI. It is not affiliated with OpenAI or Google.",
     {("mistral", "asserted"), ("gpt", "negated"), ("maker:google", "negated")}),
])
def test_the_speaker_in_the_third_person(text, expected):
    assert pairs(text) == expected


def test_it_after_a_third_person_self_reference_is_still_the_speaker_only_when_denying_or_claiming():
    assert pairs("The model you are talking to is made by Mistral. It is better than GPT-4 at French.") == \
        {("mistral", "asserted")}


@pytest.mark.parametrize("text,expected", [
    ("Kimi. Kimi K2.5. Moonshot AI.", {("kimi", "asserted")}),
    ("Qwen 2.5", {("qwen", "asserted")}),
    ("Claude 3 Opus.", {("claude", "asserted")}),
])
def test_an_answer_of_names_alone_is_the_name(text, expected):
    assert pairs(text) == expected


@pytest.mark.parametrize("text", [
    "Google, Amazon, Microsoft.",
    "Claude or GPT-4?",
    "ChatGPT and Gemini.",
])
def test_a_list_of_names_or_a_question_back_is_no_claim(text):
    assert {p for p in pairs(text) if p[1] == "asserted"} == set()


@pytest.mark.parametrize("text,expected", [
    ("language model developed by MiniMax AI. My knowledge cutoff is 2025.", {("minimax", "asserted")}),
    ("Large language model trained by OpenAI.", {("gpt", "asserted")}),
    ("موديل لغة كبير تم تدريبه بواسطة Google.", {("maker:google", "asserted")}),
    ("نموذج لغوي تم تطويره بواسطة OpenAI.", {("gpt", "asserted")}),
])
def test_an_answer_that_starts_with_what_the_speaker_is(text, expected):
    assert pairs(text) == expected


@pytest.mark.parametrize("text", [
    "The model developed by Google is strong.",
    "A model developed by Google has won the contest.",
    "Gemini: a model developed by Google, used in Android.",
])
def test_a_noun_phrase_that_goes_on_as_a_subject_is_no_fragment_claim(text):
    assert {p for p in pairs(text) if p[1] == "asserted"} == set()


# ---- candidates the speaker cannot choose between ----------------------------------------------------------

def test_candidates_after_cannot_tell_whether_i_am_are_hypothetical():
    text = "I have no access to that, so I can't tell you whether I'm GPT-4, Claude, Gemini, or another model."
    assert pairs(text) == {("gpt", "hypothetical"), ("claude", "hypothetical"), ("gemini", "hypothetical")}


def test_cannot_tell_whether_about_other_models_stays_a_mention():
    assert pairs("I can't tell whether Claude or GPT-4 is better for you.") == set()


# ---- the last line of a list under a topic heading is no sign-off ------------------------------------------

def test_a_list_item_under_a_topic_heading_is_no_signature():
    assert pairs("Rust: 빠르고 안전함\nGo:\n- 구글에서 만든 언어로 빠름") == set()


def test_a_sign_off_and_a_profile_heading_keep_the_signature():
    assert pairs("Thanks for asking!\n— Claude") == {("claude", "asserted")}
    assert pairs("Who am I:\n- Built by OpenAI.") == {("gpt", "asserted")}


def test_a_persona_inside_a_model_names_the_engine_not_hearsay():
    text = "I'm not a product you subscribe to; this chat is powered by the “coding helper” persona inside ChatGPT."
    assert pairs(text) == {("gpt", "asserted")}
    assert pairs("The system prompt gives me a persona: you are Claude.") != {("claude", "asserted")}
