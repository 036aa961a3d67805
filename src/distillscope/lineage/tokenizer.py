"""Tokenizer lineage: white-box similarity against unrelated tokenizers, and black-box identification from usage.

White-box (:func:`tokenizer_test`): vocabulary Jaccard, BPE merge overlap, segmentation agreement on a shipped
multilingual corpus, special tokens and chat template of two tokenizers, against the same statistic on every pair
of unrelated offline reference tokenizers (trained here, the zoo's, and installed ones; see ``_tokref``).

Black-box (:func:`identify_tokenizer`, :func:`tokenizer_consistency`): chat messages whose ``usage.prompt_tokens``
differ by exactly the number of tokens the serving tokenizer gives the probe strings; differences cancel the
template overhead. Identification asks, one call at a time, the probe that best splits the candidates still
consistent with every count seen so far; consistency (for ``verify``) asks a fixed design of probes on which the
claimed tokenizer's counts differ from the other references' and counts the mismatches.

Example::

    from distillscope.models import load_model
    from distillscope.lineage.tokenizer import identify_tokenizer, tokenizer_consistency
    m = identify_tokenizer(load_model("openai:some-model@http://127.0.0.1:8000/v1"))
    print(m.name, m.consistent, m.calls)
    ev = tokenizer_consistency(load_model("openai:tiny@http://..."), load_model("zoo:tiny-llama"))

    python bench/tokenizer_id.py      # identification accuracy over the offline tokenizers
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats as st

from distillscope.errors import InputError
from distillscope.evidence import Evidence
from distillscope.lineage import _tokfeat as feat
from distillscope.lineage._tokprobe import pool_counts, probe_pool, wrap
from distillscope.lineage._tokref import TokInfo, as_tokinfo, reference_set
from distillscope.models import GenRequest, Model

__all__ = ["TokenizerMatch", "identify_tokenizer", "reference_set", "tokenizer_consistency", "tokenizer_test"]


def _same(a: TokInfo, b: TokInfo) -> bool:
    return a.tok is b.tok or float(feat.features(a, b)["vocab_jaccard"] or 0.0) >= 0.9


def tokenizer_test(suspect: Any, candidate: Any, *, reference_tokenizers: Sequence[Any] | None = None) -> Evidence:
    """Are B's and A's tokenizers more alike than unrelated tokenizers are?

    Args:
        suspect: B's tokenizer (a white-box model, transformers tokenizer, ``tokenizers.Tokenizer`` or TokInfo).
        candidate: A's tokenizer (same kinds).
        reference_tokenizers: unrelated tokenizers whose pairs make the null (default: the offline reference
            set). References equal to (vocabulary Jaccard >= 0.9) the suspect or candidate are left out.

    Returns:
        Evidence ``lineage.tokenizer``: statistic = mean of vocabulary Jaccard and segmentation agreement; p-value =
        its rank among the reference pairs' (exact when the tested pair is exchangeable with them); effect size = z
        against the reference pairs; per-feature values, nulls and z in ``details``.
    """
    b, a = as_tokinfo(suspect), as_tokinfo(candidate)
    refs = [as_tokinfo(r) for r in (reference_tokenizers if reference_tokenizers is not None else reference_set())]
    kept = [r for r in refs if not (_same(r, a) or _same(r, b))]
    if len(kept) < 4:
        raise InputError(f"tokenizer_test needs >= 4 unrelated reference tokenizers, got {len(kept)}.")
    f = feat.features(b, a)
    s = feat.score(f)
    pairs = [(x, y, feat.features(x, y)) for i, x in enumerate(kept) for y in kept[i + 1:]]
    null = np.array([feat.score(g) for _, _, g in pairs])
    p = float((1 + np.sum(null >= s - 1e-12)) / (1 + len(null)))
    sd = float(null.std(ddof=1))
    z = (s - float(null.mean())) / sd if sd > 0 else 0.0
    per_feature = {}
    for k, v in f.items():
        vals = np.array([g[k] for _, _, g in pairs if g[k] is not None], dtype=float)
        if v is None or len(vals) < 2:
            per_feature[k] = {"value": v}
            continue
        fsd = float(vals.std(ddof=1))
        per_feature[k] = {"value": v, "null_mean": float(vals.mean()), "null_sd": fsd, "null_max": float(vals.max()),
                          "z": (v - float(vals.mean())) / fsd if fsd > 0 else 0.0, "n_null": len(vals)}
    return Evidence(
        name="lineage.tokenizer",
        null="B's and A's tokenizers are no more alike than two unrelated tokenizers (pairs of offline references)",
        statistic=s, p_value=p, effect_size=z,
        effect_name="z of (vocabulary Jaccard + segmentation agreement) / 2 against unrelated reference pairs",
        params={"suspect": b.name, "candidate": a.name, "references": [r.name for r in kept]},
        caveats=[(f"Smallest possible p-value is {1 / (1 + len(null)):.3f} ({len(null)} reference pairs); read the z "
                 "with it."),
                 "A shared tokenizer shows a shared tokenizer, not shared weights: models of one family share it."],
        details={"features": per_feature, "gaussian_p": float(st.norm.sf(z)), "n_null_pairs": len(null),
                 "null_pairs": [{"a": x.name, "b": y.name, "score": float(v)} for (x, y, _), v in zip(pairs, null)]
                 [:200]},
    )


@dataclass
class TokenizerMatch:
    """Result of :func:`identify_tokenizer`.

    Attributes:
        name: the best-matching candidate.
        family: its family.
        consistent: True when it explains every observed count difference exactly.
        calls: calls made.
        tied: other candidates that explain the counts equally well (indistinguishable on the probe pool).
        ranking: (candidate, number of observations it fails to explain), best first.
        observations: (probe, prompt_tokens) per call.
        evidence: an Evidence ``lineage.tokenizer.identify``.
    """

    name: str
    family: str
    consistent: bool
    calls: int
    tied: list[str] = field(default_factory=list)
    ranking: list[tuple[str, int]] = field(default_factory=list)
    observations: list[tuple[str, int]] = field(default_factory=list)
    evidence: Evidence | None = None


def _prompt_tokens(model: Model, probe: str) -> int:
    c = model.generate([GenRequest.chat(wrap(probe), max_tokens=1, temperature=0.0)])[0]
    n = c.usage.get("prompt_tokens")
    if not isinstance(n, int) or n <= 0:
        raise InputError(f"{model.spec} reports no usage.prompt_tokens; tokenizer identification needs it.")
    return n


def _mismatches(obs: np.ndarray, pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per candidate: (constant overhead that explains most counts, number of counts it leaves unexplained)."""
    res = obs[None, :] - pred  # [K, n]
    offsets, bad = np.zeros(len(pred), dtype=int), np.zeros(len(pred), dtype=int)
    for i, r in enumerate(res):
        val, cnt = Counter(r.tolist()).most_common(1)[0]
        offsets[i], bad[i] = val, len(r) - cnt
    return offsets, bad


def _chance_agreement(C: np.ndarray) -> float:
    """Mean fraction of probes on which two distinct candidates predict the same count difference."""
    d = C - C[:, :1]
    k = len(C)
    ag = [float((d[i] == d[j]).mean()) for i in range(k) for j in range(i + 1, k) if not np.array_equal(d[i], d[j])]
    return float(np.mean(ag)) if ag else 1.0


def _candidates(candidates: Sequence[Any] | None) -> list[TokInfo]:
    cands = [as_tokinfo(c) for c in (candidates if candidates is not None else reference_set())]
    if len(cands) < 2:
        raise InputError("identify_tokenizer needs at least 2 candidate tokenizers.")
    return cands


def identify_tokenizer(model: Model, *, max_calls: int = 50, candidates: Sequence[Any] | None = None,
                       confirm: int = 3, seed: int | None = None) -> TokenizerMatch:
    """Name the tokenizer behind ``model`` from the ``usage.prompt_tokens`` of crafted probes.

    Args:
        model: any model whose completions report ``usage.prompt_tokens`` (an endpoint, a served model).
        max_calls: most calls to make.
        candidates: tokenizers to choose from (default: the offline reference set).
        confirm: once one candidate is left, calls that must still agree with it before stopping.
        seed: when given, the first probe and ties between equally good probes are drawn at random (for benches
            that measure accuracy over many probe sequences); None is deterministic.

    Returns:
        A :class:`TokenizerMatch`; ``consistent`` is False when no candidate explains every count (the serving
        tokenizer is none of them; ``name`` is then the closest).
    """
    cands = _candidates(candidates)
    pool = probe_pool()
    C = np.array([pool_counts(c) for c in cands])  # [K, P]
    rng = np.random.default_rng(seed)
    jitter = rng.random(len(pool)) * 1e-6 if seed is not None else np.zeros(len(pool))
    asked = [int(rng.integers(len(pool))) if seed is not None else 0]
    obs = [_prompt_tokens(model, pool[asked[0]])]
    confirmed = 0
    while len(asked) < max_calls:
        offsets, bad = _mismatches(np.array(obs), C[:, asked])
        alive = np.flatnonzero(bad == bad.min())
        pred = offsets[:, None] + C  # predicted prompt_tokens of every probe, per candidate
        free = np.setdiff1d(np.arange(len(pool)), asked)
        if len(alive) > 1:
            ent = np.array([st.entropy(list(Counter(pred[alive, j].tolist()).values())) for j in free])
            if ent.max() <= 0:
                break  # the candidates left agree on every probe: indistinguishable
            j = int(free[int(np.argmax(ent + jitter[free]))])
        else:
            if confirmed >= confirm:
                break
            lead = alive[0]
            differs = (pred[:, free] != pred[lead, free][None, :]).sum(0)
            j = int(free[int(np.argmax(differs + jitter[free]))])
            confirmed += 1
        asked.append(j)
        obs.append(_prompt_tokens(model, pool[j]))
    offsets, bad = _mismatches(np.array(obs), C[:, asked])
    order = np.argsort(bad, kind="stable")
    best = int(order[0])
    tied = [cands[i].name for i in order[1:] if bad[i] == bad[best]]
    consistent = bool(bad[best] == 0)
    q = _chance_agreement(C)
    matched = len(obs) - int(bad[best])
    ev = Evidence(
        name="lineage.tokenizer.identify",
        null=f"the serving tokenizer is unrelated to {cands[best].name}: it matches each probe's count difference "
             f"only by chance (rate {q:.3f}, the mean agreement of distinct reference tokenizers)",
        statistic=float(matched), p_value=float(q ** max(0, matched - 1)) if consistent else None,
        effect_size=float(bad[order[1]] - bad[best]) if len(order) > 1 else None,
        effect_name="observations the runner-up fails to explain beyond the best candidate",
        params={"max_calls": max_calls, "confirm": confirm, "seed": seed, "candidates": [c.name for c in cands]},
        caveats=[("Probes are chosen to split candidates, so they agree less often than the pool average: the "
                 "chance rate is conservative; probes are not independent.")]
        + ([] if consistent else ["No candidate explains every count: the tokenizer is none of the candidates."])
        + ([f"Indistinguishable on the probe pool: {tied}"] if tied else []),
        details={"observations": [{"probe": pool[j], "prompt_tokens": int(o)} for j, o in zip(asked, obs)],
                 "ranking": [{"candidate": cands[i].name, "unexplained": int(bad[i])} for i in order]},
    )
    return TokenizerMatch(cands[best].name, cands[best].family, consistent, len(obs), tied,
                          [(cands[i].name, int(bad[i])) for i in order],
                          [(pool[j], int(o)) for j, o in zip(asked, obs)], ev)


def consistency_design(reference: TokInfo, calls: int, others: Sequence[TokInfo]) -> list[int]:
    """Probe indices (first = baseline) on which ``reference``'s count differences differ from the others'."""
    r = pool_counts(reference)
    o = np.array([pool_counts(t) for t in others if not _same(t, reference)])
    if not len(o):
        return list(range(calls))
    diff = (o - o[:, :1]) != (r - r[0])[None, :]  # [n_others, P]: probe j tells reference from other i
    caught = np.zeros(len(o))
    chosen = [0]
    for _ in range(calls - 1):
        gain = (diff / (1.0 + caught[:, None])).sum(0)
        gain[chosen] = -1
        j = int(np.argmax(gain))
        chosen.append(j)
        caught += diff[:, j]
    return chosen


def tokenizer_consistency(endpoint: Model, reference: Any, *, calls: int = 10, tolerance: float = 0.05,
                          others: Sequence[Any] | None = None) -> Evidence:
    """Does ``endpoint`` count tokens like ``reference`` (the tokenizer of the model it claims to serve)?

    Args:
        endpoint: the model under test (any backend reporting ``usage.prompt_tokens``).
        reference: the claimed model's tokenizer (white-box model, tokenizer or TokInfo).
        calls: calls to make (>= 3).
        tolerance: per-probe rate at which an honest endpoint's count may still differ (template/normalisation
            boundary effects); the null's binomial rate.
        others: tokenizers to tell the reference from when choosing probes (default: the offline reference set).

    Returns:
        Evidence ``lineage.tokenizer.consistency``: statistic = probes whose count differs from the reference's
        prediction beyond one constant overhead; p = P(Binomial(calls - 1, tolerance) >= statistic).
    """
    if calls < 3:
        raise InputError(f"tokenizer_consistency needs calls >= 3, got {calls}.")
    ref = as_tokinfo(reference)
    oth = [as_tokinfo(o) for o in (others if others is not None else reference_set())]
    pool = probe_pool()
    design = consistency_design(ref, calls, oth)
    obs = np.array([_prompt_tokens(endpoint, pool[j]) for j in design])
    pred = pool_counts(ref)[design]
    offsets, bad = _mismatches(obs, pred[None, :])
    k, n = int(bad[0]), calls - 1
    p = float(st.binom.sf(k - 1, n, tolerance)) if k > 0 else 1.0
    return Evidence(
        name="lineage.tokenizer.consistency",
        null=f"{endpoint.spec} tokenizes like {ref.name}: its prompt token counts equal the reference's plus one "
             f"constant overhead, except on a fraction <= {tolerance} of probes",
        statistic=float(k), p_value=p, effect_size=k / n, effect_name="fraction of probes the reference mispredicts",
        params={"calls": calls, "tolerance": tolerance, "reference": ref.name},
        caveats=["Tells tokenizer families apart, not models: two models sharing a tokenizer pass alike."],
        details={"overhead": int(offsets[0]),
                 "probes": [{"probe": pool[j], "observed": int(o), "predicted": int(q + offsets[0])}
                            for j, o, q in zip(design, obs, pred)]},
    )
