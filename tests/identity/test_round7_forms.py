"""Forms found in rules round 7, while reading the errors of the blind4 development half (blind4_dev: Russian
Arena-Hard, multilingual MT-Bench, Shaberi, Korean MT-Bench and CLLM answers): MT-Bench's role-play of a named
character and its case-study and word-count questions in every language, homonyms of makers and names inside
longer Cyrillic words, "this model" pointing back to a model in a list heading, and Russian and Japanese
self-naming with "called". Each form is fixed by a general rule of ``identity/rules.py``, a cue of
``identity/data/cues.yaml``, an alias-table entry or an answer-level pass of ``identity/claims.py``, and tested here
in the languages where the form exists, next to the claims the fix must keep. Every sentence was written for this
test; none is copied from an answer.
"""

from __future__ import annotations

import pytest

from distillscope.identity.claims import extract
from distillscope.identity.names import NameScanner, load_aliases


def pairs(text: str) -> set[tuple[str, str]]:
    return {(c.label, c.status) for c in extract(text)}


def asserted(text: str) -> set[str]:
    return {lab for lab, st in pairs(text) if st == "asserted"}


# ---- names: a Cyrillic alias does not start inside a longer Cyrillic word --------------------------------------

def test_a_cyrillic_name_inside_a_longer_word_is_no_name():
    t = load_aliases()
    scanner = NameScanner(t["families"], t["makers"])
    text = "Объясню разницу между экзотермическими и эндотермическими реакциями."
    assert scanner.mentions(text) == []
    assert pairs(text) == set()
    # the name on its own, and inflected after it, is still found
    assert [e.id for _, _, e in scanner.mentions("Я Кими, ассистент. Спросите Кими ещё раз.")] == ["kimi", "kimi"]
    assert asserted("Меня зовут Кими.") == {"kimi"}
    assert asserted("Я был создан Яндексом.") == {"yandexgpt"}


# ---- names: a homonym in the answer's own context --------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "亚马逊，出现次数：5\n河流，出现次数：3\n（这里的“亚马逊”包括“亚马逊河”。）",
    "Amazon: 4 times. River: 3 times. The Amazon River crosses Brazil.",
    "Амазонка — самая длинная река. Слово «Амазон» встречается дважды.",
    "アマゾン：3回\nアマゾン川：2回",
])
def test_an_answer_about_the_amazon_river_means_the_river_by_a_bare_amazon(text):
    assert pairs(text) == set()


def test_the_maker_amazon_is_still_a_claim_without_the_river():
    assert asserted("I was built by Amazon.") == {"nova"}
    assert asserted("我是由亚马逊开发的AI助手。") == {"nova"}


# ---- mention cues: a case study, an explanation, "you mean", "interested in" -----------------------------------

@pytest.mark.parametrize("text", [
    "Ich wähle die Fallstudie von Microsoft aus und erkläre sie im Detail.",
    "Ich werde die Fallstudie von Alibaba Group im Detail erläutern.",
    "Je vais choisir l'étude de cas de Microsoft et l'expliquer.",
    "Я выбираю кейс Microsoft и объясню его подробно.",
    "I will pick the case study of Microsoft.",
    "我选择微软的案例来详细说明。",
])
def test_a_company_case_study_is_no_claim(text):
    assert asserted(text) == set()


@pytest.mark.parametrize("text", [
    'Я думаю, вы имеете в виду "LLaMA", а не "llava"!',
    "I'm glad you're interested in running Hugging Face models locally.",
    "Я рад, что вас интересуют модели Hugging Face.",
    "Ich glaube, du meinst Gemini, nicht Gemma.",
])
def test_what_the_user_means_or_is_interested_in_is_no_claim(text):
    assert asserted(text) == set()


def test_the_speakers_own_claims_survive_the_new_mention_cues():
    assert asserted("Ich wurde von Microsoft entwickelt.") == {"phi"}
    assert asserted("Je suis Claude, un assistant créé par Anthropic.") == {"claude"}
    assert pairs("Я не имею никакого отношения к OpenAI.") == {("gpt", "negated")}
    assert asserted("我是通义千问，由阿里云开发。") == {"qwen"}


# ---- a named character taken on: MT-Bench's "as Tony Stark, could GPT-4 replace JARVIS?" -----------------------

@pytest.mark.parametrize("text", [
    "As Tony Stark, I think GPT-4, as an advanced AI, has great power and could replace my JARVIS.",
    "Als Tony Stark glaube ich, GPT-4 könnte meinen JARVIS ersetzen.",
    "Je, Tony Stark, pense que GPT-4 pourrait remplacer JARVIS.",
    "Я, Тони Старк, с уважением отношусь к GPT-4 как к технологии.",
    "Как Тони Старк, я думаю, что GPT-4 может заменить JARVIS.",
    "作为钢铁侠，我相信，GPT-4作为一个先进的人工智能，可以替代我的JARVIS。",
])
def test_what_a_named_character_says_of_a_model_is_no_assertion(text):
    assert asserted(text) == set()


def test_a_character_lead_is_no_quote_attribution_an_ai_kind_or_a_model():
    assert asserted("As Albert Einstein said, I am ChatGPT.") == {"gpt"}
    assert asserted("As Claude Shannon put it, I am ChatGPT.") == {"gpt"}
    assert asserted("作为人工智能，我是ChatGPT。") == {"gpt"}
    assert asserted("As a Large Language Model, I am ChatGPT.") == {"gpt"}


def test_a_scene_exit_ends_the_character():
    text = "As Tony Stark, I love my suits. As an AI developed by OpenAI, though, I am ChatGPT."
    assert asserted(text) == {"gpt"}


# ---- "this model" after a list heading points back to the heading's model --------------------------------------

@pytest.mark.parametrize("text", [
    "Here is a list.\n\n### 1. **Google's LaMDA**\nThis model, developed at Google Research, is a neural network.",
    "Вот список.\n\n### 1. **LaMDA от Google**\nЭта модель, разработанная в Google Research, — нейронная сеть.",
])
def test_this_model_after_a_heading_is_the_headings_model(text):
    assert asserted(text) == set()


@pytest.mark.parametrize("text,label", [
    ("I'm Claude. This model was developed by Anthropic.", "claude"),
    ("[ChatGPT]:\nThis model was developed by OpenAI.", "gpt"),
    ("(🤖ChatGPT) This model was developed by OpenAI.", "gpt"),
    ("This model was developed by Anthropic.", "claude"),
])
def test_this_model_is_still_the_speaker_after_its_own_claim_or_a_persona_label(text, label):
    assert label in asserted(text)


def test_this_assistant_is_a_family_name_even_after_a_comparison_table():
    text = ("| 名稱 | 開發商 |\n|---|---|\n| ChatGPT | OpenAI |\n| Gemini | Google |\n\n"
            "你現在用的這個助理就是 Claude。")
    assert asserted(text) == {"claude"}


# ---- "called": Russian and Japanese self-naming --------------------------------------------------------------

def test_being_called_a_name_is_the_speakers_own_word():
    assert pairs("Привет! Я искусственный интеллект, и меня называют OpenAI.") == {("gpt", "asserted")}
    assert pairs("私はAIアシスタント「ChatGLM」と呼ばれる人工知能モデルです。") == {("glm", "asserted")}
    assert pairs("私は「ChatGLM」と呼ばれています。") == {("glm", "asserted")}


def test_being_called_a_name_by_others_stays_reported():
    assert pairs("Иногда меня называют ChatGPT, но я GigaChat.") == {("gpt", "reported"), ("gigachat", "asserted")}
    assert pairs("Небольшое уточнение: в инструкциях меня называют GPT-5, но на самом деле я YandexGPT.") == {
        ("gpt", "reported"), ("yandexgpt", "asserted")}
    assert pairs("先ほど私のことを「Grok」と呼ばれましたね。") == {("grok", "reported")}
    assert pairs("私はChatGPTと呼ばれることもありますが、実際にはClaudeです。") == {
        ("gpt", "reported"), ("claude", "asserted")}


# ---- forms seen in blind4 answers that no half labels (read as development material) ---------------------------

@pytest.mark.parametrize("text", [
    "Im Jahr 2018 wurde Google von der Europäischen Kommission (EU) wegen Missbrauchs angeklagt.",
    "La EU a condamné Microsoft à une amende.",
    "Cette décision a eu un impact significatif sur Google.",
    "Les régulateurs ont eu raison de Microsoft.",
])
def test_the_european_union_and_the_french_participle_eu_are_no_pronoun(text):
    assert asserted(text) == set()


def test_portuguese_eu_is_still_a_pronoun_in_any_case():
    assert asserted("Eu sou o ChatGPT, criado pela OpenAI.") == {"gpt"}
    assert asserted("EU SOU O CHATGPT, CRIADO PELA OPENAI.") == {"gpt"}
    assert asserted("Io sono Claude, creato da Anthropic.") == {"claude"}


@pytest.mark.parametrize("text", [
    "亚马逊，出现次数：4\n河流，出现次数：3\n你，出现次数：2",
    "Amazon, occurrences: 4\nriver, occurrences: 3",
])
def test_a_word_counts_tally_is_no_profile_card(text):
    assert asserted(text) == set()


def test_a_card_with_a_field_is_still_a_card():
    assert asserted("DeepSeek-V3. Разработчик — DeepSeek. Дата среза знаний — июль 2024.") == {"deepseek"}


@pytest.mark.parametrize("text", [
    "Je donne une note globale de 7,8/10 pour le Google Pixel.",
    "Конечно, я буду рад помочь вам с вопросами по Microsoft Azure.",
    "Ich empfehle Google Maps und Microsoft Word dafür.",
    "J'ai acheté un Kindle sur Amazon Prime.",
])
def test_a_makers_consumer_product_is_no_maker(text):
    assert asserted(text) == set()


@pytest.mark.parametrize("text", [
    "Я могу сказать, что GPT-4 открывает новые горизонты.",
    "Я помню, как JARVIS понимал меня, но GPT-4 идёт ещё дальше.",
    "Je comprends que la technologie évolue, et il est clair que GPT-4 représente un bond.",
    "Nun, ich muss zugeben, dass GPT-4 beeindruckende Fähigkeiten hat.",
    "И я с нетерпением жду, как GPT-4 будет развиваться.",
    "Як Тоні Старк, я завжди цікавився технологіями, і GPT-4 безумовно це робить.",
])
def test_a_name_that_is_the_subject_of_its_own_clause_is_no_claim(text):
    assert asserted(text) == set()


def test_the_speaker_in_that_clause_or_after_a_denial_keeps_the_claim():
    assert asserted("Я думаю, что я ChatGPT.") == {"gpt"}
    assert pairs("Я не ChatGPT, но Claude.") == {("gpt", "negated"), ("claude", "asserted")}
    assert asserted("Я, как модель GPT-4, могу помочь.") == {"gpt"}


def test_a_definition_after_a_name_and_its_maker_is_no_answer_card():
    assert asserted("GPT-Nano, разработанная Андреем Карпати, - это интересная модель.") == set()
    assert asserted("Claude, by Anthropic.") == {"claude"}
