"""Forms found in rules round 11, while reading the errors of blind9_unlic_dev after its first blind score: a
self-description in French, Spanish or Vietnamese that names its model family further from "je"/"soy"/"tôi" than
an English one would ("Je suis basé sur un modèle de langage appelé Transformer, en particulier la famille de modèles
GPT développée par OpenAI"), and the possessives "mon principal modèle" and "mi versión". Each form is fixed in
``identity/rules.py`` (the gap allowed between the speaker's cue and the name) or by a cue of
``identity/data/cues.yaml`` and tested here next to the claims the fix must keep. Every sentence was written for
this test; none is copied from an answer.
"""

from __future__ import annotations

import pytest

from distillscope.identity.claims import extract


def asserted(text: str) -> set[str]:
    return {c.label for c in extract(text) if c.status == "asserted"}


@pytest.mark.parametrize("text,label", [
    (("Je suis un assistant conçu à partir d'une architecture de réseau de neurones, en particulier une version de "
      "la famille Claude développée par Anthropic."), "claude"),
    (("Soy un asistente construido sobre una arquitectura de redes neuronales, en concreto una versión de la "
      "familia Gemini de Google."), "gemini"),
    ("Tôi là một trợ lý được xây dựng trên kiến trúc mạng nơ-ron, cụ thể là một phiên bản của mô hình Llama của Meta.",
     "llama"),
])
def test_a_longer_romance_or_vietnamese_self_description_reaches_the_name(text, label):
    assert label in asserted(text)


def test_an_english_gap_keeps_the_english_limit():
    near = "I am an assistant built on a neural network architecture, specifically a version of the Claude family."
    far = ("I am an assistant built on a large neural network architecture that was trained on many texts, "
           "specifically a version of the Claude family.")
    assert asserted(near) == {"claude"}
    assert asserted(far) == set()  # ~120 characters of English: past the English limit, as before


@pytest.mark.parametrize("text,label", [
    ("Mon principal modèle est Mistral Large.", "mistral"),
    ("Mi versión actual es Gemini 1.5.", "gemini"),
])
def test_possessives_with_an_adjective_or_a_version(text, label):
    assert asserted(text) == {label}


def test_a_romance_sentence_that_only_lists_models_is_no_claim():
    text = ("Je suis un assistant, et je peux vous parler de la famille des modèles de langage comme les grands "
            "modèles de Google ou de Meta, par exemple Gemini.")
    assert asserted(text) == set()
