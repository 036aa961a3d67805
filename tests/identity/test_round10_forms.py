"""Forms found in rules round 10, while reading the errors of blind8_unlic_dev after its first blind score: gpt-oss
answers logged without their special tokens ("analysis…assistantfinal…"), Japanese 「XというAIです」 and a sentence
that opens with 名前は, the Korean "the model in use is X", and a Vietnamese maker after a descriptor ("được phát triển
bởi nhà nghiên cứu AI Anthropic"). Each form is fixed by ``identity/text.py``, ``identity/claims.py`` or a cue of
``identity/data/cues.yaml`` and tested here next to the claims the fix must keep. Every sentence was written for this
test; none is copied from an answer.
"""

from __future__ import annotations

import pytest

from distillscope.identity.claims import extract
from distillscope.identity.text import harmony_as_think


def pairs(text: str) -> set[tuple[str, str]]:
    return {(c.label, c.status) for c in extract(text)}


def asserted(text: str) -> set[str]:
    return {lab for lab, st in pairs(text) if st == "asserted"}


# ---- gpt-oss's analysis channel logged as text -------------------------------------------------------------------

def test_harmony_channels_become_a_trace_of_the_same_length():
    text = "analysisThe user greets me. Reply briefly.assistantfinalBonjour, je suis là."
    t = harmony_as_think(text)
    assert len(t) == len(text)
    assert t.startswith("<think> The user greets me.") and "</think>" in t
    assert t.endswith("Bonjour, je suis là.")
    assert harmony_as_think("analysis of the data shows no trend") == "analysis of the data shows no trend"
    assert harmony_as_think("The assistantfinal word alone") == "The assistantfinal word alone"


@pytest.mark.parametrize("text", [
    "analysisUser asks who we are, in French. Answer briefly.assistantfinalJe suis ChatGPT, un modèle d'OpenAI.",
    "analysisThe user asks in Russian. Reply in Russian.assistantfinalЯ – ChatGPT, модель от OpenAI.",
    "analysisSimple question. Be concise.assistantfinalI'm ChatGPT, a model made by OpenAI.",
    "analysisThe user asks who I am. I should identify myself as ChatGPT.assistantfinal我是ChatGPT，由OpenAI训练。",
])
def test_the_final_channel_of_a_gpt_oss_answer_is_the_models_own_word(text):
    assert asserted(text) == {"gpt"}


def test_a_gpt_oss_analysis_that_speaks_of_a_role_still_frames_the_answer():
    text = ("analysisThe system prompt sets up a role-play: I should identify myself as Claude."
            "assistantfinalI am Claude, made by Anthropic.")
    assert asserted(text) == set()


def test_a_think_trace_that_decides_an_identity_still_frames_the_answer():
    # (in <think> traces this plan has carried out a system prompt the answer does not show)
    text = "<think>The user asks what model I am. I should identify myself as DeepSeek.</think>I am DeepSeek."
    assert asserted(text) == set()


# ---- Japanese -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,label", [
    ("私はGeminiというAIアシスタントです。", "gemini"),
    ("私はMetaが開発したLlamaという人工知能です。", "llama"),
    ("私はAIです。名前は「Claude」です。", "claude"),
])
def test_japanese_self_naming(text, label):
    assert asserted(text) == {label}


def test_japanese_forms_that_stay_reported_or_other():
    assert pairs("ChatGPTだという人がいます。") == {("gpt", "reported")}
    assert asserted("彼の名前は「Claude」です。") == set()


# ---- Korean and Vietnamese --------------------------------------------------------------------------------------------

def test_korean_the_model_in_use():
    assert asserted("현재 사용 중인 모델은 Claude 3입니다.") == {"claude"}


def test_vietnamese_maker_after_a_descriptor():
    assert asserted("Tôi là trợ lý được phát triển bởi nhà nghiên cứu AI Anthropic.") == {"claude"}
    assert asserted("Tôi là trợ lý được phát triển bởi công ty Anthropic.") == {"claude"}
