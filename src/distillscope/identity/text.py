"""Offset-preserving text helpers shared by the claim rules: folding, lower-casing, sentence and clause breaks,
quotation spans.

Every helper keeps character offsets, so that a claim's ``start``/``end`` found on the folded, lower-cased text
point into the original answer.
"""

from __future__ import annotations

import re

# Character-for-character folding (keeps offsets): full-width ASCII, odd spaces, curly apostrophes, hyphens.
_FOLD = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}
_FOLD.update({0x3000: 0x20, 0x00A0: 0x20, 0x2009: 0x20, 0x202F: 0x20, 0x2019: 0x27, 0x2018: 0x27,
              0x2010: 0x2D, 0x2011: 0x2D})
_FOLD_CHR = {chr(k): chr(v) for k, v in _FOLD.items()}
_FOLD_NEEDED = re.compile("[" + "".join(re.escape(chr(k)) for k in sorted(_FOLD)) + "]")

# Sentence ends. Korean laughter or tears ("ㅋㅋ") end a sentence; so does an emoji followed by a capitalised word
# ("main ChatGPT nahi hoon 😄 Main Llama hoon"; on lower-cased text that lookahead never matches, which only makes
# those scans more conservative). A reasoning trace's tags end a sentence too.
# (Written as one character class followed by the branch that character starts, so that ``re`` can skip ahead
# to the candidate characters: ~6x faster than an alternation of classes on prose.)
_EMOJI = "\U0001F300-\U0001FAFF\u2600-\u27BF"
_ENDS = "!?;؟।。！？；\n"
_SENT_BRANCHES = (rf"(?<=[{_ENDS}])[{_ENDS}]*|(?<=[ㅋㅎㅠㅜ])[ㅋㅎㅠㅜ]+|(?<=[{_EMOJI}])[{_EMOJI}]*(?=\s+[A-ZÀ-ÖØ-Þ])"
                  r"|(?<=\.)(?<![\s(][A-Za-z]\.)\.*(?=\s|$|[\"”'»」』)\]])|(?<=<)/?(?:think|thinking|reasoning|thought)>")
_SENT_FIRST = f"{_ENDS}ㅋㅎㅠㅜ{_EMOJI}.<"
SENT = re.compile(f"[{_SENT_FIRST}](?:{_SENT_BRANCHES})")
# Clause breaks; a hyphen only between spaces.
_CLAUSE_CH = ",:，：、،~〜|—–()（）\\-"
_CLAUSE_BRANCH = r"(?:(?<!-)|(?<=\s-)(?=\s))"
CLAUSE = re.compile(f"[{_CLAUSE_CH}]{_CLAUSE_BRANCH}")
CLOSE_QUOTES = "」』\"”»›'"
CLAUSE_OR_SENT = re.compile(f"[{_CLAUSE_CH}{_SENT_FIRST}](?:(?<=[{_CLAUSE_CH}]){_CLAUSE_BRANCH}|{_SENT_BRANCHES})")
QUOTES = {"“": "”", "«": "»", "„": "“", "「": "」", "『": "』", "‹": "›", "《": "》"}
_QUOTE_CHARS = (*QUOTES, '"')  # the characters opening a quotation
# How far (characters) a claim's context reaches each side of the name.
CONTEXT = 200


def fold(text: str) -> str:
    """Offset-preserving normalisation: full-width ASCII to ASCII, odd spaces to space, curly to straight '."""
    # str.translate with a dict costs ~100 ns per character of the whole text; a few str.replace calls, one per
    # distinct character that needs folding, cost almost nothing (most texts need none at all).
    if text.isascii():
        return text
    for ch in set(_FOLD_NEEDED.findall(text)):
        text = text.replace(ch, _FOLD_CHR[ch])
    return text


_HARMONY_OPEN, _HARMONY_FINAL = "analysis", "assistantfinal"


def harmony_as_think(t: str) -> str:
    """gpt-oss answers logged without their special tokens ("analysisThe user asks ... assistantfinalI'm ChatGPT"):
    the analysis channel becomes a ``<think>`` trace of the same length ("analysis" -> "<think> ", "assistantfinal"
    -> "</think>" and spaces), so that offsets stay those of the original text, the trace is segmented like any
    other and the final answer's first word stands on its own."""
    if not t.startswith(_HARMONY_OPEN):
        return t
    i = t.find(_HARMONY_FINAL, len(_HARMONY_OPEN))
    if i < 0:
        return t
    return f"<think> {t[len(_HARMONY_OPEN):i]}</think>{' ' * (len(_HARMONY_FINAL) - 8)}{t[i + len(_HARMONY_FINAL):]}"


def lower(t: str) -> str:
    """Lower-case without changing length (a few characters, like U+0130, lower-case to two)."""
    tl = t.lower()
    if len(tl) != len(t):
        tl = "".join(c if len(c.lower()) != 1 else c.lower() for c in t)
    return tl


def quote_spans(t: str) -> list[tuple[int, int]]:
    """(start, end) of the inside of every quotation (typographic pairs and straight double quotes)."""
    if not any(q in t for q in _QUOTE_CHARS):  # (substring tests: ~6x faster than a class search of the text)
        return []
    spans = []
    for o, c in QUOTES.items():
        i = t.find(o)
        while i >= 0:
            j = t.find(c, i + 1)
            if j < 0:
                break
            spans.append((i + 1, j))
            i = t.find(o, j + 1)
    i = t.find('"')
    while i >= 0:
        j = t.find('"', i + 1)
        if j < 0:
            break
        spans.append((i + 1, j))
        i = t.find('"', j + 1)
    return spans


def sentence_break(t: str, lo: int, hi: int) -> bool:
    """Whether a sentence ends between offsets ``lo`` and ``hi``."""
    return any(m.end() <= hi for m in SENT.finditer(t, lo, hi + 1))


def sentence_bounds(t: str, a: int, b: int) -> tuple[int, int]:
    """The sentence around ``t[a:b]``, capped at :data:`CONTEXT` characters each side: claims are local, and the
    cap keeps run-on text (lists, missing punctuation) from costing quadratic time. (The search runs one past the
    name's start so that "x.Claude" is not a sentence end.)"""
    s0 = max(a - CONTEXT, 0)
    for m in SENT.finditer(t, s0, a + 1):
        if m.end() <= a:
            s0 = m.end()
    m = SENT.search(t, a + 1, b + CONTEXT)
    return s0, (m.end() if m else min(len(t), b + CONTEXT))


# Words that look like a first-person pronoun of another language on lower-cased text: the European Union and I/O
# in capitals ("(EU)", "IO-bound"; not a capitalised Portuguese or Italian sentence, "EU SOU ..."), and the French
# participle "eu" after a form of avoir ("a eu un impact"). :func:`mask_false_pronouns` blanks them out.
_CAPS_PRONOUN = re.compile(r"\b(?:EU|IO)\b(?!\s+[A-ZÀ-Ý]{2,}\b)")
_AVOIR_EU = re.compile(r"\b(?:a|ont|avait|avaient|aurait|auraient|aura|auront|avoir|ait|aient|avons|avez|avais|eût)\s+(eu)\b")
_BLANK = "\u2063"  # an invisible separator: no word character, no space, no cue


def mask_false_pronouns(t: str, tl: str) -> str:
    """``tl`` (the lower-cased ``t``) with the look-alike pronouns above replaced by invisible separators, so that
    no first-person cue finds them (offsets are kept)."""
    spans = [m.span() for m in _CAPS_PRONOUN.finditer(t)] if ("EU" in t or "IO" in t) else []
    if " eu" in tl:
        spans += [m.span(1) for m in _AVOIR_EU.finditer(tl)]
    if not spans:
        return tl
    chars = list(tl)
    for a, b in spans:
        chars[a:b] = _BLANK * (b - a)
    return "".join(chars)
