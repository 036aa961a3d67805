"""The test battery of `verify`: every two-sample test takes a :class:`SampleSet` and returns an Evidence.

Tests (the ones whose inputs are present run):

``verify.mmd_hamming``      MMD with the Hamming/codepoint kernel, per prompt, label shuffles within prompts.
``verify.likelihood_rank``  white-box reference: rank the endpoint's completions among fresh reference
                            completions by their reference log-likelihood, per prompt (a stratified Mann-Whitney
                            test, two-sided: a sharper or a flatter endpoint both move the ranks).
``verify.proxy_likelihood`` a proxy LM scored every completion (the white-box reference, or any local LM for a
                            black-box reference): per feature (mean token logprob, surprise = logprob + entropy,
                            entropy, log rank), per prompt, the endpoint-minus-reference mean difference in units
                            of its standard error; the statistic is max over features of |sum over prompts| /
                            sqrt(prompts). Sees temperature, top-p, watermark and system-prompt shifts that a
                            Hamming kernel cannot.
``verify.token_kernel``     the same proxy LM's view token by token: each token becomes ``one-hot(token) - proxy's
                            next-token distribution``; a kernel MMD between the two sides' completions sums inner
                            products of these vectors over pairs of tokens that share a key (the same prompt; the
                            same previous token; the same 4 previous tokens; and the uncentered one-hots of the
                            same prompt, a token-count MMD), one statistic per key, joined by the smallest
                            permutation p-value. Sees watermarks keyed to the previous tokens (KGW,
                            SynthID) that move no per-completion likelihood feature
                            (:mod:`distillscope.verify.kernel`).
``verify.format``           the same statistic on cheap format features: log length, stopped-on-its-own, refusal.
``verify.logprob_shift``    endpoint reports logprobs: the mean of ``endpoint lp - reference lp`` over the sampled
                            tokens estimates KL(endpoint || reference) >= 0; one-sided sign-flip test of 0.
``verify.logprob_match``    endpoint reports logprobs: tokens whose reported logprob differs from the reference's
                            by more than a numerical tolerance; binomial test against a small allowed rate.
``verify.combined``         one p-value for the global null. The MMD, rank, proxy, kernel and format statistics
                            are computed on the same label shuffles and combined by nonparametric combination
                            (Pesarin): each shuffle's statistic becomes its p-value among all shuffles, these
                            are joined by ``min`` (Tippett; the default) or Fisher's ``-sum log p``
                            (``BatteryConfig.npc``), and the joined value of the observed labels is ranked
                            among the shuffles'. That is itself a permutation p-value, so it is exact for any
                            dependence between the tests. min is the default because the tests see different
                            distortions and one usually carries the signal alone, which Fisher's sum dilutes
                            (measured in ``bench/verify_power.py``). That p-value and logprob_match's (and any
                            ``extra`` evidence) are then combined by Bonferroni, valid under any dependence
                            (logprob_shift is reported, not combined).

Adding a test: write ``def my_test(ss: SampleSet, ctx: BatteryContext) -> Evidence`` (use ``ctx.perms`` for
label shuffles and put the ``(B+1,)`` statistics in ``ctx.npc`` to join the exact combination), then add it to
``TESTS``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import stats as _st

from distillscope.errors import InputError
from distillscope.evidence import Evidence
from distillscope.stats.combine import combine_pvalues
from distillscope.stats.mmd import mmd_test
from distillscope.stats.permutation import (
    npc_pvalue,
    permutation_pvalue,
    sign_flip_test,
    stratified_label_permutations,
)
from distillscope.verify.config import LOGPROB_TOL, MISMATCH_RATE, BatteryConfig  # noqa: F401 - re-exported
from distillscope.verify.data import SampleSet

NULL_SAME = ("for every prompt, the endpoint's completions are drawn from the same distribution as the "
             "reference's at the claimed sampling settings")
NOT_COMBINED = frozenset({"verify.logprob_shift"})


@dataclass
class BatteryContext:
    cfg: BatteryConfig
    labels: np.ndarray
    valid: np.ndarray
    perms: np.ndarray  # (B, P, n)
    npc: dict[str, tuple[np.ndarray, str]] = field(default_factory=dict)  # name -> ((B+1,) stats, alternative)


def mmd_hamming(ss: SampleSet, ctx: BatteryContext) -> Evidence:
    use = ss.usable
    r = mmd_test([ss.prompts[i].endpoint for i in use], [ss.prompts[i].reference for i in use],
                 length=ctx.cfg.kernel_chars, perms=ctx.perms)
    ctx.npc["verify.mmd_hamming"] = (np.concatenate([[r.statistic], r.null]), "greater")
    return Evidence(
        name="verify.mmd_hamming", null=NULL_SAME, statistic=r.statistic, p_value=r.p_value,
        effect_size=r.z, effect_name="MMD^2 in standard deviations of its permutation distribution",
        sample_ids=ss.sample_ids(),
        params={"kernel": "hamming", "kernel_chars": ctx.cfg.kernel_chars, "n_perm": r.n_perm, "seed": ctx.cfg.seed,
                "prompts": len(use)},
        caveats=_dropped_caveat(ss),
        details={"mmd2_per_prompt": r.per_prompt, "null_mean": r.null_mean, "null_sd": r.null_sd},
    )


def _midranks(scores: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Within-row midranks of valid entries (0 on padding) and each row's tie correction sum(t^3 - t)."""
    ranks = np.zeros_like(scores, dtype=float)
    ties = np.zeros(scores.shape[0])
    for p in range(scores.shape[0]):
        v = valid[p]
        # Round so that float noise in re-scoring identical texts does not break ties.
        s = np.round(scores[p, v], 9)
        ranks[p, v] = _st.rankdata(s)
        _, counts = np.unique(s, return_counts=True)
        ties[p] = float(np.sum(counts**3 - counts))
    return ranks, ties


def likelihood_rank(ss: SampleSet, ctx: BatteryContext) -> Evidence:
    use = ss.usable
    labels, valid = ctx.labels, ctx.valid
    scores = np.zeros(labels.shape)
    for j, i in enumerate(use):
        p = ss.prompts[i]
        s = np.concatenate([np.asarray(p.endpoint_scores, float), np.asarray(p.reference_scores, float)])
        if s.size != valid[j].sum():
            raise InputError(f"prompt {i}: {s.size} scores for {int(valid[j].sum())} completions.")
        scores[j, : s.size] = s
    ranks, ties = _midranks(scores, valid)
    m = labels.sum(1)
    k = valid.sum(1) - m
    n = m + k
    var = m * k / 12.0 * ((n + 1) - ties / (n * (n - 1)))
    ok = var > 1e-12
    sd = np.sqrt(np.where(ok, var, 1.0))

    def z_of(u: np.ndarray) -> np.ndarray:
        w = (u * ranks).sum(-1)  # (..., P) rank sums of the endpoint's completions
        z = (w - m * (m + 1) / 2 - m * k / 2) / sd
        return np.where(ok, z, 0.0).sum(-1) / np.sqrt(max(1, int(ok.sum())))

    obs = float(z_of(labels))
    null = z_of(ctx.perms)
    ctx.npc["verify.likelihood_rank"] = (np.concatenate([[obs], null]), "two-sided")
    u_obs = (labels * ranks).sum(-1) - m * (m + 1) / 2
    delta = float(np.mean((u_obs / (m * k))[ok]) - 0.5) if ok.any() else 0.0
    caveats = _dropped_caveat(ss)
    if not ok.all():
        caveats.append(f"{int((~ok).sum())} prompt(s) had all-tied scores and carry no rank information.")
    return Evidence(
        name="verify.likelihood_rank", null=NULL_SAME, statistic=obs,
        p_value=permutation_pvalue(obs, null, "two-sided"), effect_size=delta,
        effect_name=("probability shift P(endpoint completion out-scores a reference completion under the "
                     "reference) - 1/2; > 0 sharper than the reference (e.g. lower temperature), < 0 flatter or "
                     "another model"),
        sample_ids=ss.sample_ids(),
        params={"score": "reference log-likelihood (sum over tokens)", "n_perm": int(null.size),
                "seed": ctx.cfg.seed, "prompts": len(use)},
        caveats=caveats,
        details={"normal_p": float(2 * _st.norm.sf(abs(obs))),
                 "mean_endpoint_score": float(np.mean([x for i in use for x in ss.prompts[i].endpoint_scores])),
                 "mean_reference_score": float(np.mean([x for i in use for x in ss.prompts[i].reference_scores]))},
    )


def feature_statistic(feats: np.ndarray, valid: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Max over features of |stratified standardized mean difference|, for one or many labelings.

    Args:
        feats: ``(P, n, F)`` per-completion features, padded like ``valid``; NaN entries are replaced by the
            prompt's mean of that feature (they then carry no information either way).
        valid: ``(P, n)`` mask of real entries.
        labels: ``(..., P, n)`` 0/1 labels (1 = endpoint).

    Returns:
        ``(statistic (...), z per feature (..., F))``: ``z_f = sum_p d_pf / se_pf / sqrt(#prompts with spread)``
        where ``d_pf`` is the endpoint-minus-reference mean of feature ``f`` on prompt ``p`` and ``se_pf`` its
        standard error from the prompt's pooled spread (the same for every labeling, so the permutation
        distribution is exact). Prompts where a feature does not vary contribute 0.
    """
    lab = np.asarray(labels, float)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN prompts: handled just below
        mu = np.nanmean(np.where(valid[..., None], feats, np.nan), axis=1, keepdims=True)  # (P, 1, F)
    mu = np.where(np.isnan(mu), 0.0, mu)
    f = np.where(valid[..., None], np.where(np.isnan(feats), mu, feats), 0.0)
    nv = valid.sum(1)  # (P,)
    m = lab.reshape(-1, *lab.shape[-2:])[0].sum(-1)  # (P,) endpoint counts, the same under every relabeling
    k = nv - m
    var = np.where(valid[..., None], (f - mu) ** 2, 0.0).sum(1) / np.maximum(nv - 1, 1)[:, None]  # (P, F)
    se = np.sqrt(var * (1.0 / np.maximum(m, 1) + 1.0 / np.maximum(k, 1))[:, None])
    ok = var > 1e-12
    sum_e = np.einsum("...pn,pnf->...pf", lab, f)
    d = sum_e / np.maximum(m, 1)[:, None] - (f.sum(1) - sum_e) / np.maximum(k, 1)[:, None]
    z = np.where(ok, d / np.where(ok, se, 1.0), 0.0).sum(-2) / np.sqrt(np.maximum(ok.sum(0), 1))
    return np.abs(z).max(-1), z


def _feature_matrix(ss: SampleSet, valid: np.ndarray, which: str) -> np.ndarray:
    from distillscope.verify.features import format_features

    rows = []
    for i in ss.usable:
        p = ss.prompts[i]
        if which == "proxy":
            e, r = np.asarray(p.endpoint_proxy, float), np.asarray(p.reference_proxy, float)
        else:
            e = format_features(p.endpoint, p.endpoint_finish)
            r = format_features(p.reference, p.reference_finish)
            if "" in [*(p.endpoint_finish or [""]), *(p.reference_finish or [""])]:
                # a finish reason unknown on either side (recorded text): the stop feature would compare a
                # guess with a fact, so it carries nothing for this prompt
                e[:, 1] = r[:, 1] = 0.0
        rows.append(np.concatenate([e, r]))
    nf = rows[0].shape[1]
    out = np.zeros((*valid.shape, nf))
    for j, x in enumerate(rows):
        if x.shape[0] != valid[j].sum():
            raise InputError(f"prompt {ss.usable[j]}: {x.shape[0]} feature rows for {int(valid[j].sum())} "
                             "completions.")
        out[j, : x.shape[0]] = x
    return out


def _feature_evidence(ss: SampleSet, ctx: BatteryContext, name: str, which: str, names: Sequence[str],
                      null: str, params: dict[str, object]) -> Evidence:
    feats = _feature_matrix(ss, ctx.valid, which)
    obs, z = feature_statistic(feats, ctx.valid, ctx.labels)
    null_stats, _ = feature_statistic(feats, ctx.valid, ctx.perms)
    ctx.npc[name] = (np.concatenate([[float(obs)], null_stats]), "greater")
    zs = {n: float(x) for n, x in zip(names, z)}
    top = max(zs, key=lambda n: abs(zs[n]))
    means = {n: {"endpoint": float(np.nanmean(feats[..., j][ctx.labels == 1])),
                 "reference": float(np.nanmean(feats[..., j][(ctx.labels == 0) & ctx.valid]))}
             for j, n in enumerate(names)}
    return Evidence(
        name=name, null=null, statistic=float(obs),
        p_value=permutation_pvalue(float(obs), null_stats, "greater"), effect_size=zs[top],
        effect_name=(f"z of the feature that moved most ({top}): endpoint-minus-reference mean per prompt in "
                     "standard errors, pooled over prompts; > 0 the endpoint's is higher"),
        sample_ids=ss.sample_ids(),
        params={**params, "n_perm": int(null_stats.size), "seed": ctx.cfg.seed, "prompts": len(ss.usable)},
        caveats=_dropped_caveat(ss), details={"z": zs, "means": means},
    )


def proxy_likelihood(ss: SampleSet, ctx: BatteryContext) -> Evidence:
    from distillscope.verify.features import PROXY_FEATURES

    return _feature_evidence(ss, ctx, "verify.proxy_likelihood", "proxy", PROXY_FEATURES, NULL_SAME,
                             {"features": list(PROXY_FEATURES), "proxy": ss.proxy_spec or "unknown"})


def token_kernel(ss: SampleSet, ctx: BatteryContext) -> Evidence:
    from distillscope.stats.permutation import pvalues_of_null
    from distillscope.verify.kernel import KEYS, grams, kernel_statistic

    recs, prompt_of, where = [], [], []
    for j, i in enumerate(ss.usable):
        p = ss.prompts[i]
        row = [*(p.endpoint_tokens or []), *(p.reference_tokens or [])]
        if len(row) != ctx.valid[j].sum():
            raise InputError(f"prompt {i}: {len(row)} token records for {int(ctx.valid[j].sum())} completions.")
        recs += row
        prompt_of += [j] * len(row)
        where += [j * ctx.valid.shape[1] + k for k in range(len(row))]
    size = ctx.valid.size
    stats, ps = {}, {}
    lab = ctx.labels.reshape(-1)
    perms = ctx.perms.reshape(ctx.perms.shape[0], -1)
    valid = ctx.valid.reshape(-1)
    for key, g in grams(recs, prompt_of, KEYS).items():
        full = np.zeros((size, size))
        full[np.ix_(where, where)] = g  # in the padded layout of the labels
        st = np.concatenate([kernel_statistic(full, lab, valid)[None], kernel_statistic(full, perms, valid)])
        stats[key] = st
        ps[key] = pvalues_of_null(st, "greater")
    comb = -np.stack(list(ps.values())).min(0)  # Tippett: the key that sees the most decides
    ctx.npc["verify.token_kernel"] = (comb, "greater")
    p_value = permutation_pvalue(float(comb[0]), comb[1:], "greater")
    zs = {k: float((v[0] - v[1:].mean()) / (v[1:].std() or 1.0)) for k, v in stats.items()}
    top = max(zs, key=lambda k: zs[k])
    return Evidence(
        name="verify.token_kernel", null=NULL_SAME, statistic=float(-comb[0]), p_value=p_value,
        effect_size=zs[top],
        effect_name=(f"MMD^2 of the key that moved most ({top}) in standard deviations of its permutation "
                     "distribution"),
        sample_ids=ss.sample_ids(),
        params={"keys": list(KEYS), "proxy": ss.proxy_spec or "unknown", "combination": "min p over keys",
                "n_perm": int(comb.size - 1), "seed": ctx.cfg.seed, "prompts": len(ss.usable)},
        caveats=_dropped_caveat(ss),
        details={"z": zs, "p_per_key": {k: float(v[0]) for k, v in ps.items()}},
    )


def format_stats(ss: SampleSet, ctx: BatteryContext) -> Evidence:
    from distillscope.verify.features import FORMAT_FEATURES

    return _feature_evidence(ss, ctx, "verify.format", "format", FORMAT_FEATURES, NULL_SAME,
                             {"features": list(FORMAT_FEATURES)})


def _diffs(ss: SampleSet) -> tuple[list[np.ndarray], int]:
    rows, unaligned = [], 0
    for p in ss.prompts:
        for d, a in zip(p.logprob_diffs or [], p.aligned or [True] * len(p.logprob_diffs or [])):
            if d is None or len(d) == 0:
                continue
            rows.append(np.asarray(d, float))
            unaligned += int(not a)
    return rows, unaligned


def logprob_shift(ss: SampleSet, ctx: BatteryContext) -> Evidence:
    rows, unaligned = _diffs(ss)
    if len(rows) < 2:
        raise InputError("logprob_shift needs reported logprobs on at least 2 endpoint completions.")
    per_completion = np.array([r.mean() for r in rows])
    # Differences inside the tolerance are numerical noise, not a different model: shrink them to 0.
    shrunk = np.sign(per_completion) * np.maximum(0.0, np.abs(per_completion) - ctx.cfg.logprob_tol)
    r = sign_flip_test(shrunk, ctx.cfg.n_perm, ctx.cfg.seed + 1, "greater")
    return Evidence(
        name="verify.logprob_shift",
        null=("the endpoint's reported logprobs are the reference's up to noise symmetric about 0 (beyond "
              f"+-{ctx.cfg.logprob_tol:g} nats/token)"),
        statistic=r.statistic, p_value=r.p_value, effect_size=float(per_completion.mean()),
        effect_name="mean (endpoint - reference) logprob per sampled token, nats: estimates KL(endpoint||reference)",
        sample_ids=[s for p in ss.prompts for s in p.endpoint_ids],
        params={"completions": len(rows), "tolerance": ctx.cfg.logprob_tol, "n_flips": ctx.cfg.n_perm},
        caveats=[*_lp_caveats(unaligned, len(rows)), *ss.logprob_notes, *ss.logprob_notes],
    )


def logprob_match(ss: SampleSet, ctx: BatteryContext) -> Evidence:
    rows, unaligned = _diffs(ss)
    if not rows:
        raise InputError("logprob_match needs reported logprobs on at least 1 endpoint completion.")
    d = np.concatenate(rows)
    k = int(np.sum(np.abs(d) > ctx.cfg.logprob_tol))
    t = int(d.size)
    p = float(_st.binom.sf(k - 1, t, ctx.cfg.mismatch_rate)) if ctx.cfg.mismatch_rate > 0 else float(k == 0)
    return Evidence(
        name="verify.logprob_match",
        null=(f"at most {ctx.cfg.mismatch_rate:.1%} of reported token logprobs differ from the reference's by more "
              f"than {ctx.cfg.logprob_tol:g} nats"),
        statistic=float(k), p_value=p, effect_size=k / t,
        effect_name=f"fraction of tokens with |endpoint - reference logprob| > {ctx.cfg.logprob_tol:g}",
        sample_ids=[s for p_ in ss.prompts for s in p_.endpoint_ids],
        params={"tokens": t, "tolerance": ctx.cfg.logprob_tol, "allowed_rate": ctx.cfg.mismatch_rate},
        caveats=[*_lp_caveats(unaligned, len(rows)), *ss.logprob_notes,
                 ("Tokens of one completion are treated as independent; the tolerance must cover the numerical "
                 "differences between the endpoint's hardware/kernels and the local reference.")],
        details={"median_abs_diff": float(np.median(np.abs(d))), "max_abs_diff": float(np.max(np.abs(d)))},
    )


def _lp_caveats(unaligned: int, n: int) -> list[str]:
    c = ["Assumes the endpoint reports logprobs of its unmodified next-token distribution (temperature 1)."]
    if unaligned:
        c.append(f"{unaligned}/{n} completions were tokenized differently from the reference (a different "
                 "tokenizer is itself evidence of substitution); they enter as sequence-level differences.")
    return c


def _dropped_caveat(ss: SampleSet) -> list[str]:
    dropped = len(ss.prompts) - len(ss.usable)
    return [f"{dropped} prompt(s) with < 2 completions per source were left out."] if dropped else []


TESTS: dict[str, tuple[Callable[[SampleSet, BatteryContext], Evidence], Callable[[SampleSet], bool]]] = {
    "verify.mmd_hamming": (mmd_hamming, lambda ss: True),
    "verify.likelihood_rank": (likelihood_rank, lambda ss: ss.has_scores),
    "verify.proxy_likelihood": (proxy_likelihood, lambda ss: ss.has_proxy),
    "verify.token_kernel": (token_kernel, lambda ss: ss.has_tokens),
    "verify.format": (format_stats, lambda ss: ss.has_finish),
    "verify.logprob_shift": (logprob_shift, lambda ss: len(_diffs(ss)[0]) >= 2),
    "verify.logprob_match": (logprob_match, lambda ss: len(_diffs(ss)[0]) >= 1),
}


def combined(components: list[Evidence], ctx: BatteryContext) -> Evidence:
    """One p-value for the intersection of the components' nulls (see module docstring)."""
    parts: list[tuple[str, float]] = []
    npc_names = [e.name for e in components if e.name in ctx.npc]
    npc_other: dict[str, float] = {}
    if len(npc_names) >= 2:
        args = ([ctx.npc[n][0] for n in npc_names], [ctx.npc[n][1] for n in npc_names])
        p_npc, _ = npc_pvalue(*args, ctx.cfg.npc)
        parts.append(("npc(" + "+".join(npc_names) + ")", p_npc))
        other = "min" if ctx.cfg.npc == "fisher" else "fisher"
        npc_other[other] = npc_pvalue(*args, other)[0]
    else:
        parts += [(e.name, float(e.p_value)) for e in components if e.name in npc_names]
    # logprob_shift is reported but not combined: any shift it can see moves reported logprobs beyond the
    # tolerance, which logprob_match already tests, and each extra Bonferroni part costs power.
    parts += [(e.name, float(e.p_value)) for e in components
              if e.name not in ctx.npc and e.name not in NOT_COMBINED and e.p_value is not None]
    p = combine_pvalues([x for _, x in parts], "bonferroni")
    effects = {e.name: e.effect_size for e in components}
    return Evidence(
        name="verify.combined",
        null=NULL_SAME + (" and its reported logprobs are the reference's" if any("logprob" in n for n, _ in parts)
                          else ""),
        statistic=p, p_value=p, effect_size=min(effects.values(), key=lambda x: -abs(x or 0.0), default=None),
        effect_name="largest-magnitude component effect (see components)",
        sample_ids=sorted({s for e in components for s in e.sample_ids}),
        params={"method": f"nonparametric combination ({ctx.cfg.npc}) of the permutation tests, then Bonferroni",
                "alpha": ctx.cfg.alpha, "parts": dict(parts)},
        details={"components": {e.name: e.p_value for e in components}, "effects": effects,
                 "npc_p_other_method": npc_other},
    )


def run_battery(ss: SampleSet, cfg: BatteryConfig | None = None, extra: Sequence[Evidence] = ()) -> list[Evidence]:
    """Run every applicable test; the last Evidence is ``verify.combined``.

    ``extra``: evidence computed outside the battery (e.g. the usage-count tokenizer test) that joins the
    combination as one more Bonferroni part.
    """
    cfg = cfg or BatteryConfig()
    labels, valid = ss.layout()
    perms = stratified_label_permutations(labels, valid, cfg.n_perm, cfg.seed)
    ctx = BatteryContext(cfg, labels, valid, perms)
    names = cfg.tests or tuple(TESTS)
    unknown = [n for n in names if n not in TESTS]
    if unknown:
        raise InputError(f"Unknown test(s) {unknown}: choose from {', '.join(TESTS)}.")
    out = [fn(ss, ctx) for n, (fn, applies) in TESTS.items() if n in names and applies(ss)]
    out.extend(extra)
    out.append(combined(out, ctx))
    return out
