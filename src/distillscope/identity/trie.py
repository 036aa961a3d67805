"""Regex-trie engine: one fast search over many cue or name patterns.

Python's ``re`` tries every branch of an alternation at every position; a case-insensitive alternation of a
few hundred ``\\b``-guarded cue words costs ~50x a trie whose branches start with literal characters (``re``
then skips to the possible first characters and rejects a position after one comparison per branch).

    >>> u = PatternUnion([r"\\bi am\\b", r"\\bi'm\\b", "我是"])
    >>> [m.group(0) for m in u.finditer("so i'm here, 我是")]
    ["i'm", '我是']

:class:`Trie` builds such a regex from literal paths; :func:`expand` distributes a leading group over a
pattern's alternatives (``\\b(?:i am|i'm) x`` -> ``\\bi am x``, ``\\bi'm x``) so that each starts with its
literal text; :class:`PatternUnion` combines them, on lower-cased text, into up to four regexes.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable
from typing import Any

# The optional separator between the words of a name ("GPT-4", "GPT 4", "GPT4"): a trie key of its own.
SEP = r"[\s\-_·・.]?"


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


def expand(pattern: str) -> list[str]:
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


def literal_prefix(body: str) -> tuple[str, str]:
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


class Trie:
    """Regex of a trie: branches start with literal characters so that Python's ``re`` can skip ahead to the
    possible first characters and reject a position after one comparison per branch.

    Keys are literal characters (escaped when rendered) or the optional-separator atom ``SEP``; each path ends
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
            keys = sorted((k for k in node if k is not None), key=lambda k: (k == SEP, k))
            alts = [(k if k == SEP else re.escape(k)) + rx(node[k]) for k in keys] + node.get(None, [])
            return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

        return rx(self.root)


def add_pattern(trie: Trie, q: str) -> bool:
    r"""Add one alternative (from :func:`_expand`) to ``trie`` as literal prefix + guarded, case-insensitive rest.

    ``\bsome people`` becomes the path ``s,o,m,e, ,p,...`` with the leaf ``(?<!\w[\s\S]{11})``: the word-boundary
    guard is checked behind the literal characters instead of before them. False when ``q`` has no literal start.
    """
    m = _LEAD.match(q)
    lead = m.group(0) if m else ""
    prefix, rest = literal_prefix(q[len(lead):])
    if not prefix or (lead == "\\b" and not re.match(r"\w", prefix[0])):
        return False
    guard = f"(?<!{_LEAD_CLASS[lead]}[\\s\\S]{{{len(prefix)}}})" if lead else ""
    trie.add(prefix, guard + (f"(?i:{rest})" if rest else ""))
    return True


_SHORT = 300  # spans shorter than this are searched with the lookbehind regex itself (less Python per call)


class WordStart:
    r"""The regex ``(?<!CLASS)BODY`` (BODY only where no CLASS character precedes it), searched faster.

    ``re`` tries a pattern that opens with a lookbehind at every position; ``[^CLASS]BODY`` opens with a character
    class, so ``re`` skips over the CLASS characters in a tight loop and enters the pattern only after a word
    (~20% faster on prose). Each hit is then matched with the original regex at the word start, so matches are
    exactly those of ``(?<!CLASS)BODY`` (same spans, same groups). Short spans (a clause around a name) are
    searched with the original regex directly: there the extra Python call costs more than it saves. Has
    ``search`` and ``finditer`` like a compiled pattern.
    """

    def __init__(self, body: str, cls: str) -> None:
        self.rx = re.compile(f"(?<!{cls})" + body)
        self._fast = re.compile(f"[^{cls.strip('[]')}]" + body)
        # On ASCII text ``\w`` is [A-Za-z0-9_], a class ``re`` tests by bitmap instead of by Unicode category.
        self._fast_ascii = re.compile("[^A-Za-z0-9_]" + body) if cls == r"\w" else self._fast
        self.pattern = self.rx.pattern

    def search(self, s: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        e = len(s) if endpos is None else endpos
        if e - pos < _SHORT:
            return self.rx.search(s, pos, e)
        if pos == 0:  # (nothing precedes the text's first character)
            m = self.rx.match(s, 0, e)
            if m is not None:
                return m
        f = (self._fast_ascii if s.isascii() else self._fast).search(s, max(pos - 1, 0), e)
        return None if f is None else self.rx.match(s, f.start() + 1, e)

    def finditer(self, s: str, pos: int = 0, endpos: int | None = None) -> Iterable[re.Match[str]]:
        e = len(s) if endpos is None else endpos
        if e - pos < _SHORT:
            return self.rx.finditer(s, pos, e)
        out = []
        m = self.search(s, pos, e)
        while m is not None:
            out.append(m)
            m = self.search(s, max(m.end(), m.start() + 1), e)
        return out


class PatternUnion:
    r"""One search over many patterns, applied to lower-cased text, as up to four regexes.

    Patterns ``\bfoo...`` that start an ASCII word, as ``(?<!\w)`` + a :class:`Trie` over their literal
    prefixes (the guard first, so that only word starts are tried: ~3x faster on prose than trying every
    letter); other patterns with a literal start, as a trie (one for ASCII starts, one for the rest, skipped on
    ASCII-only text); the rest as an ordinary case-insensitive alternation. A plain alternation of
    case-insensitive ``\b`` patterns would cost ~50x. Matches of different regexes may overlap.
    """

    def __init__(self, patterns: Iterable[str]) -> None:
        word, other, foreign = Trie(), Trie(), Trie()
        slow: list[str] = []
        for q in (q for pat in patterns for q in expand(pat)):
            if q.startswith("\\b"):
                prefix, rest = literal_prefix(q[2:])
                if prefix and prefix[0].isascii() and re.match(r"\w", prefix[0]):
                    word.add(prefix, f"(?i:{rest})" if rest else "")
                    continue
            m = _LEAD.match(q)
            prefix = literal_prefix(q[len(m.group(0)) if m else 0 :])[0]
            if not add_pattern(foreign if prefix and not prefix[0].isascii() else other, q):
                slow.append(_guards_after_first(q))
        self._rxs: list[Any] = [WordStart(word.regex(), r"\w")] if word else []
        self._rxs += [re.compile(other.regex())] if other else []
        slow_rx = re.compile(_cased_first(slow[0]) if len(slow) == 1 else
                             "(?i:" + "|".join(f"(?:{q})" for q in slow) + ")") if slow else None
        # Patterns that start with a non-ASCII letter ("我", "私は", "\bменя\b") cannot match ASCII-only text, the
        # usual case for English answers, where that regex is skipped; so is the regex of the other patterns when
        # each of them needs a non-ASCII character ("(?<=[셨었았였했])지만").
        self._foreign = re.compile(foreign.regex()) if foreign else None
        self._all = [*self._rxs, *[slow_rx] * bool(slow_rx), *[self._foreign] * bool(self._foreign)]
        if slow_rx is not None and not all(_needs_non_ascii(q) for q in slow):
            self._rxs.append(slow_rx)
        self._short = [r.rx if isinstance(r, WordStart) else r for r in self._rxs]
        self._short_all = [r.rx if isinstance(r, WordStart) else r for r in self._all]
        self._same = len(self._all) == len(self._rxs)  # (no regex needs a non-ASCII character)

    _gate: Any = None  # (prefilter Gate, group id): see :meth:`set_gate`

    def regexes(self) -> list[re.Pattern[str]]:
        """The compiled regexes searched (a :class:`WordStart` as its look-behind regex, which has its matches)."""
        return [r.rx if isinstance(r, WordStart) else r for r in self._all]

    def set_gate(self, gate: Any, gid: int) -> None:
        """Let a :class:`~distillscope.identity.prefilter.Gate` answer the searches it proves empty (``gid``: the
        group of :meth:`regexes` in it)."""
        self._gate = (gate, gid)

    def _regexes(self, s: str, pos: int, endpos: int) -> list[Any]:
        # (str.isascii() of a whole string is a flag lookup; only a mixed text pays for the slice.) A short span is
        # searched with each WordStart's own look-behind regex directly (one Python call fewer).
        if endpos - pos < _SHORT:
            return self._short if self._same or s.isascii() or s[pos:endpos].isascii() else self._short_all
        return self._rxs if self._same or s.isascii() or s[pos:endpos].isascii() else self._all

    def search(self, s: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        e = len(s) if endpos is None else endpos
        g = self._gate
        if g is not None and not g[0].may_match(g[1], s, pos, e):
            return None  # (the prefilter proved it)
        rxs = self._regexes(s, pos, e)
        best = None
        for rx in rxs:
            m = rx.search(s, pos, e)
            if m is not None and (best is None or m.start() < best.start()):
                best = m
                if m.start() == pos:
                    break  # (no later regex can start earlier, and an earlier regex wins a tie)
        return best

    def finditer(self, s: str, pos: int = 0, endpos: int | None = None) -> Iterable[re.Match[str]]:
        e = len(s) if endpos is None else endpos
        g = self._gate
        if g is not None and not g[0].may_match(g[1], s, pos, e):
            return []  # (the prefilter proved it)
        rxs = self._regexes(s, pos, e)
        if len(rxs) == 1:
            return rxs[0].finditer(s, pos, e)
        # Each regex is first searched (most find nothing, and a search builds no iterator); one that finds a match
        # goes on from its end as its own finditer would (after a non-empty match it resumes right there).
        found = None
        for rx in rxs:
            m = rx.search(s, pos, e)
            if m is None:
                continue
            ms = [m, *rx.finditer(s, m.end(), e)] if m.end() > m.start() else list(rx.finditer(s, pos, e))
            if found is None:
                found = ms
            else:
                found += ms
                found.sort(key=_start)  # (stable: at one offset, the earlier regex's match first)
        return found or []


_start = operator.methodcaller("start")


# A pattern that opens with a word boundary and look-behind guards before a word character ("\\b(?<!\\bi )(?<!must )
# says? (?:that )?I\\b"), which ``re`` tries at every word boundary, guard by guard.
_GUARDED = re.compile(r"\\b((?:\(\?<[!=](?:[^()\\]|\\.)*\))+)([A-Za-z])(?![?*+{])")
_GUARD = re.compile(r"\(\?<([!=])((?:[^()\\]|\\.)*)\)")


# The same for a pattern that opens with the text's start or with look-behinds right before a literal character
# ("^名前は", "(?<=[\s。！？])名前は"; ``re`` tries it at every offset): "名(?<![\s\S]{2})前は" (no two characters
# before the one after 名: 名 is the first), "名(?<=[\s。！？][\s\S])前は".
_LOOK_BODY = r"(?:[^()\\\[]|\\.|\[(?:[^\]\\]|\\.)*\])*"
_ANCHORED = re.compile(rf"(\^|(?:\(\?<[!=]{_LOOK_BODY}\))+)([^\\.^$*+?{{}}\[\]|()])(?![?*+{{])")
_LOOK = re.compile(rf"\(\?<([!=])({_LOOK_BODY})\)")


def _guards_after_first(q: str) -> str:
    r"""``\b(?<!X)c...`` as ``c(?<!\w[\s\S])(?<!X[\s\S])...`` (and ``^c...``, ``(?<=X)c...`` as
    ``c(?<![\s\S]{2})...``, ``c(?<=X[\s\S])...``): the same matches (the guards look behind the first character
    instead of before it), but ``re`` tries the guards only where that character occurs."""
    m = _GUARDED.match(q)
    if m is None:
        z = _ANCHORED.match(q)
        if z is None:
            return q
        if z.group(1) == "^":
            return z.group(2) + r"(?<![\s\S]{2})" + q[z.end():]
        guards = "".join(f"(?<{g.group(1)}{g.group(2)}[\\s\\S])" for g in _LOOK.finditer(z.group(1)))
        return z.group(2) + guards + q[z.end():]
    guards = "".join(f"(?<{g.group(1)}{g.group(2)}[\\s\\S])" for g in _GUARD.finditer(m.group(1)))
    return m.group(2) + r"(?<!\w[\s\S])" + guards + q[m.end():]


def _cased_first(q: str) -> str:
    """``(?i:q)`` for a ``q`` that opens with a letter, written with that letter's case variants as a class
    (``(?i:says)`` -> ``[Ssſ](?i:ays)``): the same matches, but ``re`` skips to the places where the letter occurs
    (it cannot for a case-insensitive letter)."""
    ch = q[:1]
    if not ch or ch in _SPECIAL or q[1:2] in _QUANT:
        return f"(?i:{q})"
    variants = {c for c in map(chr, _case_closure_of(ch)) if re.fullmatch(f"(?i:{re.escape(ch)})", c)}
    return "[" + "".join(re.escape(c) for c in sorted(variants)) + f"](?i:{q[1:]})"


def _case_closure_of(ch: str) -> set[int]:
    from distillscope.identity.prefilter import _case_closure

    return _case_closure({ord(ch)})


def _needs_non_ascii(q: str) -> bool:
    """Whether every match of ``q`` (case-insensitive) holds a character no ASCII character matches: its first
    literal after leading look-arounds and anchors, such as 지 in ``(?<=[셨었았였했])지만`` or 名 in ``^名前は``."""
    body = _LOOK_LEAD.sub("", q)
    ch = body[:1]
    if not ch or ch.isascii() or ch in _SPECIAL or body[1:2] in _QUANT:
        return False
    return not any(re.fullmatch(re.escape(ch), chr(i), re.IGNORECASE) for i in range(128))


_LOOK_LEAD = re.compile(r"^(?:\^|\\b|\(\?<?[!=](?:[^()\\]|\\.|\[[^\]]*\])*\))*")


def cue_regex(patterns: Iterable[str]) -> re.Pattern[str]:
    """One case-insensitive alternation of ``patterns`` (each with :func:`guard_first`'s look-ahead)."""
    pats = list(patterns)
    if not pats:
        return re.compile(r"(?!x)x")
    return re.compile("|".join(f"(?:{guard_first(p, re.IGNORECASE)})" for p in pats), re.IGNORECASE)



def has_latin_literal(pattern: str) -> bool:
    """Whether a regex mentions a Latin letter outside escapes and character classes (else it cannot match
    ASCII-only text, if it needs any literal at all)."""
    return re.search(r"[A-Za-z]", re.sub(r"\\.|\[(?:\\.|[^\]])*\]|\(\?[:=!<P]*(?:<[a-z_]+>)?", "", pattern)) is not None


def required_chars(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """Characters one of which every match of ``pattern`` (compiled with ``flags``) holds: a literal or a small class
    that every match passes through (with its case variants under IGNORECASE), preferring one without ASCII
    characters; None where none is found. A text with none of them cannot hold a match.

        >>> sorted(required_chars("^\\\\s*(?:입니다|이에요)"))
        ['이', '입']
    """
    from distillscope.identity.prefilter import C, P  # (re's parser, as the prefilter reads it)

    try:
        parsed = P.parse(pattern, flags)
    except re.error:
        return None
    return _required(list(parsed), flags, C)


def _required(seq: list[Any], flags: int, C: Any) -> frozenset[str] | None:
    best: frozenset[str] | None = None
    for op, av in seq:
        got: frozenset[str] | None = None
        if op is C.LITERAL:
            got = _case_variants({av}, flags)
        elif op is C.IN:
            got = _class_chars(av, flags, C)
        elif op is C.SUBPATTERN:
            got = _required(list(av[3]), (flags | av[1]) & ~av[2], C)
        elif op is C.BRANCH:
            alts = [_required(list(alt), flags, C) for alt in av[1]]
            got = None if any(x is None for x in alts) else frozenset().union(*alts)  # type: ignore[arg-type]
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)) and av[0] >= 1:
            got = _required(list(av[2]), flags, C)
        elif op is getattr(C, "ATOMIC_GROUP", None):
            got = _required(list(av), flags, C)
        if got is not None and (best is None or _rarity(got) < _rarity(best)):
            best = got
    return best


def _rarity(chars: frozenset[str]) -> tuple[bool, int]:
    return any(c.isascii() for c in chars), len(chars)


def _case_variants(codes: set[int], flags: int) -> frozenset[str]:
    """The characters ``codes``, with every character ``re`` may equate with one of them under IGNORECASE."""
    if flags & re.IGNORECASE:
        from distillscope.identity.prefilter import _case_closure

        codes = _case_closure(codes)
    return frozenset(map(chr, codes))


def _class_chars(items: Any, flags: int, C: Any) -> frozenset[str] | None:
    """The characters of a small class of literals and ranges (None for a negated class, a category or a large
    one)."""
    codes: set[int] = set()
    for op, av in items:
        if op is C.LITERAL:
            codes.add(av)
        elif op is C.RANGE and av[1] - av[0] <= 64:
            codes.update(range(av[0], av[1] + 1))
        else:
            return None
    return _case_variants(codes, flags) if len(codes) <= 64 else None



def guard_first(pattern: str, flags: int = 0) -> str:
    r"""``pattern`` with a look-ahead for the characters a match may go on with after a leading ``\s*`` or ``\s+``
    (``^\s*(?:as|like)`` -> ``^\s*(?=[AaLl...])(?:as|like)``, case variants included): the same matches, but a
    position where none of the alternatives can start is given up after one character test instead of one try per
    alternative (``re`` tries each alternative that opens with a case-insensitive letter or a ``\b`` in turn), and
    the run of spaces is not retried one space shorter where no alternative can start with a space. Returned
    unchanged where those characters are not known (a class such as ``\w`` or ``.``, or a match that may be empty
    after the spaces)."""
    from distillscope.identity.prefilter import C, P

    for lead in ("^\\s*", "^\\s+", "\\s*", "\\s+"):
        if pattern.startswith(lead):
            rest = pattern[len(lead):]
            break
    else:
        return pattern
    try:
        parsed = P.parse(rest, flags)
    except re.error:
        return pattern
    chars, empty = _first_chars(list(parsed), flags, C)
    if chars is None or empty or not rest:
        return pattern
    return lead + "(?=[" + "".join(_class_escape(c) for c in sorted(chars)) + "])" + rest


def _class_escape(c: str) -> str:
    return "\\" + c if c in "\\]^-[" else c


def _first_chars(seq: list[Any], flags: int, C: Any) -> tuple[frozenset[str] | None, bool]:
    """(the characters a match of ``seq`` may start with, whether it may be empty); None where unknown."""
    out: set[str] = set()
    for item in seq:
        chars, empty = _first_item(item, flags, C)
        if chars is None:
            return None, True
        out |= chars
        if not empty:
            return frozenset(out), False
    return frozenset(out), True


def _first_item(item: tuple[Any, Any], flags: int, C: Any) -> tuple[frozenset[str] | None, bool]:
    op, av = item
    if op is C.LITERAL:
        return _case_variants({av}, flags), False
    if op is C.IN:
        return _class_chars(av, flags, C), False
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return frozenset(), True  # (zero-width)
    if op is C.SUBPATTERN:
        return _first_chars(list(av[3]), (flags | av[1]) & ~av[2], C)
    if op is getattr(C, "ATOMIC_GROUP", None):
        return _first_chars(list(av), flags, C)
    if op is C.BRANCH:
        res = [_first_chars(list(alt), flags, C) for alt in av[1]]
        if any(chars is None for chars, _ in res):
            return None, True
        return frozenset().union(*(chars for chars, _ in res)), any(e for _, e in res)  # type: ignore[arg-type]
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
        chars, empty = _first_chars(list(av[2]), flags, C)
        return chars, empty or av[0] == 0
    return None, True  # (a category, any character, a back-reference, ...)


def first_guard(pattern: str, flags: int = 0) -> str:
    r"""``pattern`` behind a look-ahead for the characters its matches can start with (``(?:\bme|我)\s*$`` ->
    ``(?=[m我])(?:\bme|我)\s*$``): the same matches, but a search tries the pattern only where one of them stands.
    For a pattern ``re`` cannot skip ahead in by itself (one that opens with ``\b`` in some alternative); returned
    unchanged where those characters are not known or a match may be empty."""
    from distillscope.identity.prefilter import C, P

    try:
        parsed = P.parse(pattern, flags)
    except re.error:
        return pattern
    chars, empty = _first_chars(list(parsed), flags, C)
    if chars is None or empty:
        return pattern
    return "(?=[" + "".join(_class_escape(c) for c in sorted(chars)) + f"])(?:{pattern})"


def guarded(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)`` with :func:`first_guard`'s look-ahead (the same matches, faster searches)."""
    return re.compile(first_guard(pattern, flags), flags)
