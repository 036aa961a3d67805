"""Forms found in rules round 9, while reading the errors of blind7_dev after its first blind score (the next first
blind score is blind8's): a self-description opened by a participle of "to be" in French, Spanish, Italian,
Portuguese and Russian ("Étant un modèle développé par OpenAI, je ..."), an Arabic name inside a longer Arabic word
("وتكوين", formation, holds "كوين", Qwen), and the maker's products named in another script ("مايكروسوفت أوفيس").
Each form is fixed by a cue of ``identity/data/cues.yaml``, the name scanner of ``identity/names.py`` or an
exclusion of ``identity/data/aliases.yaml``, and tested here next to the claims the fix must keep. Every sentence was
written for this test; none is copied from an answer.
"""

from __future__ import annotations

import pytest

from distillscope.identity.claims import extract
from distillscope.identity.names import _inside_arabic_word


def pairs(text: str) -> set[tuple[str, str]]:
    return {(c.label, c.status) for c in extract(text)}


def asserted(text: str) -> set[str]:
    return {lab for lab, st in pairs(text) if st == "asserted"}


# ---- "being an X made by Y, I ...": the participle opens a self-description like "as" ----------------------------

@pytest.mark.parametrize("text", [
    "Étant un assistant conçu par OpenAI, je ne peux pas voir les images.",
    "Siendo un asistente creado por OpenAI, no puedo ver imágenes.",
    "Essendo un assistente creato da OpenAI, non posso vedere le immagini.",
    "Sendo um assistente criado pela OpenAI, não posso ver imagens.",
    "Будучи ассистентом, созданным OpenAI, я не могу видеть изображения.",
    "Being an assistant built by OpenAI, I cannot see images.",  # (held before)
])
def test_a_participle_of_being_opens_a_self_description(text):
    assert asserted(text) == {"gpt"}


@pytest.mark.parametrize("text", [
    "Étant donné que ChatGPT est très utilisé, je vais comparer les deux.",
    "Siendo ChatGPT tan conocido, muchas empresas lo usan.",
    "Essendo Gemini disponibile in Italia, molti lo provano.",
])
def test_a_participle_about_another_subject_is_no_claim(text):
    assert asserted(text) == set()


# ---- an Arabic name may not start inside an Arabic word, past its proclitics ---------------------------------------

@pytest.mark.parametrize("text,inside", [
    ("وتكوين", True),      # "and formation": the name's letters end a longer word
    ("تكوين", True),
    ("وكوين", False),      # "and Qwen": a conjunction stands before the name
    ("بالكوين", False),    # preposition and article
    ("كوين", False),
    ("نموذج كوين", False),
])
def test_arabic_word_boundary(text, inside):
    assert _inside_arabic_word(text, len(text) - len("كوين")) is inside


def test_an_arabic_word_that_holds_a_name_is_no_claim():
    assert pairs("يمكن أن يمثل النموذج تكوين الجليد على الطرق في المدينة.") == set()
    assert asserted("أنا كوين، نموذج لغوي من علي بابا.") == {"qwen"}
    assert asserted("أنا نموذج وكوين هو اسمي.") <= {"qwen"}  # the name after "and" is still found


# ---- a maker's product in another script is no maker --------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "هل يمكنك أن تحدثنا عن دورتك في حزمة مايكروسوفت أوفيس؟ أنا لست خبيرا فيها.",
    "我是微软Office的用户，每天都用它。",
    "Я работаю в Майкрософт Офис каждый день.",
])
def test_a_product_of_the_maker_in_another_script_is_no_claim(text):
    assert pairs(text) == set()


@pytest.mark.parametrize("text", ["أنا نموذج لغوي من مايكروسوفت.", "我是微软开发的模型。", "Я — модель от Майкрософт."])
def test_the_maker_itself_in_another_script_still_counts(text):
    assert asserted(text) == {"phi"}
