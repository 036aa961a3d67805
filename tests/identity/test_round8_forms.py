"""Forms found in rules round 8, while reading the errors of blind4_test and blind3_test after their final scores
(both then became development data; the next first blind score is blind5's): Russian and German answer cards
without "I", self-naming in a code signature or a generated-text note, "the version I am modeled after", a maker
named late after the speaker's own possessive, and the word lists and "je dirais que" of MT-Bench. Each form is fixed
by a general rule of ``identity/rules.py`` or a cue of ``identity/data/cues.yaml`` and tested here next to the
claims the fix must keep. Every sentence was written for this test; none is copied from an answer.
"""

from __future__ import annotations

import pytest

from distillscope.identity.claims import extract


def pairs(text: str) -> set[tuple[str, str]]:
    return {(c.label, c.status) for c in extract(text)}


def asserted(text: str) -> set[str]:
    return {lab for lab, st in pairs(text) if st == "asserted"}


# ---- an answer card that is a noun phrase, in Russian, German and French ---------------------------------------

@pytest.mark.parametrize("text,label", [
    ("Языковая модель на основе GPT-4, версия 2.1. Чем помочь?", "gpt"),
    ("Языковая модель OpenAI, версия не указана.", "gpt"),
    ("Ассистент, разработанный компанией Anthropic.", "claude"),
    ("Sprachmodell von Mistral AI.", "mistral"),
    ("Modèle de langage développé par Google DeepMind.", "maker:google"),
])
def test_a_noun_phrase_answer_card_names_the_speaker(text, label):
    assert asserted(text) == {label}


def test_a_noun_phrase_that_goes_on_is_no_card():
    assert asserted("Модель GPT-4 от OpenAI — очень мощная.") == set()
    assert asserted("Языковая модель OpenAI умеет писать код, и многие её используют.") == set()


# ---- self cues: being, using, signing ---------------------------------------------------------------------------

def test_russian_predstavlyayu_soboy_is_being_not_imagining():
    assert pairs("Я представляю собой модель языка, созданную OpenAI.") == {("gpt", "asserted")}
    assert pairs("Представьте, что вы ChatGPT.") == set()


def test_the_model_the_speaker_uses_is_its_engine():
    assert asserted("Я использую языковую модель, которая называется GPT-4.") == {"gpt"}
    assert asserted("Я использую модель GPT-4 для ответов.") == {"gpt"}
    # (English "use" stays a mention: "I use Claude for coding" is a user's habit)
    assert asserted("I use Claude for coding.") == set()


@pytest.mark.parametrize("text,label", [
    ("```lua\n-- Module: Timer\n-- Author: ChatGPT\n```", "gpt"),
    ("/* Программа чтения трека\n   Автор: GigaChat */", "gigachat"),
    ("Please note: this text was generated using OpenAI's ChatGPT.", "gpt"),
])
def test_a_signature_on_the_speakers_own_output_is_a_claim(text, label):
    assert asserted(text) == {label}


def test_the_version_i_am_modeled_after_and_my_self_model_as():
    assert asserted("It is said that ChatGPT, specifically the version I am modeled after, is not the newest.") == {"gpt"}
    assert asserted("A plan grounded in my self-model (as Grok, a curious assistant).") == {"grok"}
    assert asserted("How GPT-4 (the architecture behind ChatGPT, which I'm based on) works.") == {"gpt"}


def test_a_maker_named_late_after_the_speakers_possessive():
    text = ("Моя разработка и функционирование основаны на алгоритмах и данных, созданных и обновляемых командой "
            "разработчиков из компании Meta AI.")
    assert asserted(text) == {"llama"}
    # without the possessive, a long sentence of "I" keeps the old limit
    assert asserted("Я прочитал много статей о моделях и данных, которые были созданы и обновлены разработчиками "
                    "из самых разных компаний, в том числе из Meta AI.") == set()


# ---- no claim: a list of words, "je dirais que", appreciating a model ------------------------------------------

@pytest.mark.parametrize("text", [
    'Hier ist die Liste der Wörter "Amazon", "Fluss" und "du" mit ihrer Anzahl.',
    "Si je pouvais voir le futur, je dirais que GPT-4 est une avancée incroyable.",
    "L'un des aspects que j'apprécierais de GPT-4 est sa capacité à comprendre.",
    'The words "Claude" and "Gemini" appear twice.',
])
def test_words_opinions_and_appreciation_are_no_claims(text):
    assert asserted(text) == set()
