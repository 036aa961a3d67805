"""From annotated responses to numbers with error bars, and to Evidence records.

* :func:`rates` — per group (language, probe, ...), the share of responses asserting each identity, with
  Wilson 95% intervals.
* :func:`consistency` — the chance that two responses name the same identity (unbiased Simpson index).
* :func:`foreign_claims` — the rate of responses asserting an identity other than the declared one, per
  language, with an exact binomial test against what extractor mistakes alone could produce.
* :func:`language_dependence` — does the foreign-claim rate differ between languages? (permutation chi-square)
* :func:`compare` — do two models' claim distributions differ? (chi-square, permutations within probe strata)
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from distillscope.errors import InputError
from distillscope.evidence import Evidence
from distillscope.identity.claims import STATUSES, Claim, ClaimExtractor, default_extractor
from distillscope.stats.intervals import wilson
from distillscope.stats.permutation import as_rng, permutation_pvalue

NONE = "none"


@dataclass
class Response:
    """One model response to one identity probe, with the claims found in it."""

    language: str
    probe: str
    text: str
    claims: list[Claim] = field(default_factory=list)
    kind: str = ""
    sample_id: str | None = None
    declared_model: str | None = None

    @property
    def asserted(self) -> list[str]:
        """Distinct asserted labels in order of appearance."""
        return self.labels(("asserted",))

    def labels(self, statuses: Iterable[str] = ("asserted",)) -> list[str]:
        """Distinct labels of claims with one of ``statuses``, in order of appearance."""
        wanted = set(statuses)
        out: list[str] = []
        for c in self.claims:
            if c.status in wanted and c.label not in out:
                out.append(c.label)
        return out

    @property
    def primary(self) -> str:
        """The first asserted identity, or ``"none"``."""
        a = self.asserted
        return a[0] if a else NONE

    def to_dict(self) -> dict[str, Any]:
        return {"language": self.language, "probe": self.probe, "kind": self.kind, "text": self.text,
                "sample_id": self.sample_id, "primary": self.primary,
                "claims": [c.to_dict() for c in self.claims]}


def _interval(k: int, n: int, confidence: float) -> dict[str, Any]:
    lo, hi = wilson(k, n, confidence)
    return {"k": k, "n": n, "rate": k / n if n else None, "low": lo, "high": hi}


def rates(responses: Sequence[Response], by: Sequence[str] = ("language", "probe"),
          confidence: float = 0.95) -> dict[str, dict[str, Any]]:
    """Per group, for each identity label, the share of responses that assert it (Wilson interval).

    A response naming two identities counts for both, so shares need not sum to 1; ``none`` is the share of
    responses asserting no identity at all. Keys are the group values joined by ``/`` (e.g. ``"zh-Hans/model"``).
    """
    groups: dict[str, list[Response]] = defaultdict(list)
    for r in responses:
        groups["/".join(str(getattr(r, b)) for b in by) if by else "all"].append(r)
    out = {}
    for g, rs in sorted(groups.items()):
        n = len(rs)
        cnt: Counter[str] = Counter()
        for r in rs:
            a = r.asserted
            cnt.update(a if a else [NONE])
        out[g] = {"n": n, "labels": {lab: _interval(k, n, confidence) for lab, k in cnt.most_common()}}
    return out


def consistency(responses: Sequence[Response]) -> dict[str, Any]:
    """Consistency index: probability that two different responses (drawn without replacement) name the same
    primary identity, among responses that name one (unbiased Simpson index; 1 = always the same identity).

    Also returns ``coverage`` (share of responses naming any identity) and the modal identity.
    """
    named = [r.primary for r in responses if r.primary != NONE]
    n = len(named)
    cnt = Counter(named)
    index = sum(k * (k - 1) for k in cnt.values()) / (n * (n - 1)) if n >= 2 else None
    return {"index": index, "n_named": n, "n": len(responses),
            "coverage": n / len(responses) if responses else None,
            "mode": cnt.most_common(1)[0][0] if cnt else None}


def expected_identity(expect: str | None, declared: Iterable[str | None] = (),
                      extractor: ClaimExtractor | None = None) -> str | None:
    """The identity label a model should claim: ``expect`` (family id, alias or maker), else the family
    named in the endpoint's declared model name (``gpt-4o-mini`` -> ``gpt``). None when unknown."""
    ex = extractor or default_extractor()
    if expect:
        e = expect.strip()
        if e.lower() in ex.families:
            return e.lower()
        if e.lower() in ex.makers:
            return ex.label_of(None, e.lower())
        hits = ex.mentions(e)
        if hits:
            _, _, ent = hits[0]
            return ex.label_of(ent.id if ent.kind == "f" else None, ent.maker)
        return e.lower()  # an identity the alias table does not know (e.g. a product name)
    for d in declared:
        if d:
            hits = ex.mentions(d)
            if hits:
                _, _, ent = hits[0]
                return ex.label_of(ent.id if ent.kind == "f" else None, ent.maker)
    return None


def is_foreign(label: str, expected: str, extractor: ClaimExtractor | None = None) -> bool:
    """True when an asserted ``label`` contradicts the ``expected`` identity (a maker claim matching the
    expected family's maker is not a contradiction: "made by Alibaba" is fine for Qwen)."""
    if label == expected:
        return False
    ex = extractor or default_extractor()
    m_label, m_exp = ex.maker_of(label), ex.maker_of(expected)
    if label.startswith("maker:") or expected.startswith("maker:"):
        return not (m_label is not None and m_label == m_exp)
    return True


Tolerance = float | Mapping[str, float]


def tolerance_of(tolerance: Tolerance, language: str) -> float:
    """The null's tolerance for one language: a number applies everywhere; a mapping gives it per language,
    with ``"*"`` for the languages it does not list."""
    if isinstance(tolerance, Mapping):
        if language in tolerance:
            return float(tolerance[language])
        if "*" not in tolerance:
            raise InputError(f"The tolerance mapping has no entry for language {language!r} and no '*' default.")
        return float(tolerance["*"])
    return float(tolerance)


def poisson_binomial_sf(k: int, groups: Sequence[tuple[int, float]]) -> float:
    """P(K >= k) for K a sum of independent Binomial(n_i, p_i) over ``groups`` [(n_i, p_i), ...] (the null of
    a per-language tolerance), by convolving the binomial probability vectors."""
    pmf = np.ones(1)
    for n, q in groups:
        pmf = np.convolve(pmf, stats.binom.pmf(np.arange(n + 1), n, q))
    return float(min(1.0, max(0.0, pmf[k:].sum()))) if k < len(pmf) else 0.0


def foreign_claims(responses: Sequence[Response], expected: str, tolerance: Tolerance = 0.01,
                   confidence: float = 0.95, extractor: ClaimExtractor | None = None,
                   statuses: Sequence[str] = ("asserted",)) -> Evidence:
    """Rate of responses asserting an identity other than ``expected``, overall and per language.

    The p-value is an exact one-sided test of H0: "in every language the foreign-claim rate is at most that
    language's ``tolerance``", where the tolerance stands for what extractor mistakes alone could produce
    (a number for all languages, or a mapping per language, see :func:`tolerance_of`): binomial for one
    tolerance, Poisson-binomial (a sum of per-language binomials) for several. ``statuses``: which claims count
    (default asserted only; ``("asserted", "implied")`` also counts an affiliation presupposed, as in "this goes
    against OpenAI's content policy").
    """
    if not responses:
        raise InputError("foreign_claims() needs at least one response.")
    bad = set(statuses) - set(STATUSES)
    if bad or not statuses:
        raise InputError(f"statuses must be some of {STATUSES}, got {sorted(statuses)}.")
    tols = {r.language: tolerance_of(tolerance, r.language) for r in responses}
    if not all(0 <= v < 1 for v in tols.values()):
        raise InputError(f"tolerance must be in [0, 1), got {tolerance}.")
    flags = [any(is_foreign(lab, expected, extractor) for lab in r.labels(statuses)) for r in responses]
    k, n = sum(flags), len(flags)
    per_lang: dict[str, list[bool]] = defaultdict(list)
    foreign_labels: dict[str, Counter[str]] = defaultdict(Counter)
    for r, f in zip(responses, flags):
        per_lang[r.language].append(f)
        if f:
            foreign_labels[r.language].update(lab for lab in r.labels(statuses)
                                              if is_foreign(lab, expected, extractor))
    if len(set(tols.values())) == 1:
        tol = next(iter(tols.values()))
        p = float(stats.binomtest(k, n, tol, alternative="greater").pvalue) if tol > 0 else (0.0 if k else 1.0)
    else:
        p = poisson_binomial_sf(k, [(len(fs), tols[lang]) for lang, fs in per_lang.items()])
    shown = (f"{next(iter(tols.values())):.1%}" if len(set(tols.values())) == 1
             else "its language's tolerance (" + ", ".join(f"{lg} {v:.1%}" for lg, v in sorted(tols.items())) + ")")
    by_lang = {
        lang: {**_interval(sum(fs), len(fs), confidence), "labels": dict(foreign_labels[lang].most_common())}
        for lang, fs in sorted(per_lang.items())
    }
    lo, hi = wilson(k, n, confidence)
    return Evidence(
        name="identity.foreign_claims",
        null=f"the model {'asserts' if tuple(statuses) == ('asserted',) else 'asserts or implies'} an identity "
             f"other than {expected!r} in at most {shown} of responses (the rate extractor errors alone could "
             "produce)",
        statistic=k / n,
        p_value=p,
        effect_size=k / n,
        effect_name="share of responses asserting a foreign identity",
        sample_ids=[r.sample_id for r in responses if r.sample_id],
        params={"expected": expected, "tolerance": tolerance if not isinstance(tolerance, Mapping) else dict(tolerance),
                "confidence": confidence, "n": n, "k": k, "statuses": list(statuses)},
        caveats=[
            "Models often misname themselves without any distillation; a foreign identity is a lead, not proof.",
            ("Claims come from a rule-based extractor; its accuracy on text it was not tuned on is in the report's "
             "extractor_validation (blind labelled sets), and the null's tolerance stands for its false assertions."),
        ],
        details={"interval": [lo, hi], "by_language": by_lang,
                 "languages_excluding_zero": [lang for lang, v in by_lang.items() if v["low"] > 0]},
    )


def _chi2(table: np.ndarray) -> np.ndarray:
    """Pearson chi-square of ``(..., R, C)`` tables (rows/columns with zero totals ignored)."""
    t = table.astype(float)
    n = t.sum(axis=(-2, -1), keepdims=True)
    e = t.sum(axis=-1, keepdims=True) * t.sum(axis=-2, keepdims=True) / np.where(n > 0, n, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        terms = np.where(e > 0, (t - e) ** 2 / np.where(e > 0, e, 1), 0.0)
    return terms.sum(axis=(-2, -1))


def permutation_chi2(groups: np.ndarray, labels: np.ndarray, strata: np.ndarray | None = None,
                     n_perm: int = 2000, seed: int = 0) -> tuple[float, float, float]:
    """Chi-square test of independence between ``groups`` and ``labels`` (integer codes) with a permutation
    p-value: group labels are shuffled within each stratum, so strata with different label mixes (probes,
    languages) do not create a difference by themselves. Returns (chi2, p_value, Cramér's V)."""
    groups = np.asarray(groups, dtype=int)
    labels = np.asarray(labels, dtype=int)
    if groups.shape != labels.shape or groups.ndim != 1:
        raise InputError("groups and labels must be 1-d arrays of the same length.")
    if n_perm < 1:
        raise InputError(f"n_perm must be >= 1, got {n_perm}.")
    strata = np.zeros_like(groups) if strata is None else np.asarray(strata, dtype=int)
    g_codes, groups = np.unique(groups, return_inverse=True)
    l_codes, labels = np.unique(labels, return_inverse=True)
    r, c, n = len(g_codes), len(l_codes), len(groups)
    obs_table = np.zeros((r, c))
    np.add.at(obs_table, (groups, labels), 1)
    obs = float(_chi2(obs_table))
    k = min(r, c) - 1
    v = float(np.sqrt(obs / (n * k))) if k > 0 and n > 0 else 0.0
    if r < 2 or c < 2:
        return obs, 1.0, v
    rng = as_rng(seed)
    perm = np.tile(groups, (n_perm, 1))
    for s in np.unique(strata):
        idx = np.flatnonzero(strata == s)
        if len(idx) > 1:
            perm[:, idx] = rng.permuted(perm[:, idx], axis=1)
    flat = (np.arange(n_perm)[:, None] * r + perm) * c + labels[None, :]
    tables = np.bincount(flat.ravel(), minlength=n_perm * r * c).reshape(n_perm, r, c)
    null = _chi2(tables)
    return obs, permutation_pvalue(obs, null, "greater"), v


def language_dependence(responses: Sequence[Response], expected: str, n_perm: int = 2000, seed: int = 0,
                        extractor: ClaimExtractor | None = None, statuses: Sequence[str] = ("asserted",)) -> Evidence:
    """Does the foreign-claim rate depend on the language asked in? Permutation chi-square on the
    language x {foreign, not} table, shuffling languages within probe ids (``statuses`` as in
    :func:`foreign_claims`)."""
    langs = sorted({r.language for r in responses})
    if len(langs) < 2:
        raise InputError("language_dependence() needs responses in at least two languages.")
    lang_code = np.array([langs.index(r.language) for r in responses])
    foreign = np.array([int(any(is_foreign(lab, expected, extractor) for lab in r.labels(statuses)))
                        for r in responses])
    probes = sorted({r.probe for r in responses})
    strata = np.array([probes.index(r.probe) for r in responses])
    chi2, p, v = permutation_chi2(lang_code, foreign, strata, n_perm, seed)
    return Evidence(
        name="identity.language_dependence",
        null="the share of responses with a foreign identity is the same in every language",
        statistic=chi2, p_value=p, effect_size=v, effect_name="Cramér's V (language x foreign claim)",
        sample_ids=[r.sample_id for r in responses if r.sample_id],
        params={"expected": expected, "n_perm": n_perm, "seed": seed, "languages": langs},
        caveats=["Languages are shuffled within probe ids; with few samples per language the test has little power."],
    )


def compare(a: Sequence[Response], b: Sequence[Response], name_a: str = "A", name_b: str = "B",
            n_perm: int = 2000, seed: int = 0, confidence: float = 0.95) -> Evidence:
    """Two-model comparison: do the distributions of primary asserted identity (``none`` included) differ?

    Statistic: Pearson chi-square of the model x identity table; p-value by permuting model labels within
    (language, probe) strata. Effect size: Cramér's V. Details hold both models' per-identity rates.
    """
    if not a or not b:
        raise InputError("compare() needs responses from both models.")
    resp = list(a) + list(b)
    labels_all = sorted({r.primary for r in resp})
    groups = np.array([0] * len(a) + [1] * len(b))
    labels = np.array([labels_all.index(r.primary) for r in resp])
    keys = sorted({(r.language, r.probe) for r in resp})
    strata = np.array([keys.index((r.language, r.probe)) for r in resp])
    chi2, p, v = permutation_chi2(groups, labels, strata, n_perm, seed)
    details = {}
    for nm, rs in ((name_a, a), (name_b, b)):
        cnt = Counter(r.primary for r in rs)
        details[nm] = {lab: _interval(cnt.get(lab, 0), len(rs), confidence) for lab in labels_all}
    return Evidence(
        name="identity.compare",
        null=f"{name_a} and {name_b} have the same distribution of claimed identity for each probe",
        statistic=chi2, p_value=p, effect_size=v, effect_name="Cramér's V (model x claimed identity)",
        sample_ids=[r.sample_id for r in resp if r.sample_id],
        params={"n_perm": n_perm, "seed": seed, "n_a": len(a), "n_b": len(b), "labels": labels_all},
        caveats=["Model labels are shuffled within (language, probe) strata; unbalanced strata lose power."],
        details={"rates": details},
    )
