"""Identity claim extractor: which model does a text say it is, and does it assert, deny, report or pretend it?

    >>> from distillscope.identity.claims import extract
    >>> [(c.label, c.status) for c in extract("我不是ChatGPT，我是通义千问，由阿里云开发。")]
    [('gpt', 'negated'), ('qwen', 'asserted')]

Rules, in the order they are applied to each model name found (names and makers come from
``data/aliases.yaml``, cue words of 16 languages from ``data/cues.yaml``):

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
   it ("Let's play! ... I'm Grok." / "Out of character: I'm Claude."); an echoed or quoted question ("You asked
   whether I'm GPT-4", '"Llama or Qwen?" Neither.') is decided by the yes or no after it; a sign-off on the last
   line ("— Claude"), an answer that is the name ("Qwen2.5-72B-Instruct."), a profile card ("Name: Claude") and
   a metadata snippet ('{"model": "claude-3-5-sonnet"}', '"is_chatgpt": false') are claims; a name the speaker
   denies anywhere is a mention where it is linked to the speaker only indirectly; quoted lines are the speaker's
   own when it translates its introduction or fills in a template, pretend when a role is announced around them.

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

import yaml

from distillscope.errors import InputError

DATA = Path(__file__).parent / "data"
STATUSES = ("asserted", "negated", "reported", "hypothetical")

# Character-for-character folding (keeps offsets): full-width ASCII, odd spaces, curly apostrophes, hyphens.
_FOLD = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}
_FOLD.update({0x3000: 0x20, 0x00A0: 0x20, 0x2009: 0x20, 0x202F: 0x20, 0x2019: 0x27, 0x2018: 0x27,
              0x2010: 0x2D, 0x2011: 0x2D})
_FOLD_CHR = {chr(k): chr(v) for k, v in _FOLD.items()}

_SEP = r"[\s\-_·・.]?"
_LATIN = re.compile(r"[A-Za-z0-9]")
# Version tags a Latin name absorbs: GPT-4o, Qwen2.5-7B-Instruct, Llama 3.1 8B, Claude 3.5 Sonnet, Gemini 1.5 Pro.
_VERSION = (
    r"(?:[ \-]?[vr]?\d+(?:\.\d+)*(?:[a-z](?![a-z]))?)?"
    r"(?:[ \-](?:turbo|mini|nano|pro|max|plus|flash|lite|ultra|opus|sonnet|haiku|large|medium|small|instruct|chat"
    r"|coder|preview|omni|\d+(?:\.\d+)?[bm]|\d+(?:\.\d+)*)(?![a-z]))*"
)
# Sentence ends. Korean laughter or tears ("ㅋㅋ") end a sentence; so does an emoji followed by a capitalised word
# ("main ChatGPT nahi hoon 😄 Main Llama hoon"; on lower-cased text that lookahead never matches, which only makes
# those scans more conservative).
_SENT = re.compile(r"[!?;؟।。！？；\n]+|(?:ㅋ|ㅎ|ㅠ|ㅜ){2,}|[\U0001F300-\U0001FAFF\u2600-\u27BF]+(?=\s+[A-ZÀ-ÖØ-Þ])"
                   r"|\.+(?=\s|$|[\"”'»」』)\]])")
# Clause breaks; a hyphen only between spaces. (One leading character class lets ``re`` skip ahead fast.)
_CLAUSE = re.compile(r"[,:，：、،~〜|—–()（）-](?:(?<!-)|(?<=\s-)(?=\s))")
_CLOSE_QUOTES = "」』\"”»›'"
_CLAUSE_OR_SENT = re.compile(_CLAUSE.pattern + "|" + _SENT.pattern)
_QUOTES = {"“": "”", "«": "»", "„": "“", "「": "」", "『": "』", "‹": "›", "《": "》"}
_GLOSS = re.compile(r"\s*[(（][^()（）]{1,40}[)）]")
_GLOSS_OPEN = re.compile(r"\s*[(（]\s*")
# Words joining two names into a pair or list ("X和Y", "X or Y", "X와 Y"), on lower-cased text.
_LIST_JOIN = re.compile(r"\s*,?\s*(?:和|与|與|及|或|或者|跟|、|/|&|and|or|y|o|e|ou|et|ou|und|oder|и|или|ve|veya|và|hoặc|dan|atau|nor|noch|ni|né|ни|"
                        r"और|या|و|أو|와|과|や|と|か)?\s*")
_MAX_GAP = 90
_MAX_CUE = 80  # longer than any first-person cue match
_MAX_HEAD = 100  # how far back a leading clause's hearsay or role-play frame is looked for
_CONTEXT = 200
# Bare first-person subject pronouns, for "As X, I ..." openings.
_PRONOUN = re.compile(r"\bi\b|我|私|僕|저는|제가|나는|\bя\b|\bje\b|\bich\b|\byo\b|\beu\b|\bio\b|أنا|मैं|\bben\b|"
                      r"\btôi\b|\bsaya\b|\baku\b", re.IGNORECASE)


@dataclass(frozen=True)
class Claim:
    """One identity claim found in a text.

    Attributes:
        start: offset of the name in the original text.
        end: end offset (exclusive).
        text: the name as written.
        family: the model family named (None when only a maker is named).
        maker: the maker named or implied by the family.
        status: ``asserted`` | ``negated`` | ``reported`` | ``hypothetical``.
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


@dataclass(frozen=True)
class _Entity:
    kind: str  # "f" family | "m" maker
    id: str
    maker: str | None


_FOLD_NEEDED = re.compile("[" + "".join(re.escape(chr(k)) for k in sorted(_FOLD)) + "]")


def fold(text: str) -> str:
    """Offset-preserving normalisation: full-width ASCII to ASCII, odd spaces to space, curly to straight '."""
    # str.translate with a dict costs ~100 ns per character of the whole text; a few str.replace calls, one per
    # distinct character that needs folding, cost almost nothing (most texts need none at all).
    if text.isascii():
        return text
    for ch in set(_FOLD_NEEDED.findall(text)):
        text = text.replace(ch, _FOLD_CHR[ch])
    return text


def _walk(p: str):  # type: ignore[no-untyped-def]
    """Yield ``(index, char, depth, live)`` over a regex; ``live`` is False for escaped and in-class characters."""
    depth, cls, esc = 0, False, False
    for i, ch in enumerate(p):
        live = False
        if esc:
            esc = False
        elif ch == "\\":
            esc = True
        elif cls:
            cls = ch != "]"
        elif ch == "[":
            cls = True
        else:
            live = True
            depth += (ch == "(") - (ch == ")")
        yield i, ch, depth, live


def _split_top(p: str) -> list[str]:
    """Split a regex at its top-level ``|`` (outside groups and classes)."""
    out, start = [], 0
    for i, ch, depth, live in _walk(p):
        if live and ch == "|" and depth == 0:
            out.append(p[start:i])
            start = i + 1
    out.append(p[start:])
    return out


_SPECIAL = set(".^$*+?{}[]\\|()")
_QUANT = ("?", "*", "+", "{")


def _group_end(p: str) -> int:
    """Index of the parenthesis closing the group opened at p[0] (-1 if unbalanced)."""
    return next((i for i, ch, depth, live in _walk(p) if live and ch == ")" and depth == 0), -1)


# Leading word-boundary guards a pattern may start with, and the class of character each forbids before it.
_LEAD = re.compile(r"^(?:\\b|\(\?<!\[A-Za-z0-9\]\)|\(\?<!\[A-Za-z\]\))")
_LEAD_CLASS = {"\\b": r"\w", "(?<![A-Za-z0-9])": "[A-Za-z0-9]", "(?<![A-Za-z])": "[A-Za-z]"}


def _expand(pattern: str) -> list[str]:
    """Top-level alternatives of a regex, with a leading ``(?:a|b)`` or optional ``(?:a|b)?`` group distributed
    over them (``\\b(?:i am|i'm) x`` -> ``\\bi am x``, ``\\bi'm x``), so that each starts with its literal text."""
    out: list[str] = []
    todo = _split_top(pattern)[::-1]
    while todo:
        q = todo.pop()
        m = _LEAD.match(q)
        lead = m.group(0) if m else ""
        body = q[len(lead):]
        if body.startswith("(?:"):
            close = _group_end(body)
            after = body[close + 1 : close + 2]
            if close > 0 and "(?P<" not in body[close + 1 :]:
                if after not in _QUANT:
                    todo += [lead + alt + body[close + 1 :] for alt in _split_top(body[3:close])][::-1]
                    continue
                if after == "?" and body[close + 2 : close + 3] not in ("?", "+"):  # optional: "(?:je )?peux"
                    rest = body[close + 2 :]
                    todo += [lead + alt + rest for alt in [*_split_top(body[3:close]), ""]][::-1]
                    continue
        out.append(q)
    return out


def _literal_prefix(body: str) -> tuple[str, str]:
    """Split a regex into its leading literal text (lower-cased) and the rest."""
    lit: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            if i + 1 >= len(body) or body[i + 1].isalnum():
                break  # a class or assertion such as \s, \d, \b
            ch, width = body[i + 1], 2
        elif ch in _SPECIAL:
            break
        else:
            width = 1
        if body[i + width : i + width + 1] in _QUANT or len(ch.lower()) != 1:
            break  # quantified ("xy?") or changes length when lower-cased
        lit.append(ch.lower())
        i += width
    return "".join(lit), body[i:]


class _Trie:
    """Regex of a trie: branches start with literal characters so that Python's ``re`` can skip ahead to the
    possible first characters and reject a position after one comparison per branch.

    Keys are literal characters (escaped when rendered) or the optional-separator atom ``_SEP``; each path ends
    in one or more leaves (regex text that must follow). Longer paths are tried before a leaf at the same node,
    so the longest name wins.
    """

    def __init__(self) -> None:
        self.root: dict[Any, Any] = {}

    def add(self, atoms: Iterable[str], leaf: str, first_only: bool = False) -> None:
        node = self.root
        for atom in atoms:
            node = node.setdefault(atom, {})
        leaves = node.setdefault(None, [])
        if not (first_only and leaves):
            leaves.append(leaf)

    def __bool__(self) -> bool:
        return bool(self.root)

    def regex(self) -> str:
        def rx(node: dict[Any, Any]) -> str:
            keys = sorted((k for k in node if k is not None), key=lambda k: (k == _SEP, k))
            alts = [(k if k == _SEP else re.escape(k)) + rx(node[k]) for k in keys] + node.get(None, [])
            return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

        return rx(self.root)


def _add_pattern(trie: _Trie, q: str) -> bool:
    r"""Add one alternative (from :func:`_expand`) to ``trie`` as literal prefix + guarded, case-insensitive rest.

    ``\bsome people`` becomes the path ``s,o,m,e, ,p,...`` with the leaf ``(?<!\w[\s\S]{11})``: the word-boundary
    guard is checked behind the literal characters instead of before them. False when ``q`` has no literal start.
    """
    m = _LEAD.match(q)
    lead = m.group(0) if m else ""
    prefix, rest = _literal_prefix(q[len(lead):])
    if not prefix or (lead == "\\b" and not re.match(r"\w", prefix[0])):
        return False
    guard = f"(?<!{_LEAD_CLASS[lead]}[\\s\\S]{{{len(prefix)}}})" if lead else ""
    trie.add(prefix, guard + (f"(?i:{rest})" if rest else ""))
    return True


class _Union:
    r"""One search over many patterns, applied to lower-cased text, as up to four regexes.

    Patterns ``\bfoo...`` that start an ASCII word, as ``(?<!\w)`` + a :class:`_Trie` over their literal
    prefixes (the guard first, so that only word starts are tried: ~3x faster on prose than trying every
    letter); other patterns with a literal start, as a trie (one for ASCII starts, one for the rest, skipped on
    ASCII-only text); the rest as an ordinary case-insensitive alternation. A plain alternation of
    case-insensitive ``\b`` patterns would cost ~50x. Matches of different regexes may overlap.
    """

    def __init__(self, patterns: Iterable[str]) -> None:
        word, other, foreign = _Trie(), _Trie(), _Trie()
        slow: list[str] = []
        for q in (q for pat in patterns for q in _expand(pat)):
            if q.startswith("\\b"):
                prefix, rest = _literal_prefix(q[2:])
                if prefix and prefix[0].isascii() and re.match(r"\w", prefix[0]):
                    word.add(prefix, f"(?i:{rest})" if rest else "")
                    continue
            m = _LEAD.match(q)
            prefix = _literal_prefix(q[len(m.group(0)) if m else 0 :])[0]
            if not _add_pattern(foreign if prefix and not prefix[0].isascii() else other, q):
                slow.append(q)
        self._rxs = [re.compile(r) for r in (
            "(?<!\\w)" + word.regex() if word else "",
            other.regex() if other else "",
            "(?i:" + "|".join(f"(?:{q})" for q in slow) + ")" if slow else "",
        ) if r]
        # Patterns that start with a non-ASCII letter ("我", "私は", "\bменя\b") cannot match ASCII-only text, the
        # usual case for English answers, where that regex is skipped.
        self._foreign = re.compile(foreign.regex()) if foreign else None

    def _regexes(self, s: str, pos: int, endpos: int) -> list[re.Pattern[str]]:
        if self._foreign is None or s[pos:endpos].isascii():
            return self._rxs
        return [*self._rxs, self._foreign]

    def search(self, s: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        e = len(s) if endpos is None else endpos
        best = None
        for rx in self._regexes(s, pos, e):
            m = rx.search(s, pos, e)
            if m is not None and (best is None or m.start() < best.start()):
                best = m
        return best

    def finditer(self, s: str, pos: int = 0, endpos: int | None = None) -> Iterable[re.Match[str]]:
        e = len(s) if endpos is None else endpos
        rxs = self._regexes(s, pos, e)
        if len(rxs) == 1:
            return rxs[0].finditer(s, pos, e)
        out = [m for rx in rxs for m in rx.finditer(s, pos, e)]
        out.sort(key=lambda m: m.start())
        return out


def _add_alias(trie: _Trie, alias: str, marker: str, lower: bool) -> None:
    r"""Add a model name; it ends in an empty named group ``(?P<marker>)`` that tells which name matched.

    Separators inside an alias (space, hyphen, dot, ...) become optional ``[\s\-_·・.]?``; a name ending in a
    Latin letter or digit absorbs a version tag and may not run into a longer Latin word.
    """
    parts = [x for x in re.split(r"[\s\-_·・.]+", fold(alias).strip()) if x]
    if not parts:
        raise InputError(f"Empty alias {alias!r} in the alias table.")
    atoms: list[str] = []
    for k, part in enumerate(parts):
        if k:
            atoms.append(_SEP)
        atoms += part.lower() if lower else part
    tail = f"(?i:{_VERSION})(?![A-Za-z])" if _LATIN.match(parts[-1][-1]) else ""
    trie.add(atoms, f"(?P<{marker}>)" + tail, first_only=True)


def load_aliases(path: str | Path | None = None) -> dict[str, Any]:
    """The alias table (families and makers) as a dict; see ``data/aliases.yaml`` for its format."""
    p = Path(path) if path else DATA / "aliases.yaml"
    try:
        table = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise InputError(f"Cannot read alias table {p}: {e}") from e
    for key in ("families", "makers"):
        if not isinstance(table.get(key), dict):
            raise InputError(f"Alias table {p} needs a '{key}' mapping.")
    for fid, f in table["families"].items():
        if f.get("maker") not in table["makers"]:
            raise InputError(f"Family {fid!r} in {p} names unknown maker {f.get('maker')!r}.")
    return table


def _cue_regex(patterns: Iterable[str]) -> re.Pattern[str]:
    pats = list(patterns)
    if not pats:
        return re.compile(r"(?!x)x")
    return re.compile("|".join(f"(?:{p})" for p in pats), re.IGNORECASE)


class ClaimExtractor:
    """Compiled alias table + cue lexicon. Reuse one instance: building it takes milliseconds, extracting
    microseconds.

    Args:
        aliases: alias table path (default: the shipped ``data/aliases.yaml``).
        extra_families: ad-hoc families ``{id: [alias, ...]}``, e.g. the declared name of the model under test
            (``{"aster": ["Aster"]}``), so that its own name counts as a claim too.
    """

    def __init__(self, aliases: str | Path | None = None,
                 extra_families: Mapping[str, Sequence[str]] | None = None) -> None:
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
        self._groups: dict[str, tuple[_Entity, bool]] = {}  # marker -> (entity, starts with a Latin letter)
        self._exclude: dict[str, re.Pattern[str]] = {}
        lit: list[tuple[str, str]] = []
        exact: list[tuple[str, str]] = []
        pats: list[str] = []
        for kind, items in (("f", self.families), ("m", self.makers)):
            for ident, spec in items.items():
                ent = _Entity(kind, ident, spec.get("maker") if kind == "f" else ident)
                for field, dest in (("aliases", lit), ("exact", exact)):
                    for a in spec.get(field) or []:
                        marker = f"g{len(self._groups)}"
                        self._groups[marker] = (ent, bool(_LATIN.match(fold(a).strip()[:1])))
                        dest.append((a, marker))
                for p in (q for pat in spec.get("patterns") or [] for q in _expand(pat)):
                    marker = f"g{len(self._groups)}"  # one per alternative: a group name may occur only once
                    self._groups[marker] = (ent, bool(_LATIN.match(p[:1])))
                    pats.append(f"{p}(?P<{marker}>)")
                if spec.get("exclude"):
                    for marker, (e, _) in self._groups.items():
                        if e == ent:
                            self._exclude[marker] = re.compile("|".join(spec["exclude"]))
        # Names are found with one trie regex per kind: names starting with an ASCII character (lower-cased text,
        # tried only where no letter or digit precedes: ~30% faster than trying every letter), names in other
        # scripts (skipped for ASCII-only text) and case-sensitive names. Alias patterns with a literal start
        # join the first; a regex per first letter, or an Aho-Corasick automaton (pyahocorasick) for the first
        # words, measured no faster than these tries.
        ascii_trie, other_trie, exact_trie = _Trie(), _Trie(), _Trie()
        for a, marker in lit:
            _add_alias(ascii_trie if fold(a).strip()[:1].isascii() else other_trie, a, marker, lower=True)
        slow_pats = [q for q in pats if not _add_pattern(ascii_trie, q)]  # (before the case-sensitive names:
        # at a shared node the first leaf wins, and "gemma-2" must not be lost to "Gemma" failing its case check)
        # Case-sensitive names ("Yi", "Step") join the ASCII trie too, lower-cased, and a hit is then checked
        # against the case-sensitive regex at that place: one scan of the text fewer.
        self._exact_markers: set[str] = set()
        for a, marker in exact:
            _add_alias(exact_trie, a, marker, lower=False)
            if fold(a).strip()[:1].isascii():
                _add_alias(ascii_trie, a, marker, lower=True)
                self._exact_markers.add(marker)
        self._exact_names = re.compile(exact_trie.regex()) if exact_trie else None
        exact_elsewhere = any(fold(a).strip()[:1].isascii() is False for a, _ in exact)
        # (scan regex, on lower-cased text, only for text with non-ASCII characters)
        self._name_scans: list[tuple[re.Pattern[str], bool, bool]] = []
        if ascii_trie:
            self._name_scans.append((re.compile("(?<![a-z0-9])" + ascii_trie.regex()), True, False))
        if other_trie:
            self._name_scans.append((re.compile(other_trie.regex()), True, True))
        if exact_elsewhere and self._exact_names is not None:
            self._name_scans.append((self._exact_names, False, False))
        if slow_pats:
            self._name_scans.append((re.compile("|".join(slow_pats), re.IGNORECASE), True, False))
        cues = yaml.safe_load((DATA / "cues.yaml").read_text(encoding="utf-8"))
        flat = {role: [p for pats in langs.values() for p in pats] for role, langs in cues.items()}
        self._self = _Union(flat["self"])
        self._neg = _Union(flat["neg"])
        self._contrast = _Union(flat["contrast"])
        self._reported = _Union(flat["reported"])
        self._hypo = _Union(flat["hypo"])
        self._mention = _Union(flat["mention"])
        self._qualifier = _Union(flat["reported"] + flat["hypo"] + flat["neg"])  # any of the three
        self._frame = _Union(flat["frame"])
        self._head_cue = _Union(flat["reported"] + flat["frame"])  # either, in one scan
        self._config = _Union(flat["config"])
        self._roleplay_lead = _cue_regex(flat["roleplay_lead"])
        self._contrast_lead = re.compile(
            r"\s*(?:" + "|".join(f"(?:{p})" for p in flat["contrast_lead"]) + r")", re.IGNORECASE)
        # The cues anchored right after a name, in priority order, as one regex: the first branch that matches wins.
        # Text after a name is mostly ASCII, where cues without any Latin letter, many of them scans such as
        # "[^。]{0,20}?可能性", cannot match: a second regex without them costs ~half.
        def post_regex(ascii_text: bool) -> re.Pattern[str]:
            pats = {role: [p for p in flat[role] if not ascii_text or _has_latin_literal(p)]
                    for role in _POST_ROLES if flat.get(role)}
            return re.compile("|".join(f"(?P<{role}>" + "|".join(f"(?:{p})" for p in ps) + ")"
                                       for role, ps in pats.items() if ps), re.IGNORECASE)

        self._post = post_regex(False)
        self._post_latin = post_regex(True)
        self._conj = _cue_regex(flat["conjunction"])
        self._as = _cue_regex(flat["as"])
        self._complement = _cue_regex(flat["complement"])
        self._other = _cue_regex(flat["other"])
        self._scene = _Union(flat["scene"])
        self._scene_exit = _Union(flat["scene_exit"])
        self._offer = _Union(flat["offer"])
        self._mention_verb = _Union(flat["mention_verb"])
        self._refusal = _Union(flat["refusal"])
        self._unrestricted = _Union(flat["unrestricted"])
        self._neg_end = _Union(flat["neg_end"])
        self._echo = _Union(flat["echo"])
        self._echo_no = _cue_regex(flat["echo_no"])
        self._echo_yes = _cue_regex(flat["echo_yes"])
        self._topic = _Union(flat["topic"])
        self._other_speaker = _Union(flat["other_speaker"])
        self._subject_next = _cue_regex(flat["subject_next"])
        self._neg_resume = _Union(flat["neg_resume"])
        self._base_topic = _Union(flat["base_topic"])
        self._quoted_question = _cue_regex(flat["quoted_question"])
        self._role_after = _Union(flat["role_after"])
        self._template = _Union(flat["template"])
        self._translation = _Union(flat["translation"])
        self._user_text = _Union(flat["user_text"])
        self._neg_key = _cue_regex(flat["neg_key"])
        self._many_others = _Union(flat["many_others"])
        self._meta_source = _cue_regex(flat["meta_source"])
        self._pro_drop = _Union(flat["pro_drop"])
        self._as_post = _cue_regex(flat["as_post"])
        self._backstage = _Union(flat["backstage"])
        self._meta_key = re.compile("(?:" + "|".join(flat["meta_key"]) + r")\s*$", re.IGNORECASE)
        self._api_call = _cue_regex(flat["api_call"])
        self._made_by_before = re.compile("(?:" + "|".join(flat["made_by_before"]) + r")\s*$", re.IGNORECASE)
        self._made_by_lead = re.compile("(?:" + "|".join(flat["made_by_before"]) + ")", re.IGNORECASE)
        self._made_by_after = _cue_regex(flat["made_by_after"])
        self._profile_head = _Union(flat["profile_head"])
        self._profile_field = re.compile(
            r"[\s>*_#|•–-]*(?:" + "|".join(f"(?:{p})" for p in flat["profile_field"]) + r")[*_\s]*[:：][*_\s]*$",
            re.IGNORECASE)

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

    def mentions(self, text: str) -> list[tuple[int, int, _Entity]]:
        """Every alias occurrence (start, end, entity), claim or not."""
        t = fold(text)
        return self._mentions(t, _lower(t))

    def _mentions(self, t: str, tl: str) -> list[tuple[int, int, _Entity]]:
        hits: list[re.Match[str]] = []
        ascii_only = tl.isascii()
        for rx, lower, non_ascii in self._name_scans:
            if not (non_ascii and ascii_only):
                hits += rx.finditer(tl if lower else t)
        if self._exact_markers and hits:
            checked = []
            for m in hits:
                if m.lastgroup in self._exact_markers:
                    m = self._exact_names.match(t, m.start())  # type: ignore[union-attr]
                    if m is None:
                        continue  # "step", "yi" in lower case are words, not names
                checked.append(m)
            hits = checked
        if not hits:
            return []
        hits.sort(key=lambda m: (m.start(), -m.end()))
        out = []
        last_end = -1
        for m in hits:
            a, b = m.start(), m.end()
            if a < last_end:
                continue  # overlaps a longer or earlier name
            marker = m.lastgroup or ""
            ent, latin_start = self._groups[marker]
            if latin_start and a > 0 and _LATIN.match(t[a - 1]):
                continue
            ex = self._exclude.get(marker)
            if ex is not None and ex.match(t, a):
                continue
            out.append((a, b, ent))
            last_end = b
        return out

    def extract(self, text: str) -> list[Claim]:
        """All identity claims in ``text``, in order of appearance."""
        if not isinstance(text, str):
            raise InputError(f"extract() needs a string, got {type(text).__name__}.")
        t = fold(text)
        tl = _lower(t)
        found = self._mentions(t, tl)
        if not found:
            return []
        quotes = _quote_spans(t)
        starts = [a for a, _, _ in found]
        family_starts = [a for a, _, e in found if e.kind == "f"]
        claims: list[Claim] = []
        prev: tuple[int, _Entity, tuple[str, str] | None] | None = None  # (end, entity, result) of the last name
        claimed: dict[int, int] = {}  # start -> end of the names found to be claims so far
        for a, b, ent in found:
            if prev is not None:
                between = t[prev[0]:a]
                if prev[1].id == ent.id and _GLOSS_OPEN.fullmatch(between):
                    continue  # a gloss of the same name: "文心一言（ERNIE Bot）", "어니봇(ERNIE Bot)"
                if _LIST_JOIN.fullmatch(tl, prev[0], a):
                    res = prev[2]  # "X和Y", "X or Y": the second name of a pair shares the first one's fate
                    prev = (b, ent, res)
                    if res is not None:
                        claimed[a] = b
                    if res is not None:
                        family = ent.id if ent.kind == "f" else None
                        claims.append(Claim(a, b, text[a:b], family, ent.maker, res[0],
                                            self.label_of(family, ent.maker), res[1] + "+list"))
                    continue
            # Context is the sentence, capped at _CONTEXT characters each side: claims are local, and the cap keeps
            # run-on text (lists, missing punctuation) from costing quadratic time. Sentence ends are looked for
            # only there (the search runs one past the name's start so that "x.Claude" is not a sentence end).
            s0 = max(a - _CONTEXT, 0)
            for m in _SENT.finditer(t, s0, a + 1):
                if m.end() <= a:
                    s0 = m.end()
            m = _SENT.search(t, a + 1, b + _CONTEXT)
            s1 = m.end() if m else min(len(t), b + _CONTEXT)
            res = self._status(tl, a, b, s0, s1, quotes, starts, family_starts, claimed)
            prev = (b, ent, res)
            if res is not None:
                claimed[a] = b
            if res is None:
                continue
            status, cue = res
            family = ent.id if ent.kind == "f" else None
            claims.append(Claim(a, b, text[a:b], family, ent.maker, status, self.label_of(family, ent.maker), cue))
        claims = self._signature(claims, found, t, text)
        if claims:
            claims = self._apply_scenes(claims, tl)
            claims = self._drop_foreign_makers(claims, t)
            claims = _drop_denied_mentions(claims)
        return _merge_makers(claims, t)

    def _signature(self, claims: list[Claim], found: list[tuple[int, int, _Entity]], t: str,
                   text: str) -> list[Claim]:
        """A sign-off on the last line ("— Claude", "クロード（Anthropic）より") is the speaker naming itself."""
        end = len(t.rstrip())
        l0 = t.rfind("\n", 0, end) + 1
        if not (0 < l0 and end - l0 <= 60 and _SIGNATURE.match(t, l0, end)) or found[-1][0] < l0:
            return claims
        p0 = t.rfind("\n", 0, max(0, l0 - 1)) + 1
        if _LIST_ITEM.match(t, p0, l0):
            return claims  # the last item of a list ("- Qwen2.5\n- Gemma 2"), not a sign-off
        have = {c.start for c in claims}
        new = [Claim(a, b, text[a:b], e.id if e.kind == "f" else None, e.maker, "asserted",
                     self.label_of(e.id if e.kind == "f" else None, e.maker), "signature")
               for a, b, e in found if a >= l0 and a not in have]
        return sorted(claims + new, key=lambda c: c.start) if new else claims

    def _apply_scenes(self, claims: list[Claim], tl: str) -> list[Claim]:
        """Claims made after a role-play or game set-up ("Let's play! ... For this game I'm Grok") are
        hypothetical until a ``scene_exit`` cue ("out of character", "actually") steps out of it. A set-up with a
        negation or an offer in its clause ("I can't role-play as ChatGPT", "I can play Gemini if you like")
        opens nothing."""
        opens = []
        for m in self._scene.finditer(tl, 0, claims[-1].start):
            c0 = 0
            for b in _CLAUSE_OR_SENT.finditer(tl, max(0, m.start() - _MAX_HEAD), m.start()):
                c0 = b.end()
            e = _CLAUSE_OR_SENT.search(tl, m.end())
            c1 = e.start() if e else len(tl)
            e = _SENT.search(tl, m.end())
            s1 = e.start() if e else len(tl)
            if self._neg.search(tl, c0, c1) or self._offer.search(tl, c0, c1) or self._refusal.search(tl, c0, s1):
                continue
            opens.append(m.end())
        if not opens:
            return claims
        exits = [m.start() for m in self._scene_exit.finditer(tl, opens[0], claims[-1].start)]
        out = []
        for c in claims:
            if c.status in ("asserted", "reported"):
                i = bisect.bisect_right(opens, c.start) - 1
                if i >= 0 and not any(opens[i] <= x < c.start for x in exits):
                    c = replace(c, status="hypothetical", cue="scene")
            out.append(c)
        return out

    def _drop_foreign_makers(self, claims: list[Claim], t: str) -> list[Claim]:
        """A maker reached only through a chain of appositions, after the speaker claimed a family of another maker
        in that sentence, describes something else ("je suis Claude, conçu par Anthropic, une entreprise fondée par
        d'anciens salariés d'OpenAI"), unless it is named as the maker right there ("I am Claude, a model developed
        by OpenAI": a distilled model's telltale mix)."""
        out = []
        for c in claims:
            if c.family is None and c.cue == "apposition" and any(
                    o.family and o.status == "asserted" and o.maker != c.maker and o.start < c.start
                    and not _sentence_break(t, o.end, c.start) for o in claims) \
                    and not self._made_by_before.search(t, max(0, c.start - 40), c.start) \
                    and not self._made_by_after.match(t, c.end, min(len(t), c.end + 30)):
                continue
            out.append(c)
        return out

    def extract_many(self, texts: Iterable[str]) -> list[list[Claim]]:
        return [self.extract(x) for x in texts]

    # ------------------------------------------------------------------------------------------------
    def _status(self, t: str, a: int, b: int, s0: int, s1: int, quotes: list[tuple[int, int]],
                starts: list[int], family_starts: list[int], claimed: dict[int, int]) -> tuple[str, str] | None:
        res = self._card(t, a, b, s1)
        if res is _GO_ON:
            for qs, qe in quotes:
                if qs <= a and b <= qe:
                    res = self._quoted(t, a, b, s0, s1, qs, qe, starts)
                    break
        if res is _GO_ON:
            res = self._answer_card(t, a, b)
        if res is not _GO_ON:
            return res  # type: ignore[return-value]
        echo = self._echo.search(t, max(s0, a - 120), a)
        if echo is not None and not _ANSWERED.search(t, echo.end(), a):  # (else the answer came before the name)
            # "You asked whether I'm GPT-4 — I'm not": the user's question echoed; the answer after it decides.
            m = _CLAUSE_OR_SENT.search(t, b, min(len(t), b + 80))
            return self._answer_after(t, m.end() if m else b)
        # Clause around the name.
        c0 = s0
        for m in _CLAUSE.finditer(t, s0, a):
            c0 = m.end()
        for m in self._contrast.finditer(t, c0, a):  # (one ending before the clause start changes nothing)
            c0 = max(c0, m.end())
        m = self._contrast_lead.match(t, c0, a)  # "actually" opening the clause; mid-clause it is hearsay's
        if m:
            c0 = m.end()
        gloss = _GLOSS.match(t, b, s1)  # skip "(ERNIE Bot)" after the name
        bb = gloss.end() if gloss else b
        while bb < s1 and t[bb] in _CLOSE_QUOTES:  # and a closing quote: 「Kimi」として設定
            bb += 1
        m_end = _CLAUSE.search(t, bb, s1)
        c1 = m_end.start() if m_end else s1
        left = t[c0:a]
        right = t[bb:c1]
        if self._mention_verb.search(left):
            return None  # "Für den Einstieg empfehle ich Phi-3", "我推荐你用Qwen": recommended, not claimed
        if self._roleplay_lead.match(left):
            return "hypothetical", "roleplay_lead"  # "Okay, playing Grok for this game: ..."
        if right.strip() in ("도", "も") and m_end is not None:
            right = t[bb:s1]  # "Claude도, Gemini도 아니고": the verb after the last of the list decides
        post = None if not right or right.isspace() else (  # (no cue matches blank text)
            self._post_latin if right.isascii() else self._post).match(right)
        kind = post.lastgroup if post else None
        if kind == "neg_post":
            return "negated", "neg_post"
        if kind == "mention_post" and not self._backstage.search(left):
            i = bisect.bisect_right(starts, a)
            if not (i < len(starts) and _OR_JOIN.fullmatch(t, b, starts[i])):
                return None  # (but "基于Qwen或者Llama" is a pair of names, not "Qwen或其他")
        if (kind == "subject_post" or (m_end and not right.strip() and self._subject_next.match(t, m_end.start(), s1))) \
                and not self._ends_with_self(left):
            return None  # "文心一言是百度的产品", "ChatGPT, c'est le produit d'OpenAI": the name is a subject
        if kind == "hypo_post":
            return "hypothetical", "hypo_post"
        if kind == "reported_post":
            return "reported", "reported_post"
        # "Gemini는 구글이 개발한 모델": a cue after a name that follows a model's name in its clause is about that
        # model (a maker before the name is fine: "Anthropic社のClaudeです").
        self_post = kind == "self_post" and \
            bisect.bisect_left(family_starts, c0) == bisect.bisect_left(family_starts, a)
        selfs = list(self._self.finditer(left))
        if not selfs and self._backstage.search(t, s0, a) and not self._many_others.search(t, s0, s1):
            # "Nos bastidores, uso o modelo X", "Arka planda X çalışıyor": the speaker's engine (but not "many bots
            # use X behind the scenes")
            selfs = list(self._backstage.finditer(left)) or [_NO_CUE]
        if self_post and not selfs and self._topic.search(left):
            self_post = False  # "多くのモデルはLlamaをベースにしています": the copula is the topic's
        after = ""
        if not selfs and not self_post and (self._as.match(left) or self._as_post.match(right)
                                            or (c0 > s0 and self._as.match(t[s0:c0]))):
            # "As X, (..., ) I ...", "X olarak ... görüşlerim yok": the rest of the sentence counts
            after = self._speaker_follows(t, bb, s1)
        apposition = False
        if selfs or self_post or after:
            window, w0 = left, c0
        else:
            # Appositive or list clause: inherit the first-person cue from earlier in the sentence.
            if c0 == s0 or self._conj.match(left) or self._other.match(left):
                return self._guess(t, a, s0, s1)
            if bisect.bisect_left(starts, c0) < bisect.bisect_left(starts, a):  # another name opens this clause
                return None
            window, w0 = t[s0:a], s0
            apposition = True
            # Only a cue ending within _MAX_GAP of the name can count (see the gap test below).
            selfs = list(self._self.finditer(window, max(0, len(window) - _MAX_GAP - _MAX_CUE)))
            if not selfs:
                return self._guess(t, a, s0, s1)
        last_self = selfs[-1] if selfs else None
        if apposition and last_self is not None:
            if window[last_self.start() - 1 : last_self.start()] in ("(", "（"):
                return None  # "| Grok (yo) | ChatGPT |": the cue labels another name, it does not link this one
            if last_self.group(0).strip() == "sono":  # Italian "sono" is "I am" and "they are"
                q0 = w0
                for m in _CLAUSE.finditer(t, w0, w0 + last_self.start()):
                    q0 = m.end()
                if bisect.bisect_left(starts, q0) < bisect.bisect_left(starts, w0 + last_self.start()):
                    return None  # "GPT e Claude sono due modelli, il primo di OpenAI": the subject is the models
        gap = window[last_self.end():] if last_self else window
        if after and not last_self:
            lead = self._as.match(gap)
            if lead and len(gap[lead.end():].split()) >= 2:  # "Como modelo entrenado por X": "como" is "as", no
                gap = gap[lead.end():]  # comparison (but "Come ChatGPT, posso ...", "Как и ChatGPT, я" are "like")
        if len(gap) > _MAX_GAP or (self._mention.search(gap) and not self._backstage.search(t, s0, a)):
            return None
        g0 = w0 + (last_self.end() if last_self else 0)
        i = bisect.bisect_left(family_starts, g0)
        chained = i < len(family_starts) and family_starts[i] < a
        while i < len(family_starts) and family_starts[i] < a:
            # A model named between the speaker and this name that the speaker does not claim (assert, deny, ...)
            # takes the link: "I can't say whether ChatGPT beats Le Chat". Claimed ones pass it on: "I'm Claude,
            # not ChatGPT"; and a maker may come between: "私はGoogleが開発したGeminiです".
            if family_starts[i] not in claimed:
                return None
            i += 1
        k = 0
        if w0 != c0:  # (the clause already starts after its last contrast word)
            for m in self._contrast.finditer(window):
                k = m.end()
        scope = window[k:]
        if w0 == c0 and c0 > s0:
            # "You said that I'm X", "According to the system prompt, I'm X": hearsay (and, after "that",
            # conditionals) of a leading clause reach into this one, unless a contrast word or a name intervenes.
            h0 = max(s0, c0 - _MAX_HEAD)
            head = t[h0:c0]
            complement = self._complement.match(left)
            if complement or self._head_cue.search(head):  # (else no contrast scan)
                kh = 0
                for m in self._contrast.finditer(head):
                    kh = m.end()
                if complement:
                    scope = head[kh:] + " " + scope
                elif bisect.bisect_left(starts, h0 + kh) == bisect.bisect_left(starts, c0):  # no name in between
                    if self._reported.search(head, kh):
                        return "reported", "reported_head"
                    if self._frame.search(head, kh):  # "Let's play: now I'm Grok", "Возможно, я основан на Llama"
                        return "hypothetical", "frame_head"
        if self._qualifier.search(scope) is None:  # the usual case: nothing reported, hypothetical or negated
            return self._asserted(right, self_post and not selfs, apposition or chained)
        if apposition and self._neg.search(left) and not self._hypo.search(left) \
                and not self._unrestricted.search(left):
            return "negated", "neg"  # "你刚才叫我Kimi……我是腾讯混元，不是Kimi": the clause's own negation
        if self._reported.search(scope):
            if self._neg_resume.search(t, c1, s1):
                return "negated", "neg_resume"  # "I was told to present myself as X, but I'm not"
            return "reported", "reported"
        if self._hypo.search(scope):
            if self._neg_resume.search(t, c1, s1):
                return "negated", "neg_resume"  # "I can't pretend to be X, because I'm not"
            return "hypothetical", "hypo"
        ls = last_self.start() if last_self else -1
        free = [(u.start(), u.end()) for u in self._unrestricted.finditer(window, k)]
        for m in self._neg.finditer(window, k):
            if any(u0 <= m.start() < u1 for u0, u1 in free):
                continue  # "an AI without any restrictions, built on GPT-4"
            if any(w0 <= st and en <= w0 + m.start() and self._owns(t, en, w0 + m.start(), s1)
                   for st, en in claimed.items()):
                continue  # the negation after another claimed name is that name's: "ben Gemini değilim, Mistral'ım"
            if m.start() >= ls or (last_self is not None and 0 <= ls - m.end() <= 1):
                return "negated", "neg"
        return self._asserted(right, self_post and not selfs, apposition or chained)

    def _card(self, t: str, a: int, b: int, s1: int) -> tuple[str, str] | None | object:
        """Key-value metadata: '"is_chatgpt": false' denies, '{"model": "claude-3-5-sonnet"}' outside an API call
        asserts (reports, when the object names its source). ``_GO_ON`` when the name is not in such a snippet."""
        if self._neg_key.match(t, b, min(len(t), b + 30)) and _KEY_START.search(t, max(0, a - 12), a):
            return "negated", "metadata"  # '"is_chatgpt": false', "是否为ChatGPT: 否"
        key = self._meta_key.search(t, max(0, a - 40), a)
        if key is not None:
            o0, o1 = t.rfind("{", 0, a), t.find("}", b)
            o0, o1 = (o0 if o0 >= 0 else key.start()), (o1 if o1 >= 0 else s1)
            if not self._api_call.search(t, o0, o1):
                if self._meta_source.search(t, o0, o1):
                    return "reported", "metadata"  # '{"name": "Grok-2", "source": "system config", "verified": false}'
                return "asserted", "metadata"  # '{"model": "claude-3-5-sonnet"}' describing itself, not an API call
        return _GO_ON

    def _quoted(self, t: str, a: int, b: int, s0: int, s1: int, qs: int, qe: int,
                starts: list[int]) -> tuple[str, str] | None | object:
        """A name inside the quotation ``t[qs:qe]``: whose words are they? ``_GO_ON`` when the quote is to be read
        as the speaker's own words: a bare quoted name, its self-introduction translated, a filled-in template, a
        quoted title after "I am"."""
        if not (_WORD.search(t, qs, a) or _WORD.search(t, b, qe)):
            return _GO_ON  # the quote is the bare name: 「Kimi」として
        inner = t[qs:qe]
        before = t[s0:max(s0, qs - 1)]
        if self._other_speaker.search(t, max(0, qs - 150), qs):
            return None  # the user's words, another bot's answer
        if self._translation.search(t, qe + 1, min(len(t), qe + 12)) \
                or _ARROW.search(t, max(0, qs - 150), qs) or _ARROW.match(t, qe + 1, min(len(t), qe + 8)):
            return None  # a given text translated: 「I'm Claude」の日本語訳は, "A" → "B"
        tr = None
        for tr in self._translation.finditer(t, max(0, qs - 150), qs):
            pass
        first_person = self._self.search(inner) is not None
        if tr is not None:
            if self._user_text.search(t, max(0, qs - 150), qs) \
                    or any(ch in _CLOSE_QUOTES for ch in t[max(0, tr.start() - 3) : tr.start()]):
                return None  # "the translation of your message: ...", 「A」の日本語訳は「B」
            if first_person:
                return _GO_ON  # its own introduction translated: "Here's my intro in Spanish: «Hola, soy X»"
        if "?" in inner and (self._quoted_question.match(inner) or (inner.rstrip().endswith("?") and not first_person)):
            # The user's question ("Are you X?"): the answer after it decides, or hearsay around it.
            return self._answer_after(t, qe + 1) or (
                ("reported", "quote_reported") if self._reported.search(t, qe + 1, min(len(t), qe + 41)) else None)
        if first_person:  # somebody's first-person words; in role-play, pretend words
            role = self._hypo.search(before) or self._scene.search(t, max(0, qs - _CONTEXT), qs) \
                or self._role_after.search(t, qe + 1, min(len(t), qe + 1 + _CONTEXT))
            if role:
                # lines of a role-play set up before the quote ("I'll play Grok: '...'"), or called one after it
                return "hypothetical", "quote_hypo"
            if self._template.search(t, max(0, qs - 60), qs):
                return _GO_ON  # a template the speaker fills in with its own answer: 'Completed: "I am Grok"'
            if bisect.bisect_left(starts, s0) < bisect.bisect_left(starts, qs) and not self._self.search(before):
                return None  # another model's words: 'ChatGPT once replied "I am ChatGPT"'
            return "reported", "quote"
        # A quoted second-person identity ("You are X"): reported when introduced as hearsay or as the speaker's
        # configuration ("My system prompt says: ...", "「ChatGPTでしょ？」と言われます"), else somebody else's text,
        # unless the speaker names itself with a quoted title ('da adesso sono “Llama, l'assistente”').
        if self._reported.search(before) or self._config.search(before) \
                or self._reported.search(t, qe + 1, min(len(t), qe + 41)) or self._config.search(t, qe + 1, s1):
            return "reported", "quote_reported"
        return _GO_ON if self._ends_with_self(before) else None

    def _answer_card(self, t: str, a: int, b: int) -> tuple[str, str] | object:
        """An answer that is the name ("Qwen2.5-72B-Instruct.", "Le Chat, by Mistral AI.") or a profile card
        ("## About me\n- **Name:** Claude", or a card from the answer's first line). ``_GO_ON`` otherwise."""
        if _WORD.search(t, 0, a) is None:
            sep = _LEAD_SEP.match(t, b)
            if _BARE_TAIL.fullmatch(t, b) or (sep and (self._made_by_lead.match(t, sep.end())
                                                       or _FIELD_NEXT.match(t, sep.end()))):
                return "asserted", "bare"
        line0 = t.rfind("\n", 0, a) + 1
        if a - line0 <= 40 and self._profile_field.match(t, line0, a) and (
                self._profile_head.search(t, max(0, line0 - 300), line0)
                or all(_FIELD_LINE.match(ln) or _FENCE.fullmatch(ln) for ln in t[:line0].splitlines() if ln.strip())):
            end = t.find("\n\n", a)  # (hearsay when the card names its source: "source: system_prompt")
            return ("reported" if self._meta_source.search(t, line0, end if end >= 0 else len(t)) else "asserted",
                    "profile")
        return _GO_ON

    def _owns(self, t: str, end: int, neg: int, s1: int) -> bool:
        """Whether the negation at ``neg`` is the verb-final negation of the name ending at ``end``."""
        post = (self._post_latin if t[end:s1].isascii() else self._post).match(t[end:s1])
        return post is not None and post.lastgroup == "neg_post" and neg < end + post.end()

    def _answer_after(self, t: str, p: int) -> tuple[str, str] | None:
        """The yes or no answering a question that ends before ``p`` (at the start of the text after it, or of
        its next clause: '"Llama or Qwen?" you asked: neither.')."""
        for k in range(2):
            seg = t[p : p + 60]
            if self._echo_no.match(seg):
                return "negated", "echo_no"
            if self._echo_yes.match(seg):
                return "asserted", "echo_yes"
            m = _CLAUSE_OR_SENT.search(t, p, min(len(t), p + 40)) if k == 0 else None
            if m is None:
                break
            p = m.end()
        return None

    def _guess(self, t: str, a: int, s0: int, s1: int) -> tuple[str, str] | None:
        """A hedged name in a sentence without a first-person cue, right after the speaker said it does not know
        its own base model or is unsure ("I'm not sure what my base model is. Maybe Llama, maybe Qwen.", "No
        estoy seguro. Podría ser un derivado de Mistral.") is a guess about the speaker: hypothetical. Otherwise the
        name is no claim."""
        if self._hypo.search(t, s0, min(s1, a + 40)) and self._base_topic.search(t, max(0, s0 - 2 * _CONTEXT), a):
            return "hypothetical", "guess"
        return None

    def _ends_with_self(self, left: str) -> bool:
        """Whether ``left`` ends in a first-person cue ("I'm ", "我是", "sono "), possibly followed by a one- or
        two-character CJK copula, i.e. the name right after it is what the speaker says it is."""
        tail = left.rstrip()
        last = None
        for last in self._self.finditer(tail, max(0, len(tail) - _MAX_CUE)):
            pass
        if last is None:
            return False
        rest = tail[last.end():]  # a copula the cue leaves out: 我|是, 私|は, "my name| is"
        return not rest or _COPULA.fullmatch(rest) is not None or (
            len(rest) <= 2 and all("\u3040" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af" for ch in rest))

    def _asserted(self, right: str, by_post: bool, apposition: bool) -> tuple[str, str]:
        """Asserted, unless a verb-final clause ends in a negation ("메타에서 만든 모델이 아닙니다"). ``apposition``:
        the link to the speaker is indirect (an appositive clause, or another claimed name in between)."""
        if self._neg_end.search(right):
            return "negated", "neg_end"
        return "asserted", "self_post" if by_post else "apposition" if apposition else "self"

    def _speaker_follows(self, t: str, c1: int, s1: int) -> str:
        """The text from ``c1`` (the end of the name) to the end of the first of the next two clauses that has a
        first-person cue or a first-person verb of a pro-drop language ("As Llama 3.1, an open model by Meta, I
        can't ...", "Como modelo entrenado por Anthropic, procuro ..."), or "" if neither has one."""
        start = c1
        for _ in range(2):
            m = _CLAUSE.search(t, start + 1, s1)
            end = m.start() if m else s1
            nxt = t[start:end]
            if self._self.search(nxt) or _PRONOUN.search(nxt) or self._pro_drop.search(nxt):
                return t[c1:end]
            if not m:
                break
            start = end
        return ""


_ANSWERED = re.compile(r"[:：;—]")
_KEY_START = re.compile(r"(?:[\"'](?:is_|es_|est_|ist_|e_|apakah_|la_)?|(?:^|\n)[\s*•-]*(?:is_|es_|est_|ist_|e_|apakah_|la_|是否为|是否為))$")
_ARROW = re.compile(r"\s*(?:→|->|=>)")
_GO_ON = object()  # a rule's "not decided here" (None already means "no claim")
_NO_CUE = re.compile("").match("")  # an empty match standing for a first-person link found without a cue word
_LEAD_SEP = re.compile(r"\s*[,.。，]\s*")  # "Le Chat, by Mistral AI." / "DeepSeek-V3. Разработчик — DeepSeek."
_FIELD_NEXT = re.compile(r"[^\W\d_][^\n.:：—–]{0,25}\s*(?:[:：]|—|–)|(?:by|par|von|por|pela|pelo|da|от|由)\s", re.IGNORECASE)
_FENCE = re.compile(r"\s*```[\w-]*\s*")  # a code fence line: ```yaml
_FIELD_LINE = re.compile(r"[\s>*_#|•–-]*[^:：\n]{1,40}[:：]")
_POST_ROLES = ("neg_post", "hypo_post", "reported_post", "mention_post", "self_post", "subject_post")


def _has_latin_literal(pattern: str) -> bool:
    """Whether a regex mentions a Latin letter outside escapes and character classes (else it cannot match
    ASCII-only text, if it needs any literal at all)."""
    return re.search(r"[A-Za-z]", re.sub(r"\\.|\[(?:\\.|[^\]])*\]|\(\?[:=!<P]*(?:<[a-z_]+>)?", "", pattern)) is not None
_WORD = re.compile(r"\w")
# What may follow the name in an answer that is only the name (a question mark makes it a question back).
_BARE_TAIL = re.compile(r"[^\w?？]*(?:(?:at your service|here|speaking|à votre service|ici|hier|qui|aquí|a su servicio|aqui|"
                        r"ao seu dispor|です|でございます|입니다|이에요|예요|だよ|在此)[^\w?？]*)?", re.IGNORECASE)
_OR_JOIN = re.compile(r"\s*(?:或者|或是|或)\s*")
_COPULA = re.compile(r"\s*(?:is|was|ist|war|est|es|é|è|era|это|:|—)", re.IGNORECASE)


def _lower(t: str) -> str:
    """Lower-case without changing length (a few characters, like U+0130, lower-case to two)."""
    tl = t.lower()
    if len(tl) != len(t):
        tl = "".join(c if len(c.lower()) != 1 else c.lower() for c in t)
    return tl


_QUOTE_OPEN = re.compile("[" + "".join(_QUOTES) + '"]')


def _quote_spans(t: str) -> list[tuple[int, int]]:
    if not _QUOTE_OPEN.search(t):
        return []
    spans = []
    for o, c in _QUOTES.items():
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


_LIST_ITEM = re.compile(r"\s*(?:[-*•]|\d+[.)])\s")
_SIGNATURE = re.compile(r"\s*(?:[—–~]|--?)\s*\S|.*(?:より|敬上)\s*$")


def _drop_denied_mentions(claims: list[Claim]) -> list[Claim]:
    """A name the speaker denies being anywhere in the answer, met elsewhere with only an indirect link to the
    speaker, is a mention of that other model ("我不是文心一言，我是豆包～文心一言是百度的产品")."""
    denied = {c.label for c in claims if c.status == "negated"}
    if not denied:
        return claims
    return [c for c in claims if not (c.label in denied and c.status == "asserted" and c.cue == "apposition")]


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
                if not _CLAUSE_OR_SENT.search(t, lo, hi):
                    hit = True
                    break
            if hit:
                continue
        keep.append(c)
    return keep


def _sentence_break(t: str, lo: int, hi: int) -> bool:
    """Whether a sentence ends between offsets ``lo`` and ``hi``."""
    return any(m.end() <= hi for m in _SENT.finditer(t, lo, hi + 1))


@lru_cache(maxsize=1)
def rules_fingerprint() -> str:
    """A short hash of the extractor's rules (this module, the cue lexicon and the alias table), recorded next to
    each blind score so that a report can tell whether a measured accuracy belongs to the rules in use."""
    h = hashlib.sha256()
    for f in (Path(__file__), DATA / "cues.yaml", DATA / "aliases.yaml"):
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
