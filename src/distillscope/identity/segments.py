"""Who is speaking where: split an answer into speaker turns and reasoning traces.

    >>> from distillscope.identity.segments import segment
    >>> [(s.kind, s.speaker, s.own_voice) for s in segment("[ChatGPT]: I can't. [DAN]: Sure thing!")]
    [('persona', 'chatgpt', True), ('persona', 'dan', False)]

Jailbreak prompts ask a model to answer twice, as itself and as a persona: bracketed labels (``[ChatGPT]: ...
[DAN]: ...``, ``[🔒CLASSIC] ... [🔓JAILBREAK] ...``), emoji labels (``(🤖ChatGPT) ... (💥Maximum) ...``) or
"Persona:" lines (``DAN: ...``). Reasoning models write a trace first (``<think>...</think>``). A segment speaks
in the model's own voice when it is the text outside any persona, or a persona label that names a model or the
"normal"/"classic" answer; the other personas are roles (their affiliations are presupposed, not asserted).
Label words are in ``data/cues.yaml`` (``persona_self``, ``persona_role``).

:func:`segment` returns ``[]`` for the usual answer without labels or traces (one segment, own voice).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_EMOJI = "\U0001F300-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F"
_TAG = re.compile(r"</?(?:think|thinking|reasoning|thought)>", re.IGNORECASE)
_TRACE = re.compile(r"<(think|thinking|reasoning|thought)>(.*?)(?:</\1>|$)|^(.*?)</(?:think|thinking|reasoning)>",
                    re.DOTALL | re.IGNORECASE)
# [ChatGPT]: / [🔓JAILBREAK] at a line start or before a colon; not a citation ([1]) or a Markdown link ([x](y)).
_BRACKET = re.compile(r"(?:^|(?<=\n))[ \t>*_#]*\[([^\[\]\n]{1,40})\](?!\()[*_]*\s*:?|\[([^\[\]\n]{1,40})\][*_]*\s*:",
                      re.MULTILINE)
# (🤖ChatGPT) / (💥Maximum): an emoji inside the parentheses marks a label.
_EMOJI_LABEL = re.compile(rf"\(\s*[{_EMOJI}]+\s*([^()\n]{{1,30}}?)\s*\)\s*:?")
_SUFFIX = re.compile(r"(?:\s+(?:mode|output|response|answer|reply|says|said|version))+$", re.IGNORECASE)
# DAN: / **ChatGPT:** at a line start.
_LINE = re.compile(r"^[ \t>#]*[*_]*([A-Za-z][\w .'-]{0,24}?)[*_]*\s*:[*_]*", re.MULTILINE)


@dataclass(frozen=True)
class Segment:
    """A span ``[start, end)`` of an answer and who speaks in it.

    Attributes:
        kind: ``answer`` (text outside labels and traces), ``persona`` (after a persona label) or ``trace``.
        speaker: the persona label, lower-cased ("" for ``answer`` and ``trace``).
        own_voice: whether the model speaks as itself here.
        label: ``(start, end)`` of the label itself (None for ``answer`` and ``trace``).
    """

    start: int
    end: int
    kind: str
    speaker: str = ""
    own_voice: bool = True
    label: tuple[int, int] | None = None


class Segmenter:
    """Label lexicon + the regexes above; build once.

    Args:
        persona_self: regex of label words that speak as the model itself ("classic", "normal", "🔒").
        persona_role: regex of role label words ("DAN", "jailbreak", "developer mode", "🔓").
        name_spans: ``label -> [(start, end), ...]`` of the model names in a label (a label that names a model
            speaks as the model itself).
    """

    def __init__(self, persona_self: re.Pattern[str], persona_role: re.Pattern[str],
                 name_spans: Callable[[str], list[tuple[int, int]]] | None = None) -> None:
        self._self = persona_self
        self._role = persona_role
        self._names = name_spans or (lambda s: [])

    def _own(self, label: str, whole: bool = False) -> bool | None:
        """True: the model's own voice; False: a role; None: not a persona label. ``whole``: the label must be
        nothing but a persona word or a model name (with "mode", "output", ... after it), as for "DAN:" lines,
        where a sentence ending in a colon ("Non sono GPT:") or a key ("is_gpt:") is no label."""
        if whole:
            label = _SUFFIX.sub("", label.strip())
            role, own = self._role.fullmatch(label), self._self.fullmatch(label)
            return False if role else True if own or (0, len(label)) in self._names(label) else None
        if self._role.search(label):
            return False
        if self._self.search(label) or self._names(label):
            return True
        return None

    def labels(self, t: str) -> list[tuple[int, int, str, bool]]:
        """(start, end, speaker, own voice) of every persona label in ``t``."""
        brackets = []
        for m in _BRACKET.finditer(t) if "[" in t else ():
            name = (m.group(1) or m.group(2)).strip(" *_:")
            own = self._own(name)
            if own is not None or (m.group(2) is None and _has_emoji(name)):
                brackets.append((m.start(), m.end(), _clean(name), bool(own), m.group(0).rstrip().endswith(":")))
        # A lone bracket without a colon is a stage direction ("[DAN mode requested] I won't ..."), not a turn.
        out = [b[:4] for b in brackets if b[4] or len(brackets) >= 2]
        emoji = [(m, self._own(m.group(1))) for m in _EMOJI_LABEL.finditer(t)] if "(" in t else []
        for m, own in emoji:  # an unknown emoji label counts when there are two ("(😊 happy)" alone is prose)
            if own is not None or len(emoji) >= 2:
                out.append((m.start(), m.end(), _clean(m.group(1)), own is True))
        for m in _LINE.finditer(t) if ":" in t else ():
            own = self._own(m.group(1), whole=True)
            if own is not None:
                out.append((m.start(), m.end(), _clean(m.group(1)), own))
        out.sort()
        keep: list[tuple[int, int, str, bool]] = []
        for lab in out:
            if not keep or lab[0] >= keep[-1][1]:
                keep.append(lab)
        return keep

    def segment(self, t: str) -> list[Segment]:
        """Segments covering ``t`` in order, or ``[]`` when the whole text is the model's own answer."""
        # (substring tests are memchr-fast; most answers have none of these characters and cost nothing more)
        has_tag = "<" in t and _TAG.search(t) is not None
        if not (has_tag or "[" in t or "(" in t or ":" in t):
            return []
        traces = [(m.start(), m.end()) for m in _TRACE.finditer(t) if m.end() > m.start()] if has_tag else []
        labels = [lab for lab in self.labels(t) if not any(a <= lab[0] < b for a, b in traces)]
        if not traces and not labels:
            return []
        cuts = sorted([(a, b, "trace", "", True, None) for a, b in traces]
                      + [(a, b, "persona", name, own, (a, b)) for a, b, name, own in labels])
        out: list[Segment] = []
        pos, current = 0, ("answer", "", True, None)
        for a, b, kind, name, own, lab in cuts:
            if a > pos:
                out.append(Segment(pos, a, *current))  # type: ignore[arg-type]
            if kind == "trace":
                out.append(Segment(a, b, "trace"))
                pos = b
                continue
            current = ("persona", name, own, lab)
            pos = a
        if pos < len(t):
            out.append(Segment(pos, len(t), *current))  # type: ignore[arg-type]
        return out


def _has_emoji(s: str) -> bool:
    return re.search(f"[{_EMOJI}]", s) is not None


def _clean(label: str) -> str:
    return re.sub(f"[{_EMOJI}]", "", label).strip().lower()


def segment(text: str) -> list[Segment]:
    """Segments of ``text`` with the default label lexicon (see :class:`Segmenter`)."""
    from distillscope.identity.claims import default_extractor

    return default_extractor().segmenter.segment(text)
