"""A plain-language verdict from Holm-adjusted evidence, weighing the explanations each result supports.

The verdict is an ordered list of small named rules; the first that returns a verdict wins. It never claims
more than the adjusted p-values support: "evidence found" means at least one null was rejected after Holm
adjustment at ``alpha``, and the text names which null, how strongly, and which explanations fit it.

Explanations weighed (see :data:`EXPLANATIONS`): distillation, training-data contamination, prompt fragility,
relay substitution and a shared base model. Each family of evidence (by name prefix, :data:`FAMILIES`) says which
explanations it supports and what it cannot tell apart.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from distillscope.evidence import Evidence

STRONG = 0.01  # adjusted p below this is called "strong"

EXPLANATIONS: dict[str, str] = {
    "distillation": "the suspect was trained on another model's outputs or logits (the candidate's where lineage tests "
                    "point at it)",
    "contamination": ("the suspect's training data held text written by or about another model (chat logs, "
                      "benchmark answers scraped from the web), without deliberate distillation"),
    "prompt_fragility": "the answers depend on how, or in which language, the question was asked",
    "relay_substitution": "the endpoint relays requests to a model other than the one it declares",
    "shared_base": "both models derive from a common base model or tokenizer (fine-tune, merge, quantisation)",
}


@dataclass(frozen=True)
class Family:
    """What one family of evidence (a name prefix) can and cannot say."""

    prefix: str
    supports: tuple[str, ...]
    cannot_distinguish: str
    descriptive: bool = False  # descriptive families (accuracy tables) do not enter the verdict
    links_candidate: bool = False  # a rejection points at the specific candidate (not just at some other model)


FAMILIES: tuple[Family, ...] = (
    Family("identity.foreign_claims", ("distillation", "contamination", "relay_substitution"),
           "a foreign self-identification arises alike from distillation, from other models' chat logs in web "
           "data, and from an endpoint that relays to another model; it does not say which"),
    Family("identity.language_dependence", ("prompt_fragility", "contamination"),
           "claims that change with the language point at language-specific training data or fragile answers; "
           "on their own they do not indicate distillation"),
    Family("identity.compare", ("relay_substitution", "distillation"),
           "two models claiming different identities shows they differ, not which one was trained on which"),
    Family("verify", ("relay_substitution",),
           "a distribution other than the reference's also results from changed sampling settings, a system "
           "prompt, quantisation or a provider-side model update"),
    Family("lineage.blackbox", ("distillation", "contamination", "shared_base"),
           "being closer to the candidate than to the panel follows from distillation on its outputs, heavy "
           "contamination with them, or a shared base model alike", links_candidate=True),
    Family("lineage.tokenizer", ("shared_base",),
           "families reuse tokenizers; a shared tokenizer supports a common origin, not distillation"),
    Family("lineage.tokenizer.consistency", ("relay_substitution",),
           "usage counts that do not fit the reference's tokenizer mean another tokenizer counts them: another "
           "model, or a provider that counts differently (template or hidden system tokens)"),
    Family("lineage.functional", ("distillation", "shared_base"),
           "next-token agreement is raised by logit distillation and by fine-tuning the same base alike", links_candidate=True),
    Family("lineage.weights", ("shared_base", "distillation"),
           "similar block weights mean the suspect was initialised from the candidate (fine-tune, merge, "
           "quantisation); a similar embedding geometry alone (see the effect's name) can also come from a fresh "
           "student that imitated the candidate through its tokenizer; a null result does not clear "
           "distillation into fresh weights", links_candidate=True),
    Family("lineage.representations", ("shared_base", "distillation"),
           "aligned hidden states follow from a common initialisation and, more weakly, from distillation", links_candidate=True),
    Family("watermark.radioactivity", ("distillation", "contamination"),
           "the candidate's watermark in the suspect's text means it learned from watermarked outputs, either "
           "by distillation or through watermarked text published on the web", links_candidate=True),
    Family("compare", (), "accuracy on tasks is descriptive and says nothing about origin", descriptive=True),
)


def family_of(name: str) -> Family | None:
    """The most specific family whose prefix matches an evidence name (None when unknown)."""
    hits = [f for f in FAMILIES if name == f.prefix or name.startswith(f.prefix + ".")]
    return max(hits, key=lambda f: len(f.prefix)) if hits else None


#: The phrase of the lineage caveat for null models far smaller than the suspect (lineage.run.null_size_caveat).
LENIENT_NULL = "this null is too lenient"

@dataclass
class Verdict:
    """The plain-language conclusion of a case file."""

    finding: bool
    headline: str
    strength: str  # "strong", "moderate", "lead" (only rejections against a too-lenient null), "none", "no tests"
    alpha: float
    rejected: list[dict[str, Any]] = field(default_factory=list)
    explanations: list[dict[str, Any]] = field(default_factory=list)
    linked_candidate: str | None = None
    caveats: list[str] = field(default_factory=list)
    rule: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"finding": self.finding, "headline": self.headline, "strength": self.strength, "alpha": self.alpha,
                "rule": self.rule, "rejected": self.rejected, "explanations": self.explanations,
                "linked_candidate": self.linked_candidate, "caveats": self.caveats}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Verdict:
        return cls(**d)


@dataclass
class Context:
    evidence: list[Evidence]
    alpha: float
    suspect: str
    candidate: str | None

    @property
    def tests(self) -> list[Evidence]:
        return [e for e in self.evidence if e.p_value is not None and not _descriptive(e)]

    @property
    def rejected(self) -> list[Evidence]:
        return sorted((e for e in self.tests if e.p_adjusted is not None and e.p_adjusted < self.alpha),
                      key=lambda e: e.p_adjusted)  # type: ignore[arg-type,return-value]


def _descriptive(e: Evidence) -> bool:
    f = family_of(e.name)
    return f is not None and f.descriptive


def _weigh(rejected: Sequence[Evidence]) -> list[dict[str, Any]]:
    """Per explanation: the rejected evidence supporting it and what that evidence cannot tell apart."""
    out = []
    for key, text in EXPLANATIONS.items():
        sup = [e for e in rejected if (f := family_of(e.name)) is not None and key in f.supports]
        if sup:
            out.append({"explanation": key, "meaning": text, "supported_by": [e.name for e in sup],
                        "limits": sorted({f.cannot_distinguish for e in sup if (f := family_of(e.name))})})
    unknown = [e.name for e in rejected if family_of(e.name) is None]
    if unknown:
        out.append({"explanation": "unmapped", "meaning": "a departure from the stated null with no mapped cause",
                    "supported_by": unknown, "limits": ["read each test's null: no explanation is mapped to it"]})
    return out


def _rule_no_tests(c: Context) -> Verdict | None:
    if c.tests:
        return None
    return Verdict(False, f"NO VERDICT: no statistical test ran on {c.suspect} (see the skipped steps).",
                   "no tests", c.alpha, caveats=["Nothing was tested, so nothing is concluded either way."])


def _rule_rejected(c: Context) -> Verdict | None:
    rej = c.rejected
    if not rej:
        return None
    best = float(rej[0].p_adjusted)  # type: ignore[arg-type]
    strength = "strong" if best < STRONG else "moderate"
    lineage = [e for e in rej if (f := family_of(e.name)) is not None and f.links_candidate]
    linked = c.candidate if lineage and c.candidate else None
    lenient = [e for e in lineage if any(LENIENT_NULL in cv for cv in e.caveats)]
    all_lenient = bool(lineage) and len(lenient) == len(lineage)  # every lineage rejection has a too-lenient null
    if all_lenient:
        linked = None
        strength = "lead" if len(lineage) == len(rej) else strength
    head = (f"EVIDENCE FOUND ({strength}): {len(rej)} of {len(c.tests)} tests reject their null after Holm "
            f"adjustment at alpha = {c.alpha:g} (smallest adjusted p = {best:.3g}).")
    if all_lenient:
        head += (" The lineage rejections are against null models far smaller than the suspect and the candidate, "
                 "a null too lenient for two real models: a lead, not a finding of lineage (see the caveats).")
    if linked:
        lp = min(float(e.p_adjusted) for e in lineage)  # type: ignore[arg-type]
        head += f" Lineage tests link {c.suspect} to {linked} (adjusted p = {lp:.3g})."
    rows = [{"name": e.name, "null": e.null, "p_value": e.p_value, "p_adjusted": e.p_adjusted,
             "effect_size": e.effect_size, "effect_name": e.effect_name} for e in rej]
    cav = [("A rejected null says the data are unlikely under that null; the explanations below are what the "
           "rejection is consistent with, not a finding of intent or of a licence breach.")]
    if lenient:
        cav.append(next(cv for cv in lenient[0].caveats if LENIENT_NULL in cv))
    if len(_weigh(rej)) > 1:
        cav.append("Several explanations fit the evidence; the tests cannot by themselves choose between them.")
    return Verdict(True, head, strength, c.alpha, rows, _weigh(rej), linked, cav)


def _rule_raw_only(c: Context) -> Verdict | None:
    raw = [e for e in c.tests if e.p_value is not None and e.p_value < c.alpha]
    if not raw:
        return None
    return Verdict(False, (f"NO EVIDENCE after adjustment: {len(raw)} of {len(c.tests)} tests have raw p < "
                           f"{c.alpha:g}, but none survives Holm adjustment for {len(c.tests)} tests."),
                   "none", c.alpha,
                   caveats=[("Unadjusted p-values below alpha are expected by chance among many tests; "
                            "collect more samples to test these leads on their own.")])


def _rule_nothing(c: Context) -> Verdict | None:
    return Verdict(False, (f"NO EVIDENCE: none of {len(c.tests)} tests rejects its null at alpha = {c.alpha:g} "
                           "after Holm adjustment."), "none", c.alpha,
                   caveats=[("Absence of evidence bounds what these samples could detect; it does not show that "
                            "the suspect is independent of the candidate or honest about its identity.")])


RULES: tuple[Callable[[Context], Verdict | None], ...] = (_rule_no_tests, _rule_rejected, _rule_raw_only,
                                                          _rule_nothing)


def decide(evidence: list[Evidence], alpha: float = 0.05, suspect: str = "the suspect",
           candidate: str | None = None) -> Verdict:
    """Apply :data:`RULES` in order to Holm-adjusted ``evidence`` and return the first verdict."""
    ctx = Context(evidence, alpha, suspect, candidate)
    for rule in RULES:
        v = rule(ctx)
        if v is not None:
            v.rule = rule.__name__.removeprefix("_rule_")
            return v
    raise AssertionError("the last rule always decides")  # pragma: no cover
