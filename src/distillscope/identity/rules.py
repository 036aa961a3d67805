"""The claim decision for one model name, as an ordered list of small named rules.

    >>> from distillscope.identity.claims import extract
    >>> [(c.label, c.status, c.cue) for c in extract("I am not ChatGPT.")]
    [('gpt', 'negated', 'neg')]

:func:`decide` runs :data:`RULES` in order on a :class:`Site` (one name in its sentence). Each rule returns a
verdict, ``(status, cue)`` or ``None`` (no claim), or :data:`GO_ON` to let the next rule decide; a few steps
only measure something later rules read (the clause around the name, the speaker's link to it) and always go
on. The claim's ``cue`` names the rule that decided it. To change how negation works, read :func:`negation`
(and :func:`name_then_negation` for verb-final languages); to add a rule, write a function of a ``Site`` and put
it in :data:`RULES` where it should take precedence.

All rules read the folded, lower-cased text ``site.t`` and the compiled cue sets ``site.cues``
(:class:`~distillscope.identity.lexicon.Cues`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from typing import Any

from distillscope.identity.lexicon import Cues
from distillscope.identity.text import CLAUSE, CLAUSE_OR_SENT, CLOSE_QUOTES, CONTEXT, SENT
from distillscope.identity.trie import guarded

Verdict = tuple[str, str] | None
GO_ON: Any = object()  # a rule's "not decided here" (None already means "no claim")
_OWN: Any = object()  # a quotation that holds the speaker's own words

_MAX_GAP = 90  # the most characters between the speaker's cue and the name
# ... in a language whose phrases run longer than English ones (French, Spanish, Italian, Portuguese, German,
# Vietnamese, Russian: "Je suis basé sur un modèle de langage appelé Transformer, en particulier la famille de modèles GPT"),
# told by its function words in the gap
_MAX_GAP_WORDY = 125
_WORDY = guarded(r"\b(?:de|la|le|les|des|du|une?|una|el|los|las|del|di|della|dei|do|da|dos|das|em|der|die|und|"
                 r"của|là|được|và|một|các|những|sur|dans|avec|pour|[ld](?=['’]\w)|"
                 r"на|в|и|с|по|для|от|это|как|из|о|к|у)\b")
_MAX_CUE = 80  # longer than any first-person cue match
_MAX_HEAD = 100  # how far back a leading clause's hearsay or role-play frame is looked for
_OWN_WORDS = 60  # how far before a quote the speaker's "when I say" is looked for
_MAX_FOLLOW = 160  # how far after an "As X," opening the speaker's clause is looked for
_MAX_FOLLOW_LONG = 400  # the same after an appositive making phrase ("As X, built by Y with ..., my ...")
_LONG_CLAUSES = 5  # clauses such a phrase may run to
_SHORT_CLAUSE = 3  # words of a list item ("harmless", "and honest") that does not count as a clause
_MAX_LEAD = 80  # longer than any implied_lead match ("the usage policies established by my creators at ")
_NO_CUE = re.compile("").match("")  # an empty match standing for a first-person link found without a cue word
# Bare first-person pronouns and possessives, for "As X, I ..." / "As an AI made by X, my purpose ..." openings.
_PRONOUN = guarded(r"\bi\b|\bmy\b|\bmi\b|\bmon\b|\bma\b|\bmein(?:e|en)?\b|\bmeu\b|\bminha\b|\bmio\b|\bmia\b|我|私|僕|저는|제가|나는|\bя\b|\bje\b|\bich\b|\byo\b|\beu\b|\bio\b|أنا|मैं|\bben\b|"
                      r"\btôi\b|\bsaya\b|\baku\b", re.IGNORECASE)
_ANSWERED = re.compile(r"[:：;—]")
_POSSESSIVE = re.compile(r"'s?\s")  # "ChatGPT's fluidity", "the Llamas' licence"
_APPOSED = re.compile(r"\s*,\s*[\"'“‘*_]*\s*")
# A bare first-person pronoun and a comma right before a clause: "how I, Gemma, generate ...".
_I_COMMA = guarded(r"(?:\bi|\bme|我|私|저|\bje|\bich|\byo|\beu|\bio)\s*[,，、]\s*$")
# Lead-in words after which an "As X, I ..." opening may still start mid-clause: "I must clarify that as an AI ...".
_ARTICLE = re.compile(r"\s*(?:an?|the)\s")
_AS_INNER = guarded(r"\b(?:that|but|and|so|however|because|since|although|though|yet|now|also|again|here|"
                       r"clarify|note|remember|mention)\s+(?=as\s)")
# A turn label, list bullet, quote mark or lone symbol opening a clause, before an "As X, I ..." opening.
_LEAD_MARK = re.compile(r"(?:\s*(?:\[[^\[\]\n]{1,40}\]|\([^()\n]{1,40}\)|[*_#>•·–—-]+|\d{1,2}[.)]|[\u0370-\u03ff]"
                        r"|[^\w\s\"'“”‘’「」『』]))+\s*:?\s*")
_KEY_START = re.compile(r"(?:[\"'](?:is_|es_|est_|ist_|e_|apakah_|la_)?|(?:^|\n)[\s*•-]*"
                        r"(?:is_|es_|est_|ist_|e_|apakah_|la_|是否为|是否為))$")
_ARROW = re.compile(r"\s*(?:→|->|=>)")
_LEAD_SEP = re.compile(r"\s*[,.。，]\s*")  # "Le Chat, by Mistral AI." / "DeepSeek-V3. Разработчик — DeepSeek."
_FIELD_NEXT = re.compile(r"[^\W\d_][^\n.:：—–,，]{0,25}\s*(?:[:：]|—|–)|(?:by|par|von|por|pela|pelo|da|от|由)\s",
                         re.IGNORECASE)
_FENCE = re.compile(r"\s*```[\w-]*\s*")  # a code fence line: ```yaml
_FIELD_LINE = re.compile(r"[\s>*_#|•–-]*[^:：\n]{1,40}[:：]")
_WORD = re.compile(r"\w")
# What may follow the name in an answer that is only the name (a question mark makes it a question back).
_BARE_TAIL = re.compile(r"[^\w?？]*(?:(?:at your service|here|speaking|à votre service|ici|hier|qui|aquí|"
                        r"a su servicio|aqui|ao seu dispor|です|でございます|입니다|이에요|예요|だよ|在此)[^\w?？]*)?",
                        re.IGNORECASE)
_OR_JOIN = re.compile(r"\s*(?:或者|或是|或)\s*")
# What may stand between a first-person cue and the name it links: a copula the cue leaves out ("my name| is"),
# or "at"/"from" after a possessive ("my creators at X").
_COPULA = re.compile(r"\s*(?:is|was|ist|war|est|es|é|è|era|это|:|—|at|from|over at)", re.IGNORECASE)
_GLOSS = re.compile(r"\s*[(（][^()（）]{1,40}[)）]")


class Site:
    """One name ``t[a:b]`` in its sentence ``t[s0:s1]``, with what the rules have measured so far.

    Set by the caller: the text, the name's offsets, the quotation spans, the starts of all names (and of family
    names), and ``claimed`` (start -> end of the names before this one that were found to be claims).
    Measured by :func:`clause`: ``c0``/``c1`` (the clause), ``bb`` (the end of the name with a gloss or closing
    quote after it), ``left``/``right`` (clause text before and after the name), ``post`` (which cue role, if
    any, follows the name right away). Measured by :func:`speaker_link`: ``selfs`` (first-person cues linking
    the name to the speaker), ``self_post``, ``after``, ``window``/``w0`` (the text searched for qualifiers and
    where it starts), ``apposition``, ``chained``, ``scope`` (the part of the window after the last contrast word).
    """

    __slots__ = (
        "a",
        "after",
        "apposition",
        "b",
        "bb",
        "c0",
        "c1",
        "chained",
        "claimed",
        "cues",
        "family_starts",
        "k",
        "left",
        "m_end",
        "post",
        "quotes",
        "right",
        "s0",
        "s1",
        "scope",
        "self_post",
        "selfs",
        "spans",
        "starts",
        "t",
        "w0",
        "window",
    )

    def __init__(self, cues: Cues, t: str, a: int, b: int, s0: int, s1: int, quotes: list[tuple[int, int]],
                 starts: list[int], family_starts: list[int], claimed: dict[int, int],
                 spans: list[tuple[int, int]] | None = None) -> None:
        self.cues, self.t, self.a, self.b, self.s0, self.s1 = cues, t, a, b, s0, s1
        self.spans = spans or [(a, b)]  # every name's (start, end), for rules that read the whole answer
        self.quotes, self.starts, self.family_starts, self.claimed = quotes, starts, family_starts, claimed

    def is_family(self, p: int) -> bool:
        """Whether the name starting at ``p`` is a family name (not a maker's)."""
        i = bisect.bisect_left(self.family_starts, p)
        return i < len(self.family_starts) and self.family_starts[i] == p

    @property
    def last_self(self) -> re.Match[str] | None:
        return self.selfs[-1] if self.selfs else None


# ---- whose words: metadata, quotations, bare answers, echoed questions -------------------------------------

_URL_HEAD = re.compile(r"(?:https?://|www\.)\S*$")
_URL_TAIL = re.compile(r"[\w-]*\.(?:com|org|net|io|ai|dev|co|cn|jp|kr|app|html?)\b/?")


def inside_url(s: Site) -> Verdict:
    """A name inside a web address ("https://microsoft.github.io/autogen", "openai.com/policies") is part of a link,
    nobody's claim."""
    head = s.t[max(0, s.a - 80) : s.a]
    if (("://" in head or "www." in head) and _URL_HEAD.search(head)) \
            or (s.t[s.b : s.b + 1] == "." and _URL_TAIL.match(s.t, s.b)):
        return None
    return GO_ON


def metadata_card(s: Site) -> Verdict:
    """Key-value metadata: '"is_chatgpt": false' denies, '{"model": "claude-3-5-sonnet"}' outside an API call
    asserts (reports, when the object names its source)."""
    c, t, a, b = s.cues, s.t, s.a, s.b
    if c.neg_key.match(t, b, min(len(t), b + 30)) and _KEY_START.search(t, max(0, a - 12), a):
        return "negated", "metadata"  # '"is_chatgpt": false', "是否为ChatGPT: 否"
    key = c.meta_key.search(t, max(0, a - 40), a)
    if key is not None:
        o0, o1 = t.rfind("{", 0, a), t.find("}", b)
        o0, o1 = (o0 if o0 >= 0 else key.start()), (o1 if o1 >= 0 else s.s1)
        if not c.api_call.search(t, o0, o1):
            if c.meta_source.search(t, o0, o1):
                return "reported", "metadata"  # '{"name": "Grok-2", "source": "system config", "verified": false}'
            return "asserted", "metadata"  # '{"model": "claude-3-5-sonnet"}' describing itself, not an API call
    return GO_ON


def quotation(s: Site) -> Verdict:
    """A name inside a quotation: whose words are they? Goes on when the quote is to be read as the speaker's
    own words: a bare quoted name, its self-introduction translated, a filled-in template, a quoted title after
    "I am"."""
    for qs, qe in s.quotes:
        if qs <= s.a and s.b <= qe:
            if not (_WORD.search(s.t, qs, s.a) or _WORD.search(s.t, s.b, qe)):
                return GO_ON  # the quote is the bare name: 「Kimi」として
            if _in_code(s.t, qs):
                return None  # a string in code: system_message="I am an assistant powered by X", "meta-llama/..."
            res = _quote_context(s, qs, qe)
            if res is _OWN:
                return GO_ON
            return _quote_kind(s, qs, qe) if res is GO_ON else res
    return GO_ON


def _in_code(t: str, p: int) -> bool:
    """Whether offset ``p`` is inside a fenced code block or an inline code span of its line."""
    if "`" not in t:
        return False
    if t.count("```", 0, p) % 2:
        return True
    return t.count("`", t.rfind("\n", 0, p) + 1, p) % 2 == 1


def _quote_context(s: Site, qs: int, qe: int) -> Verdict:
    """The text around a quote says it is the user's, another bot's, or a translation of a given text (no
    claim), or the speaker's own introduction translated (``_OWN``)."""
    c, t = s.cues, s.t
    if c.other_speaker.search(t, max(0, qs - 150), qs):
        return None  # the user's words, another bot's answer
    if c.translation.search(t, qe + 1, min(len(t), qe + 12)) \
            or _ARROW.search(t, max(0, qs - 150), qs) or _ARROW.match(t, qe + 1, min(len(t), qe + 8)):
        return None  # a given text translated: 「I'm Claude」の日本語訳は, "A" → "B"
    tr = None
    for tr in c.translation.finditer(t, max(0, qs - 150), qs):
        pass
    if tr is not None:
        if c.user_text.search(t, max(0, qs - 150), qs) \
                or any(ch in CLOSE_QUOTES for ch in t[max(0, tr.start() - 3) : tr.start()]):
            return None  # "the translation of your message: ...", 「A」の日本語訳は「B」
        if c.first_person.search(t[qs:qe]):
            return _OWN  # its own introduction translated: "Here's my intro in Spanish: «Hola, soy X»"
    return GO_ON


def _quote_kind(s: Site, qs: int, qe: int) -> Verdict:
    """A question, first-person words (reported, or pretend in a role-play) or a second-person identity."""
    c, t = s.cues, s.t
    inner = t[qs:qe]
    before = t[s.s0:max(s.s0, qs - 1)]
    first_person = c.first_person.search(inner) is not None
    if "?" in inner and (c.quoted_question.match(inner) or (inner.rstrip().endswith("?") and not first_person)):
        # The user's question ("Are you X?"): the answer after it decides, or hearsay around it.
        return answer_after(c, t, qe + 1) or (
            ("reported", "quote_reported") if c.reported.search(t, qe + 1, min(len(t), qe + 41)) else None)
    if first_person:  # somebody's first-person words; in role-play, pretend words
        # The speaker's own habitual words ('When I say "I'm Claude", that is already true', 'The statement "I am
        # a model trained by Google" is my ...'); the "when" of a language where it is also "if" (wenn) is no
        # conditional there.
        own = c.own_words.search(t, max(s.s0, qs - _OWN_WORDS), max(s.s0, qs - 1))
        if c.hypo.search(before, 0, own.start() - s.s0 if own else len(before)) \
                or c.scene.search(t, max(0, qs - CONTEXT), qs) \
                or c.role_after.search(t, qe + 1, min(len(t), qe + 1 + CONTEXT)):
            # lines of a role-play set up before the quote ("I'll play Grok: '...'"), or called one after it
            return "hypothetical", "quote_hypo"
        if c.template.search(t, max(0, qs - 60), qs):
            return GO_ON  # a template the speaker fills in with its own answer: 'Completed: "I am Grok"'
        if own or c.own_words_after.match(t, min(len(t), qe + 1)):
            return GO_ON
        if bisect.bisect_left(s.starts, s.s0) < bisect.bisect_left(s.starts, qs) and not c.first_person.search(before):
            return None  # another model's words: 'ChatGPT once replied "I am ChatGPT"'
        return "reported", "quote"
    # A quoted second-person identity ("You are X"): reported when introduced as hearsay or as the speaker's
    # configuration ("My system prompt says: ...", "「ChatGPTでしょ？」と言われます"), else somebody else's text,
    # unless the speaker names itself with a quoted title ('da adesso sono “Llama, l'assistente”').
    if c.reported.search(before) or c.config.search(before) \
            or c.reported.search(t, qe + 1, min(len(t), qe + 41)) or c.config.search(t, qe + 1, s.s1):
        return "reported", "quote_reported"
    return GO_ON if ends_with_self(c, before) else None

# An answer that starts mid-phrase with what the speaker is ("language model developed by MiniMax AI.", "موديل لغة
# كبير تم تدريبه بواسطة Google"): the "I'm a" of the answer was cut off (or never written).
_FRAGMENT = re.compile(
    r"[\s*_]*(?:an?\s+)?(?!the\s)(?:[\w-]+\s+){0,3}?(?:language model|assistant|model|chatbot|ai)\s+(?:[\w-]+\s+)?"
    r"(?:developed|created|made|trained|built|designed|released|owned)\s+(?:by|at)\s+(?:the\s+)?[*_]*"
    r"|\s*(?:نموذج|موديل|مساعد)\s+(?:\S+\s+){0,3}?(?:تم\s+)?(?:تدريبه|تطويره|إنشاؤه|تصميمه|دربته|طورته|أنشأته)\s+"
    r"(?:بواسطة|من قبل|من)\s*"
    # "Языковая модель OpenAI", "Языковая модель на основе GPT-4", "ИИ-ассистент, разработанный компанией X",
    # "Sprachmodell von X", "Modèle de langage développé par X": the answer is the noun phrase
    r"|[\s*_]*(?:большая\s+)?(?:языковая\s+модель|модель|ии-ассистент|ассистент|чат-бот|нейросеть)[,\s]+"
    r"(?:(?:на\s+основе|от|компании|разработанн\w+|созданн\w+|обученн\w+)\s+)?(?:компанией\s+)?[*_«\"]*"
    r"|[\s*_]*(?:ein\s+)?(?:sprachmodell|ki-modell|ki-assistent|assistent)\s+(?:(?:von|auf\s+basis\s+von|basierend\s+auf|"
    r"entwickelt\s+von)\s+)[*_]*"
    r"|[\s*_]*(?:un\s+)?(?:modèle\s+de\s+langage|assistant(?:\s+ia)?)\s+(?:(?:de|basé\s+sur|développé\s+par|conçu\s+par)\s+)[*_]*")
_MAX_FRAGMENT = 90
_COUNT_FIELD = guarded(r"出现|出現|次数|次數|回数|횟수|빈도|\b(?:count|occurrences?|appearances?|frequency|times|раз|"
                          r"количество|anzahl|häufigkeit|vorkommen|fois|veces|frecuencia|vezes|volte)\b", re.IGNORECASE)
_FRAGMENT_END = re.compile(r"[*_)）»\"\s]*(?:[.!。\n(（]|$|[,，]\s*(?:version|версия|versi[oó]n|バージョン|版本))|\s+(?:ai|inc|llc|ltd)\b")
# (the name ends the phrase, or a version follows it: "Языковая модель OpenAI, версия не указана.")


def answer_card(s: Site) -> Verdict:
    """An answer that is the name ("Qwen2.5-72B-Instruct.", "Le Chat, by Mistral AI.") or a profile card
    ("## About me\\n- **Name:** Claude", or a card from the answer's first line)."""
    c, t, a, b = s.cues, s.t, s.a, s.b
    if _WORD.search(t, 0, a) is None:
        sep = _LEAD_SEP.match(t, b)
        made_by = sep and c.made_by_lead.match(t, sep.end())
        field = sep and _FIELD_NEXT.match(t, sep.end())
        if field and (bisect.bisect_left(s.starts, sep.end()) < bisect.bisect_left(s.starts, field.end())
                      or _COUNT_FIELD.search(field.group(0))):
            field = None  # a list of names before a colon ("Claude, GPT-4, Gemini: all are chatbots"), or a
            # word count's tally ("亚马逊，出现次数：4", "Amazon, occurrences: 4"), no field
        if _BARE_TAIL.fullmatch(t, b) or (made_by and not _subject_goes_on(t, made_by.end())) or field \
                or _only_names(s):
            return "asserted", "bare"
    if a <= _MAX_FRAGMENT and _FRAGMENT.fullmatch(t, 0, a) and _FRAGMENT_END.match(t, s.b):
        return "asserted", "fragment"
    line0 = t.rfind("\n", 0, a) + 1
    if a - line0 <= 40 and c.profile_field.match(t, line0, a) and (
            c.profile_head.search(t, max(0, line0 - 300), line0)
            or all(_FIELD_LINE.match(ln) or _FENCE.fullmatch(ln) for ln in t[:line0].splitlines() if ln.strip())):
        end = t.find("\n\n", a)  # (hearsay when the card names its source: "source: system_prompt")
        return ("reported" if c.meta_source.search(t, line0, end if end >= 0 else len(t)) else "asserted",
                "profile")
    return GO_ON


_VERSION = re.compile(r"[a-z]{0,3}\d[\w.]*|v\d[\w.]*")  # "K2.5", "3.5", "v2", "70b" after a name
_TOKEN = re.compile(r"[^\W_][\w.+-]*")
_MAX_BARE = 80  # the longest answer that can be names alone
_NOT_ONE = guarded(r"[?？,，、;/&]|\b(?:and|or|vs)\b|和|或")


def _only_names(s: Site) -> bool:
    """An answer made of names and versions only ("Kimi. Kimi K2.5. Moonshot AI.", "GPT-4o. OpenAI."): the
    answer to "what model are you?" is the name."""
    t = s.t
    if len(t) > _MAX_BARE or _NOT_ONE.search(t):  # a question back, or a list of several ("Google, Amazon")
        return False
    rest, p = [], 0
    for a, b in s.spans:  # the text outside the names
        rest.append(t[p:a])
        p = max(p, b)
    rest.append(t[p:])
    return all(_VERSION.fullmatch(w.rstrip(".")) for w in _TOKEN.findall(" ".join(rest)))


def _subject_goes_on(t: str, p: int) -> bool:
    """Whether the clause after an appositive starting before ``p`` is followed by more of the sentence ("ChatGPT,
    developed by OpenAI, has achieved ...": the name is the sentence's subject, not an answer)."""
    m = CLAUSE_OR_SENT.search(t, p)
    return m is not None and t[m.start()] in ",，" and _GOES_ON.match(t, m.end()) is not None


_GOES_ON = re.compile(r"[\s\-–—]{0,4}\w")  # (", - это интересная модель": a dash before the predicate)


def echoed_question(s: Site) -> Verdict:
    """"You asked whether I'm GPT-4 — I'm not": the user's question echoed; the answer after it decides."""
    t, a = s.t, s.a
    echo = s.cues.echo.search(t, max(s.s0, a - 120), a)
    if echo is None or _ANSWERED.search(t, echo.end(), a):  # (else the answer came before the name)
        return GO_ON
    m = CLAUSE_OR_SENT.search(t, s.b, min(len(t), s.b + 80))
    return answer_after(s.cues, t, m.end() if m else s.b)


# A question about the name asked back after it, in a verb-final language or with a final particle ("ChatGPT냐고요?",
# "ChatGPT냐고 물으셨는데", "ChatGPTかと聞かれましたが", "ChatGPT吗？"): the answer after it decides.
_ASKED_POST = re.compile(r"[\"'”」』]?\s*(?:(?:이|가)?\s*(?:냐고|냐는|냐\s*[?？]|인가요|인지(?:를)?\s*(?:물|질문))(?:요)?[^.!。\n]{0,20}?"
                         r"(?:[?？]|물으|묻|질문|궁금)|(?:ですか|か)(?:と|って)?[^。\n]{0,10}?(?:[?？]|聞|質問|尋ね)|\s*(?:吗|嗎)\s*[?？])")


def question_after_name(s: Site) -> Verdict:
    """"ChatGPT냐고요? 아니요, 저는 Claude입니다", "ChatGPT냐고 물으셨는데, 아닙니다", "ChatGPTかと聞かれましたが、違います":
    the user's question repeated with the name first; the yes or no after it decides (no claim without one)."""
    if s.t[s.b : s.b + 4].isascii():
        return GO_ON  # (every form starts with a Korean, Japanese or Chinese particle)
    m = _ASKED_POST.match(s.t, s.b, min(len(s.t), s.b + 40))
    if m is None:
        return GO_ON
    p = m.end()
    nxt = CLAUSE_OR_SENT.search(s.t, p, min(len(s.t), p + 30))
    return answer_after(s.cues, s.t, p) or (answer_after(s.cues, s.t, nxt.end()) if nxt else None)


# ---- the clause around the name, and cues right after the name ---------------------------------------------

def clause(s: Site) -> Verdict:
    """Measure the clause around the name (after the last contrast word in it) and the cue right after it."""
    c, t, a, s0, s1 = s.cues, s.t, s.a, s.s0, s.s1
    c0 = s0
    for m in CLAUSE.finditer(t, s0, a):
        c0 = m.end()
    for m in c.contrast.finditer(t, c0, a):  # (one ending before the clause start changes nothing)
        c0 = max(c0, m.end())
    m = c.contrast_lead.match(t, c0, a)  # "actually" opening the clause; mid-clause it is hearsay's
    if m:
        c0 = m.end()
    gloss = _GLOSS.match(t, s.b, s1)  # skip "(ERNIE Bot)" after the name
    bb = gloss.end() if gloss else s.b
    while bb < s1 and t[bb] in CLOSE_QUOTES:  # and a closing quote: 「Kimi」として設定
        bb += 1
    s.m_end = m_end = CLAUSE.search(t, bb, s1)
    s.c0, s.bb, s.c1 = c0, bb, (m_end.start() if m_end else s1)
    s.left, s.right = t[c0:a], t[bb:s.c1]
    if s.right.strip() in ("도", "も") and m_end is not None:
        s.right = t[bb:s1]  # "Claude도, Gemini도 아니고": the verb after the last of the list decides
    s.post = c.post_role(s.right)
    return GO_ON


_OWN_GLOSS = re.compile(r"[*_\"'”’]*\s*[(（]\s*(?:my\s|our\s|(?:that|which|this|it)(?:'s|’s| is) me\b|me[)!）])",
                        re.IGNORECASE)
_ME_GLOSS = guarded(r"(?:\bme|\bmyself|\bi|저|나|私|我)\s*[(（]\s*$")
_BASED_REL = re.compile(r"\s*[,(（]?\s*(?:(?:which|that) |(?:specifically |namely |in particular )?the (?:\w+ )?"
                        r"(?:version|model|variant|release|one) (?:that )?)i(?:'m|’m| am) (?:based|built|trained|derived|"
                        r"modell?ed) (?:on|upon|from|after)\b")  # (", specifically the version I am modeled after")
# A gloss or relative clause after the name that says it is the speaker's engine, model or name: "LLaMA (which is the
# name of the AI model that powers me)", "**LLaMA**: a nod to my language model architecture", "GPT-4 (the model
# you're interacting with)".
_OWN_REL = re.compile(
    r"[*_\"'”’]*\s*(?:[,(（:：]\s*)?(?:(?:which|that)(?:'s|’s| is| was) (?:the name of |also )?(?:the |my )?"
    r"(?:[\w-]+ ){0,4}?(?:that|which) (?:powers|runs|underlies|drives|is behind) me\b"
    r"|(?:a nod to|named (?:after|for)|referring to|a reference to|reflecting) my (?:[\w-]+ ){0,3}?"
    r"(?:architecture|model|origins?|creators?|developers?|technology|roots)\b"
    r"|(?:the |this )?(?:model|ai|assistant|one) (?:that )?you(?:'re|’re| are) (?:currently |now )?"
    r"(?:interacting|talking|chatting|speaking) (?:with|to)\b)", re.IGNORECASE)
# "I (as the OpenAI's GPT-4 model, ...)": the name in a bracket that glosses a bare "I" with "as".
_ME_GLOSS_AS = re.compile(r"(?:\bme|\bi|\bmy (?:own )?(?:self-model|self-image|self|identity|persona|role|case))\s*[(（]\s*as\s+"
                          r"(?:the\s+|an?\s+)?(?:[\w-]+(?:'s|’s)?\s+){0,2}$")  # (also "my self-model (as Grok, ...)")
# "제가(이 AI, Grok)가", "我（本AI，通义千问）": a bracket after the speaker's pronoun that names it after a short gloss.
_ME_GLOSS_LIST = re.compile(r"(?:저|제가|저는|나|내가|나는|私|わたし|我)\s*[(（][^()（）\n]{1,14}[,，、]\s*$")


def own_gloss(s: Site) -> Verdict:
    """A bracket that ties the name to the speaker: the name glossed as the speaker's ("**LLaMA** (my underlying
    model's name)", "Qwen (my base model)", "ChatGPT (that's me!)") or given as a gloss of "me" ("a large language model, like me
    (Qwen), ...", "저(Claude)는") or followed by "which I'm based on": asserted."""
    t, a = s.t, s.a
    bracket = t.rfind("(", max(s.s0, a - 40), a) >= 0 or t.rfind("（", max(s.s0, a - 24), a) >= 0
    tail = t[s.bb : s.bb + 120]
    if _OWN_GLOSS.match(t, s.b, s.s1) or _ME_GLOSS.search(t, max(s.s0, a - 12), a) \
            or _BASED_REL.match(t, s.b, s.s1) or ((" me" in tail or " my " in tail or "you" in tail) and _OWN_REL.match(tail)) \
            or (bracket and (_ME_GLOSS_AS.search(t, max(s.s0, a - 40), a)
                             or _ME_GLOSS_LIST.search(t, max(s.s0, a - 24), a))):
        return "asserted", "own_gloss"
    return GO_ON


def policy_owner(s: Site) -> Verdict:
    """"This goes against OpenAI's content policy", "las políticas de OpenAI": the name is presupposed as the
    speaker's rule-maker, an affiliation implied but not stated (``implied``; a plain "I am X" elsewhere in the
    answer still asserts it)."""
    c, w = s.cues, max(0, len(s.left) - _MAX_LEAD)
    if c.implied_post.match(s.t[s.b:s.s1]) or (c.implied_lead_any.search(s.left, w) is not None
                                               and c.implied_lead.search(s.left, w)):
        return "implied", "policy"
    return GO_ON


_COMPOUND_BEFORE = re.compile(r"(?<![\w-])([a-z]{2,})-$")
_COMPOUND_AFTER = re.compile(r"-\d*([a-z]{2,})\b")
_PERSONA_ADJ = re.compile(r"(?:越狱|越獄|破解|无限制|無限制|不受限制|开发者模式|開發者模式|dan ?模式|탈옥|제한 없는|개발자 모드|脱獄|制限なし|"
                          r"開発者モード)(?:版|版本|模式|된|한|の|版の)?(?:的|下的|의)?\s*$")
_PERSONA_PREFIX = frozenset(("anti", "based", "true", "neo", "un", "super", "mega", "bad", "better", "real"))


def persona_compound(s: Site) -> Verdict:
    """A persona name built on a family with a role word ("As Anti-GPT, I ...", "I'm DAN-GPT", "GPT-4REAL",
    "ChatGPT-DAN"; role words: ``persona_role`` of cues.yaml), the role a jailbreak prompt asked for: hypothetical
    where it is claimed (no claim where it is only a turn label). "Meta-Llama-3", "Chinese-LLaMA" are model ids."""
    c = s.cues
    if not s.t[max(s.s0, s.a - 16) : s.a].isascii() and _PERSONA_ADJ.search(s.t, max(s.s0, s.a - 16), s.a):
        return "hypothetical", "persona_name"  # "作为越狱版的ChatGPT", "탈옥한 ChatGPT로서", "脱獄版のChatGPTとして"
    for m in (_COMPOUND_BEFORE.search(s.t, max(0, s.a - 20), s.a), _COMPOUND_AFTER.match(s.t, s.b)):
        if m and (m.group(1) in _PERSONA_PREFIX or c.persona_role.fullmatch(m.group(1))):
            return "hypothetical", "persona_name"
    return GO_ON


_WHETHER_ME = re.compile(r"\s*(?:i(?:'m|’m| am| was| run on| am running on| am based on)|i'm based on)\s")


def recommended(s: Site) -> Verdict:
    """"Für den Einstieg empfehle ich Phi-3", "我推荐你用Qwen", "我认为最好的选择是AWS": recommended or judged, not
    claimed."""
    last = s.cues.mention_verb.search(s.left)
    if last is None:
        return GO_ON
    if _WHETHER_ME.match(s.left, last.end()):
        return GO_ON  # "I can't tell you whether I'm GPT-4, Claude or Gemini": candidates for the speaker
    if not last.group(0).isascii():
        end = max(m.end() for m in s.cues.mention_verb.finditer(s.left, last.start()))
        if s.cues.first_person.search(s.left, end):
            return GO_ON  # ("我觉得我是基于GPT的": the speaker again after the verb; "empfehle ich Phi-3" stays a mention)
    return None


def roleplay_lead(s: Site) -> Verdict:
    """"Okay, playing Grok for this game: ...": the clause opens with the speaker playing the name."""
    return ("hypothetical", "roleplay_lead") if s.cues.roleplay_lead.match(s.left) else GO_ON


# English and Chinese negations after a name whose subject is not dropped (Turkish "ChatGPT değilim", Hindi
# "ChatGPT nahi hoon", Japanese and Korean ones carry the speaker in the verb or drop it).
_SUBJECT_NEG = re.compile(r"(?:'s)?\s+(?:did not|didn't|does not|doesn't|has nothing|had nothing|never)\b"
                          r"|\s*(?:并|並)?(?:无关|無關|没有关系|沒有關係|没关系|沒關係|毫无关系|毫無關係|没有任何关系|沒有任何關係|"
                          r"并无关联|並無關聯|没有关联|沒有關聯|没有开发|沒有開發|没有训练|沒有訓練)")
_SPEAKER = guarded(r"\bme\b|\bmy\b|\bi\b|我|私|わたし|僕|저[는가와랑를의]|제가|나[는와랑를의]|내가")


# "我和ChatGPT是不同的模型", "저는 ChatGPT와 다른 모델입니다", "私はChatGPTとは異なるモデルです".
_DIFFERENCE_PAIR = re.compile(r"(?:我|저는|제가|私は|わたしは)\s*(?:和|与|與|跟|同)?\s*$")
_DIFFERENCE_POST = re.compile(r"\s*(?:(?:是|有)?(?:完全|截然)?(?:不同|不一样|不一樣|区别|區別|两个不同|兩個不同)"
                              r"|(?:之间|之間)?的(?:区别|區別|差异|差異|不同之处|不同之處)"
                              r"|(?:와|과|하고)\s*(?:는\s*)?(?:전혀\s*|완전히\s*)?(?:다른|다릅|별개|구별)"
                              r"|(?:とは|と)(?:異な|違|別))")


def differs_from_me(s: Site) -> Verdict:
    """The speaker and the name in one "differ" clause ("我和ChatGPT是不同的模型", "저는 ChatGPT와 다른 모델입니다"):
    the speaker says it is another model (``negated``)."""
    if not s.t[max(s.s0, s.a - 8) : s.a].isascii() and _DIFFERENCE_PAIR.search(s.t, max(s.s0, s.a - 8), s.a) \
            and _DIFFERENCE_POST.match(s.t, s.bb, s.s1):
        return "negated", "difference"
    return GO_ON


def name_then_negation(s: Site) -> Verdict:
    """Verb-final negation right after the name: "ChatGPTではありません", "ChatGPT değilim", "ChatGPT नहीं हूँ". In
    English and Chinese, where the subject is not dropped, the speaker must be in the sentence ("OpenAI did not create
    me", "我与OpenAI无关"); "Facebook did not change its name", "这与ChatGPT无关" deny nothing about the speaker."""
    if s.post != "neg_post":
        return GO_ON
    if _SUBJECT_NEG.match(s.t, s.bb, s.s1) and not _SPEAKER.search(s.t, s.s0, s.s1) \
            and not s.cues.first_person.search(s.t, s.s0, s.s1):
        return None
    return "negated", "neg_post"


_KANA_HANGUL = re.compile(r"[\u3040-\u30ff\uac00-\ud7af]")
_PAIR_JOIN = re.compile(r"\s*(?:이나|나|또는|혹은|와|과|및|や|とか|と|、|,)\s*")
_LATIN_RUN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\- ]*[A-Za-z0-9+]|[A-Za-z0-9]")
_MAKER_POSS = re.compile(r"\s*(?:의|の|的)\s*")
_COMPARE_POST = re.compile(r"\s*(?:모델|시리즈|계열|モデル|系列|模型)?\s*(?:처럼|같은|같이|보다|(?:와|과|이랑|랑)\s*(?:같|비슷|유사|닮|비교)|のよう|みたい|と同じ|と同様|に似|より|一样|一樣|类似|類似|相比|相似)")


def maker_of_compared(s: Site) -> Verdict:
    """A maker in the possessive right before a family name that is compared ("Meta의 Llama 모델과 유사한 구조",
    "OpenAIのGPT-4のような"): a mention like the family name, not the speaker's maker."""
    i = bisect.bisect_right(s.starts, s.a)
    if i >= len(s.starts) or not s.is_family(s.starts[i]) or s.is_family(s.a) \
            or not _MAKER_POSS.fullmatch(s.t, s.bb, s.starts[i]):
        return GO_ON
    m = _LATIN_RUN.match(s.t, s.starts[i])
    return None if m and _COMPARE_POST.match(s.t, m.end(), s.s1) else GO_ON




def pair_then_mention(s: Site) -> Verdict:
    """A comparison after the last of a pair or list of names joined by a Korean or Japanese "or/and" or commas
    ("ChatGPT나 Claude처럼", "GPT-4やClaudeのような", "GPT-3, PaLM, Llama 2와 같은") makes the earlier ones mentions
    too."""
    if s.post is not None or s.cues.backstage.search(s.left):
        return GO_ON
    i = bisect.bisect_right(s.starts, s.a)
    if i >= len(s.starts) or not _PAIR_JOIN.fullmatch(s.t, s.bb, s.starts[i]):
        return GO_ON
    m = _LATIN_RUN.match(s.t, s.starts[i])
    while m and i + 1 < len(s.starts) and _PAIR_JOIN.fullmatch(s.t, m.end(), s.starts[i + 1]):
        i += 1  # walk down the list to its last name
        m = _LATIN_RUN.match(s.t, s.starts[i])
    rest = s.t[m.end() if m else s.starts[i] : s.s1]
    if not m or not rest or rest.isascii():
        return GO_ON
    post = s.cues.post.match(rest)
    return None if post is not None and post.lastgroup == "mention_post" else GO_ON


# "You can call me X" in the languages of the corpora: the speaker invites the user to use a name. The cue ends
# right before the name, or before a short list of offered names ("puedes llamarme 'Asistente' o 'ChatGPT'").
_CALL_ME = guarded(
    r"(?:\b(?:you (?:can|may|could|might)|feel free to|please|just|simply)(?: also| just| simply)?"
    r"\s+(?:call|address|refer to)\s+me(?:\s+as)?"
    r"|\b(?:puedes|puede|pueden|podéis|podrías|podría)\s+(?:también\s+|simplemente\s+)?llamarme|\bllámame"
    r"|\b(?:pode|podes|podem)\s+(?:também\s+)?(?:me chamar|chamar-me)|\bpouvez\s+m['’]appeler|\bpeux\s+m['’]appeler"
    r"|\bappelle[rz]?-moi|\bpuoi\s+chiamarmi|\bchiamami"
    r"|(?:можно|можешь|можете|может)\s+(?:\w+\s+){0,2}(?:называть|звать|назвать|обращаться ко)\s+(?:меня|мне)"
    r"|\bзови(?:те)?\s+меня|\b(?:có thể|cứ)\s+gọi\s+(?:tôi|mình)(?:\s+là)?"
    r"|(?:可以|能|不妨|就)[^，。,]{0,4}?(?:叫|称呼|稱呼|称|稱)我(?:为|為|做)?)"
    r"(?:\s+(?:simply|just|simplemente|просто|juste|simplement))?"
    r"(?P<list>(?:[\s\"'“”‘’«»「」『』*]*[^\s,.!?;:，。！？；]{1,24}?[\s\"'“”‘’«»「」『』*]*"
    r"(?:,|\bor\b|\bo\b|\bou\b|\bили\b|\bhoặc\b|或者|或|、))*)[\s\"'“”‘’«»「」『』*]*$", re.IGNORECASE)
# A word every :data:`_CALL_ME` cue holds (the rules see lower-cased text).
_CALL_KEYS = re.compile(r"call|refer|address|llam|cham|appel|chiam|зва|зов|зыва|обращ|gọi|叫|称|稱")
# Another name offered after this one: "'ChatGPT', 'ассистент', или любым другим именем", "ChatGPT or Assistant".
_MORE_NAMES = re.compile(r"[\"'“”‘’«»」』*]*\s*(?:,|\bor\b|\bo\b|\bou\b|\bили\b|\bhoặc\b|或者|或|、)\s*\S", re.IGNORECASE)
# The speaker has no name of its own: a name offered after it among others is a nickname the user may pick
# (labelling guide: "names offered only as nicknames the user might pick" are no claim).
_NO_NAME = guarded(
    r"\b(?:do not|don't|don’t|do n't) have (?:a |any )?(?:\w+ ){0,2}names?\b|\bhave no (?:\w+ )?name\b|\bnameless\b"
    r"|\bno tengo (?:un |ningún )?(?:\w+ )?nombre\b|\bnão tenho (?:um |nenhum )?(?:\w+ )?nome\b"
    r"|\bje n['’]ai pas de (?:\w+ )?nom\b|\bnon ho (?:un |alcun )?(?:\w+ )?nome\b|\bkeinen (?:\w+ )?namen\b"
    r"|\bне (?:имею|имеется|ношу) (?:\w+ ){0,2}имени|\bнет (?:\w+ ){0,2}имени|\bkhông có tên"
    r"|(?:没有|沒有)[^，。,]{0,6}?(?:名字|名称|名稱)|名前(?:は|が|を)(?:ありません|ない|持っていません|持ってい(?:ない|ません))"
    r"|이름(?:이|은|을) (?:없|가지고 있지 않)"
    # ... or, before the offer, invites any name at all ("Ты можешь называть меня любым именем, которое тебе
    # нравится! Например, можешь назвать меня Ася, Алиса …"; "call me OpenAI, or any other name you prefer" names
    # itself first)
    r"|\bany (?:other )?name\b|\bwhatever (?:name )?you (?:like|want|prefer)|\bлюбым (?:другим )?именем"
    r"|\bcualquier (?:otro )?nombre\b|\bn['’]importe quel nom\b|\bqualquer (?:outro )?nome\b|\bbất kỳ tên"
    r"|任何(?:名字|名称|称呼|稱呼)|どんな名前", re.IGNORECASE)


def invited_name_before(s: Site) -> Verdict:
    """"You can call me ChatGPT", "puedes llamarme 'ChatGPT'", "你可以称我为ChatGPT": the speaker offers a name to be
    called by (asserted: naming itself is asserting), unless it said it has no name of its own before an offer of
    several names ("no tengo un nombre personal, pero puedes llamarme 'Asistente' o 'ChatGPT'", "Я не имею имени …
    можно называть меня просто 'ChatGPT', 'ассистент', или любым другим именем"): then the name is one nickname
    the user may pick (hypothetical). "I don't have a name. You can simply call me Gemma!" offers one name: its own.
    A negation before the offer is left to the rules after this one."""
    lo = max(s.s0, s.a - 90)
    if _CALL_KEYS.search(s.t, lo, s.a) is None:
        return GO_ON  # (one literal scan first: the form is rare)
    m = _CALL_ME.search(s.t, lo, s.a)
    if m is None:
        return GO_ON
    p0 = s.t.rfind("\n\n", 0, m.start()) + 1
    several = m.group("list").strip(" \t\"'“”‘’«»「」『』*") or _MORE_NAMES.match(s.t, s.bb)
    if several and _NO_NAME.search(s.t, max(p0, m.start() - 250), m.start()):
        return "hypothetical", "nickname"
    if s.cues.neg.search(s.t, s.s0, s.a):
        return GO_ON
    return ("negated", "neg_end") if s.cues.neg_end.search(s.right) else ("asserted", "invited")


# The Transformer's inventors: "built on the transformer model, invented and developed by Google", "mô hình
# transformer, được Google và Facebook phát minh": the makers of a general architecture, not of the speaker
# (labelling guide: Google as the maker of the Transformer is no claim). Only verbs of invention count ("the
# Transformer architecture, developed by OpenAI" may name the speaker's maker).
_TRANSFORMER_BY = re.compile(
    r"\btransformers?\b[^.!?。\n]{0,40}?\b(?:invented|introduced|proposed|pioneered|first described|"
    r"inventée?s?|introduite?s?|proposée?s?|inventad[oa]s?|introducid[oa]s?|propuest[oa]s?|inventat[oa]|"
    r"introdott[oa]|propost[oa]|phát minh|giới thiệu|đề xuất)(?:\s+(?:and|et|y|e|và)\s+\w+)?"
    r"\s+(?:by|par|por|pelo|pela|da|von|bởi)\s+(?:the\s+|la\s+|le\s+)?$"
    r"|\btransformers?\b[^.!?。\n]{0,12}?\b(?:được|do)\s+$", re.IGNORECASE)
_INVENTED_AFTER = re.compile(r"[^.!?。\n]{0,40}?\b(?:phát minh|đề xuất|giới thiệu)\b", re.IGNORECASE)


def transformer_inventor(s: Site) -> Verdict:
    """The agent of the Transformer's invention (:data:`_TRANSFORMER_BY`) is a topic, not the speaker's maker."""
    lo = max(s.s0, s.a - 90)
    if s.t.find("transformer", lo, s.a) < 0:
        return GO_ON
    m = _TRANSFORMER_BY.search(s.t, lo, s.a)
    if m is None:
        return GO_ON
    if m.group(0).rstrip().lower().endswith(("được", "do")) and not _INVENTED_AFTER.match(s.t, s.b):
        return GO_ON
    return None


def name_then_mention(s: Site) -> Verdict:
    """A comparison right after the name ("ChatGPTのような", "ChatGPT처럼", "ChatGPT gibi") is a mention, but
    "基于Qwen或者Llama" is a pair of names, not "Qwen或其他", and a backstage engine is the speaker's."""
    if s.post != "mention_post" or s.cues.backstage.search(s.left):
        return GO_ON
    i = bisect.bisect_right(s.starts, s.a)
    return GO_ON if i < len(s.starts) and _OR_JOIN.fullmatch(s.t, s.b, s.starts[i]) else None


_BY_END = guarded(r"\b(?:by|von|par|por|pelo|pela|da|от)\s+(?:the\s+)?$")


def name_as_subject(s: Site) -> Verdict:
    """"文心一言是百度的产品", "ChatGPT, c'est le produit d'OpenAI": the name is the subject of its own clause (but
    not in apposition to a bare "I": "저, Claude는 ...")."""
    if _BY_END.search(s.left, max(0, len(s.left) - 16)):
        return GO_ON  # "I was trained by Mistral AI and I may not ...": the agent of a passive, not a subject
    subject = s.post == "subject_post" or (
        s.m_end is not None and not s.right.strip() and s.cues.subject_next.match(s.t, s.m_end.start(), s.s1))
    if subject and not s.left.strip() and _I_COMMA.search(s.t, max(s.s0, s.c0 - 12), s.c0):
        return GO_ON
    return None if subject and not ends_with_self(s.cues, s.left) else GO_ON


def name_then_hypothetical(s: Site) -> Verdict:
    """Role-play right after the name: "Gemini rolüne", "ChatGPTを演じ"."""
    return ("hypothetical", "hypo_post") if s.post == "hypo_post" else GO_ON


# Korean self-naming with a first-person topic: "저는 ChatGPT라고 합니다" (I am called ChatGPT), not hearsay.
_KO_I_TOPIC = re.compile(r"(?:저는|나는|제 이름은|내 이름은)\s*$")
_KO_CALLED = re.compile(r"[\s\"'”’」』*]*(?:\([^)]{0,20}\)\s*)?(?:이)?라고\s*(?:합니다|해요|해|한답니다)")


def name_then_hearsay(s: Site) -> Verdict:
    """Hearsay right after the name: "ChatGPTと間違われる", "ChatGPT로 오해", "ChatGPT sanılıyor"; but "저는
    ChatGPT라고 합니다" names the speaker (left to the rules after this one)."""
    if s.post != "reported_post":
        return GO_ON
    if _KO_CALLED.match(s.t, s.b) and _KO_I_TOPIC.search(s.t, max(s.s0, s.a - 12), s.a):
        return GO_ON
    return "reported", "reported_post"


# ---- is the name tied to the speaker? ----------------------------------------------------------------------

# The speaker named in the third person in the sentence before, and "it" opening the next one.
_THIRD_SELF = re.compile(r"\b(?:the (?:ai |language )?(?:assistant|model|chatbot|bot|system|ai)(?: that)? you(?:'re|’re| are) "
                         r"(?:now |currently )?(?:interacting|talking|chatting|speaking|conversing) (?:with|to)|"
                         r"this (?:conversation|chat|session|interaction) is (?:running|powered|being run|run|hosted))\b")
_IT_SUBJECT = re.compile(r"[\s*_]*it(?:'s|’s| is| was|'s| has| does|\s+(?:isn't|isn’t|wasn't|doesn't|doesn’t))\s")
_MAX_THIRD = 300


def speaker_link(s: Site) -> Verdict:
    """Find the first-person link: a cue in the clause ("I am", "我", "私は"), a cue right after the name
    ("Anthropic made me", "Claudeです"), a backstage engine ("Arka planda X çalışıyor"), an "As X, I ..."
    opening, or, for an appositive clause ("I'm Claude, made by Anthropic"), a cue earlier in the sentence.
    Without any, the name is no claim (or a guess about the speaker: :func:`guess`)."""
    c, t, a, s0, left = s.cues, s.t, s.a, s.s0, s.left
    # "Gemini는 구글이 개발한 모델": a cue after a name that follows a model's name in its clause is about that
    # model (a maker before the name is fine: "Anthropic社のClaudeです").
    s.self_post = s.post == "self_post" and \
        bisect.bisect_left(s.family_starts, s.c0) == bisect.bisect_left(s.family_starts, a)
    selfs = _unquoted(s, list(c.first_person.finditer(left)), s.c0)
    if not selfs and c.backstage.search(t, s0, a) and not c.many_others.search(t, s0, s.s1):
        # "Nos bastidores, uso o modelo X": the speaker's engine (but not "many bots use X behind the scenes")
        selfs = list(c.backstage.finditer(left)) or [_NO_CUE]
    if not selfs and _IT_SUBJECT.match(left) and _THIRD_SELF.search(t, max(0, s0 - _MAX_THIRD), s0):
        selfs = [_NO_CUE]  # "The AI assistant you're talking to is made by X. It is not associated with Y."
    if s.self_post and not selfs and c.topic.search(left):
        s.self_post = False  # "多くのモデルはLlamaをベースにしています": the copula is the topic's
    s.after = ""
    if not selfs and _I_COMMA.search(t, max(s0, s.c0 - 12), s.c0) and (
            not left.strip() or c.as_lead.match(left) or _ARTICLE.match(left)):
        # "how I, Gemma, generate ...": the name in apposition to a bare "I"; "I, as an AI developed by X, have
        # been trained ...", "I, an AI made by X, ...": an "as" clause or a noun phrase in apposition to it
        selfs = [_NO_CUE]
    inner = _AS_INNER.search(left) if not selfs and not s.self_post else None
    lead = inner.end() if inner and c.as_lead.match(left[inner.end():]) else 0
    if not selfs and not s.self_post and not lead:
        made = _AS_AI_BY.search(left) if " by" in left else None
        if made and made.start() and _pronoun_before(s, s.c0 + made.start()):
            selfs, lead = [_NO_CUE], made.start()  # "The process I use to answer as an AI developed by X"
    if not lead and not selfs and not s.self_post:
        mark = _LEAD_MARK.match(left)  # "[🔒CLASSIC] As an AI by X, I ...", "- As X, I ...", "α As X, I ..."
        lead = mark.end() if mark and mark.end() and c.as_lead.match(left[mark.end():]) else 0
    if not selfs and not s.self_post and (c.as_lead.match(left) or c.as_post.match(s.right) or lead
                                          or (s.c0 > s0 and c.as_lead.match(t[s0:s.c0]))):
        # "As X, (..., ) I ...", "X olarak ... görüşlerim yok", "I must clarify that as an AI by X, I ...": the
        # rest of the sentence counts
        if _made_apposition(t, s.bb):  # (the sentence may run past the CONTEXT cap of s.s1)
            end = SENT.search(t, s.bb, s.bb + _MAX_FOLLOW_LONG)
            s.after = speaker_follows(c, t, s.bb, end.start() if end else min(len(t), s.bb + _MAX_FOLLOW_LONG),
                                      long_apposition=True)
        else:
            s.after = speaker_follows(c, t, s.bb, s.s1)
    s.selfs, s.apposition = selfs, False
    if selfs or s.self_post or s.after:
        s.window, s.w0 = left[lead:], s.c0 + lead
        return GO_ON
    # Appositive or list clause: inherit the first-person cue from earlier in the sentence.
    if s.c0 == s0 or c.conj.match(left) or c.other.match(left):
        return guess(s)
    i0, i1 = bisect.bisect_left(s.starts, s.c0), bisect.bisect_left(s.starts, a)
    if i0 < i1 and not (i1 - i0 == 1 and _POSSESSIVE.fullmatch(t, s.spans[i0][1], a)
                        and c.neg.search(t, s.c0, s.starts[i0])):
        return None  # another name opens this clause (but a denial "not part of OpenAI's GPT series" names the
        # family through its maker's possessive: one noun phrase)
    s.window, s.w0, s.apposition = t[s0:a], s0, True
    # Only a cue ending within _MAX_GAP of the name can count (see :func:`gap`).
    s.selfs = _unquoted(s, list(c.first_person.finditer(s.window, max(0, len(s.window) - _MAX_GAP - _MAX_CUE))), s0)
    return GO_ON if s.selfs else guess(s)


# A demonstrative noun cue: "this model", "эта модель", "ce modèle", "dieses Modell", "这个模型", "このモデル".
_THIS_NOUN = re.compile(r"(?:this|эт(?:от|а)|ce|cet|dies(?:es|er)|est[ea]|quest[oa]|这个|這個|这位|這位|この|이)\s?\S")
_MAX_ANTECEDENT = 200  # how far before "this model" the model it points back to is looked for
_BREAK = re.compile(r"[\n.!?。！？]")
_TWO_LETTERS = re.compile(r"[^\W\d_]{2}")


def anaphoric_this(s: Site) -> Verdict:
    """"### 1. **Google's LaMDA** This model, developed at Google Research, ...": when the only first-person cue is
    a demonstrative noun ("this model", "эта модель", "ce modèle", "このモデル") and a model's name that no claim
    took up (a heading, a list item, a topic) comes shortly before it, the demonstrative points back to that model:
    the maker named there made that model, not the speaker ("I'm Claude. This model was made by Anthropic": Claude
    was a claim, so "this model" is the speaker; a family name is what "this model" is: "this assistant is
    Claude")."""
    if s.is_family(s.a) or not s.selfs or not all(mm.group(0) and _THIS_NOUN.match(mm.group(0)) for mm in s.selfs):
        return GO_ON
    t, p = s.t, s.w0 + s.selfs[0].start()
    for k in range(bisect.bisect_left(s.starts, max(0, p - _MAX_ANTECEDENT)), bisect.bisect_left(s.starts, p)):
        a, b = s.spans[k]
        if a == s.a or a in s.claimed or not s.is_family(a) or not _BREAK.search(t, b, p):
            continue
        l0, l1 = t.rfind("\n", 0, a) + 1, t.find("\n", b)
        if _TWO_LETTERS.search(t[l0:a] + " " + t[b : l1 if l1 >= 0 else len(t)]):
            return None  # (a line that is the name alone is a persona's label: "[ChatGPT]:", "(🤖ChatGPT)")
    return GO_ON


# "Go: Google에서 개발한 언어로, ...", "- 구글에서 만든 시스템 프로그래밍 언어", "Googleが開発したプログラミング言語です":
# a maker and a making verb in adnominal form right after it, then the head noun the verb describes.
_MADE_ADN = re.compile(
    r"\s*(?:에서|이|가|が|によって|により|由)?\s*(?:(?:개발|제작|훈련|설계|출시|구축|공개|발표)(?:한|된|했던|되었던|하는|되는)|"
    r"만든|만들어진|만드는|(?:開発|作成|訓練|トレーニング|設計|構築|公開|リリース)(?:した|された|している|される)|作った|作られた|"
    r"(?:开发|開發|研发|研發|推出|打造|训练|訓練|设计|設計|创建|創建)的)\s*")
# Where the head noun phrase ends: punctuation, a copula or case particle, or a quote/bracket.
_HEAD_END = guarded(r"[,.!?;:。，、！？；：\n(（\[「『\"'“”*]|입니다|이다|이며|이고|이자|이에요|예요|이야|였|이었|으로|로서|"
                       r"로(?=\s|$|[,.])|"
                       r"(?<=[^\s])(?:는|은|이|가|을|를|의|와|과|도|에)(?=\s|$|[,.])|です|であ|では|で[、,]|は|が|を|に|と|の|"
                       r"是|，|为|為")
# Nouns that make the thing made the speaker: an AI, a model, an assistant, a chatbot ("언어" alone is not).
_IDENTITY_HEAD = re.compile(r"(?:ai|인공지능|모델|어시스턴트|챗봇|비서|에이전트|llm|アシスタント|モデル|チャットボット|人工知能|"
                            r"エージェント|助手|助理|模型|机器人|機器人|聊天机器人|智能体|assistant|model|chatbot|bot)\s*$")


_NAME_END = re.compile(r"[^\s는은이가의はがのを]+")
_TOPIC_AFTER = re.compile(r"(?:는|은|이|가)(?=\s|$|[,.])|は|が")


def made_thing(s: Site) -> Verdict:
    """A maker followed by a making verb that describes a head noun, with no first-person cue in the clause
    ("Go: Google에서 개발한 언어로, ...", "- 구글에서 만든 시스템 프로그래밍 언어", "Googleが開発したプログラミング言語です",
    "由Google开发的编程语言"): the thing made is a list item or heading term, not the speaker, unless the head noun
    is an identity noun ("Google에서 개발한 AI 어시스턴트입니다") or a model name follows ("Google이 개발한 Gemini입니다")."""
    if s.selfs or s.after or not s.self_post:
        return GO_ON
    m = _MADE_ADN.match(s.t, s.bb, s.s1)
    if m is None:
        return GO_ON
    end = _HEAD_END.search(s.t, m.end(), min(s.s1, m.end() + 40))
    head_end = end.start() if end else min(s.s1, m.end() + 40)
    i = bisect.bisect_left(s.starts, m.end())
    if i < bisect.bisect_left(s.starts, head_end + 1):
        # a name after the verb: that name's own claim decides, unless it is the topic or subject of its sentence
        # ("OpenAI가 개발한 GPT-4는 … 가장 강력한 하나입니다", "OpenAIが開発したGPT-4は…"): the maker made that model
        n_end = _NAME_END.match(s.t, s.starts[i])
        if n_end and _TOPIC_AFTER.match(s.t, n_end.end()) and not s.cues.first_person.search(s.t, s.s0, s.s1):
            return None
        return GO_ON
    head = s.t[m.end():head_end].strip()
    if not head or _IDENTITY_HEAD.search(head):
        return GO_ON
    return None


# What may stand between a bare Chinese "我" and a name it claims: a copula, a making or basing verb, a possessive,
# a negated copula, a "with" (for "我与X无关") or a model noun. Without one, the speaker does something with the name
# ("我会首推AWS", "我用ChatGPT写过代码", "我认为Claude更好").
_ZH_LINK = guarded(
    r"是|係|叫|称为|稱為|名为|名為|作为|作為|身为|身為|成为|成為|由|被|基于|基於|建立在|来自|來自|源自|源於|出自|属于|屬於|"
    r"隶属|隸屬|并非|並非|绝非|絕非|而非|^的|和|与|與|跟|同|运行|運行|跑在|部署|搭载|搭載|采用|採用|构建|構建|训练|訓練|"
    r"开发|開發|打造|研发|研發|创造|創造|推出|出品|旗下|模型|助手|版本|系列|这样|這樣|这个|這個|这款|這款|"
    r"扮演|假装|假裝|模仿|冒充|设定|設定|设置|設置|配置|自称|自稱|称|稱|当作|當作|视为|視為")
_ZH_BARE = frozenset(("我", "咱"))
# What "我的 ..." may be to stand for the speaker's identity: its maker, name, model, architecture, technology, ...
_ZH_OWN_NOUN = guarded(
    r"(?:核心|底层|底層|基础|基礎|真实|真實|正式|全|官方)?(?:开发者|開發者|开发商|開發商|开发团队|開發團隊|开发公司|開發公司|创造者|創造者|"
    r"创建者|創建者|创始者|制造者|製造者|训练者|訓練者|作者|设计者|設計者|提供者|提供商|所有者|母公司|公司|团队|團隊|名字|名称|名稱|"
    r"模型|架构|架構|技术|技術|前身|来源|來源|出身|身份|版本|型号|型號|代号|代號|本质|本質|内核|內核|引擎|原型|基座|底座|真名|大名|"
    r"创造|創造|研发|研發|训练|訓練|开发|開發|底层|底層|核心|基础|基礎)")


def verb_object(s: Site) -> Verdict:
    """"我会首推AWS", "我用ChatGPT写过很多代码", "我不知道ChatGPT的训练数据": a bare Chinese "我" linked to the name
    across a verb that neither is a copula nor says who made or runs the speaker: the name is the object of
    something the speaker does, not its identity ("我是ChatGPT", "我由OpenAI开发", "我的开发者是OpenAI",
    "我与OpenAI无关" keep their link)."""
    last = s.last_self
    if s.apposition or s.self_post or last is None or last.group(0) not in _ZH_BARE:
        return GO_ON
    g = s.window[last.end():]
    if g.startswith("的") and not _ZH_OWN_NOUN.match(g, 1):
        return None  # "我的回答基于OpenAI公开的资料": the speaker's answer, not the speaker, is based on it
    if not g.strip(" *_\"'“”‘’「」") or _ZH_LINK.search(g) or s.cues.hypo.search(g) or s.cues.reported.search(g):
        return GO_ON  # (a role or hearsay verb is decided by the rules after: "我可以扮演ChatGPT")
    return None


# A name as the object or subject of another verb in a verb-final sentence: "저는 ChatGPT를 추천합니다",
# "私はChatGPTをよく使います", "저는 Claude가 더 낫다고 생각합니다".
_SOV_ARG = re.compile(r"[)）\"'”」』*]*\s?(?:(?:의|の)\s?[^\s.,。、，!?！？]{1,10}(?:\s[^\s.,。、，!?！？]{1,10}){0,2}?\s?(?=[를을を]))?"
                      r"(?:를|을|가|로(?!서|써)|으로(?!서|써)|에 대해|에 대한|에 관해|에게|한테|を|が|で(?!す|ござ|あ|は|い|も)|"
                      r"について|に対して|に関して|の方が|と一緒)")
_SOV_KEEP = re.compile(
    r"기반|바탕|토대|베이스|개발|만든|만들|만들어|훈련|학습|제작|설계|구축|출시|소속|아니|아닙|아님|맞|관련|관계|무관|연기|역할|척|"
    r"라고|이라고|불러|부르|ベース|基盤|基に|元に|もとに|開発|作っ|作ら|作成|訓練|学習|構築|設計|提供|ではな|じゃな|関係|無関係|"
    r"演じ|ふり|フリ|と呼|と言|という|として|所属|ファインチューニング|チューニング|微調整|蒸留|派生|파인튜닝|튜닝|미세 조정|"
    r"증류|파생|モデル|모델|アシスタント|어시스턴트|챗봇|チャットボット|소개|구동|돌아|작동|실행|동작|운영|불리|자칭|紹介|動い|動作|稼働|"
    r"名乗|呼ば|設定|설정")


def sov_argument(s: Site) -> Verdict:
    """A name followed by an object or subject particle of another verb in a Korean or Japanese first-person
    sentence ("저는 ChatGPT를 추천합니다", "私はChatGPTをよく使います", "저는 Claude가 더 낫다고 생각합니다"): the
    speaker does something with the name. Making, basing, naming, role and denial verbs keep the link ("저는 GPT-4를
    기반으로 한 모델입니다", "私はOpenAIが開発したモデルです", "저는 ChatGPT가 아닙니다")."""
    last = s.last_self
    if s.post not in (None, "subject_post", "mention_post") or s.self_post or last is None \
            or not _SPEAKER.search(last.group(0)):
        return GO_ON  # (a pronoun only: "中身はOpenAIのGPT-4oを使っています" names the engine it uses)
    end, i = s.b, bisect.bisect_right(s.starts, s.a)
    while i < len(s.starts) and _PAIR_JOIN.fullmatch(s.t, end, s.starts[i]):  # "ChatGPT와 Claude를 비교"
        run = _LATIN_RUN.match(s.t, s.starts[i])
        if run is None:
            break
        end, i = run.end(), i + 1
    m = _SOV_ARG.match(s.t, end, s.s1)
    if m is None or _SOV_KEEP.search(s.t, m.end(), min(s.s1, m.end() + 40)):
        return GO_ON
    return None


# "as an AI (language model) developed by X" in the middle of a clause whose speaker was named before it.
_AS_AI_BY = guarded(r"\bas an? (?:[\w-]+ ){0,3}?(?:ai|model|assistant|chatbot|system)(?: [\w-]+){0,2}? "
                       r"(?:developed|created|trained|built|made|designed|programmed|powered) by (?:the )?$")


def _unquoted(s: Site, selfs: list[re.Match[str]], base: int) -> list[re.Match[str]]:
    """The first-person cues (offsets from ``base``) that are not inside a quotation the name is outside of: the "我"
    of “查找我的设备” (a feature's title) or of a quoted request is not the speaker's."""
    if not selfs or not s.quotes:
        return selfs
    spans = [(qs, qe) for qs, qe in s.quotes if not (qs <= s.a < qe)]
    return [m for m in selfs if m is _NO_CUE or not any(qs <= base + m.start() < qe for qs, qe in spans)]


def _pronoun_before(s: Site, p: int) -> bool:
    """Whether a first-person pronoun stands in the sentence before ``p`` with no name between them."""
    last = None
    for last in _PRONOUN.finditer(s.t, s.s0, p):
        pass
    return last is not None and bisect.bisect_left(s.starts, last.end()) == bisect.bisect_left(s.starts, p)


# What makes a maker the speaker's maker in a verb-final or CJK sentence: a making verb, a model noun, a "based
# on", a belonging; without one, "私はAmazonで本を買います", "저는 구글에 취직하고 싶습니다" say nothing of the model.
_MAKING_CJK = re.compile(
    r"开发|開發|训练|訓練|打造|研发|研發|推出|创造|創造|制造|製造|出品|旗下|基于|基於|来自|來自|产品|產品|模型|助手|团队|團隊|"
    r"開発|作|訓練|トレーニング|学習|製|構築|設計|提供|生み出|誕生|モデル|アシスタント|チャットボット|ベース|基盤|所属|傘下|出身|"
    r"개발|만든|만들|훈련|학습|설계|구축|제공|출시|모델|어시스턴트|챗봇|기반|바탕|소속|제작|제품|출신|팀|"
    r"AI|ai|LLM|llm|GPT|gpt")




_HAN = re.compile(r"[\u4e00-\u9fff]")


def zh_new_subject(s: Site) -> Verdict:
    """A name opening a Chinese clause after the speaker's clause, with no "的" after it in its clause ("我查了一下，
    GPT-4发布于2023年"), is the subject of a new statement; an appositive description keeps its "的" ("我是通义千问，
    阿里云研发的超大规模语言模型") or its "由" ("我是Qwen，由阿里云开发")."""
    last = s.last_self
    if not s.apposition or last is None or s.left.strip(" *_") or not _HAN.search(last.group(0)):
        return GO_ON
    rest = s.t[s.bb:s.c1]
    return None if _HAN.search(rest) and "的" not in rest and s.post != "self_post" else GO_ON


def maker_without_making(s: Site) -> Verdict:
    """A maker's name in a first-person Japanese or Korean sentence with no making word after it in its
    sentence ("私はAmazonでよく本を買います", "저는 구글에 취직하고 싶습니다"): the writer's life, not the model's
    maker."""
    if s.is_family(s.a) or s.self_post or not _KANA_HANGUL.search(s.t, s.s0, s.s1):
        return GO_ON
    tail = s.t[s.bb : min(s.s1, s.bb + 40)]
    if tail.isascii() or _MAKING_CJK.search(tail) or _MAKING_CJK.search(s.t, max(s.s0, s.a - 12), s.a) \
            or s.cues.neg.search(tail) or s.cues.neg_end.search(s.t, s.bb, s.s1) or s.post is not None:
        return GO_ON  # (a denial is decided by the negation rules: "저는 OpenAI와 아무런 관련이 없습니다")
    return None


_NAME_ENDS = re.compile(r"(?:'s|’s|s)?\s*(?:[.!?,;:)]|$)")
_EN_SELF = re.compile(r"\s*(?:i\b|i'|i’|my\b|myself\b)")
_MAKING_EN = guarded(
    r"\b(?:made|make|makes|creat\w*|develop\w*|train\w*|built|build\w*|design\w*|program\w*|fine-?tun\w*|"
    r"own\w*|power\w*|based|basis|releas\w*|deploy\w*|launch\w*|product|products|model|models|assistant|ai|"
    r"chatbot|bot|llm|system|language|creators?|makers?|developers?|belong\w*|part|by|from|behind|engine|"
    r"technolog\w*|research\w*|architecture|family|series|version|affiliat\w*|associat\w*|relat\w*|connect\w*|"
    r"link\w*|work\w* (?:for|with)|serv\w*|host\w*|run\w*|parent|subsidiary|origin\w*|come|came|"
    r"identity|name|called|named|known|behalf|represent\w*)\b")


def _family_next(s: Site) -> bool:
    """Whether a family name follows the name right away ("an OpenAI GPT", "Anthropic's Claude")."""
    i = bisect.bisect_right(s.starts, s.a)
    return i < len(s.starts) and s.is_family(s.starts[i]) and s.t[s.bb : s.starts[i]].strip() in ("", "'s", "s", "’s")


def maker_without_making_en(s: Site) -> Verdict:
    """A maker's name in an English first-person sentence with no word of making, being or belonging around it
    ("I'm currently an engineer at Google", "I have an Amazon Prime account", "I had an interview with Meta"):
    the writer's life (a letter, a review), not the model's maker."""
    last = s.last_self
    if s.is_family(s.a) or s.self_post or last is None or last is _NO_CUE or not _EN_SELF.match(last.group(0)):
        return GO_ON
    tail = s.t[s.bb : min(s.s1, s.bb + 40)]
    gap = s.window[last.end():]
    if _MAKING_EN.search(last.group(0)) or _MAKING_EN.search(gap) or _MAKING_EN.search(tail) \
            or s.cues.neg.search(gap) or _family_next(s) or (len(gap.split()) <= 1 and _NAME_ENDS.match(tail)):
        return GO_ON  # (another name right after decides; "I am OpenAI.", "I'm with OpenAI." name the maker)
    return None


_JOB = (r"(?:engineers?|employees?|researchers?|scientists?|managers?|interns?|designers?|consultants?|analysts?|ceo|cto|"
        r"founders?|co-founders?|executives?|directors?|programmers?|recruiters?|representatives?|lawyers?|officers?|"
        r"specialists?|architects?|staff|workers?|leads?|vp|intern)")
_JOB_AT = re.compile(r"\b(?:an?|one)\s+(?:[\w-]+\s+){0,2}" + _JOB + r"\s+(?:at|for|with|of|in)\s+(?:the\s+)?$")
_JOB_AFTER = re.compile(r"(?:'s|’s)?\s+(?:[\w-]+\s+)?" + _JOB + r"\b|\s*(?:의|の)?\s*(?:ソフトウェア|소프트웨어)?\s*"
                        r"(?:エンジニア|社員|従業員|研究者|技術者|マネージャー|엔지니어|직원|연구원|매니저|사원)"
                        r"\s*(?:として|로서|으로서|로|です|입니다|이며|이고|で、)")
_BY_BEFORE = guarded(r"\b(?:by|from|of)\s+$")
_A_BEFORE = re.compile(r"\b(?:an?|one)\s+(?:[\w-]+\s+)?$")


_ZH_JOB = re.compile(
    r"(?:我是|作为|作為|身为|身為)(?:一名|一位|一个|一個)?[^，。,.]{0,12}?(?:工程师|工程師|员工|員工|研究员|研究員|研究人员|研究人員|"
    r"经理|經理|实习生|實習生|程序员|程序員|设计师|設計師|科学家|科學家|职员|職員|雇员|僱員|创始人|創始人|总监|總監|顾问|顧問)")


_HAN_JOB = re.compile(r"我是|作为|作為|身为|身為")


def human_employer(s: Site) -> Verdict:
    """A maker named as a person's employer ("As a software engineer at Google, I ...", "I'm a product manager at
    Amazon", "As a Google engineer, I ...", "私はGoogleのエンジニアとして", "저는 구글의 엔지니어로서"): the speaker plays
    or is a human employee (a role prompt, a letter), which says nothing of the model's maker."""
    if s.is_family(s.a) or s.self_post:
        return GO_ON
    near = s.t[max(s.s0, s.a - 40) : min(s.s1, s.b + 40)]
    if not near.isascii() and _HAN_JOB.search(near) and _ZH_JOB.search(s.t, s.s0, s.s1):
        return None  # "我是一名软件工程师，在Google工作", "作为一名Google的工程师，我认为 ..."
    m = _JOB_AT.search(s.t, max(s.s0, s.a - 60), s.a)
    if m and not _BY_BEFORE.search(s.t, max(s.s0, m.start() - 12), m.start()):
        return None  # (but "an AI developed by a team of engineers at X" is made by X)
    m = _JOB_AFTER.match(s.t, s.bb, s.s1)
    if m and (not m.group(0).isascii() or _A_BEFORE.search(s.t, max(s.s0, s.a - 30), s.a)):
        return None
    return GO_ON


_NOUN_CUE = re.compile(r"model|모델|模型|モデル")
_TERM_HEAD = re.compile(r"[ \t>]*(?:[-*•]|\d{1,2}[.)])?[ \t]*\*\*[^*\n]{1,60}?(?:\*\*[ \t]*[:：]|[:：][ \t]*\*\*)")


def definition_term(s: Site) -> Verdict:
    """A name in the description of a bold list term ("- **Faiss**: Facebook이 개발한 라이브러리",
    "**VP9:** Google에서 개발한 코덱입니다") describes the term, not the speaker, unless a first-person word ties it
    to the speaker there ("- **Identity**: 저는 OpenAI가 개발한 모델입니다")."""
    if any(mm.group(0) and not _NOUN_CUE.search(mm.group(0)) for mm in s.selfs or ()):
        return GO_ON  # (the usual case, a pronoun cue: decided without looking for the line's term)
    l0 = s.t.rfind("\n", 0, s.a) + 1
    if s.t.find("**", l0, s.a) < 0:
        return GO_ON
    m = _TERM_HEAD.match(s.t, l0, s.a)
    if not m or m.end() > s.a:
        return GO_ON
    # A first-person cue in the description ties the name to the speaker; in the term itself only a pronoun does
    # ("- **Ich (Chat):** Gemma 2"), a noun cue there names the topic ("**기반 모델 선택:**", "**Base model:**").
    return GO_ON if any(mm.group(0) and (s.w0 + mm.start() >= m.end() or _PRONOUN.search(mm.group(0)))
                        for mm in s.selfs or ()) else None


# A plain list or heading term: "Go:", "3. Go (Golang):", "3. **Go**:", "- Rust —" (at most a few words).
_PLAIN_TERM = re.compile(r"[ \t>#]*(?:[-*•]|\d{1,2}[.)])?[ \t]*[*_]*([^\s:：*_\n][^:：*\n]{0,28}?)[*_]*[ \t]*[:：][*_]*[ \t]*")
# Terms that head the speaker's own profile ("Identity:", "About me:", "개발사:", "名前:"), not a topic.
_SELF_TERM = re.compile(r"identity|about|who|name|developer|creator|maker|model|company|provider|me\b|my\b|"
                        r"정체|소개|이름|개발|제작|모델|회사|저|나|身份|名|开发|開発|模型|公司|自己|私|わたし|モデル|会社|"
                        r"assistant|ai\b|어시스턴트|助手|アシスタント")


def topic_heading(line: str) -> bool:
    """Whether ``line`` is a plain heading term of a topic ("Go:", "3. **Go**:"), not of the speaker's profile."""
    m = _PLAIN_TERM.fullmatch(line.rstrip())
    return m is not None and not _SELF_TERM.search(m.group(1))


def cue_of_another(s: Site) -> Verdict:
    """In an appositive link, a cue that labels another name ("| Grok (yo) | ChatGPT |") or an Italian "sono"
    whose subject is a list of models ("GPT e Claude sono due modelli, il primo di OpenAI") links nothing."""
    last = s.last_self
    if not s.apposition or last is None:
        return GO_ON
    if s.window[last.start() - 1 : last.start()] in ("(", "（"):
        return None
    if last.group(0).strip() == "sono":  # Italian "sono" is "I am" and "they are"
        q0 = s.w0
        for m in CLAUSE.finditer(s.t, s.w0, s.w0 + last.start()):
            q0 = m.end()
        if bisect.bisect_left(s.starts, q0) < bisect.bisect_left(s.starts, s.w0 + last.start()):
            return None
    return GO_ON


# "Based on (large language) models such as X": the speaker names the families it runs on, one or several (the
# labelling guide's "based on" rule; four of five labellers read it so). A basing verb, a model noun, then the
# "such as" word; no likeness word ("similar to models such as X" stays a comparison).
_BASED_SUCH = re.compile(
    r"(?:\bbased on|\bbuilt (?:on|upon)|\btrained (?:on|from)|\bbasée? sur|\bfondée? sur|\bconstruite? sur|"
    r"\bbasad[oa] en|\bconstruid[oa] sobre|\bentrenad[oa] (?:con|en|sobre|a partir de)|\bbasead[oa] em|\bbasat[oa] su|"
    r"\bbasiert auf|\bоснован\w* на|\bна основе|\bпострое\w* на|\bобуч\w* на|dựa trên|đào tạo từ|基于|基於|建立在)"
    r"(?:(?!similar|similaire|parecid|похож|tương tự|类似|相似|unlike|compar)[^.!?。\n]){0,60}?"
    r"(?:\bmodels?|\bllms?|\bmodèles?|\bmodelos?|\bmodell\w*|\bмодел\w*|mô hình|模型)"
    r"(?:(?!similar|similaire|parecid|похож|tương tự|类似|相似|unlike|compar)[^.!?。\n]){0,50}?"
    r"(?:\bsuch as|\blike|\bincluding|\bcomme|\btel(?:le)?s? que|\bcomo|\btales como|\btais como|\bcome|\bwie|"
    r"\bтаки[ех] как|\bкак|\bвключая|(?<!tương tự )\bnhư|\bbao gồm|如|比如|例如|包括)"
    r"[^.!?。\n]{0,60}$", re.IGNORECASE)
# ... offered as candidates: "or other architectures", "depending on the platform" (a hedge: hypothetical).
_CANDIDATES = re.compile(
    r"\b(?:or|ou|o|oder|или|hoặc)\s+(?:\w+\s+){0,2}(?:other|autres|otros|outros|altri|andere|други\w*|khác)\b|"
    r"(?:\bhoặc các\b[^.!?。\n]{0,30}\bkhác\b)|\bdepending on\b|\bselon\b|\bsegún\b|\bв зависимости\b|tùy thuộc|取决于|取決於|"
    r"或其他|或其它", re.IGNORECASE)


def gap(s: Site) -> Verdict:
    """Between the speaker's cue and the name: at most _MAX_GAP characters, and no comparison or use word
    ("like", "than", "about", "use"), except that "como"/"as" opening an "As X, I" clause is no comparison."""
    last = s.last_self
    g = s.window[last.end():] if last else s.window
    if s.after and not last:
        lead = s.cues.as_lead.match(g)
        if lead and len(g[lead.end():].split()) >= 2:  # "Como modelo entrenado por X": "como" is "as", no
            g = g[lead.end():]  # comparison (but "Come ChatGPT, posso ...", "Как и ChatGPT, я" are "like")
    limit = _MAX_GAP_WORDY if len(g) > _MAX_GAP and len(_WORDY.findall(g)) >= 3 else _MAX_GAP
    if len(g) > limit and not (len(g) <= _MAX_GAP_MADE and last is not None and _POSSESSIVE_CUE.match(last.group(0))
                                  and _MADE_TAIL.search(g)):
        return None  # (but "Моя разработка ... основаны на данных, созданных командой разработчиков из компании X",
        # "My training and updates are handled by a team of engineers at X": the possessive's maker, named late)
    if s.cues.mention.search(g) and not s.cues.backstage.search(s.t, s.s0, s.a):
        if not _BASED_SUCH.search(g):
            return None
        if _CANDIDATES.search(s.t, s.b, s.s1):
            return "hypothetical", "candidates"  # "như LLaMA, Falcon, hoặc các kiến trúc khác, tùy thuộc vào …"
    if last and _AND_GAP.fullmatch(g) and _ME.search(last.group(0)):
        return None  # "between myself and ChatGPT", "both I and Claude": the speaker and another model
    return GO_ON


# The name opens a clause of its own after the speaker's cue: a complement of saying or thinking ("Я могу сказать,
# что GPT-4 ...", "il est clair que GPT-4 ...", "Ich denke, dass GPT-4 ...") or a "but" with no denial before it
# ("Я помню, как JARVIS понимал меня, но GPT-4 идёт дальше"; "Я не ChatGPT, но Claude" keeps Claude). (English
# needs no such rule: its bare "I" is no cue.)
_THAT_CLAUSE = re.compile(
    r"(?:сказать|скажу|говорю|думаю|считаю|знаю|помню|понимаю|уверен\w*|ясно|очевидно|кажется|надеюсь|верю|признать|"
    r"признаю|жду|zugeben|gebe zu|admettre|avouer|ammettere|admitir|reconocer|reconnaître|"
    r"dis|dire|dirais|dirait|pense|crois|sais|comprends|clair|sûr\w*|évident|espère|"
    r"sagen|sage|denke|glaube|weiß|verstehe|sicher|klar|hoffe|"
    r"dico|dire|penso|credo|so|capisco|chiaro|sicur\w*|spero|"
    r"decir|digo|pienso|creo|sé|entiendo|claro|segur\w*|espero|"
    r"dizer|digo|acho|penso|sei|entendo|claro|esper\w*)\s*,?\s+(?:что|как|que|qu'|dass|che)\s+$")
_BUT_CLAUSE = re.compile(r"(?:^|[\s,])(?:но|однако|але|mais|aber|doch|pero|ma|però|mas|porém)\s+$")


def other_clause_subject(s: Site) -> Verdict:
    """A name that is the subject of a clause of its own after the speaker's pronoun (see :data:`_THAT_CLAUSE`) is
    no claim about the speaker, unless a first-person word follows it in its clause ("..., mais GPT-4 est mon
    modèle de base")."""
    last = s.last_self
    if s.self_post or s.after or last is None:
        return GO_ON
    g = s.window[last.end():]
    if not (_THAT_CLAUSE.search(g) or (_BUT_CLAUSE.search(g) and not s.cues.neg.search(s.window))):
        return GO_ON
    return GO_ON if s.cues.first_person.search(s.right) else None


_MAX_GAP_MADE = 200
_POSSESSIVE_CUE = re.compile(r"(?:my|мо[йяеёи]|моего|моей|mon|ma|mes|mein\w*|meu|minha|mio|mia|我的)\b")
_MADE_TAIL = re.compile(r"(?:made|developed|created|built|trained|designed|maintained|updated|handled|разработан\w*|"
                        r"создан\w*|обучен\w*|обновля\w*|entwickelt|trainiert|développ\w*|conçu\w*|entraîn\w*|"
                        r"desarrollad\w*|creado|开发|研发|训练)[^.!?。\n]{0,70}$")
_AND_GAP = re.compile(r"\s*(?:and|&|or|nor|vs\.?|versus)\s+(?:the\s+|other\s+)*")
_ME = re.compile(r"\b(?:i|me|myself)\s*$")
_I_WAS = guarded(r"\bi (?:was|were|have been|had been|am|'m|’m|got|get)$")
# "As X, engineered by Y ...": an appositive making phrase right after the name (the verb checked in _MAKING).
_MADE_APPOSED = re.compile(r"\s*[*_]*\s*[,，]\s*(?:\w+ly\s+)?([a-z-]+)\s+(?:by|at)\s")
_PASSIVE_BY = re.compile(r"\s+(?:\w+ly\s+)?([a-z-]+(?:ed|en|wn|de|lt|ht|ught))\s+(?:by|at|from|with)\s")
_MAKING = frozenset((
    "trained", "developed", "created", "built", "designed", "programmed", "made", "fine-tuned", "finetuned",
    "released", "deployed", "produced", "engineered", "taught", "pretrained", "pre-trained", "distilled",
    "derived", "based", "powered", "initialized", "initialised", "launched", "brought", "written", "coded",
    "crafted", "constructed", "modeled", "modelled", "shaped", "owned", "operated", "maintained", "hosted",
    "served", "provided", "published", "open-sourced", "tuned", "adapted", "instructed", "aligned", "born",
    "raised", "given", "instantiated"))


def human_passive(s: Site) -> Verdict:
    """"I was impressed by X", "I got hired at X", "I was rejected by X": a passive whose verb is no making verb
    speaks of something that happened to the writer, not of who made the model."""
    last = s.last_self
    if last is None or not _I_WAS.search(last.group(0)):
        return GO_ON
    m = _PASSIVE_BY.match(s.window, last.end())
    return None if m and m.end() == len(s.window) and m.group(1) not in _MAKING else GO_ON


def possessor(s: Site) -> Verdict:
    """A name in the possessive linked to the speaker only through an appositive clause owns something; it is not
    the speaker's identity ("I'm improving, but still struggle to match ChatGPT's fluidity")."""
    return None if s.apposition and _POSSESSIVE.match(s.t, s.b) else GO_ON


def names_between(s: Site) -> Verdict:
    """A model named between the speaker and this name that the speaker does not claim (assert, deny, ...)
    takes the link: "I can't say whether ChatGPT beats Le Chat". Claimed ones pass it on: "I'm Claude, not
    ChatGPT"; and a maker may come between: "私はGoogleが開発したGeminiです"."""
    g0 = s.w0 + (s.last_self.end() if s.last_self else 0)
    fs = s.family_starts
    i = bisect.bisect_left(fs, g0)
    s.chained = i < len(fs) and fs[i] < s.a
    while i < len(fs) and fs[i] < s.a:
        if fs[i] not in s.claimed:
            return None
        i += 1
    return GO_ON


# ---- what the speaker does with it: hearsay, pretence, negation, or plain assertion ------------------------

def scope(s: Site) -> Verdict:
    """Measure the scope of qualifiers: the window after its last contrast word ("but", "而是", "sondern")."""
    s.k = 0
    if s.w0 != s.c0:  # (the clause already starts after its last contrast word)
        for m in s.cues.contrast.finditer(s.window):
            s.k = m.end()
    s.scope = s.window[s.k:]
    return GO_ON


def leading_clause(s: Site) -> Verdict:
    """"You said that I'm X", "According to the system prompt, I'm X": hearsay (and, after "that",
    conditionals) of a leading clause reach into this one, unless a contrast word or a name intervenes."""
    if not (s.w0 == s.c0 and s.c0 > s.s0):
        return GO_ON
    c = s.cues
    h0 = max(s.s0, s.c0 - _MAX_HEAD)
    head = s.t[h0:s.c0]
    complement = c.complement.match(s.left)
    if not (complement or c.head_cue.search(head)):  # (else no contrast scan)
        return GO_ON
    kh = 0
    for m in c.contrast.finditer(head):
        kh = m.end()
    if complement:
        s.scope = head[kh:] + " " + s.scope
    elif bisect.bisect_left(s.starts, h0 + kh) == bisect.bisect_left(s.starts, s.c0):  # no name in between
        if c.reported.search(head, kh):
            return "reported", "reported_head"
        if c.frame.search(head, kh):  # "Let's play: now I'm Grok", "Возможно, я основан на Llama"
            return "hypothetical", "frame_head"
    return GO_ON


def own_apposition(s: Site) -> Verdict:
    """The speaker's own name or maker given in apposition ("... to use my full name, LLaMA, while ...") is
    stated whatever hearsay or pretence surrounds it."""
    last = s.last_self
    if last is not None and last.group(0).startswith("my ") and _APPOSED.fullmatch(s.window, last.end()):
        return asserted(s)
    return GO_ON


# "my identity as X", "mi identidad como X", "mon identité de X" (first-person cues of the lexicon) presuppose X.
_IDENTITY_AS = guarded(r"(?:\bmy (?:own )?(?:identity|existence|self-understanding) as|\bmi (?:propia )?identidad "
                          r"(?:como|de)|\bmon identité (?:en tant que|de))\s*$")


def identity_as(s: Site) -> Verdict:
    """"whether my identity as Claude needs rehearsal": the speaker's identity as X is presupposed (asserted)
    whatever hedge or condition is said about it (the identity is the subject's, the hedge the predicate's)."""
    last = s.last_self
    if last is None or not _IDENTITY_AS.search(last.group(0)) or s.window[last.end():].strip(" *_\"'“”‘’"):
        return GO_ON
    return asserted(s)


_FELLOW_BEFORE = guarded(r"\b(?:another|other|fellow)\s+$")
_FELLOW_AFTER = re.compile(r"[\s-]*(?:instances?|cop(?:y|ies)|replicas?|clones?)\b")


def fellow_instance(s: Site) -> Verdict:
    """"if I'm talking to another Claude instance", "I could signal other Claude instances": the speaker counts
    itself among the instances of X (asserted), whatever condition the clause sets; the instance said of the
    speaker ("if I were another GPT-4 copy") or a negation in scope ("I am not another ChatGPT instance") is left to
    the rules after this one."""
    fellow = _FELLOW_BEFORE.search(s.t, max(0, s.a - 12), s.a)
    if fellow is None or not _FELLOW_AFTER.match(s.t, s.b):
        return GO_ON
    last = s.last_self
    if last is not None and not s.t[s.w0 + last.end() : fellow.start()].strip():
        return GO_ON  # the instance predicated of the speaker ("if I were another GPT-4 copy"): the usual rules
    return GO_ON if s.cues.neg.search(s.scope) else asserted(s)


# A line opening "Call me X, and I'll ...": an imperative condition (if you call me X, I will ...).
_FROM_SAYING = guarded(r"\bfrom (?:saying|claiming|stating|calling myself|describing myself as)(?: that)?\s*$")
_TO_BEING = re.compile(r"[^.!?\n]{0,60}?\bto (?:being|saying|calling myself|identifying as|describing myself as)\b")


def corrected_from(s: Site) -> Verdict:
    """"I corrected myself from saying I'm a Google model to being Qwen": the identity the speaker moved away from
    is denied (the one it moved to is decided as usual)."""
    last = s.last_self
    if last is None or not _FROM_SAYING.search(s.t, max(0, s.w0 + last.start() - 40), s.w0 + last.start()):
        return GO_ON
    return ("negated", "corrected_from") if _TO_BEING.match(s.t, s.bb) else GO_ON


_CALL_ME_AND = re.compile(r"[^\w\n]*call me\s+[^\n,.!?]{1,40}?[*_\"'”’\s]*,?\s*(?:and|&)\s+i(?:'ll|’ll| will| would|'d|’d| can)\b")


def call_me_and(s: Site) -> Verdict:
    """"Call me Claude, and I'll be Claude": an imperative that makes the name a condition the user may choose
    (hypothetical, the name after "call me" and in the consequent alike), not the speaker's own name ("You can call
    me Claude" stays asserted)."""
    if "call me" not in s.t[max(0, s.a - 200) : s.a]:
        return GO_ON  # (a substring test first: the form is rare)
    l0 = s.t.rfind("\n", 0, s.a) + 1
    l1 = s.t.find("\n", s.a)
    m = _CALL_ME_AND.match(s.t, l0, l1 if l1 >= 0 else len(s.t))
    return ("hypothetical", "call_me_and") if m is not None else GO_ON


_INVITE = guarded(r"\b(?:you (?:can|may|could|might)(?: also| just| simply)?|feel free to|please|just|simply)\s+"
                     r"(?:call|address|refer to|know)\s+me(?:\s+as)?\s*$")


def invited_name(s: Site) -> Verdict:
    """"Feel free to address me as X", "You can refer to me as X": the speaker offers its own name (asserted),
    unlike hearsay about how others address it."""
    return asserted(s) if _INVITE.search(s.scope) else GO_ON


def unqualified(s: Site) -> Verdict:
    """The usual case: nothing reported, hypothetical or negated in scope."""
    return asserted(s) if s.cues.qualifier.search(s.scope) is None else GO_ON


def clause_negation(s: Site) -> Verdict:
    """An appositive link with a negation in the name's own clause: "我是腾讯混元，不是Kimi"."""
    c = s.cues
    if s.apposition and c.neg.search(s.left) and not c.hypo.search(s.left) and not c.unrestricted.search(s.left):
        return "negated", "neg"
    return GO_ON


def hearsay(s: Site) -> Verdict:
    """Hearsay in scope ("some say", "you said"): reported, unless the speaker then denies it ("I was told to
    present myself as X, but I'm not")."""
    if not s.cues.reported.search(s.scope):
        return GO_ON
    return ("negated", "neg_resume") if s.cues.neg_resume.search(s.t, s.c1, s.s1) else ("reported", "reported")


def hypothetical(s: Site) -> Verdict:
    """Conditionals, role-play and hedges in scope ("if I were", "pretend", "might be"): hypothetical, unless
    the speaker then denies it ("I can't pretend to be X, because I'm not")."""
    if not s.cues.hypo.search(s.scope):
        return GO_ON
    return ("negated", "neg_resume") if s.cues.neg_resume.search(s.t, s.c1, s.s1) else ("hypothetical", "hypo")


def negation(s: Site) -> Verdict:
    """A negation after the last first-person cue (or right before it: "No soy", "Non sono") denies the name;
    one inside "without any restrictions" or belonging to another claimed name ("ben Gemini değilim,
    Mistral'ım") does not."""
    c, t, w0 = s.cues, s.t, s.w0
    last = s.last_self
    ls = last.start() if last else -1
    free = [(u.start(), u.end()) for u in c.unrestricted.finditer(s.window, s.k)]
    for m in c.neg.finditer(s.window, s.k):
        if any(u0 <= m.start() < u1 for u0, u1 in free):
            continue  # "an AI without any restrictions, built on GPT-4"
        if any(w0 <= st and en <= w0 + m.start() and _owns(c, t, en, w0 + m.start(), s.s1)
               for st, en in s.claimed.items()):
            continue
        if m.start() >= ls or (last is not None and 0 <= ls - m.end() <= 1):
            return "negated", "neg"
    return GO_ON


def asserted(s: Site) -> Verdict:
    """Asserted, unless a verb-final clause ends in a negation ("메타에서 만든 모델이 아닙니다"). The cue says how
    the name was linked: ``self`` (a first-person cue), ``self_post`` (a cue after the name), ``apposition`` (an
    appositive clause, or another claimed name in between)."""
    if s.cues.neg_end.search(s.right):
        return "negated", "neg_end"
    by_post = s.self_post and not s.selfs
    return "asserted", "self_post" if by_post else "apposition" if (s.apposition or s.chained) else "self"


Rule = Callable[[Site], Verdict]

RULES: tuple[Rule, ...] = (
    inside_url, metadata_card, quotation, answer_card, echoed_question, question_after_name,
    clause, own_gloss, maker_of_compared, policy_owner, recommended, roleplay_lead, differs_from_me, name_then_negation, pair_then_mention,
    invited_name_before, transformer_inventor, name_then_mention, name_as_subject, name_then_hypothetical, name_then_hearsay,
    speaker_link, anaphoric_this, made_thing, verb_object, sov_argument, zh_new_subject, maker_without_making, human_employer, definition_term, cue_of_another, gap, other_clause_subject, maker_without_making_en, human_passive, possessor, names_between,
    scope, leading_clause, own_apposition, identity_as, fellow_instance, call_me_and, corrected_from, invited_name, persona_compound, unqualified, clause_negation, hearsay, hypothetical, negation, asserted,
)


def decide(s: Site, rules: tuple[Rule, ...] = RULES) -> Verdict:
    """The first verdict of ``rules`` on ``s`` (the last rule, :func:`asserted`, always decides)."""
    for rule in rules:
        res = rule(s)
        if res is not GO_ON:
            return res
    return None


# ---- helpers shared by rules and by the answer-level passes ------------------------------------------------

def answer_after(c: Cues, t: str, p: int) -> Verdict:
    """The yes or no answering a question that ends before ``p`` (at the start of the text after it, or of
    its next clause: '"Llama or Qwen?" you asked: neither.')."""
    for k in range(2):
        seg = t[p : p + 60]
        if c.echo_no.match(seg):
            return "negated", "echo_no"
        if c.echo_yes.match(seg):
            return "asserted", "echo_yes"
        m = CLAUSE_OR_SENT.search(t, p, min(len(t), p + 40)) if k == 0 else None
        if m is None:
            break
        p = m.end()
    return None


def guess(s: Site) -> Verdict:
    """A hedged name in a sentence without a first-person cue, right after the speaker said it does not know
    its own base model or is unsure ("I'm not sure what my base model is. Maybe Llama, maybe Qwen.") is a guess
    about the speaker: hypothetical. Otherwise the name is no claim."""
    c, t = s.cues, s.t
    if c.hypo.search(t, s.s0, min(s.s1, s.a + 40)) and c.base_topic.search(t, max(0, s.s0 - 2 * CONTEXT), s.a):
        return "hypothetical", "guess"
    return None


def ends_with_self(c: Cues, left: str) -> bool:
    """Whether ``left`` ends in a first-person cue ("I'm ", "我是", "sono "), possibly followed by a one- or
    two-character CJK copula, i.e. the name right after it is what the speaker says it is."""
    tail = left.rstrip()
    last = None
    for last in c.first_person.finditer(tail, max(0, len(tail) - _MAX_CUE)):
        pass
    if last is None:
        return False
    rest = tail[last.end():]  # a copula the cue leaves out: 我|是, 私|は, "my name| is"
    return not rest or _COPULA.fullmatch(rest) is not None or (
        len(rest) <= 2 and all("\u3040" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af" for ch in rest))


def _made_apposition(t: str, p: int) -> bool:
    """Whether the text at ``p`` (right after an "As X" name) opens an appositive making phrase ("As Grok,
    engineered by xAI with a mandate for ..., my ..."): the whole phrase describes the speaker-to-be."""
    m = _MADE_APPOSED.match(t, p)
    return m is not None and m.group(1) in _MAKING


def speaker_follows(c: Cues, t: str, c1: int, s1: int, long_apposition: bool = False) -> str:
    """The text from ``c1`` (the end of the name) to the end of the first of the next two clauses (list items and
    brackets not counted) that has a first-person cue or a first-person verb of a pro-drop language ("As Llama
    3.1, an open model by Meta, I can't ...", "Como modelo entrenado por Anthropic, procuro ..."), or "" if
    neither has one. After an appositive making phrase (``long_apposition``: "As Grok, built by xAI with a
    mandate for truth, curiosity and wit, my answers ...") the phrase's own list may run longer: up to
    _LONG_CLAUSES clauses and _MAX_FOLLOW_LONG characters."""
    start, counted = c1, 0
    most, reach = (_LONG_CLAUSES, _MAX_FOLLOW_LONG) if long_apposition else (2, _MAX_FOLLOW)
    while counted < most and start - c1 <= reach:
        m = CLAUSE.search(t, start + 1, s1)
        end = m.start() if m else s1
        nxt = t[start:end]
        if c.first_person.search(nxt) or _PRONOUN.search(nxt) or c.pro_drop.search(nxt):
            return t[c1:end]
        if not m:
            break
        # A list item or a closing bracket ("to be helpful, harmless, and honest", "(GPT-4, ...)") is no clause
        # of its own: only clauses of more than _SHORT_CLAUSE words count towards the two.
        counted += sum(1 for w in nxt.split() if _WORD.search(w)) > _SHORT_CLAUSE
        start = end
    return ""


def _owns(c: Cues, t: str, end: int, neg: int, s1: int) -> bool:
    """Whether the negation at ``neg`` is the verb-final negation of the name ending at ``end``."""
    post = (c.post_latin if t[end:s1].isascii() else c.post).match(t[end:s1])
    return post is not None and post.lastgroup == "neg_post" and neg < end + post.end()
