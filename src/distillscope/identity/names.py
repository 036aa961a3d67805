"""Model and maker names: the alias table (``data/aliases.yaml``) compiled into one fast scan.

    >>> from distillscope.identity.names import NameScanner, load_aliases
    >>> t = load_aliases()
    >>> [(a, b, e.id) for a, b, e in NameScanner(t["families"], t["makers"]).mentions("I am Qwen2.5-7B-Instruct.")]
    [(5, 24, 'qwen')]

A name absorbs its version tag ("GPT-4o", "Claude 3.5 Sonnet"); a Latin name may not run into a longer Latin
word. To add a model family, add it to ``aliases.yaml`` (``aliases``: case-insensitive; ``exact``: case-sensitive,
for names that are also words, such as "Yi"; ``patterns``: regular expressions; ``exclude``: what may not follow;
``homonym``: text that, anywhere in an answer, makes every mention of the name another thing: the Amazon river).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from distillscope.errors import InputError
from distillscope.identity.prefilter import finditer_at
from distillscope.identity.text import fold, lower
from distillscope.identity.trie import SEP, Trie, WordStart, add_pattern, expand

DATA = Path(__file__).parent / "data"
_LATIN = re.compile(r"[A-Za-z0-9]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")  # a Cyrillic name may not start inside a word ("экзотермиЧЕСКИМИ")
# An Arabic name may not start inside an Arabic word ("وتكوين" holds "كوين", Qwen) unless what precedes it in the word
# is proclitics only: a conjunction or preposition of one letter and/or the article ("وكوين", "بالكوين", "لكوين").
_ARABIC = re.compile(r"[\u0620-\u064a\u066e-\u06d3]")
_ARABIC_PROCLITICS = frozenset({"و", "ف", "ب", "ل", "ك", "ال", "لل", "وب", "ول", "وك", "فب", "فل", "فك",
                                "وال", "فال", "بال", "كال", "ولل", "فلل", "وبال", "وكال", "فبال", "فكال"})


def _inside_arabic_word(t: str, a: int) -> bool:
    """Whether an Arabic name at ``t[a:]`` continues an Arabic word (more than its proclitics stand before it)."""
    j = a
    while j > 0 and a - j <= 4 and _ARABIC.match(t[j - 1]):
        j -= 1
    return j < a and t[j:a] not in _ARABIC_PROCLITICS
# Version tags a Latin name absorbs: GPT-4o, Qwen2.5-7B-Instruct, Llama 3.1 8B, Claude 3.5 Sonnet, Gemini 1.5 Pro.
_VERSION = (
    r"(?:[ \-]?[vr]?\d+(?:\.\d+)*(?:[a-z](?![a-z]))?)?"
    r"(?:[ \-](?:turbo|mini|nano|pro|max|plus|flash|lite|ultra|opus|sonnet|haiku|large|medium|small|instruct|chat"
    r"|coder|preview|omni|\d+(?:\.\d+)?[bm]|\d+(?:\.\d+)*)(?![a-z]))*"
)


@dataclass(frozen=True)
class Entity:
    kind: str  # "f" family | "m" maker
    id: str
    maker: str | None


def add_alias(trie: Trie, alias: str, marker: str, lower: bool) -> None:
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
            atoms.append(SEP)
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


def _word_class(first: str) -> re.Pattern[str] | None:
    """What may not come right before a name starting with ``first``: a Latin name may not continue a Latin word,
    a Cyrillic one a Cyrillic word, an Arabic one an Arabic word past its proclitics (checked on the text before
    the name by :func:`_inside_arabic_word`; CJK and other scripts are written without spaces: any character may)."""
    if _LATIN.match(first):
        return _LATIN
    if _CYRILLIC.match(first):
        return _CYRILLIC
    return _ARABIC if _ARABIC.match(first) else None


class NameScanner:
    """Every occurrence of a model or maker name in a text (:meth:`mentions`), found with one trie regex per kind.

    Args:
        families: family id -> spec (``name``, ``maker``, ``aliases``, ``exact``, ``patterns``, ``exclude``).
        makers: maker id -> spec (same fields, without ``maker``).
    """

    def __init__(self, families: Mapping[str, Mapping[str, Any]], makers: Mapping[str, Mapping[str, Any]]) -> None:
        # marker -> (entity, the class of character that may not precede it: Latin or Cyrillic, or None)
        self._groups: dict[str, tuple[Entity, re.Pattern[str] | None]] = {}
        self._exclude: dict[str, re.Pattern[str]] = {}
        self._homonym: dict[Entity, re.Pattern[str]] = {}  # entity -> text that makes every mention a homonym
        lit: list[tuple[str, str]] = []
        exact: list[tuple[str, str]] = []
        pats: list[str] = []
        for kind, items in (("f", families), ("m", makers)):
            for ident, spec in items.items():
                ent = Entity(kind, ident, spec.get("maker") if kind == "f" else ident)
                self._add_entity(ent, spec, lit, exact, pats)
        self._compile(lit, exact, pats)

    def _add_entity(self, ent: Entity, spec: Mapping[str, Any], lit: list[tuple[str, str]],
                    exact: list[tuple[str, str]], pats: list[str]) -> None:
        for field, dest in (("aliases", lit), ("exact", exact)):
            for a in spec.get(field) or []:
                marker = f"g{len(self._groups)}"
                self._groups[marker] = (ent, _word_class(fold(a).strip()[:1]))
                dest.append((a, marker))
        for p in (q for pat in spec.get("patterns") or [] for q in expand(pat)):
            marker = f"g{len(self._groups)}"  # one per alternative: a group name may occur only once
            self._groups[marker] = (ent, _word_class(p[:1]))
            pats.append(f"{p}(?P<{marker}>)")
        if spec.get("homonym"):
            self._homonym[ent] = re.compile("|".join(spec["homonym"]), re.IGNORECASE)
        if spec.get("exclude"):
            for marker, (e, _) in self._groups.items():
                if e == ent:
                    self._exclude[marker] = re.compile("|".join(spec["exclude"]))

    def _compile(self, lit: list[tuple[str, str]], exact: list[tuple[str, str]], pats: list[str]) -> None:
        # Names are found with one trie regex per kind: names starting with an ASCII character (lower-cased text,
        # tried only where no letter or digit precedes: ~30% faster than trying every letter), names in other
        # scripts (skipped for ASCII-only text) and case-sensitive names. Alias patterns with a literal start
        # join the first; a regex per first letter, or an Aho-Corasick automaton (pyahocorasick) for the first
        # words, measured no faster than these tries.
        ascii_trie, other_trie, exact_trie = Trie(), Trie(), Trie()
        for a, marker in lit:
            add_alias(ascii_trie if fold(a).strip()[:1].isascii() else other_trie, a, marker, lower=True)
        slow_pats = [q for q in pats if not add_pattern(ascii_trie, q)]  # (before the case-sensitive names:
        # at a shared node the first leaf wins, and "gemma-2" must not be lost to "Gemma" failing its case check)
        # Case-sensitive names ("Yi", "Step") join the ASCII trie too, lower-cased, and a hit is then checked
        # against the case-sensitive regex at that place: one scan of the text fewer.
        self._exact_markers: set[str] = set()
        for a, marker in exact:
            add_alias(exact_trie, a, marker, lower=False)
            if fold(a).strip()[:1].isascii():
                add_alias(ascii_trie, a, marker, lower=True)
                self._exact_markers.add(marker)
        self._exact_names = re.compile(exact_trie.regex()) if exact_trie else None
        exact_elsewhere = any(fold(a).strip()[:1].isascii() is False for a, _ in exact)
        # (scan regex, on lower-cased text, only for text with non-ASCII characters)
        self._name_scans: list[tuple[Any, bool, bool]] = []
        if ascii_trie:
            self._name_scans.append((WordStart(ascii_trie.regex(), "[a-z0-9]"), True, False))
        if other_trie:
            self._name_scans.append((re.compile(other_trie.regex()), True, True))
        if exact_elsewhere and self._exact_names is not None:
            self._name_scans.append((self._exact_names, False, False))
        if slow_pats:
            self._name_scans.append((re.compile("|".join(slow_pats), re.IGNORECASE), True, False))

    _gate: Any = None  # (prefilter Gate, [group id of each name scan]): see :meth:`set_gate`
    _homonym_gate: Any = None  # (prefilter Gate, group id of the homonym contexts): see :meth:`set_homonym_gate`

    def homonym_regexes(self) -> list[re.Pattern[str]]:
        """The regexes of the ``homonym`` contexts (searched on the folded text, case-insensitive)."""
        return list(self._homonym.values())

    def set_homonym_gate(self, gate: Any, gid: int) -> None:
        """Let a :class:`~distillscope.identity.prefilter.Gate` (group ``gid``: :meth:`homonym_regexes`, asked of
        the lower-cased text scanned) prove that a text holds no homonym context."""
        self._homonym_gate = (gate, gid)

    def scan_regexes(self) -> list[tuple[re.Pattern[str], bool]]:
        """The name-scan regexes, each with whether it is searched on the original (not lower-cased) text."""
        return [(rx.rx if isinstance(rx, WordStart) else rx, not on_lower) for rx, on_lower, _ in self._name_scans]

    def set_gate(self, gate: Any, gids: list[int]) -> None:
        """Let a :class:`~distillscope.identity.prefilter.Gate` (positional groups ``gids``, one per name-scan
        regex, scanned on the lower-cased text) restrict each name-scan regex to the stretches that may hold it."""
        self._plain = [rx for rx, _ in self.scan_regexes()]
        self._gate = (gate, gids)

    def mentions(self, text: str) -> list[tuple[int, int, Entity]]:
        """Every alias occurrence (start, end, entity), claim or not."""
        t = fold(text)
        return self.scan(t, lower(t))

    def scan(self, t: str, tl: str) -> list[tuple[int, int, Entity]]:
        """:meth:`mentions` on text already folded (``t``) and lower-cased (``tl``)."""
        hits: list[re.Match[str]] = []
        ascii_only = tl.isascii()
        gate = self._gate
        for k, (rx, on_lower, non_ascii) in enumerate(self._name_scans):
            if not (non_ascii and ascii_only):
                starts = gate[0].starts(gate[1][k], tl) if gate is not None else None
                if starts is None:
                    hits += rx.finditer(tl if on_lower else t)
                elif starts:  # (the offsets where the prefilter found a name may start: re tries those only)
                    hits += finditer_at(self._plain[k], tl if on_lower else t, starts)
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
            ent, before = self._groups[marker]
            if before is not None and a > 0 and (
                    _inside_arabic_word(t, a) if before is _ARABIC else before.match(t[a - 1])):
                continue
            ex = self._exclude.get(marker)
            if ex is not None and ex.match(t, a):
                continue
            out.append((a, b, ent))
            last_end = b
        if self._homonym:
            out = self._drop_homonyms(out, t, tl)
        return out

    def _drop_homonyms(self, found: list[tuple[int, int, Entity]], t: str,
                       tl: str) -> list[tuple[int, int, Entity]]:
        """Drop every mention of an entity whose ``homonym`` context occurs anywhere in the text: an answer that
        speaks of the Amazon river ("亚马逊河", "the Amazon rainforest") means the river by a bare "亚马逊" too."""
        g = self._homonym_gate
        if g is not None and not g[0].may_match(g[1], tl, 0, len(tl)):
            return found  # (the prefilter proved that no homonym context occurs)
        gone = {e for e in {e for _, _, e in found} if e in self._homonym and self._homonym[e].search(t)}
        return [f for f in found if f[2] not in gone] if gone else found
