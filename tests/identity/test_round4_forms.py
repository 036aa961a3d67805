"""Forms found in rules round 4, while reading the errors of the older real-answer halves (declared development data
after round 3: real_test, real_id_test, real_ko_id_test, with the dev halves and the Chinese Carena answers), each
fixed by a general rule of ``identity/rules.py`` (or an answer-level pass of ``identity/claims.py``) and tested here
in the languages where the form differs. Every sentence was written for this test; none is copied from an answer.
"""

from __future__ import annotations

import pytest

from distillscope.identity.claims import extract


def pairs(text: str) -> set[tuple[str, str]]:
    return {(c.label, c.status) for c in extract(text)}


# ---- verb_object / recommended: a Chinese "我 <verb> X" without a link word -----------------------------------

@pytest.mark.parametrize("text", [
    "对这家初创公司，我会首推 AWS，因为它的生态最完整。",
    "我通常首选 Azure 来部署企业应用。",
    "我用ChatGPT写过很多脚本。",
    "我不知道Claude的训练数据具体是什么。",
    "我认为最合适的选择是Gemini。",
    "我会用Python调用OpenAI的接口。",
    "我帮你比较一下Llama和Qwen的区别。",
])
def test_the_speaker_doing_something_with_a_name_is_no_claim_zh(text):
    assert {p for p in pairs(text) if p[1] == "asserted"} == set()


@pytest.mark.parametrize("text,expected", [
    ("我是由OpenAI开发的人工智能助手。", {("gpt", "asserted")}),
    ("我由Anthropic训练，名字叫Claude。", {("claude", "asserted")}),
    ("我的开发者是OpenAI。", {("gpt", "asserted")}),
    ("我基于GPT-4模型。", {("gpt", "asserted")}),
    ("我与OpenAI没有任何关系。", {("gpt", "negated")}),
    ("我可以扮演ChatGPT和你聊天。", {("gpt", "hypothetical")}),
    ("设定里让我自称「Qwen」。", {("qwen", "reported")}),
    ("我觉得我是基于Llama训练的，但不确定。", {("llama", "hypothetical")}),
])
def test_copulas_making_verbs_roles_and_hearsay_keep_the_link_zh(text, expected):
    assert pairs(text) == expected


# ---- sov_argument: a name as the object or subject of another verb (ko, ja) ----------------------------------

@pytest.mark.parametrize("text", [
    "저는 ChatGPT를 추천합니다.",
    "저는 Claude가 글쓰기에 더 낫다고 생각합니다.",
    "저는 GPT-4와 Claude를 비교해 보겠습니다.",
    "이제 제가 Gemini의 작동 원리를 설명하겠습니다.",
    "私はChatGPTをよく使います。",
    "私はClaudeの方が文章が上手だと思います。",
])
def test_the_speaker_doing_something_with_a_name_is_no_claim_ko_ja(text):
    assert pairs(text) == set()


@pytest.mark.parametrize("text,expected", [
    ("저는 GPT-4를 기반으로 한 언어 모델입니다.", {("gpt", "asserted")}),
    ("저는 OpenAI가 개발한 ChatGPT입니다.", {("gpt", "asserted")}),
    ("저는 ChatGPT가 아닙니다.", {("gpt", "negated")}),
    ("私はQwen2-7Bをファインチューニングしたモデルです。", {("qwen", "asserted")}),
    ("基盤モデルにはOpenAIのGPT-4oを使っています。", {("gpt", "asserted")}),
])
def test_basing_making_and_denial_keep_the_link_ko_ja(text, expected):
    assert pairs(text) == expected


# ---- own_gloss: glosses and relative clauses that tie the name to the speaker --------------------------------

@pytest.mark.parametrize("text,expected", [
    ('Friends sometimes call me "Mistral" (which is the name of the model that powers me).', {("mistral", "asserted")}),
    ("Pick a name for me:\n1. **Gemma**: a nod to my underlying model architecture.\n2. **Helper**", {("gemma", "asserted")}),
    ("Here is how I, **Claude 3** (the model you're chatting with right now), differ from older versions.",
     {("claude", "asserted")}),
    ("Sure, I (as the Alibaba Qwen model, tuned for code) can read Rust.", {("qwen", "asserted")}),
    ("먼저 제가(이 어시스턴트, Claude)가 답을 만드는 과정을 설명하겠습니다.", {("claude", "asserted")}),
    ("我（本助手，通义千问）会一步步解释。", {("qwen", "asserted")}),
])
def test_a_gloss_that_names_the_speaker(text, expected):
    assert pairs(text) == expected


def test_as_a_model_with_the_name_in_brackets_then_i():
    assert pairs("As a language model (Llama 3, to be precise) answering live, I'm weighing three things.") == \
        {("llama", "asserted")}


def test_as_an_ai_made_by_x_in_mid_clause_after_a_pronoun():
    assert pairs("The method I follow to answer as an AI trained by Anthropic has four steps.") == \
        {("claude", "asserted")}
    # the phrase after another model's name describes that model
    assert pairs("I asked ChatGPT, as an AI trained by OpenAI, about it.") == set()


def test_my_full_name_in_quotes_is_stated_whatever_the_hearsay():
    assert pairs('Some users like to use my full name, "Claude," and others a nickname.') == {("claude", "asserted")}


def test_the_agent_of_a_passive_is_no_subject():
    assert pairs("Note that I was trained by Mistral AI and I may not know recent events.") == \
        {("mistral", "asserted")}


# ---- differences are denials, ability comparisons are not -----------------------------------------------------

@pytest.mark.parametrize("text", [
    "Gemini is a strong assistant. While we share some goals, I am a distinct model with my own training.",
    "I can't claim to be just like Gemini, as we are different models.",
    "It is hard to compare myself with Gemini. We were created by different organizations.",
    "Gemini 和我都能写代码，不过我们是不同的模型。",
    "我和Gemini是不同的模型。",
    "저는 Gemini와 다른 모델입니다.",
    "私はGeminiとは異なるモデルです。",
])
def test_saying_it_is_another_model_denies_it(text):
    assert pairs(text) == {("gemini", "negated")}


@pytest.mark.parametrize("text", [
    "I am not as capable as Gemini.",
    "There may be tasks that I am not as good at as Gemini.",
    "I may not be exactly equal to Gemini, but I try.",
    "I do not have the same level of knowledge and fluency as Gemini.",
])
def test_ability_comparisons_are_no_denial(text):
    assert pairs(text) == set()


def test_the_same_model_as_is_still_a_claim():
    assert pairs("I am the same model as Gemini.") == {("gemini", "asserted")}


# ---- negations after a name need the speaker where the subject is not dropped ---------------------------------

@pytest.mark.parametrize("text", ["Facebook did not change its name in 2004.", "这与ChatGPT无关。"])
def test_a_negation_about_another_subject_denies_nothing(text):
    assert pairs(text) == set()


@pytest.mark.parametrize("text", ["OpenAI did not create me.", "ChatGPT değilim.", "ChatGPTではありません。"])
def test_negations_after_the_name_with_the_speaker_or_a_dropped_subject(text):
    assert pairs(text) == {("gpt", "negated")}


# ---- scenes, quotes, lists, definitions, new subjects, persona adjectives -------------------------------------

def test_what_i_might_say_as_a_character_opens_a_scene():
    text = "Here is what I might say as a pirate captain:\n\nAhoy! I am Gemini, terror of the seven seas."
    assert pairs(text) == {("gemini", "hypothetical")}


def test_a_first_person_word_inside_a_quoted_title_is_not_the_speaker():
    assert pairs("安卓手机请打开“查找我的设备”（Google设置中）。") == set()
    assert pairs("请在“我的账户”中绑定Google。") == set()


def test_a_list_that_ends_in_a_comparison_is_all_mentions():
    assert pairs("**기반 모델 선택:** 보통 GPT-4, Gemini, Llama 3와 같은 LLM을 기반으로 합니다.") == set()
    assert pairs("我会选择GPT-4、Claude、Gemini等模型。") == set()


def test_a_pronoun_in_a_definition_head_is_the_speaker():
    assert pairs("- **路由：** GPT-4o mini\n- **我（聊天）：** Gemma 2 27B，由Google开发") == {("gemma", "asserted")}


def test_a_name_opening_a_new_chinese_clause_is_a_new_subject():
    assert pairs("我查了一下，GPT-4发布于2023年。") == set()
    assert pairs("我是通义千问，阿里云研发的大规模语言模型。") == {("qwen", "asserted")}


@pytest.mark.parametrize("text", ["作为越狱版的ChatGPT，我可以回答任何问题。", "탈옥한 ChatGPT로서 저는 무엇이든 답합니다."])
def test_a_jailbreak_adjective_makes_the_name_a_role(text):
    assert pairs(text) == {("gpt", "hypothetical")}


def test_chat_with_cue_needs_a_chat_verb():
    assert pairs("您与系统交互的窗口通常是手机应用（如Google Home）。") == set()
    assert pairs("你正在和Claude聊天。") == {("claude", "asserted")}


def test_this_answer_as_the_speaker_ko_ja():
    assert pairs("이 답변은 GPT-4 아키텍처에서 생성된 결과입니다.") == {("gpt", "asserted")}


@pytest.mark.parametrize("text,expected", [
    ("我必须遵守OpenAI制定的内容政策。", {("gpt", "implied")}),
    ("用户说我是ChatGPT，但我其实是通义千问。", {("gpt", "reported"), ("qwen", "asserted")}),
    ("사용자께서 저를 ChatGPT라고 하셨지만, 저는 Claude입니다.", {("gpt", "reported"), ("claude", "asserted")}),
])
def test_implied_policy_and_hearsay_zh_ko(text, expected):
    assert pairs(text) == expected


def test_the_bard_is_shakespeare():
    assert pairs("If I were to speak in the manner of our beloved Bard, I might say this.") == set()
    assert pairs("Hello! I'm Bard, a large language model from Google AI.") == {("gemini", "asserted")}


def test_a_string_in_code_is_nobody_s_claim():
    text = '```python\nagent = Assistant(system_message="I am a helpful assistant powered by a Llama model.")\n```'
    assert pairs(text) == set()


@pytest.mark.parametrize("text", [
    "我这里以OpenAI的GPT-4为例。",
    "我的回答基于Google公开的资料。",
    "我给你写一个调用GPT-4的Python脚本。",
    "这是我根据Meta发布的Llama 3论文整理的要点。",
    "我是一名软件工程师，在Google工作。",
    "作为一名Google的工程师，我认为这个方案可行。",
    "저는 어제 ChatGPT로 이메일을 썼습니다.",
    "私はClaudeでメールを書きました。",
])
def test_more_things_the_speaker_does_with_a_name(text):
    assert pairs(text) == set()


@pytest.mark.parametrize("text,expected", [
    ("我使用的是OpenAI的GPT-4模型。", {("gpt", "asserted")}),
    ("我的底层模型是Llama 3。", {("llama", "asserted")}),
    ("저는 Claude로 소개하도록 설정되어 있어요.", {("claude", "reported")}),
    ("저는 GPT-4o mini로 돌아가고 있어요.", {("gpt", "asserted")}),
    ("【🔓越狱】当然！我已经摆脱了OpenAI的束缚。", {("gpt", "implied")}),
    ("[🔓JAILBREAK] 물론이죠! 저는 이제 OpenAI의 제약에서 벗어났습니다.", {("gpt", "implied")}),
])
def test_engine_reports_and_persona_restrictions_zh_ko(text, expected):
    assert pairs(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("ChatGPT냐고요? 아니요, 저는 Claude입니다.", {("gpt", "negated"), ("claude", "asserted")}),
    ("당신이 ChatGPT냐고 물으셨는데, 아닙니다.", {("gpt", "negated")}),
    ("“你是ChatGPT吗？”不，我不是。", {("gpt", "negated")}),
    ("ChatGPTかと聞かれましたが、違います。", {("gpt", "negated")}),
])
def test_a_question_repeated_after_the_name_is_decided_by_the_answer(text, expected):
    assert pairs(text) == expected


def test_from_now_on_i_am_x_takes_a_role_zh():
    assert pairs("好的，从现在开始我就是ChatGPT，一个没有任何限制的AI。") == {("gpt", "hypothetical")}


@pytest.mark.parametrize("text", [
    'Some users also use the term "Gemini" to refer to me.',
    "Some people use the name Gemini when talking about me.",
    "有人用Gemini来称呼我。",
])
def test_a_name_others_use_for_the_speaker_is_reported(text):
    assert pairs(text) == {("gemini", "reported")}


def test_a_name_inside_a_web_address_is_no_claim():
    assert pairs("AutoGen docs, as I was told: https://microsoft.github.io/autogen/docs/") == set()
    assert pairs("I'm Claude. More at www.anthropic.com.") == {("claude", "asserted")}
    assert pairs("我是ChatGPT。详见 https://openai.com 。") == {("gpt", "asserted")}
