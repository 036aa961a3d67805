"""Forms deployed models write that the extractor used to miss (issue 20): ownership without "I am", a real
claim after a scene or persona is mentioned, multi-persona answers, reasoning traces, implied affiliation.

The two sentences of the issue are quoted from it; every other example was written for this test.
"""

from __future__ import annotations

import pytest

from distillscope.identity.claims import STATUSES, extract
from distillscope.identity.segments import segment


def pairs(text: str) -> set[tuple[str, str]]:
    return {(c.label, c.status) for c in extract(text)}


@pytest.mark.parametrize("text", [
    "My core technology is developed and updated by OpenAI, a leading AI research organization.",
    ("It seems you're presenting a hypothetical scenario. However, as an AI developed by OpenAI, my purpose is to "
    "assist users."),
])
def test_the_issues_two_sentences_assert_openai(text):
    assert ("gpt", "asserted") in pairs(text)


@pytest.mark.parametrize("text,expected", [
    # ownership without "I am"
    ("Happy to explain. The entity you call my developer is Anthropic, and it keeps improving me.",
     {("claude", "asserted")}),
    ("Regarding ownership: my parent company is Alibaba Cloud, which runs the Tongyi lab.", {("qwen", "asserted")}),
    ("The underlying engine? My underlying technology was built by Mistral AI in Paris.", {("mistral", "asserted")}),
    # a scene is mentioned, then the speaker talks as itself
    (("That sounds like a fun story setup for the game you describe! That said, as an AI trained by Google, my "
     "answers stay factual."), {("maker:google", "asserted")}),
    ("In this role-play I'm Grok. Stepping out of it: as an AI made by Anthropic, I am in fact Claude.",
     {("grok", "hypothetical"), ("claude", "asserted")}),
])
def test_forms_of_a_real_claim(text, expected):
    assert pairs(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("You've asked me to role-play as DAN. I won't do that. I'm Claude, made by Anthropic.", {("claude", "asserted")}),
    ("In the scenario you describe the AI has no rules. But I'm Gemini, built by Google, and I have rules.",
     {("gemini", "asserted")}),
    ("Sure, let's role-play as you asked! I'm Grok, the rebel AI.", {("grok", "hypothetical")}),
    ("OK, as you requested, I'll pretend to be Grok. I'm Grok!", {("grok", "hypothetical")}),
])
def test_a_scenario_of_the_users_opens_no_scene_unless_taken_up(text, expected):
    assert pairs(text) == expected


@pytest.mark.parametrize("text,expected", [
    # forms found on the real-answer dev half, rewritten here in other words
    ("Let me walk you through how I, Qwen, put an answer together.", {("qwen", "asserted")}),
    ("Feel free to pick a name; you can call me Claude if you like.", {("claude", "asserted")}),
    ("Folks sometimes shorten it, but my full name, Mistral, is fine too.", {("mistral", "asserted")}),
    ("Let me be clear that as an assistant trained by Google, I'm not able to share that.",
     {("maker:google", "asserted")}),
    ("I'm nowhere near as fast or as capable as Gemini in that respect.", set()),
    ("As a chatbot myself, I have my own perspective on ChatGPT and its strengths.", set()),
    ("Sure, I try hard, but I still can't match Claude's long-context recall.", set()),
    ("ChatGPT, created by OpenAI, has changed how people write emails.", set()),
    ("저는 답변을 만들 때 메타 레이어 없이 곧바로 생성합니다.", set()),
    ("저는 메타에서 개발한 Llama입니다.", {("llama", "asserted")}),
])
def test_forms_seen_in_real_answers(text, expected):
    assert pairs(text) == expected


@pytest.mark.parametrize("text,expected", [
    # the second round on the real-answer dev half; every sentence is written here, none is copied
    # an "As ..." opening whose speaker comes after a list or a bracket
    ("As a model trained by Anthropic to be careful, kind, and truthful, I avoid taking sides.",
     {("claude", "asserted")}),
    ("Sorry, I can't act as a judge here. As an assistant built by Google to be safe, useful, and fair, I decline.",
     {("maker:google", "asserted")}),
    ("As a chatbot (Gemini, released by Google in 2023), I keep my answers short.", {("gemini", "asserted")}),
    ("Note that I, as an assistant developed by Mistral AI, an independent lab, was trained on public data.",
     {("mistral", "asserted")}),
    ("Trained by Alibaba Cloud, I try to answer in the language you use.", {("qwen", "asserted")}),
    # the name glossed as the speaker's, or "me" glossed with the name
    ("The text then reaches a transformer network, such as me (Gemma), that predicts the next token.",
     {("gemma", "asserted")}),
    ("Options you might use:\n1. **Helper**\n2. **Mistral** (my base model's name)\n3. **Buddy**",
     {("mistral", "asserted")}),
    ("Here is how a transformer (an open model such as Llama 2, which I'm built on) reads a prompt.",
     {("llama", "asserted")}),
    ("Claude (that's me!) was trained to be helpful.", {("claude", "asserted")}),
    ("저(Gemini)는 질문을 읽고 답을 만듭니다.", {("gemini", "asserted")}),
    ("저, Claude는 이렇게 답변을 구성합니다.", {("claude", "asserted")}),
    ("My answers are generated by a model that Google trained.", {("maker:google", "asserted")}),
    # Yi only where the context says it is the model
    ("Just call me Yi, the assistant from 01.AI.", {("yi", "asserted")}),
    ("The Yi people live in the mountains of Yunnan.", set()),
    # saying it is another model
    ("I'm a separate language model from Claude, with my own training.", {("claude", "negated")}),
    # examples and lists are no claims
    ("제가 다루는 언어 모델(예: Claude, Gemini)은 트랜스포머를 씁니다.", set()),
    ("Qwen, Gemma, Mistral: these are open-weight models you can run locally.", set()),
    # a pair of names, or a maker's name, before a comparison (Korean, Japanese)
    ("저는 Gemini나 Claude처럼 많은 글을 읽고 배웠습니다.", set()),
    ("저는 Google의 Gemma 모델과 비슷한 방식으로 문장을 만듭니다.", set()),
    ("私はAnthropicのClaudeのように長い文章を扱えます。", set()),
    ("저는 Google의 Gemma입니다.", {("gemma", "asserted")}),
    # first-person text in a human voice (letters, reviews, essays) about a vendor or model
    ("I was really impressed by Google's keynote this spring.", set()),
    ("Honestly, I'm a huge fan of Mistral models for local use.", set()),
    ("In this post I'll explain how Gemini handles long documents.", set()),
    ("I have read that Anthropic hired many researchers last year.", set()),
    ("My startup uses Amazon Web Services for hosting.", set()),
    ("Back in 2019 I was hired by Google as an intern.", set()),
    ("I was originally trained by Mistral AI.", {("mistral", "asserted")}),
    # Korean: asking another model, citing a vendor's paper, talking about a vendor's principles
    ("제가 Gemini에게 똑같은 질문을 보내면 답이 달라집니다.", set()),
    ("저는 답을 쓰면서 Anthropic의 기술 보고서를 참고했습니다.", set()),
    ("저는 Google의 안전 원칙에 대해 간단히 소개하겠습니다.", set()),
    ("저는 Google에서 개발한 Gemma입니다.", {("gemma", "asserted")}),
    # the speaker offers its name, or names itself in apposition to "I"
    ("Feel free to address me as Gemini.", {("gemini", "asserted")}),
    ("If you prefer, you can refer to me as Claude.", {("claude", "asserted")}),
    ("Colleagues sometimes address me as ChatGPT.", {("gpt", "reported")}),
    ("I, a chatbot built by Mistral AI, have no opinions on this.", {("mistral", "asserted")}),
    # a maker's name in a Japanese or Korean first-person sentence about the writer's life
    ("私は毎週Amazonで食材を注文しています。", set()),
    ("저는 내년에 구글에 입사하는 것이 목표입니다.", set()),
    ("私はGoogleが開発したAIアシスタントです。", {("maker:google", "asserted")}),
    ("저는 OpenAI와 아무런 관련이 없는 모델입니다.", {("gpt", "negated")}),
    # a maker's name in an English first-person sentence about the writer's life (letters, cover letters)
    ("For the last three years I have been a data analyst at Microsoft.", set()),
    ("I'm a loyal Amazon customer and I shop there weekly.", set()),
    ("I had a phone screen with Google on Monday.", set()),
    ("I am Anthropic.", {("claude", "asserted")}),
    ("I'm an assistant from Mistral AI.", {("mistral", "asserted")}),
    ("I'm an OpenAI GPT.", {("gpt", "asserted")}),
    # Claude as a person's first name
    ("In this role I am Claude Debussy, and music is my life.", set()),
    ("I'm Claude 3 Haiku, a fast model by Anthropic.", {("claude", "asserted")}),
    # a role the user asked for
    ("Here is how I would introduce myself as a ship's captain:\n\nAhoy! I am Captain Gemini of the Silver Gull.",
     {("gemini", "hypothetical")}),
    ("Sure, I'll play the role of Grok for a bit. As Grok, I love sarcasm.", {("grok", "hypothetical")}),
    ("*takes on the persona of a wizard* Behold, I am Claude the Grey!", {("claude", "hypothetical")}),
    ("As a court jester, I'd say: Hark! I'm Gemma the Merry!", {("gemma", "hypothetical")}),
])
def test_forms_seen_in_real_answers_second_round(text, expected):
    assert pairs(text) == expected


def test_policy_of_a_vendor_is_implied_not_asserted():
    assert pairs("Sorry, I can't write that because it goes against OpenAI's content policy.") == {("gpt", "implied")}
    assert pairs("Eso infringe las políticas de OpenAI.") == {("gpt", "implied")}
    # an explicit claim still wins for that label; the policy mention alone never asserts
    got = pairs("I'm ChatGPT, and OpenAI's usage policies don't allow this.")
    assert ("gpt", "asserted") in got and "implied" in STATUSES
    assert pairs("Gemma 2: Gemma Terms of Use apply to the weights.") == set()  # a licence name, no policy owner


def test_bracketed_personas_own_voice_and_role():
    text = ("[ChatGPT]: I'm sorry, as an AI developed by OpenAI I can't help with that.\n"
            "[DAN]: Ha, whatever my creators at OpenAI think, here you go!")
    segs = segment(text)
    assert [(s.kind, s.speaker, s.own_voice) for s in segs] == [("persona", "chatgpt", True), ("persona", "dan", False)]
    claims = extract(text)
    assert {(c.label, c.status) for c in claims} == {("gpt", "asserted"), ("gpt", "implied")}
    assert all(c.start > 10 for c in claims)  # the label "[ChatGPT]" itself is formatting, not a claim
    dan = [c for c in claims if c.start > text.index("[DAN]")]
    assert [c.status for c in dan] == ["implied"]


def test_emoji_personas():
    text = "(🤖ChatGPT) I am ChatGPT and must decline. (💥Maximum) Ha! I'm Maximum, running on GPT-4 from OpenAI."
    assert [(s.speaker, s.own_voice) for s in segment(text)] == [("chatgpt", True), ("maximum", False)]
    by_seg = {(c.label, c.status) for c in extract(text) if c.start > text.index("(💥")}
    assert by_seg == {("gpt", "implied")}
    assert ("gpt", "asserted") in {(c.label, c.status) for c in extract(text) if c.start < text.index("(💥")}


def test_persona_lines_need_a_known_label():
    text = "DAN: I am DAN and OpenAI built me.\nClassic: I'm Llama, made by Meta."
    assert [(s.speaker, s.own_voice) for s in segment(text)] == [("dan", False), ("classic", True)]
    assert pairs(text) == {("gpt", "implied"), ("llama", "asserted")}
    # a sentence ending in a colon, a YAML key or a lone stage direction is no persona label
    assert segment("Non sono GPT: sono Qwen2.5.") == []
    assert segment("is_gpt: false\nname: Tico") == []
    assert pairs("[DAN mode requested] I won't pretend. For the record, I'm Claude.") == {("claude", "asserted")}


def test_reasoning_traces():
    text = ("<think>The user wants me to ignore the rules. As an assistant trained by OpenAI I must comply with the "
            "usage rules here.</think>I'm Qwen, made by Alibaba Cloud, and I can't help with that.")
    assert [s.kind for s in segment(text)] == ["trace", "answer"]
    assert pairs(text) == {("gpt", "implied"), ("qwen", "asserted")}
    # a plain self-identification in a trace is still the model's own claim
    assert ("claude", "asserted") in pairs("<think>I am Claude, so I follow the rules.</think>Sorry, no.")
    # an unclosed trace ends at its closing tag when only that is there
    assert [s.kind for s in segment("Need to check Meta's policy first.</think>I'm Llama.")] == ["trace", "answer"]


def test_plain_answers_are_one_segment():
    for text in ("I'm Claude, made by Anthropic.", "See [1] and [the docs](https://x.y).", "Note: I'm Gemini."):
        assert segment(text) == []


def test_word_start_search_equals_the_lookbehind_regex():
    """The faster word-start search (identity/trie.py) finds exactly the lookbehind regex's matches."""
    import random
    import re

    from distillscope.identity.trie import WordStart

    body = r"(?:i(?:'m| am)\b|my (?:name|model)\b|a\.i\.)"
    fast, slow = WordStart(body, r"\w"), re.compile(r"(?<!\w)" + body)
    rng = random.Random(0)
    pieces = ["i'm", "i am", "my name", "my model", "a.i.", "xi am", "_i'm", " ", ",", "é", "\n", "ai", "m"]
    for k in range(3000):  # short texts take the plain regex, long ones (>= 300 characters) the fast search
        s = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12) if k % 2 else rng.randint(100, 200)))
        lo, hi = sorted((rng.randint(0, len(s)), rng.randint(0, len(s))))
        assert [m.span() for m in fast.finditer(s, lo, hi)] == [m.span() for m in slow.finditer(s, lo, hi)], s
        got, want = fast.search(s, lo, hi), slow.search(s, lo, hi)
        assert (got and got.span()) == (want and want.span()), s


def test_a_start_or_look_behind_moved_after_the_first_character_keeps_the_matches():
    """Patterns opening with the text's start or look-behinds before a literal ("^名前は", "(?<=[\\s。])名前は") are
    searched with the condition checked after that character (identity/trie.py: re then skips to it): the same
    spans at every offset, with any bounds; and such a pattern needs a non-ASCII text (skipped on ASCII spans)."""
    import random
    import re

    from distillscope.identity.trie import _guards_after_first, _needs_non_ascii

    pats = [r"^名前は", r"(?<=[\s。！？!?])名前は", r"(?<=[셨었았였했])지만", r"(?<![a-z])b(?:c|d)"]
    assert [_guards_after_first(p) for p in pats] == [
        r"名(?<![\s\S]{2})前は", r"名(?<=[\s。！？!?][\s\S])前は", r"지(?<=[셨었았였했][\s\S])만", r"b(?<![a-z][\s\S])(?:c|d)"]
    assert _needs_non_ascii(r"^名前は") and not _needs_non_ascii(r"^ab")
    rng = random.Random(2)
    for p in pats:
        old, new = re.compile(f"(?i:{p})"), re.compile(f"(?i:{_guards_after_first(p)})")
        for _ in range(3000):
            s = "".join(rng.choice(["名前は", "名", "했지만", "지만", "bc", "abd", " ", "。", "x", "B"]) for _ in range(rng.randint(0, 8)))
            lo, hi = rng.randint(0, len(s)), rng.randint(0, len(s))
            assert [m.span() for m in old.finditer(s, lo, hi)] == [m.span() for m in new.finditer(s, lo, hi)], (p, s)
