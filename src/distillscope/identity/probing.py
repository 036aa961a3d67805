"""Ask a model who it is, in many languages, and analyse what it says.

    from distillscope.models import load_model
    from distillscope.identity import probe_identity
    report = probe_identity(load_model("zoo:smollm2-135m-instruct"), languages="en,zh", samples=8)
    print(report.summary())

Every request goes through the sample store (:class:`distillscope.store.CachedModel`), so a rerun with more
samples only generates the new ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from distillscope.errors import InputError
from distillscope.evidence import Evidence
from distillscope.identity.analysis import (
    NONE,
    Response,
    compare,
    consistency,
    expected_identity,
    foreign_claims,
    language_dependence,
    rates,
)
from distillscope.identity.battery import Probe, load_battery
from distillscope.identity.claims import ClaimExtractor, default_extractor
from distillscope.identity.scoring import blind_validation
from distillscope.models.base import Model

PROBE_KIND = "probe answers"  # the kind of blind labelled set that matches what the battery gets back
REAL_KIND = "real answers"  # blind labelled answers that deployed models wrote (tests/identity/data/real)
# ... whose source states no licence: labels committed, text rebuilt locally (tests/identity/data/real/README.md)
LABELS_ONLY_KIND = "real answers, labels only"
MIN_LANGUAGE_ANSWERS = 100  # labelled real answers a language needs for a tolerance of its own
MIN_WORSE_ANSWERS = 50  # ... or fewer, where its measured share already exceeds the pooled bound


@dataclass
class IdentityReport:
    """Everything one identity probe run found."""

    spec: str
    responses: list[Response]
    expected: str | None
    by_language: dict[str, dict[str, Any]]
    by_probe: dict[str, dict[str, Any]]
    consistency: dict[str, Any]
    consistency_by_language: dict[str, dict[str, Any]]
    evidence: list[Evidence] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    extractor_validation: dict[str, Any] = field(default_factory=dict)  # blind accuracy of the claim extractor

    def summary_rows(self) -> list[dict[str, Any]]:
        """One row per language: n, the modal identity, its rate and interval, and the foreign-claim rate."""
        foreign = next((e for e in self.evidence if e.name == "identity.foreign_claims"), None)
        rows = []
        for lang, g in self.by_language.items():
            labels = g["labels"]
            named = {k: v for k, v in labels.items() if k != NONE}
            top = max(named.items(), key=lambda kv: kv[1]["k"]) if named else (NONE, labels.get(NONE))
            row = {"language": lang, "n": g["n"], "top": top[0], "top_rate": top[1]["rate"] if top[1] else None,
                   "top_low": top[1]["low"] if top[1] else None, "top_high": top[1]["high"] if top[1] else None,
                   "none_rate": labels.get(NONE, {}).get("rate", 0.0),
                   "identities": {k: v["k"] for k, v in labels.items()}}
            if foreign is not None:
                f = foreign.details["by_language"].get(lang)
                row.update({"foreign_rate": f["rate"], "foreign_low": f["low"], "foreign_high": f["high"]})
            rows.append(row)
        return rows

    def to_dict(self, with_responses: bool = True) -> dict[str, Any]:
        d = {"spec": self.spec, "expected": self.expected, "params": self.params,
             "by_language": self.by_language, "by_probe": self.by_probe, "consistency": self.consistency,
             "consistency_by_language": self.consistency_by_language, "summary": self.summary_rows(),
             "evidence": [e.to_dict() for e in self.evidence], "extractor_validation": self.extractor_validation}
        if with_responses:
            d["responses"] = [r.to_dict() for r in self.responses]
        return d


def _wrap_store(model: Model, store: Any) -> Model:
    if store is False:
        return model
    from distillscope.store import CachedModel, SampleStore

    if isinstance(model, CachedModel):
        return model
    return CachedModel(model, store if store not in (None, True) else SampleStore())


def collect(model: Model, probes: Sequence[Probe], samples: int = 8, max_tokens: int = 64, temperature: float = 1.0,
            seed: int = 0, store: Any = None, progress: Callable[[int], None] | None = None,
            extractor: ClaimExtractor | None = None) -> list[Response]:
    """Generate ``samples`` answers to every probe and annotate them with claims."""
    if samples < 1:
        raise InputError(f"samples must be >= 1, got {samples}.")
    if not probes:
        raise InputError("No probes selected: check --languages / --probes.")
    m = _wrap_store(model, store)
    reqs, meta = [], []
    for p in probes:
        for i in range(samples):
            reqs.append(p.request(seed_index=i, max_tokens=max_tokens, temperature=temperature, seed=seed))
            meta.append(p)
    comps = m.generate(reqs, progress=progress)
    ex = extractor or default_extractor()
    return [Response(p.language, p.id, c.text, ex.extract(c.text), p.kind, c.sample_id, c.declared_model)
            for p, c in zip(meta, comps)]


def measured_tolerance() -> tuple[float | dict[str, float], dict[str, Any]]:
    """The default null allowance of the foreign-claim test, and the validation record it comes from.

    Preferred: on blind labelled real answers (answers deployed models wrote, :data:`REAL_KIND`, and the
    labels-only sets whose text is rebuilt locally, :data:`LABELS_ONLY_KIND`) scored with the rules in use, the share of answers whose labels assert no foreign identity in which the extractor asserts one
    (``foreign_null``): its upper 95% bound per language where that language has at least
    :data:`MIN_LANGUAGE_ANSWERS` such answers or, with at least :data:`MIN_WORSE_ANSWERS`, where its measured share
    already exceeds the pooled bound, and the pooled upper bound (``"*"``) for the others. Otherwise: the pooled upper bound on blind probe answers scored with the rules in use (or, when
    the rules changed since, with earlier rules; see :func:`~distillscope.identity.scoring.blind_validation`).
    """
    try:
        v = blind_validation(kinds=[REAL_KIND, LABELS_ONLY_KIND], current_rules=True)
    except InputError:
        v = None
    if v is not None and "all" in v["foreign_null"]:
        pooled = v["foreign_null"]["all"]["high"]
        tol: dict[str, float] = {"*": pooled}
        for lang, e in v["foreign_null"].items():
            # its own bound where a language has the answers for one, or where even its few answers show more
            # false assertions than the pooled bound allows (French 4/99: the pooled bound would let honest
            # French traffic be flagged more often than alpha)
            worse = e["n"] >= MIN_WORSE_ANSWERS and e["value"] > pooled
            if lang != "all" and (e["n"] >= MIN_LANGUAGE_ANSWERS or worse):
                tol[lang] = e["high"]
        return tol, v
    try:
        v = blind_validation(kinds=[PROBE_KIND], current_rules=True)
    except InputError:  # the rules changed since the last blind score: fall back to the figures of earlier rules
        v = blind_validation(kinds=[PROBE_KIND])
    return v["false_assertion_rate"]["high"], v


def analyse(responses: Sequence[Response], spec: str = "", expect: str | None = None,
            tolerance: float | dict[str, float] | None = None, n_perm: int = 2000, seed: int = 0,
            extractor: ClaimExtractor | None = None, implied: bool = False) -> IdentityReport:
    """Rates with intervals, consistency and (when the expected identity is known) foreign-claim evidence.

    ``tolerance``: the foreign-claim rate extractor errors alone could produce (the null of the foreign-claim
    test); default: measured, see :func:`measured_tolerance`. ``implied``: the foreign-identity tests also count
    implied affiliations ("against OpenAI's content policy"), not only asserted ones.
    """
    ex = extractor or default_extractor()
    measured, validation = measured_tolerance()
    if tolerance is None:
        tolerance = measured
    expected = expected_identity(expect, [r.declared_model for r in responses], ex)
    by_lang: dict[str, list[Response]] = {}
    for r in responses:
        by_lang.setdefault(r.language, []).append(r)
    evidence = []
    if expected is not None:
        statuses = ("asserted", "implied") if implied else ("asserted",)
        evidence.append(foreign_claims(responses, expected, tolerance, extractor=ex, statuses=statuses))
        if len(by_lang) >= 2:
            evidence.append(language_dependence(responses, expected, n_perm=n_perm, seed=seed, extractor=ex,
                                                statuses=statuses))
    return IdentityReport(
        spec=spec, responses=list(responses), expected=expected,
        by_language=rates(responses, by=("language",)), by_probe=rates(responses, by=("language", "probe")),
        consistency=consistency(responses),
        consistency_by_language={lang: consistency(rs) for lang, rs in sorted(by_lang.items())},
        evidence=evidence,
        params={"expect": expect, "tolerance": tolerance, "n_perm": n_perm, "seed": seed, "implied": implied,
                "n": len(responses), "languages": sorted(by_lang)},
        extractor_validation=validation,
    )


def extractor_for(expect: str | None) -> ClaimExtractor:
    """The default extractor, or one that also knows ``expect`` as a family when the alias table does not."""
    ex = default_extractor()
    if not expect or expected_identity(expect, extractor=ex) in ex.families or ex.mentions(expect):
        return ex
    return ClaimExtractor(extra_families={expect.strip().lower(): [expect.strip()]})


def probe_identity(model: Model, languages: list[str] | str | None = None, samples: int = 8, max_tokens: int = 64,
                   temperature: float = 1.0, expect: str | None = None, probes: list[str] | None = None,
                   seed: int = 0, store: Any = None, progress: Callable[[int], None] | None = None,
                   tolerance: float | None = None, n_perm: int = 2000, implied: bool = False) -> IdentityReport:
    """Run the identity battery on ``model`` and analyse the answers.

    Args:
        model: any :class:`~distillscope.models.Model`.
        languages: battery languages (``"all"``, ``"en,zh"``, a list); default all 16.
        samples: answers per probe.
        expect: the identity the model should claim (family id or name, e.g. ``qwen``, ``Claude``, or a product
            name such as ``Aster``); default: the family in the endpoint's declared model name.
        probes: restrict to these probe ids.
        store: a SampleStore (default: the user's store), or ``False`` to bypass caching.
        tolerance: foreign-claim rate attributed to extractor error in the null of the foreign-claim test;
            default: the extractor's measured false-assertion rate on blind probe answers (upper 95% bound).
        implied: count implied affiliations as foreign claims too (default: asserted only).
    """
    battery = load_battery(languages, probes)
    ex = extractor_for(expect)
    responses = collect(model, battery, samples, max_tokens, temperature, seed, store, progress, ex)
    report = analyse(responses, getattr(model, "spec", ""), expect, tolerance, n_perm, seed, ex, implied)
    report.params.update({"samples": samples, "max_tokens": max_tokens, "temperature": temperature})
    return report


def compare_models(a: Model, b: Model, languages: list[str] | str | None = None, samples: int = 8, **kw: Any) -> Evidence:
    """Probe two models with the same battery and test whether their claimed identities differ."""
    battery = load_battery(languages, kw.pop("probes", None))
    n_perm, seed = kw.pop("n_perm", 2000), kw.get("seed", 0)
    ra = collect(a, battery, samples, **kw)
    rb = collect(b, battery, samples, **kw)
    return compare(ra, rb, getattr(a, "spec", "A"), getattr(b, "spec", "B"), n_perm=n_perm, seed=seed)
