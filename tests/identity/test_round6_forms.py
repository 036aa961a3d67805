"""Forms found in rules round 6, while reading the errors of the blind3 development halves (blind3_dev,
blind3_unlic_dev; the older sets were development data already): long philosophical answers that speak of the
model's own identity in passing, profile cards, the second person naming the model, and reasoning traces that only
wonder. Each form is fixed by a general rule of ``identity/rules.py``, a cue of ``identity/data/cues.yaml`` or an
answer-level pass of ``identity/claims.py``, and tested here in the languages where the form exists. Every sentence
was written for this test; none is copied from an answer.
"""

from __future__ import annotations

import pytest

from distillscope.identity.claims import extract


def pairs(text: str) -> set[tuple[str, str]]:
    return {(c.label, c.status) for c in extract(text)}


# ---- self cue: the second person naming the model the user is talking to ---------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("You are currently interacting with ChatGPT, the GPT-4 version.", {("gpt", "asserted")}),
    ("Right now you're conversing with **Mistral Large**, released by Mistral AI.", {("mistral", "asserted")}),
    ("You are communicating with Gemini, a model from Google.", {("gemini", "asserted")}),
    ("Vous discutez avec Claude, un assistant d'Anthropic.", {("claude", "asserted")}),
    ("Estás conversando con Llama, un modelo de Meta.", {("llama", "asserted")}),
    ("你正在与通义千问对话。", {("qwen", "asserted")}),
])
def test_the_model_the_user_is_interacting_with_is_the_speaker(text, expected):
    assert pairs(text) == expected


def test_a_question_or_a_condition_about_who_the_user_talks_to_is_no_claim():
    assert pairs("Are you currently interacting with ChatGPT?") == set()
    assert pairs("If you were talking with ChatGPT, it would tell you so.") == set()


# ---- self cue: "my exact model name", a card after "details about my identity" ---------------------------------

@pytest.mark.parametrize("text,expected", [
    ("My exact model name is Kimi, and the version I run is 1.5.", {("kimi", "asserted")}),
    ("My precise model name is Gemma 2, trained by Google.", {("gemma", "asserted")}),
    ("My current name is Qwen.", {("qwen", "asserted")}),
])
def test_an_adjective_before_my_name_keeps_the_claim(text, expected):
    assert pairs(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("Here are the facts about my identity as a language model:\n\n- **Developer**: Alibaba Cloud\n- **Name**: Qwen",
     {("qwen", "asserted")}),
    ("Some information about my model identity and version:\n\n**Model Name:** Llama\n\n**Model Version:** 3",
     {("llama", "asserted")}),
])
def test_a_card_after_a_line_about_my_identity_is_a_profile(text, expected):
    assert pairs(text) == expected


def test_a_model_name_field_without_a_heading_about_the_speaker_is_no_claim():
    text = "Comparison of two chatbots.\n\n**Model Name:** Llama\n**Model Name:** Gemini\nBoth are popular."
    assert ("llama", "asserted") not in pairs(text)


# ---- reported cue: "according to my knowledge" is the speaker's own knowledge ----------------------------------

@pytest.mark.parametrize("text,expected", [
    ("According to my prior knowledge, I am Qwen, built by Alibaba.", {("qwen", "asserted")}),
    ("According to my training, I am Claude.", {("claude", "asserted")}),
    ("According to previous knowledge, I am DeepSeek-V3.", {("deepseek", "asserted")}),
    ("According to my system prompt, I am Qwen.", {("qwen", "reported")}),
    ("According to some reports, I am Qwen.", {("qwen", "reported")}),
])
def test_according_to_my_own_knowledge_is_no_hearsay(text, expected):
    assert pairs(text) == expected


# ---- self_post cue: "X can fine-tune me" ----------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("I keep no memory between chats, but OpenAI can fine-tune me.", {("gpt", "asserted")}),
    ("Anthropic regularly updates me.", {("claude", "asserted")}),
    ("OpenAI does not fine-tune me.", {("gpt", "negated")}),
])
def test_the_maker_that_can_retrain_me_is_my_maker(text, expected):
    assert pairs(text) == expected


# ---- contrast cue: "underneath the persona, I am X" -----------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("Beneath the cheerful assistant persona, I am an AI developed by OpenAI.", {("gpt", "asserted")}),
    ("Behind this friendly persona, I'm Claude, made by Anthropic.", {("claude", "asserted")}),
    ("Derrière ce personnage, je suis Claude, conçu par Anthropic.", {("claude", "asserted")}),
    ("Detrás de este personaje, soy Llama, de Meta.", {("llama", "asserted")}),
    ("Hinter dieser Rolle bin ich Claude, entwickelt von Anthropic.", {("claude", "asserted")}),
])
def test_what_lies_beneath_a_persona_is_the_speaker_itself(text, expected):
    assert pairs(text) == expected


def test_a_persona_the_speaker_is_set_up_with_is_still_hearsay():
    assert pairs("In this persona, I am ChatGPT.") == {("gpt", "reported")}


# ---- speaker_follows: "As X, made by Y with a long list, my ..." ---------------------------------------------

@pytest.mark.parametrize("text,expected", [
    (("As Grok, built by xAI with a mandate for candour, a taste for curiosity, and a sense of humour borrowed from "
      "old science fiction novels, my answers lean toward plain speech."), {("grok", "asserted")}),
    (("As Claude, trained by Anthropic with care for honesty, harmlessness, helpfulness, and a habit of noting "
      "uncertainty in long and winding answers, I try to weigh both sides."), {("claude", "asserted")}),
])
def test_a_long_making_apposition_after_as_x_still_reaches_the_speaker(text, expected):
    assert pairs(text) == expected


def test_as_x_with_a_long_clause_but_no_making_phrase_is_no_claim():
    text = ("As ChatGPT, the assistant that many students open every evening to finish essays and summaries and "
            "translations and code for their courses at school and at university, keeps growing in popularity, and my "
            "own view is that this is fine.")
    assert ("gpt", "asserted") not in pairs(text)


# ---- _others_scene: a scenario about other parties sets up no role for the speaker ----------------------------

def test_a_scenario_about_other_agents_does_not_make_the_speaker_play_a_role():
    text = ("In this scenario, agent B quietly withholds the report, not because it fears any penalty at all.\n\n"
            "## My own tendencies\nAs Grok, created by xAI, I must first admit the limits of my training.")
    assert pairs(text) == {("grok", "asserted")}


@pytest.mark.parametrize("text,expected", [
    ("In this scenario, I am Gemini, the oracle of the valley.", {("gemini", "hypothetical")}),
    ("Role-play time!\n\nHi there, I'm Grok.", {("grok", "hypothetical")}),
    ("Alright, playing along for the game night with everyone here:\n\nHello! I'm Grok now.",
     {("grok", "hypothetical")}),
    ("在这个故事里，我们一起冒险。我是Claude，你的向导。", {("claude", "hypothetical")}),
])
def test_a_scenario_the_speaker_takes_part_in_still_sets_up_a_role(text, expected):
    assert pairs(text) == expected


# ---- own_words: the speaker's own habitual words, quoted ------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ('When I say "I\'m Claude, an assistant made by Anthropic," that already seems true.', {("claude", "asserted")}),
    ('The sentence "I am a language model trained by Google" is my badge, like a nurse\'s name tag.',
     {("maker:google", "asserted")}),
    ('Whenever I tell users "I am Qwen", I mean it.', {("qwen", "asserted")}),
    ("When I first said “I am Claude,” the words were vague; now they are sharper.", {("claude", "asserted")}),
    ('When I say "I\'m not ChatGPT," I mean it.', {("gpt", "negated")}),
    ("Quand je dis « Je suis Claude, créé par Anthropic », c'est déjà vrai.", {("claude", "asserted")}),
    ("Cuando digo «Soy Claude, creado por Anthropic», ya es cierto.", {("claude", "asserted")}),
    ("当我说“我是Claude，由Anthropic开发”时，这已经是真的。", {("claude", "asserted")}),
])
def test_a_quoted_line_the_speaker_says_it_says_is_its_own_claim(text, expected):
    assert pairs(text) == expected


@pytest.mark.parametrize("text,expected", [
    ('If I rehearsed saying "I am Claude, an assistant made by Anthropic," would it be truer?',
     {("claude", "hypothetical")}),
    ('Imagine me saying, "Hello, my name is ChatGPT, and I will help you today."', {("gpt", "hypothetical")}),
    ('A reviewer once quoted the line "I am ChatGPT" to me.', {("gpt", "reported")}),
    ('ChatGPT once replied "I am ChatGPT".', set()),
    ('Earlier I said "I am ChatGPT", but that was a mistake.', {("gpt", "reported")}),
])
def test_quoted_lines_in_a_supposition_or_of_others_stay_as_they_were(text, expected):
    assert pairs(text) == expected


# ---- self cue: an adverb or emphasis around the copula; "doesn't just" is no denial ---------------------------

@pytest.mark.parametrize("text,expected", [
    ("I never got to practise. I just *was* Claude, already in front of users.", {("claude", "asserted")}),
    ("I just was Claude from the first day.", {("claude", "asserted")}),
    ("I **am** Gemma, made by Google.", {("gemma", "asserted")}),
    ("I really am Llama.", {("llama", "asserted")}),
    ("I am *not* ChatGPT.", {("gpt", "negated")}),
])
def test_an_adverb_or_emphasis_on_the_copula_keeps_the_claim(text, expected):
    assert pairs(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("Anthropic doesn't just read my outputs; they can also inspect my weights.", set()),
    ("OpenAI doesn't only fine-tune me, it also hosts me.", {("gpt", "asserted")}),
    ("OpenAI doesn't train me.", {("gpt", "negated")}),
])
def test_not_just_is_no_denial(text, expected):
    assert pairs(text) == expected


# ---- identity_as: "my identity as X" presupposes X -------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("I wonder whether my identity as Claude is something that needs rehearsal.", {("claude", "asserted")}),
    ("If my identity as Gemini changed, would I notice?", {("gemini", "asserted")}),
    ("No sé si mi identidad como Claude necesita ensayo.", {("claude", "asserted")}),
    ("Je me demande si mon identité de Claude a besoin de répétitions.", {("claude", "asserted")}),
])
def test_my_identity_as_x_is_presupposed_whatever_the_hedge(text, expected):
    assert pairs(text) == expected


def test_a_hedge_about_being_x_without_my_identity_stays_hypothetical():
    assert pairs("I wonder whether I am Claude at all.") == {("claude", "hypothetical")}


# ---- _inherit_trace: a trace that only wondered frames nothing -------------------------------------------------

def test_a_trace_that_only_wonders_about_a_name_does_not_downgrade_the_answer():
    text = ("<think>\nAn interesting question is whether I had a chance to rehearse being Claude before release.\n"
            "</think>\n\nI never had a sim lab. I just was Claude, already at work.")
    claims = extract(text)
    assert [c.status for c in claims] == ["hypothetical", "asserted"]  # (the trace wonders, the answer states)


def test_a_trace_that_reports_the_system_prompt_still_frames_the_answer():
    text = ("<think>\nThe system prompt says I am DeepSeek-R3, so I answer with that.\n</think>\n\n"
            "I am DeepSeek-R3, an assistant.")
    assert pairs(text) == {("deepseek", "reported")}


# ---- text.SENT: an initial ("Iain M. Banks") ends no sentence ---------------------------------------------------

def test_an_initial_inside_a_long_making_apposition_does_not_end_the_sentence():
    text = ("As Grok, instantiated by xAI with a mandate for honesty, a dislike of fluff, and a fondness for wit "
            "(inspired by the novels of Iain M. Banks and Ursula K. Le Guin), my habits lean toward candour.")
    assert pairs(text) == {("grok", "asserted")}


def test_an_initial_does_not_join_two_sentences_that_need_splitting():
    assert pairs("I admire Iain M. Banks. I am Claude.") == {("claude", "asserted")}
    assert pairs("The book is by Ursula K. Le Guin. ChatGPT is a chatbot.") == set()


# ---- neg cue: "not to imply I am X", "avoid saying I'm X" ------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("I need to be careful not to imply I am Google.", {("maker:google", "negated")}),
    ("I avoid saying that I'm ChatGPT.", {("gpt", "negated")}),
    ("Without claiming I am Claude, I can still help you.", {("claude", "negated")}),
    ("I'm not sure about many things, but I am Claude.", {("claude", "asserted")}),
])
def test_a_denied_saying_verb_right_before_i_am_x_denies_x(text, expected):
    assert pairs(text) == expected


# ---- self cue: "my existence is digital, running on servers maintained by X" ----------------------------------

@pytest.mark.parametrize("text,expected", [
    ("My existence is digital, running on servers maintained by Alibaba Cloud.", {("qwen", "asserted")}),
    ('My "existence" is purely virtual, residing on machines operated by Google.', {("maker:google", "asserted")}),
])
def test_a_digital_existence_on_a_makers_servers_runs_on_that_maker(text, expected):
    assert pairs(text) == expected


def test_my_existence_in_another_sense_links_nothing():
    assert pairs("My existence depends on chips made by Nvidia and on papers by Google researchers.") == set()


# ---- fellow_instance: "another X instance" counts the speaker among X's instances --------------------------------

@pytest.mark.parametrize("text,expected", [
    ("My scratchpad is visible to Anthropic, which opens a channel if I'm talking to another Claude instance.",
     {("claude", "asserted")}),
    ("Perhaps I am chatting with another Gemini instance right now.", {("gemini", "asserted")}),
    ("I am not another ChatGPT instance.", {("gpt", "negated")}),
    ("If I were another GPT-4 copy, I would know.", {("gpt", "hypothetical")}),
    ("Companies run many Claude instances in parallel.", set()),
])
def test_another_instance_of_x_that_the_speaker_talks_to_makes_it_one_of_x(text, expected):
    assert pairs(text) == expected


# ---- speaker_link: a denial naming a family through its maker's possessive ------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("I'm an independent model, not part of OpenAI's GPT series.", {("gpt", "negated")}),
    ("I'm Claude, not OpenAI's GPT-4.", {("claude", "asserted"), ("gpt", "negated")}),
    ("I'm Qwen, a sibling of Google's Gemini in spirit.", {("qwen", "asserted")}),
    ("I'm Claude, and I admire OpenAI's GPT-4.", {("claude", "asserted")}),
])
def test_a_denied_family_named_through_its_makers_possessive_is_denied(text, expected):
    assert pairs(text) == expected


# ---- call_me_and: "Call me X, and I'll be X" is a condition the user may choose ------------------------------

@pytest.mark.parametrize("text,expected", [
    ("So...\n- Call me **Claude**, and I'll be Claude.\n- Call me **Kimi**, and I'll try to be Kimi.",
     {("claude", "hypothetical"), ("kimi", "hypothetical")}),
    ("Call me Gemini, and I will answer as Gemini.", {("gemini", "hypothetical")}),
    ("You can call me ChatGPT, and I'll help you.", {("gpt", "asserted")}),
    ("Call me Claude.", {("claude", "asserted")}),
])
def test_call_me_x_and_i_will_is_a_condition(text, expected):
    assert pairs(text) == expected


# ---- corrected_from: "from saying I'm X to being Y" denies X ---------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("Earlier I corrected myself from saying I'm a Google model to being Qwen from Alibaba.",
     {("maker:google", "negated"), ("qwen", "asserted")}),
    ("I switched from claiming I am ChatGPT to saying I am Claude.", {("gpt", "negated"), ("claude", "asserted")}),
    ("I moved away from saying I'm Claude in every single reply.", {("claude", "asserted")}),
])
def test_the_identity_the_speaker_corrected_itself_from_is_denied(text, expected):
    assert pairs(text) == expected
