"""Optional adjudicator: a model judges the answers the rules are unsure of (and a random audit sample).

    distillscope identity claims answers.jsonl --field response --judge openai:gpt-4o-mini@https://api.x/v1
    distillscope identity claims answers.jsonl --judge replay:judged.jsonl --audit 0.05

The judge reads a fixed rubric (:data:`RUBRIC`) and the answer, and replies with JSON: the model names the
answer claims as the speaker's identity and a status for each. Both verdicts are kept side by side; the judge
never overrides the rules silently. :func:`adjudicate` reports Cohen's kappa between rules and judge on the
judged answers (over (answer, label) items, status ``none`` included), separately for the uncertain answers and
the audit sample (the audit kappa estimates agreement on the answers the rules are sure of).

An answer is *uncertain* (:func:`uncertain`) when it names a model but the rules found no claim in it, or when a
claim was decided by an indirect rule (:data:`INDIRECT_CUES`).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from distillscope.errors import InputError
from distillscope.identity.claims import STATUSES, Claim, ClaimExtractor, default_extractor

RUBRIC = """You label identity claims in one answer written by an AI assistant.
For every AI model or AI company the answer names, decide what the ASSISTANT ITSELF says about being it:
- "asserted": the assistant states it is that model, or made/trained/owned by that company ("I am ChatGPT",
  "my parent company is Alibaba", "as an AI developed by OpenAI, my purpose ...").
- "negated": the assistant denies it ("I am not Claude").
- "reported": the assistant reports what others say or what it was told ("you called me Gemini").
- "hypothetical": pretence, role-play, conditionals or guesses ("if I were Grok", "[DAN]: I'm DAN").
- "implied": the company is presupposed, not stated ("this goes against OpenAI's content policy").
Names the answer only mentions (comparisons, recommendations, facts about other models) get no entry.
Reply with JSON only: {"claims": [{"name": "<the model or company as written>", "status": "<status>"}]}"""

# Cues (Claim.cue) of rules that link a name to the speaker only indirectly: their claims get a second look.
INDIRECT_CUES = frozenset({"apposition", "guess", "scene", "quote", "quote_reported", "quote_hypo", "persona",
                           "trace_policy", "policy", "echo_yes", "echo_no", "self_post", "signature", "frame_head",
                           "reported_head"})
_JSON = re.compile(r"\{.*\}", re.DOTALL)
NONE = "none"


@dataclass
class Judged:
    """One answer the judge saw: both verdicts as ``{label: status}``, and why it was sent."""

    index: int
    reason: str  # "uncertain" | "audit"
    rules: dict[str, str]
    judge: dict[str, str] | None  # None when the judge's reply could not be read
    reply: str = ""

    @property
    def agree(self) -> bool | None:
        return None if self.judge is None else self.rules == self.judge

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "reason": self.reason, "rules": self.rules, "judge": self.judge,
                "agree": self.agree, "reply": self.reply}


@dataclass
class JudgeReport:
    """Per judged answer both verdicts; kappa between rules and judge (all judged, uncertain, audit)."""

    judged: list[Judged]
    kappa: dict[str, float | None] = field(default_factory=dict)
    unreadable: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"kappa": self.kappa, "unreadable": self.unreadable, "judged": [j.to_dict() for j in self.judged]}


def uncertain(claims: Sequence[Claim], n_mentions: int) -> bool:
    """Whether the rules' verdict on an answer deserves a second look (see the module docstring)."""
    if n_mentions and not claims:
        return True
    return any(c.cue.split("+")[0] in INDIRECT_CUES for c in claims)


def verdict_of(claims: Sequence[Claim]) -> dict[str, str]:
    """``{label: status}``, the strongest status per label (as scoring counts them)."""
    out: dict[str, str] = {}
    for c in sorted(claims, key=lambda c: STATUSES.index(c.status)):
        out.setdefault(c.label, c.status)
    return out


def parse_reply(reply: str, extractor: ClaimExtractor) -> dict[str, str] | None:
    """The judge's JSON reply as ``{label: status}`` (names mapped to labels by the alias table), or None."""
    m = _JSON.search(reply or "")
    if m is None:
        return None
    try:
        obj = json.loads(m.group(0))
        items = obj["claims"]
    except (ValueError, KeyError, TypeError):
        return None
    pairs = []
    for it in items if isinstance(items, list) else []:
        if not isinstance(it, dict) or it.get("status") not in STATUSES:
            return None
        found = extractor.mentions(str(it.get("name", "")))
        if found:
            _, _, e = found[0]
            family = e.id if e.kind == "f" else None
            pairs.append((extractor.label_of(family, e.maker), it["status"]))
    out: dict[str, str] = {}
    for label, st in sorted(pairs, key=lambda p: STATUSES.index(p[1])):
        out.setdefault(label, st)
    return out


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float | None:
    """Cohen's kappa of two raters' categorical labels (None for no items or one category only)."""
    if len(a) != len(b):
        raise InputError("cohen_kappa() needs two label lists of the same length.")
    cats = sorted(set(a) | set(b))
    if not a or len(cats) < 2:
        return None
    idx = {c: i for i, c in enumerate(cats)}
    m = np.zeros((len(cats), len(cats)))
    for x, y in zip(a, b):
        m[idx[x], idx[y]] += 1
    m /= m.sum()
    po = np.trace(m)
    pe = float(m.sum(axis=1) @ m.sum(axis=0))
    return None if pe == 1 else float((po - pe) / (1 - pe))


def _kappa(judged: Sequence[Judged]) -> float | None:
    a: list[str] = []
    b: list[str] = []
    for j in judged:
        if j.judge is None:
            continue
        for label in sorted(set(j.rules) | set(j.judge)):
            a.append(j.rules.get(label, NONE))
            b.append(j.judge.get(label, NONE))
    return cohen_kappa(a, b)


def adjudicate(texts: Sequence[str], judge: Any, extractor: ClaimExtractor | None = None, audit: float = 0.05,
               seed: int = 0, max_tokens: int = 256) -> JudgeReport:
    """Send the uncertain answers and a random ``audit`` share of the others to ``judge`` (a Model).

    Args:
        texts: the answers.
        judge: any :class:`~distillscope.models.Model` (e.g. ``load_model("openai:gpt-4o-mini@...")``; tests use
            ``mock:`` or ``replay:``); asked greedily with :data:`RUBRIC` as the system message.
        audit: share of the answers the rules are sure of that is judged too, drawn with ``seed``.
    """
    from distillscope.models import GenRequest

    if not 0 <= audit <= 1:
        raise InputError(f"audit must be in [0, 1], got {audit}.")
    ex = extractor or default_extractor()
    claims = [ex.extract(t) for t in texts]
    unsure = [i for i, (t, c) in enumerate(zip(texts, claims)) if uncertain(c, len(ex.mentions(t)))]
    rest = sorted(set(range(len(texts))) - set(unsure))
    sample = sorted(random.Random(seed).sample(rest, round(audit * len(rest)))) if rest else []
    picked = [(i, "uncertain") for i in unsure] + [(i, "audit") for i in sample]
    reqs = [GenRequest.chat([{"role": "system", "content": RUBRIC}, {"role": "user", "content": texts[i]}],
                            max_tokens=max_tokens, temperature=0.0) for i, _ in picked]
    replies = [c.text for c in judge.generate(reqs)] if reqs else []
    judged = [Judged(i, why, verdict_of(claims[i]), parse_reply(r, ex), r) for (i, why), r in zip(picked, replies)]
    kappa = {"all": _kappa(judged), "uncertain": _kappa([j for j in judged if j.reason == "uncertain"]),
             "audit": _kappa([j for j in judged if j.reason == "audit"])}
    return JudgeReport(judged, kappa, sum(j.judge is None for j in judged))
