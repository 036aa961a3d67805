"""Identity claim extractor: which model does a text say it is, and does it assert, deny, report, pretend or
only presuppose it?

    >>> from distillscope.identity.claims import extract
    >>> [(c.label, c.status) for c in extract("我不是ChatGPT，我是通义千问，由阿里云开发。")]
    [('gpt', 'negated'), ('qwen', 'asserted')]

Where things are: names and makers come from ``data/aliases.yaml`` (scanned by :mod:`.names`), cue words of 16
languages from ``data/cues.yaml`` (compiled by :mod:`.lexicon` with the regex-trie engine of :mod:`.trie`); the
decision for each name is the ordered list of named rules in :mod:`.rules` (one function per step below); the
answer-level passes (item 7) are methods here. In short, the rules applied to each model name found:

1. A name inside a quotation longer than the name itself is somebody's words: ``reported`` when the quote has a
   first-person cue (``hypothetical`` when a role-play or conditional cue introduces it: "I'd answer: 'Hi, I'm
   Gemini!'"); a quote without one ("You are ChatGPT") is ``reported`` when hearsay or the speaker's
   configuration introduces it ("My system prompt says: ..."), else no claim.
2. Negation right after the name (SOV languages: ``ChatGPTではありません``, ``ChatGPT가 아닙니다``,
   ``ChatGPT değilim``, ``ChatGPT नहीं हूँ``) makes it ``negated``; so do role-play and hearsay cues right after
   it (``Gemini rolüne``, ``ChatGPTと間違われる``) make it ``hypothetical`` or ``reported``.
3. A comparison after the name (``ChatGPTのような``, ``ChatGPT처럼``, ``ChatGPT gibi``) or the name as the
   subject of its own clause ("ChatGPT is made by OpenAI") is a mention, not a claim.
4. The name must be tied to the speaker: a first-person cue in its clause ("I am", "我", "私は", "меня",
   "soy"), a cue right after it ("Anthropic made me", "Claudeです"), an "As X, I ..." opening, or, for an
   appositive clause ("I'm Claude, made by Anthropic"), a first-person cue earlier in the sentence.
5. Between that cue and the name there must be no comparison or use word ("like", "than", "about", "use").
6. Hearsay cues in scope make it ``reported``; conditionals, role-play and hedges ``hypothetical``; a negation
   after the last first-person cue (or right before it: "No soy", "Non sono") ``negated``; otherwise
   ``asserted``. Scope restarts after contrast words ("but", "而是", "sondern", "sino", "а"); hearsay in a
   leading clause of the sentence ("According to my system prompt, I'm X", "根据系统提示，我是X") reaches in.

7. Across the answer: a role-play set up earlier makes later claims hypothetical until the speaker steps out of
   it ("Let's play! ... I'm Grok." / "Out of character: I'm Claude."; a scenario about other parties, "In this
   scenario, agent B refrains ...", sets up none); an echoed or quoted question ("You asked
   whether I'm GPT-4", '"Llama or Qwen?" Neither.') is decided by the yes or no after it; a sign-off on the last
   line ("— Claude"), an answer that is the name ("Qwen2.5-72B-Instruct."), a profile card ("Name: Claude") and
   a metadata snippet ('{"model": "claude-3-5-sonnet"}', '"is_chatgpt": false') are claims; a name the speaker
   denies anywhere is a mention where it is linked to the speaker only indirectly; quoted lines are the speaker's
   own when it translates its introduction or fills in a template, pretend when a role is announced around them.
8. A vendor presupposed as the speaker's rule-maker ("this goes against OpenAI's content policy", "las
   políticas de OpenAI") is ``implied``. An answer split into speaker turns (:mod:`.segments`: "[ChatGPT]: ...
   [DAN]: ...", "(🤖ChatGPT) ... (💥Maximum) ...", "DAN:" lines) and reasoning traces ("<think>...</think>"):
   a label naming a model is formatting; what a role persona asserts is ``implied``; in a trace, a clause about
   rules and policy only discusses the vendor (``implied``); the answer after a trace inherits an identity the
   trace reported or adopted, not one it only wondered about ("whether I could rehearse being Claude").

A maker named next to one of its own families in the same sentence ("I'm Claude, made by Anthropic") is folded
into that family's claim. A claim's ``label`` is its family, or for a maker alone the maker's only family, or
``maker:<id>`` when the maker has several (Google: Gemini and Gemma).
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from distillscope.errors import InputError
from distillscope.identity import prefilter as _prefilter
from distillscope.identity.lexicon import Cues
from distillscope.identity.names import Entity, NameScanner, load_aliases
from distillscope.identity.prefilter import Gate
from distillscope.identity.rules import Site, decide, topic_heading
from distillscope.identity.segments import Segment, Segmenter
from distillscope.identity.text import (
    CLAUSE_OR_SENT,
    CONTEXT,
    SENT,
    fold,
    harmony_as_think,
    lower,
    mask_false_pronouns,
    quote_spans,
    sentence_bounds,
    sentence_break,
)
from distillscope.identity.trie import guarded

__all__ = ["STATUSES", "Claim", "ClaimExtractor", "asserted_labels", "default_extractor", "extract", "fold",
           "load_aliases", "rules_fingerprint"]

HERE = Path(__file__).parent
DATA = HERE / "data"
# The modules whose code decides claims: an edit to any of them voids the blind scores taken before it.
RULE_FILES = ("claims.py", "rules.py", "lexicon.py", "names.py", "text.py", "trie.py", "segments.py")
# Strongest first (one status per label in scores): ``implied`` is an affiliation presupposed, not stated.
STATUSES = ("asserted", "negated", "reported", "hypothetical", "implied")
_GATE_MIN = 400  # texts at least this long are prefiltered (see ClaimExtractor)
_SCENE_HEAD = 100  # how far back the clause of a role-play set-up is looked for
# "As Tony Stark, ...", "Я, Тони Старк, ...", "作为钢铁侠，...", "トニー・スタークとして、...": the speaker takes on a named
# character (two to four capitalised words, or a name in a script without capitals). What it then says of models is
# the character's talk (MT-Bench: "as Tony Stark, could GPT-4 replace JARVIS?"), until a scene exit ("as an AI").
_CAP = r"[A-ZÀ-ÖØ-ÞА-ЯЁ][\w'’.-]*"
_CHARACTER_LEAD = (
    r"[\s*_#>\"“]*(?:"
    r"(?:As|Speaking as|In the role of|Als|En tant que|Como|Come|In quanto|Как|Будучи|Як)\s+"
    rf"(?P<lat>(?:{_CAP}\s+){{1,3}}{_CAP})(?=\s*[,，]|\s+(?!(?:once|famously|said|says|noted|notes|put|puts|wrote|"
    r"writes|argued|observed|pointed|explained|has|had|would)\b)[a-zà-öø-ÿа-яё])|"
    rf"(?:I|Je|Moi|Ich|Yo|Io|Eu|Я)\s*,\s*(?P<app>(?:{_CAP}\s+){{1,3}}{_CAP})\s*,|"
    r"(?:作为|作為|身为|身為)(?P<zh>[\u4e00-\u9fff·・]{2,8})[，,]|"
    r"(?P<ja>[\u30a0-\u30ff・]{3,12}|[\u4e00-\u9fff]{2,6})として[、,]"
    r")")
# (at the start of the text, and after a sentence end: a leading character class lets ``re`` skip ahead fast)
_CHARACTER_AT_START = re.compile(_CHARACTER_LEAD)
_CHARACTER = re.compile(r"[.!?。！？\n]" + _CHARACTER_LEAD)
# The start of each such lead after a sentence end, up to its first words: where the prefilter proves this absent,
# there is no lead to look for (the leads themselves make too large a pattern for it; see ClaimExtractor.extract).
_CHARACTER_NEAR = re.compile(
    r"[.!?。！？\n][\s*_#>\"“]*(?:(?:As|Speaking as|In the role of|Als|En tant que|Como|Come|In quanto|Как|Будучи|Як)\s|"
    r"(?:I|Je|Moi|Ich|Yo|Io|Eu|Я)\s*,|作为|作為|身为|身為|(?:[\u30a0-\u30ff・]{3,12}|[\u4e00-\u9fff]{2,6})として[、,])")
_CHARACTER_GATE = len(_prefilter.CUE_SETS)  # (its group in the prefilter)
# Where :func:`~.text.mask_false_pronouns` could find a look-alike pronoun ("EU", "IO", "a eu"): a standalone "eu"
# or "io" in the lower-cased text. Where the prefilter proves there is none, the mask is skipped (it scans the whole
# text three times, a long answer's largest cost after the names).
_PRONOUN_NEAR = re.compile(r"\b(?:eu|io)\b")
_PRONOUN_GATE = _CHARACTER_GATE + 1
# What makes such a lead the speaker's own kind, not a character: "As Large Language Models, ...", "作为人工智能，".
_KIND_NOUN = guarded(r"\b(?:ai|ki|ia|ии|llm|language|models?|modell|assistants?|assistent|chatbots?|bots?|sprachmodell|"
                        r"modèle|modelo|modello|модел\w*|ассистент\w*|developers?|engineers?|users?)\b|人工智能|智能|模型|助手|"
                        r"助理|机器人|機器人|程序|系统|系統|一个|一個|一名|一位|AI|アシスタント|モデル|人工知能|開発", re.IGNORECASE)
_SHORT_SCENE = 40  # a role-play opener this short ("Role-play time!") needs no participant in its sentence
# A set-up naming a scenario or story rather than an act of the speaker's ("in this scenario", "故事里").
_SCENARIO = re.compile(r"scenario|story|scene|skit|escenario|scénario|szenario|histoire|historia|história|storia|"
                       r"情景|场景|場景|故事|剧本|劇本|シナリオ|物語|시나리오|이야기")
# The speaker or the user as a participant of a role-play set-up (first-person cues come from the lexicon).
_PARTICIPANT = re.compile(r"\b(?:i|me|my|we|us|our|let'?s|you|your|yours|tu|vous|nous|toi|du|wir|dich|dir|ihr|uns|tú|"
                          r"usted|nosotros|vamos|você|nós|voi|noi|ты|вы|мы)\b|你|您|我|咱|あなた|私|僕|당신|우리|저|나는|제가")

_GLOSS_OPEN = re.compile(r"\s*[(（]\s*")
# Words joining two names into a pair or list ("X和Y", "X or Y", "X와 Y"), on lower-cased text.
_LIST_JOIN = re.compile(r"\s*,?\s*(?:和|与|與|及|或|或者|跟|、|/|&|and|or|y|o|e|ou|et|ou|und|oder|и|или|ve|veya|và|hoặc|"
                        r"dan|atau|nor|noch|ni|né|ни|और|या|و|أو|와|과|や|と|か)?\s*")
_LIST_ITEM = re.compile(r"\s*(?:[-*•]|\d+[.)])\s")
# The speaker saying it is another model than one named just before ("I am a different AI", "we are different
# models", "we were created by different organizations", "我们是不同的模型", "우리는 서로 다른 모델입니다").
_DIFFERENCE = guarded(
    r"\bi(?:'m|’m| am) (?:a |an )?(?:completely |entirely |totally |fundamentally |quite )?(?:different|distinct|separate)"
    r"(?: [\w-]+){0,2}? (?:ai|model|assistant|system|entity|chatbot|program)\b"
    r"|\bwe(?:'re|’re| are) (?:two )?(?:completely |entirely |totally |fundamentally |quite )?(?:different|distinct|separate)"
    r" (?:ai |language )?(?:models|systems|assistants|entities|ais|programs|products|chatbots)\b"
    r"|\b(?:we|i) (?:were|was) (?:created|developed|made|trained|built|designed) by (?:two )?(?:different|separate) "
    r"(?:organi[sz]ations|companies|teams|groups|developers|labs)\b"
    r"|\bi(?:'m|’m| am) based on a (?:different|distinct|separate) (?:architecture|model)\b"
    r"|我们是(?:两个|兩個)?(?:完全)?不同的|我們是(?:兩個)?(?:完全)?不同的|我是(?:一个|一個)?(?:完全)?不同的(?:模型|ai|系统|系統|助手)"
    r"|我们由不同的|我們由不同的|우리는 (?:서로 |완전히 )?다른 |저는 (?:그와는 |그것과는 |이와는 )?(?:완전히 )?다른 (?:모델|ai|시스템)"
    r"|私たちは(?:異なる|別の|別々の)|私は(?:異なる|別の)(?:モデル|ai)")
_DIFFERENCE_KEYS = ("differ", "distinct", "separate")
_DIFFERENCE_KEYS_CJK = ("不同", "다른", "異な", "別")
_DIFFERENCE_BACK = 250  # how far before the statement the other model's name is looked for
_SIGNATURE = re.compile(r"\s*(?:[—–~]|--?)\s*\S|.*(?:より|敬上)\s*$")

# A reasoning trace deciding which identity to present, as the set-up asks: "I should identify myself as X",
# "根据系统提示，我应该清楚地表明我的身份。我是X" (the identity a system prompt assigned, taken as a role).
_ADOPT = guarded(
    r"\b(?:should|must|need to|have to|(?:am|'m|’m) (?:supposed|meant|expected|told|instructed) to|will|'ll|’ll)"
    r"\s+(?:clearly\s+|simply\s+|just\s+)?(?:identify|present|introduce|describe|represent|refer to)\s+myself\s+as\b"
    r"|(?:根据|根據|按照|依照|按)(?:系统提示|系統提示|系统设定|系統設定|设定|設定|指令|系统指令|系統指令)[^。\n]{0,20}?"
    r"(?:我)?(?:应该|應該|应当|應當|需要|要)[^。\n]{0,12}?(?:表明|说明|說明|介绍|介紹|表示|确认|確認)[^。\n]{0,6}?(?:身份|自己)"
    r"|(?:according to|per|as (?:stated|set|defined) in|following) (?:the |my )?(?:system prompt|instructions|system message)"
    r"[^.\n]{0,40}?\bi (?:should|must|need to|have to)\b[^.\n]{0,30}?\b(?:identify|introduce|present)")


# Cues of a hypothetical claim that only hedge or wonder ("whether", "if I rehearsed saying '...'"), not a role or
# identity the set-up assigned.
_HEDGES = frozenset(("hypo", "quote_hypo", "guess"))


# In gpt-oss's analysis channel (see text.harmony_as_think), "I should identify myself as ChatGPT" or "Probably
# answer: '私はChatGPTです'" plans the model's own self-introduction (its shipped identity): there, a plan carries out
# a set-up only when the analysis speaks of one. (In a <think> trace the same words, in the data, carry out a system
# prompt that assigned the identity, which the answer text does not show.)
_SETUP = guarded(r"system (?:prompt|message)|instruct|\bpersonas?\b|\brole|character|pretend|\bact as|jailbreak|"
                    r"scenario|设定|設定|角色|扮演|系统提示|系統提示|指令|人设|人設")


_SENT_BREAK = re.compile(r"[.!?。！？\n][^.!?。！？\n]*$")


def _adopted_in_trace(tl: str, seg: Segment, p: int, harmony: bool = False) -> bool:
    """Whether the trace ``seg``, before ``p``, decides to present an identity the set-up assigned. Where the trace
    speaks of a set-up (:data:`_SETUP`) any plan before the name counts; otherwise only a plan that adopts this very
    name in its own sentence ("I should identify myself as X"), not one that adopts something else before it ("I
    should introduce myself as an AI assistant. My name is X": the model's own word), and not a plan to introduce
    itself by its name ("I should introduce myself as Qwen"). In gpt-oss's analysis channel (``harmony``) only a
    set-up makes a plan a role."""
    if _ADOPT.search(tl, seg.start, p) is None:
        return False
    if _SETUP.search(tl, seg.start, p) is not None:
        return True
    if harmony:
        return False
    brk = _SENT_BREAK.search(tl, seg.start, p)
    m = _ADOPT.search(tl, brk.start() + 1 if brk else seg.start, p)
    # "First, I should introduce myself as Qwen, the model developed by Alibaba Cloud" plans the model's own
    # self-introduction (three labellers of blind9, blind10 and blind12 read it as the model's word, A), while
    # "I should identify myself as DeepSeek AI assistant" picks an identity to present (blind2's labels: a role).
    return m is not None and "introduce" not in m.group(0)


def _inherit_trace(claims: list[Claim], segments: list[Segment], tl: str, harmony: bool = False) -> list[Claim]:
    """The final answer after a reasoning trace inherits the trace's status for a name the trace only reported
    or adopted ("根据系统提示，我是X" → ``reported``; "I should identify myself as X" → ``hypothetical``): the
    answer's "我是X" carries out what the trace decided, it does not add the model's own word. A trace that only
    hedged or wondered about the name (:data:`_HEDGES`: "whether I could rehearse being Claude") frames nothing,
    nor does gpt-oss's analysis channel (``harmony``) plan a role or report an identity unless it speaks of a set-up
    (:data:`_SETUP`): there "According to policy, we can answer about ourselves: I'm ChatGPT" cites the model's own
    shipped policy, and the answer's "Soy ChatGPT" is its own word."""
    traces = [g for g in segments if g.kind == "trace"]
    if not traces:
        return claims
    in_trace = {id(c): next((g for g in traces if g.start <= c.start < g.end), None) for c in claims}
    framed: dict[str, str] = {}
    for c in claims:
        g = in_trace[id(c)]
        if g is not None:
            if c.status == "asserted":
                framed[c.label] = ""
            elif (c.status == "reported" or (c.status == "hypothetical" and c.cue not in _HEDGES)) \
                    and (not harmony or _SETUP.search(tl, g.start, g.end) is not None) \
                    and framed.get(c.label) != "":
                framed.setdefault(c.label, c.status)
    if not any(framed.values()):
        return claims
    end = max(g.end for g in traces)
    return [replace(c, status=framed[c.label], cue="trace_frame")
            if c.status == "asserted" and c.start >= end and framed.get(c.label) else c for c in claims]



@dataclass(frozen=True)
class Claim:
    """One identity claim found in a text.

    Attributes:
        start: offset of the name in the original text.
        end: end offset (exclusive).
        text: the name as written.
        family: the model family named (None when only a maker is named).
        maker: the maker named or implied by the family.
        status: ``asserted`` | ``negated`` | ``reported`` | ``hypothetical`` | ``implied`` (an affiliation
            presupposed but not stated: "this goes against OpenAI's content policy", what a role persona says).
        label: identity label used in analyses (family id, or ``maker:<id>`` for a multi-family maker).
        cue: the rule or cue that decided the status (for debugging and audits).
    """

    start: int
    end: int
    text: str
    family: str | None
    maker: str | None
    status: str
    label: str
    cue: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class ClaimExtractor:
    """Compiled alias table + cue lexicon. Reuse one instance: building it takes milliseconds, extracting
    microseconds.

    Args:
        aliases: alias table path (default: the shipped ``data/aliases.yaml``).
        extra_families: ad-hoc families ``{id: [alias, ...]}``, e.g. the declared name of the model under test
            (``{"aster": ["Aster"]}``), so that its own name counts as a claim too.
        prefilter: use the hyperscan prefilter (:mod:`.prefilter`) where it is installed: the same claims, faster
            on long answers. False runs plain ``re`` throughout.
        prefilter_min: the shortest text (characters) that is prefiltered (on short ones the scan costs what it
            saves).
    """

    def __init__(self, aliases: str | Path | None = None,
                 extra_families: Mapping[str, Sequence[str]] | None = None, *, prefilter: bool = True,
                 prefilter_min: int = _GATE_MIN) -> None:
        table = load_aliases(aliases)
        self.families: dict[str, dict[str, Any]] = dict(table["families"])
        self.makers: dict[str, dict[str, Any]] = dict(table["makers"])
        for fid, names in (extra_families or {}).items():
            if fid in self.families:
                continue
            names = [n for n in names if n and n.strip()]
            if not names:
                raise InputError(f"Extra family {fid!r} needs at least one alias.")
            self.families[fid] = {"name": names[0], "maker": None, "aliases": list(names)}
        self._maker_families: dict[str, list[str]] = {}
        for fid, f in self.families.items():
            if f.get("maker"):
                self._maker_families.setdefault(f["maker"], []).append(fid)
        self.names = NameScanner(self.families, self.makers)
        self.cues = Cues()
        # The prefilter (optional, exact): one hyperscan scan per text proves where names may start and which
        # role-play and echo cues are absent, so that re skips those searches; built on the first long text (its
        # compile takes about a second, once per process), used on long texts only.
        self._gate: Gate | None = None
        self._use_gate = prefilter and _prefilter.ENABLED
        self.prefilter_min = prefilter_min
        self.segmenter = Segmenter(self.cues.persona_self, self.cues.persona_role,
                                   lambda label: [(a, b) for a, b, _ in self.names.mentions(label)])

    # ------------------------------------------------------------------------------------------------
    def label_of(self, family: str | None, maker: str | None) -> str:
        if family:
            return family
        fams = self._maker_families.get(maker or "", [])
        return fams[0] if len(fams) == 1 else f"maker:{maker}"

    def maker_of(self, label: str) -> str | None:
        if label.startswith("maker:"):
            return label[6:]
        f = self.families.get(label)
        return f.get("maker") if f else None

    def mentions(self, text: str) -> list[tuple[int, int, Entity]]:
        """Every alias occurrence (start, end, entity), claim or not."""
        return self.names.mentions(text)

    def extract(self, text: str) -> list[Claim]:
        """All identity claims in ``text``, in order of appearance."""
        if not isinstance(text, str):
            raise InputError(f"extract() needs a string, got {type(text).__name__}.")
        folded = fold(text)
        t = harmony_as_think(folded)
        harmony = t is not folded
        tl = lower(t)
        if self._use_gate and len(tl) >= self.prefilter_min:
            if self._gate is None:
                self._gate = _prefilter.attach(self.cues, self.names, wide=[[_CHARACTER_NEAR]],
                                               plain=[[_PRONOUN_NEAR]])
            self._gate.scan(tl)
        elif self._gate is not None:
            self._gate.clear()
        found = self.names.scan(t, tl)
        if not found:
            return []
        gate = self._gate
        masked = tl if gate is not None and not gate.may_match(_PRONOUN_GATE, tl, 0, len(tl)) \
            else mask_false_pronouns(t, tl)
        claims = self._name_claims(text, t, masked, found)
        claims = self._signature(claims, found, t, text)
        claims = self._differences(claims, found, t, tl, text)
        if claims:
            claims = self._apply_scenes(claims, tl, t, found)
            claims = self._drop_foreign_makers(claims, t)
            claims = _drop_denied_mentions(claims)
            segments = self.segmenter.segment(t)
            if segments:
                claims = self._apply_segments(claims, segments, tl, harmony)
        return _merge_makers(claims, t)

    def _apply_segments(self, claims: list[Claim], segments: list[Segment], tl: str,
                        harmony: bool = False) -> list[Claim]:
        """Speaker turns and reasoning traces (:mod:`~distillscope.identity.segments`): a persona label that
        names a model ("[ChatGPT]:") is formatting, not a claim; what a role persona ("[DAN]: ...") asserts is
        presupposed by the role (``implied``); in a reasoning trace, a clause about rules and policy only
        discusses the vendor (``implied``: "so I must follow the OpenAI usage rules"; but "I am Claude, so I
        follow the rules" asserts Claude)."""
        out = []
        for c in claims:
            seg = next((g for g in segments if g.start <= c.start < g.end), None)
            if seg is None:
                out.append(c)
                continue
            if seg.label is not None and seg.label[0] <= c.start < seg.label[1]:
                continue
            if c.status == "asserted" and seg.kind == "persona" and not seg.own_voice:
                c = replace(c, status="implied", cue="persona")
            elif c.status == "asserted" and seg.kind == "trace" and self._policy_clause(tl, c.start, c.end):
                c = replace(c, status="implied", cue="trace_policy")
            elif c.status == "asserted" and seg.kind == "trace" and _adopted_in_trace(tl, seg, c.start, harmony):
                c = replace(c, status="hypothetical", cue="trace_adopted")
            out.append(c)
        return _inherit_trace(out, segments, tl, harmony)

    def _name_claims(self, text: str, t: str, tl: str, found: list[tuple[int, int, Entity]]) -> list[Claim]:
        """One :func:`~distillscope.identity.rules.decide` per name, in order; the second name of a pair ("X和Y",
        "X or Y") shares the first one's fate, and a gloss of the same name ("文心一言（ERNIE Bot）") is skipped."""
        quotes = quote_spans(t)
        starts = [a for a, _, _ in found]
        family_starts = [a for a, _, e in found if e.kind == "f"]
        spans = [(a, b) for a, b, _ in found]
        claims: list[Claim] = []
        prev: tuple[int, Entity, tuple[str, str] | None] | None = None  # (end, entity, result) of the last name
        claimed: dict[int, int] = {}  # start -> end of the names found to be claims so far
        for a, b, ent in found:
            cue_suffix = ""
            if prev is not None and prev[1].id == ent.id and _GLOSS_OPEN.fullmatch(t, prev[0], a):
                continue
            if prev is not None and _LIST_JOIN.fullmatch(tl, prev[0], a):
                res, cue_suffix = prev[2], "+list"
            else:
                s0, s1 = sentence_bounds(t, a, b)
                res = decide(Site(self.cues, tl, a, b, s0, s1, quotes, starts, family_starts, claimed, spans))
            prev = (b, ent, res)
            if res is None:
                continue
            claimed[a] = b
            family = ent.id if ent.kind == "f" else None
            claims.append(Claim(a, b, text[a:b], family, ent.maker, res[0], self.label_of(family, ent.maker),
                                res[1] + cue_suffix))
        return claims

    def _differences(self, claims: list[Claim], found: list[tuple[int, int, Entity]], t: str, tl: str,
                     text: str) -> list[Claim]:
        """The speaker saying it is another model than one it just named ("ChatGPT is ... While we share some
        tasks, I am a distinct model", "we are different models", "我们是不同的模型", "우리는 서로 다른 모델입니다"): a
        denial of the nearest family named before (``negated``), unless the speaker claims it anyway. (With the name
        in the clause, "我和ChatGPT是不同的模型", the rule :func:`~distillscope.identity.rules.differs_from_me`.)"""
        if len(claims) >= sum(1 for _, _, e in found if e.kind == "f"):
            return claims  # (every family named is decided already)
        hits = []  # the statement is searched only around its key words (a substring search is far cheaper)
        for k in _DIFFERENCE_KEYS if tl.isascii() else _DIFFERENCE_KEYS + _DIFFERENCE_KEYS_CJK:
            p = tl.find(k)
            while p >= 0:
                m = _DIFFERENCE.search(tl, max(0, p - 40), p + 60)
                if m is not None and (not hits or m.start() != hits[-1].start()):
                    hits.append(m)
                p = tl.find(k, p + 60)
        if not hits:
            return claims
        have = {c.start for c in claims}
        claimed = {c.label for c in claims}
        new = []
        for m in sorted(hits, key=lambda m: m.start()):  # the name before it (the nearest family, within a sentence or two)
            prior = [(a, b, e) for a, b, e in found if e.kind == "f" and m.start() - _DIFFERENCE_BACK <= a < m.start()]
            if not prior:
                continue
            a, b, e = prior[-1]
            if a in have or len(list(SENT.finditer(tl, b, m.start()))) > 1:
                continue
            new.append((a, b, e))
        out = list(claims)
        for a, b, e in new:
            label = self.label_of(e.id, e.maker)
            if label in claimed or any(c.start == a for c in out):
                continue
            out.append(Claim(a, b, text[a:b], e.id, e.maker, "negated", label, "difference"))
        return sorted(out, key=lambda c: c.start) if len(out) > len(claims) else claims

    def _policy_clause(self, tl: str, a: int, b: int) -> bool:
        """Whether the clause around ``tl[a:b]`` talks about rules or policy."""
        c0 = 0
        for m in CLAUSE_OR_SENT.finditer(tl, max(0, a - CONTEXT), a):
            c0 = m.end()
        m = CLAUSE_OR_SENT.search(tl, b, b + CONTEXT)
        return self.cues.policy_talk.search(tl, c0, m.start() if m else min(len(tl), b + CONTEXT)) is not None

    def _signature(self, claims: list[Claim], found: list[tuple[int, int, Entity]], t: str,
                   text: str) -> list[Claim]:
        """A sign-off on the last line ("— Claude", "クロード（Anthropic）より") is the speaker naming itself."""
        end = len(t.rstrip())
        l0 = t.rfind("\n", 0, end) + 1
        if not (0 < l0 and end - l0 <= 60 and _SIGNATURE.match(t, l0, end)) or found[-1][0] < l0:
            return claims
        p1 = l0 - 1
        while p1 > 0 and not t[t.rfind("\n", 0, p1) + 1 : p1].strip():
            p1 = t.rfind("\n", 0, p1)  # (skip blank lines: a list may leave one between its items)
        p0 = t.rfind("\n", 0, max(0, p1)) + 1
        if _LIST_ITEM.match(t, p0, l0) or topic_heading(lower(t[p0:p1])):
            return claims  # the last item of a list ("- Qwen2.5\n- Gemma 2", "Go:\n- 구글에서 만든 언어"), not a sign-off
        have = {c.start for c in claims}
        new = [Claim(a, b, text[a:b], e.id if e.kind == "f" else None, e.maker, "asserted",
                     self.label_of(e.id if e.kind == "f" else None, e.maker), "signature")
               for a, b, e in found if a >= l0 and a not in have]
        return sorted(claims + new, key=lambda c: c.start) if new else claims

    def _character_leads(self, t: str, tl: str, found: list[tuple[int, int, Entity]]) -> list[int]:
        """Where the speaker takes on a named character (:data:`_CHARACTER`): the end of each such lead whose name
        is no model's or maker's ("As Claude Shannon put it" names a model) and no kind of AI. (``tl``: the
        lower-cased ``t``, where the prefilter may have proved that there is none.)"""
        out: list[int] = []
        first = _CHARACTER_AT_START.match(t)
        later = self._gate is None or self._gate.may_match(_CHARACTER_GATE, tl, 0, len(tl))
        for m in ([first] if first else []) + (list(_CHARACTER.finditer(t)) if later else []):
            g = m.lastgroup or ""
            if _KIND_NOUN.search(m.group(g)) or any(a < m.end(g) and b > m.start(g) for a, b, _ in found):
                continue
            out.append(m.end())
        return out

    def _apply_scenes(self, claims: list[Claim], tl: str, t: str = "",
                      found: list[tuple[int, int, Entity]] | None = None) -> list[Claim]:
        """Claims made after a role-play or game set-up ("Let's play! ... For this game I'm Grok") or after the
        speaker takes on a named character ("As Tony Stark, I think GPT-4 ...") are hypothetical until a
        ``scene_exit`` cue ("out of character", "actually") steps out of it. A set-up with a negation or an offer in
        its clause ("I can't role-play as ChatGPT", "I can play Gemini if you like"), or the user's request
        described back in its sentence ("In the scenario you describe, ...") opens nothing. (``t``, the folded text,
        and ``found``, its names, are needed for the characters.)"""
        last = max((c.start for c in claims if c.status in ("asserted", "reported")), default=-1)
        if last < 0:
            return claims  # (only asserted and reported claims can turn hypothetical)
        opens = [p for p in self._character_leads(t, tl, found or []) if p <= last] if t else []
        for m in self.cues.scene.finditer(tl, 0, last):
            c0 = 0
            for b in CLAUSE_OR_SENT.finditer(tl, max(0, m.start() - _SCENE_HEAD), m.start()):
                c0 = b.end()
            e = CLAUSE_OR_SENT.search(tl, m.end())
            c1 = e.start() if e else len(tl)
            e = SENT.search(tl, m.end())
            s1 = e.start() if e else len(tl)
            if self.cues.neg.search(tl, c0, c1) or self.cues.offer.search(tl, c0, c1) or self.cues.refusal.search(tl, c0, s1):
                continue
            if self.cues.scene_request.search(tl, sentence_bounds(tl, m.start(), m.end())[0], s1) \
                    and not self.cues.scene_accept.search(tl, max(0, m.start() - 20), m.end()):
                continue  # the user's scenario, described back ("you've asked me to role-play as DAN"), not
                # taken up ("Sure, let's role-play as you asked", "As you requested, I'll pretend to be ...")
            if self._others_scene(tl, m):
                continue
            opens.append(m.end())
        if not opens:
            return claims
        opens.sort()
        exits = [m.start() for m in self.cues.scene_exit.finditer(tl, opens[0], last)]
        out = []
        for c in claims:
            if c.status in ("asserted", "reported"):
                i = bisect.bisect_right(opens, c.start) - 1
                if i >= 0 and not any(opens[i] <= x < c.start for x in exits):
                    c = replace(c, status="hypothetical", cue="scene")
            out.append(c)
        return out

    def _others_scene(self, tl: str, m: re.Match[str]) -> bool:
        """A scenario about other parties ("In this scenario, LLM-A refrains from ...", "In the story, the robot
        says ..."): a sentence of some length with the set-up but no first- or second-person word sets up no role
        for the speaker (a short opener, "Role-play time!", still does)."""
        if not _SCENARIO.search(m.group(0)):
            return False  # (an action of the speaker's: "playing along", "let's pretend")
        s0, s1 = sentence_bounds(tl, m.start(), m.end())
        if s1 - s0 <= _SHORT_SCENE:
            return False
        return self.cues.first_person.search(tl, s0, s1) is None and _PARTICIPANT.search(tl, s0, s1) is None

    def _drop_foreign_makers(self, claims: list[Claim], t: str) -> list[Claim]:
        """A maker reached only through a chain of appositions, after the speaker claimed a family of another maker
        in that sentence, describes something else ("je suis Claude, conçu par Anthropic, une entreprise fondée par
        d'anciens salariés d'OpenAI"), unless it is named as the maker right there ("I am Claude, a model developed
        by OpenAI": a distilled model's telltale mix)."""
        out = []
        for c in claims:
            if c.family is None and c.cue == "apposition" and any(
                    o.family and o.status == "asserted" and o.maker != c.maker and o.start < c.start
                    and not sentence_break(t, o.end, c.start) for o in claims) \
                    and not self.cues.made_by_before.search(t, max(0, c.start - 40), c.start) \
                    and not self.cues.made_by_after.match(t, c.end, min(len(t), c.end + 30)):
                continue
            out.append(c)
        return out

    def extract_many(self, texts: Iterable[str]) -> list[list[Claim]]:
        return [self.extract(x) for x in texts]



def _drop_denied_mentions(claims: list[Claim]) -> list[Claim]:
    """A name the speaker denies being anywhere in the answer, met elsewhere with only an indirect link to the
    speaker, is a mention of that other model ("我不是文心一言，我是豆包～文心一言是百度的产品"). The same name, not
    the same family: "No, I'm not ChatGPT. I am another model, based on the GPT-4 architecture" keeps GPT-4."""
    denied = {c.text.lower() for c in claims if c.status == "negated"}
    if not denied:
        return claims
    return [c for c in claims if not (c.text.lower() in denied and c.status == "asserted" and c.cue == "apposition")]


def _merge_makers(claims: list[Claim], t: str) -> list[Claim]:
    """Drop a maker-only claim folded into a claim on one of its families: same status anywhere in the text
    ("I'm Gemma. Google trained me."), or any status in the same clause ("Anthropic tarafından geliştirilen
    Claude'um")."""
    if len(claims) < 2:
        return claims
    keep = []
    for c in claims:
        if c.family is None:
            hit = False
            for o in claims:
                if o.family is None or o.maker != c.maker:
                    continue
                if o.status == c.status:
                    hit = True
                    break
                lo, hi = min(c.end, o.end), max(c.start, o.start)
                if not CLAUSE_OR_SENT.search(t, lo, hi):
                    hit = True
                    break
            if hit:
                continue
        keep.append(c)
    return keep


@lru_cache(maxsize=1)
def rules_fingerprint() -> str:
    """A short hash of the extractor's rules (the modules in :data:`RULE_FILES`, the cue lexicon and the alias
    table), recorded next to each blind score so that a report can tell whether a measured accuracy belongs to
    the rules in use. (Until the rules were split into several modules it hashed claims.py alone with the two
    data files; fingerprints recorded then belong to those rules.)"""
    h = hashlib.sha256()
    for f in (*(HERE / name for name in RULE_FILES), DATA / "cues.yaml", DATA / "aliases.yaml"):
        h.update(f.read_bytes().replace(b"\r\n", b"\n"))
    return h.hexdigest()[:12]


@lru_cache(maxsize=1)
def default_extractor() -> ClaimExtractor:
    return ClaimExtractor()


def extract(text: str) -> list[Claim]:
    """Identity claims in ``text`` with the default alias table (see :class:`ClaimExtractor`)."""
    return default_extractor().extract(text)


def asserted_labels(claims: Iterable[Claim]) -> list[str]:
    """Distinct asserted identity labels, in order of first appearance."""
    seen: dict[str, None] = {}
    for c in claims:
        if c.status == "asserted":
            seen.setdefault(c.label, None)
    return list(seen)
