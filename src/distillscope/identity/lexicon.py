"""The cue lexicon (``data/cues.yaml``) compiled into searchable cue sets, one attribute per role.

    >>> from distillscope.identity.lexicon import Cues
    >>> Cues().neg.search("i am not chatgpt") is not None
    True

Each role of ``cues.yaml`` lists patterns per language; a role becomes either a :class:`~.trie.PatternUnion`
(searched anywhere in a span: ``first_person``, ``neg``, ``hypo``, ...) or an ordinary case-insensitive regex
(matched at a position: ``as_lead``, ``conj``, ...). Rules read them on lower-cased text. To add a cue word,
add it to ``cues.yaml`` under its role and language; a new role needs a line in ``UNIONS`` or ``REGEXES`` below.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from distillscope.identity.trie import (
    PatternUnion,
    cue_regex,
    guard_first,
    has_latin_literal,
    required_chars,
)

DATA = Path(__file__).parent / "data"

# attribute -> the cues.yaml roles searched together as one PatternUnion
UNIONS: dict[str, tuple[str, ...]] = {
    "first_person": ("self",), "neg": ("neg",), "contrast": ("contrast",), "reported": ("reported",),
    "hypo": ("hypo",), "mention": ("mention",), "qualifier": ("reported", "hypo", "neg"),
    "frame": ("frame",), "head_cue": ("reported", "frame"), "config": ("config",), "scene": ("scene",),
    "scene_exit": ("scene_exit",), "offer": ("offer",), "mention_verb": ("mention_verb",), "refusal": ("refusal",),
    "unrestricted": ("unrestricted",), "neg_end": ("neg_end",), "echo": ("echo",), "topic": ("topic",),
    "other_speaker": ("other_speaker",), "neg_resume": ("neg_resume",), "base_topic": ("base_topic",),
    "role_after": ("role_after",), "template": ("template",), "translation": ("translation",),
    "user_text": ("user_text",), "many_others": ("many_others",), "pro_drop": ("pro_drop",),
    "backstage": ("backstage",), "profile_head": ("profile_head",), "policy_talk": ("policy_talk",),
    "scene_request": ("scene_request",), "scene_accept": ("scene_accept",),
}
# attribute -> the cues.yaml role compiled as one case-insensitive alternation (matched at a position)
REGEXES: dict[str, str] = {
    "roleplay_lead": "roleplay_lead", "conj": "conjunction", "as_lead": "as", "complement": "complement",
    "other": "other", "echo_no": "echo_no", "echo_yes": "echo_yes", "subject_next": "subject_next",
    "quoted_question": "quoted_question", "neg_key": "neg_key", "meta_source": "meta_source", "as_post": "as_post",
    "api_call": "api_call", "made_by_after": "made_by_after", "implied_post": "implied_post",
    "implied_lead": "implied_lead", "persona_self": "persona_self", "persona_role": "persona_role",
    "own_words": "own_words", "own_words_after": "own_words_after",
}
# The cues anchored right after a name, in priority order: the first branch that matches wins.
POST_ROLES = ("neg_post", "hypo_post", "reported_post", "mention_post", "self_post", "subject_post")


def load_cues(path: str | Path | None = None) -> dict[str, list[str]]:
    """cues.yaml flattened to ``{role: [pattern, ...]}`` (all languages together)."""
    p = Path(path) if path else DATA / "cues.yaml"
    cues = yaml.safe_load(p.read_text(encoding="utf-8"))
    return {role: [q for pats in langs.values() for q in pats] for role, langs in cues.items()}


class Cues:
    """Every role of the cue lexicon, compiled (see the module docstring); build once per extractor."""

    def __init__(self, path: str | Path | None = None) -> None:
        flat = load_cues(path)
        for attr, roles in UNIONS.items():
            setattr(self, attr, PatternUnion([q for r in roles for q in flat.get(r, [])]))
        for attr, role in REGEXES.items():
            setattr(self, attr, cue_regex(flat.get(role, [])))
        # (after its leading spaces, a look-ahead for the characters a cue can start with: trie.guard_first)
        self.contrast_lead = re.compile(guard_first(
            r"\s*(?:" + "|".join(f"(?:{p})" for p in flat["contrast_lead"]) + r")", re.IGNORECASE), re.IGNORECASE)
        # Text after a name is mostly ASCII, where cues without any Latin letter, many of them scans such as
        # "[^。]{0,20}?可能性", cannot match: a second regex without them costs ~half.
        self.post = _post_regex(flat, ascii_text=False)
        self.post_latin = _post_regex(flat, ascii_text=True)
        self._post_scripts = _PostScripts(flat)
        # The same few tails follow most names (".", "。", "です。", " हूँ"): their roles are remembered.
        self.post_role = lru_cache(maxsize=512)(self._post_role)
        # implied_lead ends at the name ("... the usage policies of "): a "$"-anchored alternation that re tries
        # at every position; the same patterns unanchored, as a trie, rule most texts out first.
        self.implied_lead_any = PatternUnion([q.removesuffix("$") for q in flat.get("implied_lead", [])])
        self.meta_key = re.compile("(?:" + "|".join(flat["meta_key"]) + r")\s*$", re.IGNORECASE)
        self.made_by_before = re.compile("(?:" + "|".join(flat["made_by_before"]) + r")\s*$", re.IGNORECASE)
        self.made_by_lead = re.compile("(?:" + "|".join(flat["made_by_before"]) + ")", re.IGNORECASE)
        self.profile_field = re.compile(
            r"[\s>*_#|•–-]*(?:" + "|".join(f"(?:{p})" for p in flat["profile_field"]) + r")[*_\s]*[:：][*_\s]*$",
            re.IGNORECASE)

    def _post_role(self, text: str) -> str | None:
        """The role (one of :data:`POST_ROLES`) of the cue that opens ``text``, the lower-cased text right after a
        name, or None."""
        if not text or text.isspace():  # (no cue matches blank text)
            return None
        m = self.post_latin.match(text) if text.isascii() else self._post_scripts.match(text)
        return m.lastgroup if m else None

    def __getattr__(self, name: str) -> Any:  # (for type checkers: attributes are set from UNIONS and REGEXES)
        raise AttributeError(f"no cue set {name!r}; roles are listed in identity/lexicon.py")


def _post_regex(flat: dict[str, list[str]], ascii_text: bool) -> re.Pattern[str]:
    # (each cue with guard_first's look-ahead after its leading spaces: the same matches, fewer tries)
    pats = {role: [guard_first(p, re.IGNORECASE) for p in flat[role] if not ascii_text or has_latin_literal(p)]
            for role in POST_ROLES if flat.get(role)}
    return re.compile("|".join(f"(?P<{role}>" + "|".join(f"(?:{p})" for p in ps) + ")"
                               for role, ps in pats.items() if ps), re.IGNORECASE)


class _PostScripts:
    """:data:`POST_ROLES`' regex on non-ASCII text, without the cues that cannot match it: a cue that needs a
    character of some script (:func:`~.trie.required_chars`: "입니다" a Hangul one, "ではな" a kana one) is left out of
    the regex searched where the text has no such character (no Hangul cue after an Italian name). The regexes for
    each set of scripts present are compiled when first needed; the match is the one of the whole regex, since a
    cue that is left out cannot match."""

    def __init__(self, flat: dict[str, list[str]]) -> None:
        self._cues: list[tuple[str, str, int]] = []  # (role, pattern, the scripts one of which it needs: bits)
        self._bits: dict[str, int] = {}  # a character some cue needs -> the bit of its script
        scripts: dict[str, int] = {}
        for role in POST_ROLES:
            for p in flat.get(role, []):
                need = required_chars(p, re.IGNORECASE)
                bits = 0
                if need is not None and not any(c.isascii() for c in need):
                    for c in need:
                        bit = scripts.setdefault(unicodedata.name(c, "?").split(" ")[0], 1 << len(scripts))
                        self._bits[c] = self._bits.get(c, 0) | bit
                        bits |= bit
                self._cues.append((role, guard_first(p, re.IGNORECASE), bits))
        self._keys = frozenset(self._bits)
        self._regexes: dict[int, re.Pattern[str]] = {}

    def match(self, text: str) -> re.Match[str] | None:
        present = 0
        for c in self._keys.intersection(text):
            present |= self._bits[c]
        rx = self._regexes.get(present)
        if rx is None:
            roles: dict[str, list[str]] = {}
            for role, p, bits in self._cues:
                if not bits or bits & present:
                    roles.setdefault(role, []).append(p)
            rx = self._regexes[present] = re.compile(
                "|".join(f"(?P<{role}>" + "|".join(f"(?:{p})" for p in ps) + ")" for role, ps in roles.items()),
                re.IGNORECASE)
        return rx.match(text)
