"""An exact, conservative prefilter for the extractor's regex searches (optional: uses ``hyperscan`` when installed).

    >>> import re
    >>> from distillscope.identity.prefilter import relax
    >>> relax(re.compile(r"(?<!\\w)i am\\b", re.IGNORECASE)) is not None
    True

One hyperscan scan of an answer finds where the extractor's regexes *could* match. Each compiled ``re`` pattern is
relaxed (:func:`relax`) into hyperscan patterns (UTF-8 mode, no hyperscan case or Unicode flags) that together match
a superset of what ``re`` matches: every literal or class is widened to the characters ``re`` accepts there under
its own Unicode and IGNORECASE rules (exact on ASCII, tested with ``re`` itself; a superset beyond); look-arounds
and ``\\b`` are dropped, except that a one-character look-behind (or ``\\b``) opening a match and a one-character
look-ahead (or ``\\b``) closing it are kept as a consumed character before and after it (or the text's start or
end); lazy, possessive and atomic constructs become plain ones. A pattern with back-references or that can match
the empty string is not relaxed and stays with ``re``. So where the relaxed patterns report nothing, ``re`` finds
nothing: such searches are answered without running ``re``; every other search runs ``re`` as before, and results
are exactly those of ``re`` (tests/identity/test_prefilter.py checks the property on every labelled text).

:class:`Gate` holds one hyperscan database, built once per extractor (compiled once per process for the same
patterns). *Ends* groups (the cue sets of :data:`CUE_SETS`) record where a match may end, so that
:meth:`Gate.may_match` can rule a span out (for the scanned text, or a string found in it: a slice); *starts* groups
(the name-scan regexes, from their first characters, :func:`prefixes`) record where a match may start, so that
``re`` tries those offsets only (:func:`finditer_at`). :meth:`Gate.scan` is called once per text. Without
``hyperscan``, or for a text with lone surrogates (not UTF-8), nothing is answered and the extractor runs plain
``re``; ``DISTILLSCOPE_NO_PREFILTER=1`` (or ``ClaimExtractor(prefilter=False)``) switches the prefilter off.
"""

from __future__ import annotations

import bisect
import os
import re
from collections.abc import Collection, Iterable, Sequence
from functools import lru_cache
from typing import Any

try:  # (optional: the extractor gives the same results without it, only slower on long answers)
    import hyperscan
except ImportError:  # pragma: no cover - exercised where hyperscan is not installed
    hyperscan = None

import _sre

try:
    from re import _casefix
    from re import _constants as C
    from re import _parser as P
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse as P  # type: ignore[no-redef]

    _casefix = None  # type: ignore[assignment]

AVAILABLE = hyperscan is not None
# Whether extractors use the prefilter (tests and the bench switch it off to compare).
ENABLED = AVAILABLE and not os.environ.get("DISTILLSCOPE_NO_PREFILTER")
_MAX_LEN = 8000  # hyperscan refuses one expression over ~16,000 characters: longer ones are split
_MAX_TOTAL = 2_000_000
_TOP = 0x10FFFF
_WIDEN = 1 << 30  # (a flag bit of our own, outside re's)
_NON_ASCII = ((0x80, 0xD7FF), (0xE000, _TOP))  # (no surrogates: the text scanned is UTF-8)
_CATEGORY_RX = {"DIGIT": r"\d", "NOT_DIGIT": r"\D", "SPACE": r"\s", "NOT_SPACE": r"\S", "WORD": r"\w",
                "NOT_WORD": r"\W", "LINEBREAK": r"\n", "NOT_LINEBREAK": r"[^\n]"}


class _Unrelaxable(Exception):
    pass


@lru_cache(maxsize=1)
def _inverse_lower() -> dict[int, tuple[int, ...]]:
    """lower-case character -> the other characters whose (simple) lower case it is (i -> İ, k -> K (Kelvin))."""
    out: dict[int, list[int]] = {}
    for c in range(0x20000):  # (no cased character lies beyond)
        lo = _sre.unicode_tolower(c)
        if lo != c:
            out.setdefault(lo, []).append(c)
    return {k: tuple(v) for k, v in out.items()}


def _case_closure(chars: Iterable[int]) -> set[int]:
    """Every character ``re`` may equate with one of ``chars`` under IGNORECASE (a superset): the characters
    themselves, their lower cases, the extra equivalents of ``re._casefix``, and all characters lowering to these."""
    extra = getattr(_casefix, "_EXTRA_CASES", {}) if _casefix is not None else {}
    inv = _inverse_lower()
    out = set(chars)
    los = {_sre.unicode_tolower(c) for c in out}
    los |= {f for lo in list(los) for f in extra.get(lo, ())}
    out |= los
    for lo in los:
        out.update(inv.get(lo, ()))
    return out


def _ascii_members(rx: str, flags: int) -> set[int]:
    """The ASCII characters a one-character regex matches, tested with ``re`` itself."""
    one = re.compile(rx, flags)
    return {x for x in range(128) if one.fullmatch(chr(x))}


def _class_set(items: list[tuple[Any, Any]], flags: int, widen: bool = False) -> list[tuple[int, int]]:
    """A superset of the characters a class (``re``'s IN items) matches, as code point ranges: exact on ASCII
    (tested with ``re``), the case closure of its members beyond, all non-ASCII for a category or a negation.
    ``widen``: also every case variant of those characters."""
    icase = bool(flags & re.IGNORECASE)
    negate, members, any_high = False, set(), False
    ascii_in: set[int] = set()
    for op, av in items:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            members.add(av)
            ascii_in |= _ascii_members(re.escape(chr(av)), flags)
        elif op is C.RANGE:
            lo, hi = av
            if hi - lo > 50_000:
                any_high = True
                members.update(range(lo, min(hi, 127) + 1))
            else:
                members.update(range(lo, hi + 1))
            ascii_in |= _ascii_members(f"[{re.escape(chr(lo))}-{re.escape(chr(hi))}]", flags)
        elif op is C.CATEGORY:
            any_high = True
            ascii_in |= _ascii_members(_CATEGORY_RX[str(av).replace("CATEGORY_", "").replace("UNI_", "")], flags)
        else:
            raise _Unrelaxable(f"class item {op}")
    if negate:
        ascii_in, members, any_high = {x for x in range(128) if x not in ascii_in}, set(), True
    else:
        members = {c for c in (_case_closure(members) if icase else members) if c >= 128}
    chars = ascii_in | members
    if widen:
        chars |= _case_closure(chars)
    out = _ranges(chars)
    return out + list(_NON_ASCII) if any_high else out


def _literal_set(c: int, flags: int, widen: bool = False) -> list[tuple[int, int]]:
    ascii_in = _ascii_members(re.escape(chr(c)), flags)
    chars = ascii_in | {x for x in (_case_closure({c}) if flags & re.IGNORECASE or widen else {c}) if x >= 128}
    if widen:
        chars |= _case_closure(chars)
    return _ranges(chars)


def _ranges(chars: set[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for c in sorted(x for x in chars if not 0xD800 <= x <= 0xDFFF):
        if out and out[-1][1] == c - 1:
            out[-1] = (out[-1][0], c)
        else:
            out.append((c, c))
    return out


def _render(ranges: list[tuple[int, int]]) -> str:
    if not ranges:
        raise _Unrelaxable("empty class")
    if len(ranges) == 1 and ranges[0][0] == ranges[0][1]:
        return f"\\x{{{ranges[0][0]:x}}}"
    return "[" + "".join(f"\\x{{{a:x}}}" if a == b else f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in ranges) + "]"


class _Tails:
    """What the trailing guards of one relaxed regex accept after a match (see :func:`_tail_guard`): the ASCII
    characters every guard accepts, and whether every guard accepts all non-ASCII characters."""

    def __init__(self) -> None:
        self.any = False
        self.ascii: set[int] = set(range(128))
        self.non_ascii = True

    def add(self, ranges: list[tuple[int, int]]) -> None:
        self.any = True
        self.ascii &= {c for lo, hi in ranges for c in range(lo, min(hi, 127) + 1)}
        self.non_ascii = self.non_ascii and all(any(lo <= a and b <= hi for lo, hi in ranges) for a, b in _NON_ASCII)


def _emit(sub: Iterable[tuple[Any, Any]], flags: int, at_start: bool = False, at_end: bool = False,
          prev_word: bool = False, tails: _Tails | None = None, leads: _Tails | None = None) -> str:
    """Hyperscan text of a parsed sequence; the flag bit _WIDEN asks for every case variant as well. ``at_start``:
    the sequence opens the match, so that a leading one-character look-behind or ``\\b`` can be kept as a
    consumed character before it (:func:`_guard`); ``at_end`` (with ``tails``): it ends the match, so that a
    trailing one-character look-ahead or ``\\b`` can be kept as a consumed character after it
    (:func:`_tail_guard`; ``prev_word``: the character before the sequence is a word character); elsewhere
    look-arounds are dropped."""
    widen = bool(flags & _WIDEN)
    plain = flags & ~_WIDEN
    items = list(sub)
    out = []
    start = at_start and not widen
    last = len(items) - 1
    for k, (op, av) in enumerate(items):
        end = at_end and k == last and tails is not None and not widen
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            guard = _guard(op, av, items[k + 1 :], plain) if start else None
            if guard is not None:
                out.append(guard)
                start = False
                if leads is not None:
                    leads.add(_guard_chars(guard))
            elif end:
                tail = _tail_guard(op, av, prev_word, plain)
                if tail is not None:
                    out.append("(?:$|" + _render(tail) + ")")
                    tails.add(tail)  # type: ignore[union-attr]
            continue  # (zero-width: dropping it only adds matches)
        start = False
        atom = _atom(op, av, flags)
        if atom is not None:
            out.append(atom)
        elif op is C.BRANCH:
            out.append("(?:" + "|".join(_emit(alt, flags, at_start and k == 0, end, prev_word, tails, leads)
                                        for alt in av[1]) + ")")
        elif op is C.SUBPATTERN:
            _group, add, dele, p = av
            out.append("(?:" + _emit(p, (flags | add) & ~dele, at_start and k == 0, end, prev_word, tails, leads)
                       + ")")
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT) or op is getattr(C, "POSSESSIVE_REPEAT", None):
            lo, hi, p = av
            body = _emit(p, flags)
            if body:
                out.append(f"(?:{body}){{{lo},{'' if hi is C.MAXREPEAT else hi}}}")
        elif op is getattr(C, "ATOMIC_GROUP", None):
            out.append("(?:" + _emit(av, flags) + ")")
        elif op is C.GROUPREF_EXISTS:
            _g, yes, no = av
            out.append("(?:" + _emit(yes, flags) + "|" + (_emit(no, flags) if no else "") + ")")
        else:
            raise _Unrelaxable(str(op))
        prev_word = op is C.LITERAL and (chr(av).isalnum() or chr(av) == "_")
    return "".join(out)


def _atom(op: Any, av: Any, flags: int) -> str | None:
    """Hyperscan text of a one-character item (literal, class, category, any), or None for another item."""
    widen = bool(flags & _WIDEN)
    plain = flags & ~_WIDEN
    if op is C.LITERAL:
        return _render(_literal_set(av, plain, widen))
    if op is C.NOT_LITERAL:
        return _render(_class_set([(C.NEGATE, None), (C.LITERAL, av)], plain, widen))
    if op is C.IN:
        return _render(_class_set(av, plain, widen))
    if op is C.CATEGORY:
        return _render(_class_set([(C.CATEGORY, av)], plain, widen))
    if op is C.ANY:
        cls = [(0, _TOP)] if flags & re.DOTALL else [(0, 9), (11, _TOP)]
        return _render([r for a, b in cls for r in _split_surrogates(a, b)])
    return None


def _one_char_set(p: Any, flags: int) -> list[tuple[int, int]] | None:
    """The characters a one-character look-around body ``p`` (a literal, class or category) accepts, as ranges;
    None for any other body."""
    (iop, iav), = list(p)
    if iop is C.LITERAL:
        return _literal_set(iav, flags)
    if iop is C.IN:
        return _class_set(iav, flags)
    if iop is C.CATEGORY:
        return _class_set([(C.CATEGORY, iav)], flags)
    return None


def _tail_guard(op: Any, av: Any, prev_word: bool, flags: int) -> list[tuple[int, int]] | None:
    """The characters a one-character look-ahead (or ``\\b`` after a word character) at the end of a match lets
    follow it (a superset; exact on ASCII), or None where it cannot be kept. The relaxed pattern consumes that
    character (or the text's end), so a hit ends one past the match: :meth:`Gate.may_match` accounts for it."""
    if op is C.AT:
        if av is C.AT_BOUNDARY and prev_word:
            return _ranges(set(range(128)) - _ASCII_WORD) + list(_NON_ASCII)
        return None
    direction, p = av
    if direction != 1 or len(p) != 1 or p.getwidth() != (1, 1):
        return None
    inside = _one_char_set(p, flags)
    if inside is None:
        return None
    if op is C.ASSERT:
        return None  # (a positive look-ahead fails at the text's end: "$" would not do; left out for simplicity)
    sure = {c for a, b in inside for c in range(a, min(b, 127) + 1)}
    return _ranges(set(range(128)) - sure) + list(_NON_ASCII)


_ASCII_WORD = {x for x in range(128) if chr(x).isalnum() or x == ord("_")}


def _guard(op: Any, av: Any, rest: list[Any], flags: int) -> str | None:
    """A look-behind of one character (or ``\\b`` before a word character) at the start of a match, as the
    character before the match, consumed (or the start of the text): ``(?<![a-z])x`` -> ``(?:^|[^a-z])x``. The
    class keeps every character but the ASCII ones ``re`` surely rejects there. None where it cannot be kept."""
    ranges = _guard_ranges(op, av, rest, flags)
    if ranges is None:
        return None
    return _render(ranges) if op is C.ASSERT else "(?:^|" + _render(ranges) + ")"


_GUARD_SETS: dict[str, list[tuple[int, int]]] = {}  # rendered guard -> its character ranges


def _guard_chars(guard: str) -> list[tuple[int, int]]:
    return _GUARD_SETS[guard]


def _guard_ranges(op: Any, av: Any, rest: list[Any], flags: int) -> list[tuple[int, int]] | None:
    out = _guard_ranges_raw(op, av, rest, flags)
    if out is not None:
        _GUARD_SETS[_render(out) if op is C.ASSERT else "(?:^|" + _render(out) + ")"] = out
    return out


def _guard_ranges_raw(op: Any, av: Any, rest: list[Any], flags: int) -> list[tuple[int, int]] | None:
    """The characters a leading guard lets stand before the match (see :func:`_guard`), or None."""
    if op is C.AT:
        if av is C.AT_BOUNDARY and _starts_with_word(rest):
            return _ranges(set(range(128)) - _ASCII_WORD) + list(_NON_ASCII)
        return None
    direction, p = av
    if direction != -1 or len(p) != 1 or p.getwidth() != (1, 1):
        return None
    inside = _one_char_set(p, flags)
    if inside is None:
        return None
    if op is C.ASSERT:  # (the character before must be one of these)
        return inside
    sure = {c for a, b in inside for c in range(a, min(b, 127) + 1)}  # (ASCII members are exact)
    return _ranges(set(range(128)) - sure) + list(_NON_ASCII)


def _starts_with_word(seq: list[Any]) -> bool:
    """Whether every match of ``seq`` starts with a literal word character (so that ``\\b`` before it means a
    non-word character, or nothing, before it)."""
    for op, av in _unflag(seq):
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            continue
        if op is C.LITERAL:
            return chr(av).isalnum() or chr(av) == "_"
        if op is C.SUBPATTERN:
            return _starts_with_word(list(av[3]))
        if op is C.BRANCH:
            return all(_starts_with_word(list(alt)) for alt in av[1])
        return False
    return False


def _split_surrogates(a: int, b: int) -> list[tuple[int, int]]:
    if b < 0xD800 or a > 0xDFFF:
        return [(a, b)]
    return [r for r in ((a, 0xD7FF), (0xE000, b)) if r[0] <= r[1]]


def _branch_at(seq: list[Any]) -> tuple[int, list[list[Any]]] | None:
    """The first alternation in ``seq`` (bare, or inside a group), as (index, the sequences replacing that item);
    an alternative inside a group keeps the group's flags."""
    for i, (op, av) in enumerate(seq):
        if op is C.BRANCH:
            return i, [list(alt) for alt in av[1]]
        if op is C.SUBPATTERN:
            inner = _branch_at(list(av[3]))
            if inner is not None:
                j, alts = inner
                _group, add, dele, p = av
                body = list(p)
                return i, [[(C.SUBPATTERN, (None, add, dele, body[:j] + alt + body[j + 1 :]))] for alt in alts]
    return None


def _split(seq: list[Any], flags: int, tails: _Tails | None = None, depth: int = 0,
           leads: _Tails | None = None) -> list[str]:
    """``seq`` as one or more expressions whose union matches what it matches, each short enough for hyperscan:
    an alternation is distributed over the sequence around it until each part fits."""
    out = _emit(seq, flags, at_start=True, at_end=tails is not None, tails=tails, leads=leads)
    if len(out) <= _MAX_LEN:  # (a part split further has recorded its guards in ``tails`` already: harmless)
        return [out]
    found = _branch_at(seq)
    if found is None or depth > 60:
        raise _Unrelaxable("too long")
    i, alts = found
    return [x for alt in alts for x in _split(seq[:i] + alt + seq[i + 1 :], flags, tails, depth + 1, leads)]


def relax(rx: re.Pattern[str], widen: bool = False, tails: _Tails | None = None,
          leads: _Tails | None = None) -> list[str] | None:
    """Hyperscan expressions (UTF-8 mode) that together match every span ``rx`` matches, or None where none can
    be given (back-references, a pattern that can match the empty string, too long). ``widen``: match every
    case variant of those spans as well (for a case-sensitive regex searched on a text whose lower-cased copy is
    scanned). ``tails``: keep trailing one-character look-aheads (and ``\\b``) as a consumed character after the
    match, recording in it what they accept (a hit may then end one character past the match); ``leads``: record
    likewise what the leading guards accept before the match."""
    try:
        parsed = P.parse(rx.pattern, rx.flags)
        if parsed.getwidth()[0] == 0:
            return None
        out = _split(list(parsed), rx.flags | (_WIDEN if widen else 0), tails, leads=leads)
    except (_Unrelaxable, RecursionError, re.error):
        return None
    return out if sum(map(len, out)) <= _MAX_TOTAL else None


_MAX_PATHS = 20_000


_GUARD_MARK = "\0"  # marks a path's leading guard atom (the character before the match, or the text's start)


def prefixes(rx: re.Pattern[str], width: int = 4, widen: bool = False) -> list[list[str]] | None:
    """Hyperscan classes of the first characters every match of ``rx`` starts with: a list of paths, each a list of
    up to ``width`` one-character expressions (a path stops at a repeat; an optional item branches), such that
    every match of ``rx`` begins with a string one path matches; None where some match may begin otherwise or the
    paths would be too many. A leading one-character look-behind (or ``\\b``) becomes a first atom marked with
    :data:`_GUARD_MARK`: the character before the match (or the text's start), not part of it."""
    try:
        parsed = P.parse(rx.pattern, rx.flags)
        flags = rx.flags | (_WIDEN if widen else 0)
        paths = _paths(list(parsed), flags, width, at_start=not widen)
    except (_Unrelaxable, RecursionError, re.error):
        return None
    if not paths or any(not [a for a in p if not a.startswith(_GUARD_MARK)] for p in paths):
        return None
    return [list(p) for p in dict.fromkeys(tuple(p) for p in paths)]


def _paths(seq: list[Any], flags: int, k: int, at_start: bool = False) -> list[list[str]]:
    """Prefix paths of ``seq`` (see :func:`prefixes`), each at most ``k`` atoms; an item of ``seq`` is an ``re``
    parse item (under ``flags``) or a :data:`_FLAGGED` one carrying the flags of its group."""
    if k == 0 or not seq:
        return [[]]
    item, rest = seq[0], seq[1:]
    f = flags
    if item[0] is _FLAGGED:
        f, item = item[1]
    return _paths_item(item, rest, f, flags, k, at_start)


_FLAGGED = object()  # a pseudo-op: (flags, item) for an item of a group with its own flags


def _unflag(seq: list[Any]) -> list[Any]:
    return [x[1][1] if x[0] is _FLAGGED else x for x in seq]


def _paths_item(item: tuple[Any, Any], rest: list[Any], f: int, outer: int, k: int,
                at_start: bool) -> list[list[str]]:
    op, av = item
    plain = f & ~_WIDEN
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        guard = _guard(op, av, _unflag(rest), plain) if at_start else None
        if guard is not None:
            return [[_GUARD_MARK + guard, *p] for p in _paths(rest, outer, k, False)]
        return _paths(rest, outer, k, at_start)
    if op is C.SUBPATTERN:
        _group, add, dele, p = av
        return _paths([(_FLAGGED, ((f | add) & ~dele, x)) for x in p] + rest, outer, k, at_start)
    if op is C.BRANCH:
        out: list[list[str]] = []
        for alt in av[1]:
            out += _paths([(_FLAGGED, (f, x)) for x in alt] + rest, outer, k, at_start)
            if len(out) > _MAX_PATHS:
                raise _Unrelaxable("too many paths")
        return out
    atom = _atom(op, av, f)
    if atom is not None:
        pass
    elif op in (C.MAX_REPEAT, C.MIN_REPEAT) or op is getattr(C, "POSSESSIVE_REPEAT", None):
        lo, hi, body = av
        if hi == 1:  # optional ("x?"): the paths through it and those past it
            through = _paths([(_FLAGGED, (f, x)) for x in body] + rest, outer, k, at_start)
            return through + (_paths(rest, outer, k, at_start) if lo == 0 else [])
        return _paths([(_FLAGGED, (f, x)) for x in body], outer, k, at_start) if lo >= 1 else [[]]
    else:
        return [[]]  # (anything else: the path stops here)
    return [[atom, *p] for p in _paths(rest, outer, k - 1, False)]


class Gate:
    """One hyperscan database over groups of regexes (see the module docstring).

    Args:
        ends: groups (each a sequence of compiled regexes) whose possible match *ends* are recorded
            (:meth:`may_match`: may a match lie inside a span?).
        starts: regexes whose possible match *starts* are recorded (:meth:`starts`), each as ``(regex, widen)``
            (``widen`` for a regex searched on the original text when its lower-cased copy is the text scanned:
            see :func:`relax`); found from their first ``width`` characters (:func:`prefixes`).
        wide: the ids of ``ends`` groups searched on a text whose lower-cased copy is the text scanned (their
            patterns match every case variant: see :func:`relax`; a span is then asked of the lower-cased copy).

    Group ids: ``ends`` groups ``0 .. len(ends) - 1``, then the ``starts`` ones. A group with a regex that cannot be
    relaxed is not gated: :meth:`may_match` is True and :meth:`starts` None for it. An ``ends`` group whose patterns
    keep a trailing guard is compiled a second time without it (recorded under the negative id ``-1 - gid``), for
    spans that stop where the text goes on with a character the guard rejects (a span ending at a name).
    """

    def __init__(self, ends: Sequence[Sequence[re.Pattern[str]]],
                 starts: Sequence[tuple[re.Pattern[str], bool]] = (), width: int = 4,
                 wide: Collection[int] = ()) -> None:
        self.gated = [False] * (len(ends) + len(starts))
        # (text, match ends or starts per group, {id(string): (string, offset in text)}) of the text scanned last
        self.state: tuple[str, dict[int, list[int]], dict[int, tuple[str, int]]] | None = None
        self._db: Any = None
        self._tails: dict[int, _Tails] = {}
        self._leads: dict[int, _Tails] = {}
        # group id -> the id (negative) under which the same group's patterns without their trailing guards record
        # their hits (see :meth:`may_match`: a span that ends where the text goes on with a rejected character)
        self._loose: dict[int, int] = {}
        if hyperscan is None:
            return
        exprs: list[str] = []
        info: list[tuple[int, int]] = []  # expression id -> (group, width: -1 for an ``ends`` group)
        for gid, rxs in enumerate(ends):
            tails, leads = _Tails(), _Tails()
            relaxed = [relax(rx, widen=True) if gid in wide else relax(rx, tails=tails, leads=leads) for rx in rxs]
            if not rxs or any(r is None for r in relaxed):
                continue
            self.gated[gid] = True
            if tails.any:
                self._tails[gid] = tails
            if leads.any:
                self._leads[gid] = leads
            for part in (x for r in relaxed for x in r):  # type: ignore[union-attr]
                exprs.append(part)
                info.append((gid, -1))
            loose = [relax(rx) for rx in rxs] if tails.any else []
            if loose and all(r is not None for r in loose):
                self._loose[gid] = -1 - gid
                for part in (x for r in loose for x in r):  # type: ignore[union-attr]
                    exprs.append(part)
                    info.append((-1 - gid, -1))
        for k, (rx, widen) in enumerate(starts):
            gid = len(ends) + k
            paths = prefixes(rx, width, widen)
            if paths is None:
                continue
            self.gated[gid] = True
            for path in paths:
                exprs.append("".join(a.removeprefix(_GUARD_MARK) for a in path))
                info.append((gid, sum(not a.startswith(_GUARD_MARK) for a in path)))
        self._info = info
        if exprs:
            self._db = _compile(tuple(exprs))
            self._scratch = hyperscan.Scratch(self._db)

    @property
    def active(self) -> bool:
        return self._db is not None

    def clear(self) -> None:
        """Forget the text scanned last (no search is answered until the next :meth:`scan`)."""
        self.state = None

    def scan(self, text: str) -> None:
        """Record where each group may match in ``text`` (the string object later searches must pass)."""
        self.state = None
        if self._db is None:
            return
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates: no gating for this text
            return
        raw: list[tuple[int, int]] = []
        add = raw.append
        try:
            self._db.scan(data, match_event_handler=lambda i, frm, to, flags, ctx: add((to, i)), scratch=self._scratch)
        except hyperscan.error:  # (e.g. the scratch space in use by another thread: no gating for this text)
            return
        hits: dict[int, list[int]] = {}
        if raw:
            raw.sort()
            utf8 = len(data) != len(text)
            info = self._info
            pb = pc = 0  # (byte offset, character offset) of the last end converted
            for to, i in raw:
                if utf8 and to != pb:
                    pc += len(data[pb:to].decode("utf-8"))
                    pb = to
                gid, w = info[i]
                hits.setdefault(gid, []).append((pc if utf8 else to) - max(0, w))
            for lst in hits.values():
                lst.sort()  # (starts of prefixes of several widths may come out of order)
        self.state = (text, hits, {})

    @staticmethod
    def _offset(st: tuple[str, dict[int, list[int]], dict[int, tuple[str, int]]], s: str) -> int:
        """Where the string ``s`` (a slice of the scanned text, say) occurs in the text of state ``st``, or -1. Any
        occurrence will do: a match in ``s`` consumes the same characters there."""
        got = st[2].get(id(s))
        if got is not None and got[0] is s:
            return got[1]
        o = st[0].find(s) if s else -1
        st[2][id(s)] = (s, o)  # (holding ``s`` keeps its id from being reused while cached)
        return o

    def may_match(self, gid: int, s: str, pos: int, endpos: int) -> bool:
        """False where group ``gid`` surely has no match inside ``s[pos:endpos]``, where ``s`` is the text scanned
        last or a string found in it (a slice of it, say); True for any other string."""
        st = self.state
        if st is None or not self.gated[gid]:
            return True
        if st[0] is not s:
            o = self._offset(st, s)
            if o < 0:
                return True
            if pos == 0 and o > 0:
                # re sees the start of ``s`` before its first character, the text its own character: only if every
                # leading guard accepts that character does a hit start where the match does
                leads = self._leads.get(gid)
                c = ord(st[0][o - 1])
                if leads is not None and not (c in leads.ascii if c < 128 else leads.non_ascii):
                    return True
            endpos = min(endpos, len(s)) + o
            pos += o
            s = st[0]
        tails = self._tails.get(gid)
        if tails is not None and endpos < len(s):
            # A trailing look-ahead reads s[endpos] in the scanned text, where re (stopping at endpos) reads the
            # end: only if every trailing guard accepts that character does a hit end by endpos + 1. Else (a span
            # that stops before a name, say) the group's patterns without trailing guards answer: their hits end
            # where a match does.
            c = ord(s[endpos])
            if c in tails.ascii if c < 128 else tails.non_ascii:
                endpos += 1
            elif gid in self._loose:
                gid = self._loose[gid]
            else:
                return True
        ends = st[1].get(gid)
        if not ends:
            return False
        i = bisect.bisect_right(ends, pos)
        return i < len(ends) and ends[i] <= endpos

    def starts(self, gid: int, s: str) -> list[int] | None:
        """Sorted offsets of ``s`` where ``starts`` group ``gid`` may start a match (every match starts at one of
        them), or None when unknown (another text, an ungated group)."""
        st = self.state
        if st is None or st[0] is not s or not self.gated[gid]:
            return None
        return st[1].get(gid, [])


def finditer_at(rx: re.Pattern[str], s: str, starts: list[int]) -> list[re.Match[str]]:
    """``list(rx.finditer(s))``, given sorted ``starts`` that include every offset where a match of ``rx`` starts
    (:meth:`Gate.starts`): ``re`` tries those offsets only, in order, past the end of the last match, as its own
    ``finditer`` would (a match tried at an offset reads the same text, before and after, as there)."""
    out: list[re.Match[str]] = []
    cur = -1
    match = rx.match
    for p in starts:
        if p < cur:
            continue
        m = match(s, p)
        if m is not None:
            out.append(m)
            cur = m.end() if m.end() > p else p + 1
    return out


@lru_cache(maxsize=4)
def _compile(exprs: tuple[str, ...]) -> Any:
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    db.compile(expressions=[e.encode("ascii") for e in exprs], ids=list(range(len(exprs))), elements=len(exprs),
               flags=[hyperscan.HS_FLAG_UTF8] * len(exprs))
    return db


# The cue sets gated (each cue pattern in them is relaxed automatically): the role-play scene scan over the whole
# answer and the echoed-question look-back, where a search that finds nothing costs most. Measured on the long
# answers of bench/identity_extractor.py, gating any other set costs more than it saves: its searches are short (a
# clause around a name) or on slices (found in the text with str.find), and the Python around each gated search,
# with the callbacks for the hits of its relaxed patterns, costs about what a short re search does.
CUE_SETS = ("scene", "echo")


def attach(cues: Any, names: Any, cue_sets: Sequence[str] = CUE_SETS,
           wide: Sequence[Sequence[re.Pattern[str]]] = (), plain: Sequence[Sequence[re.Pattern[str]]] = ()) -> Gate:
    """A gate over the cue sets ``cue_sets`` of ``cues`` (:class:`~.lexicon.Cues`, each a
    :class:`~.trie.PatternUnion`: one group each) and the name scan ``names``
    (:class:`~.names.NameScanner`), set on each of them; over the groups ``wide`` of case-sensitive regexes
    searched on the folded text (group ids ``len(cue_sets)`` on: ask :meth:`Gate.may_match` of the lower-cased
    text scanned); over the groups ``plain`` of regexes searched on the lower-cased text (the ids after those);
    and over the name scan's homonym contexts (the last ``ends`` group, set on ``names``)."""
    unions = [getattr(cues, name) for name in cue_sets]
    groups = [u.regexes() for u in unions] + [list(w) for w in wide] + [list(p) for p in plain]
    widened = list(range(len(unions), len(unions) + len(wide)))
    homonyms = names.homonym_regexes()  # (the name scan's homonym contexts: searched on the folded text)
    if homonyms:
        widened.append(len(groups))
        groups.append(homonyms)
    scans = names.scan_regexes()
    gate = Gate(groups, scans, wide=widened)
    if gate.active:
        for gid, u in enumerate(unions):
            u.set_gate(gate, gid)
        names.set_gate(gate, list(range(len(groups), len(groups) + len(scans))))
        if homonyms:
            names.set_homonym_gate(gate, len(groups) - 1)
    return gate
