"""Black-box lineage: is suspect B's output closer to candidate A's than to a panel of other models'?

All models answer the same prompts (``samples`` seeded samples each, drawn through the sample store so a rerun
costs nothing). Per prompt, a feature measures how alike two models' samples are: character/word n-gram overlap
(``ngram``), all-MiniLM embedding cosine (``embedding``, extra ``embed``) and, when A and every panel model are
white-box, ``likelihood``: the mean per-token log-likelihood of one model's samples under another model.

Relative scores (``reference="others"``, the default for ``ngram`` and ``embedding``). Raw similarity to B
confounds lineage with what makes a model close to *everyone*: a fluent or peaked model, a tokenizer shared with the
rest. So per prompt an additive model is fitted to the similarities among the candidate and the panel (never B):
``S[x, y] = mu + a_x + a_y``, and a model's score is its similarity to B minus its own effect
(:func:`relative_scores`). The fit treats every model alike, so the null below is untouched.

The likelihood feature is scored raw on the panel side (``likelihood_reference="raw"``, the default): the mean
log-likelihood of B's samples under each model, as measured. Its additive version (``"others"``: ``L[x, m] = mu +
t_x + s_m`` fitted on the candidate's and the panel's texts, B's likelihood minus the scorer effect ``s_m``) assumes
that how harsh a scorer is on the panel's texts carries over to B's, and on the bench zoo it does not: the scratch
Llama teacher is the harshest scorer of its peers' texts (0.3-0.7 nats/token below the others) but not of SmolLM2's
(-6.93 against its peers' -6.61 to -7.27), so subtracting its harshness moved it from 5th to 2nd of 6, and 5 of the 8
SmolLM2-family models were convicted of owing it something (panel p 0.001-0.016, 24 prompts; the control side
could not save them: their controls are tiny students, not peers of a 135M model). Raw, the same 111 pairs gave no
false positive and one derived pair fewer; on the next 24 held-out prompts, run once after that choice, raw and
additive gave 1 false positive of 51 each and recall 0.95 and 0.97 (bench/lineage.py). Neither cures the root:
the rank test's null is per prompt, and a scorer's fixed quirk that happens to favour B's text wins at every
prompt; the control side (below) is what keeps the verdict, when the controls are peers of B. Raw also asks the
panel to hold peers of A as strong as A (a candidate that is a better language model than the panel finds any
fluent text likelier); the control side covers that case too. The earlier ``"own"`` reference (B's
log-likelihood minus that of the model's own samples) ranked the strongest teacher last for every suspect, its own
students included.

Two sides, one verdict (an intersection-union test). The *panel side* asks whether B is closer to A than to the
panel; its null needs the panel to hold peers of A (models trained like A, unrelated to B): when A is a model of a kind
the panel lacks (a fluent real model against tiny ones, or tiny ones against a real model), A's similarity to B is
not exchangeable with the panel's even when B owes A nothing, and the relative scores below cannot fix it (on the
bench zoo all four black-box false positives were such teacher-vs-teacher pairs). The *control side* asks whether B
is closer to A than B's peers are (``controls``: models trained like B without A); its null needs peers of B. The
reported p-value is the larger of the two: under the null it is <= alpha with probability <= alpha as soon as
*either* side's reference set is exchangeable with its model, so one set of peers, of A or of B, is enough. By
default the panel serves as the controls too (``controls=None``); the caller that knows B's peers passes them.
On the bench zoo (candidate's peers as the panel where the zoo has them, the suspect's matched controls as the
controls) this removed the reference teacher's two false positives and kept recall (0.85); the two left are the
scratch teachers against each other, where both reference sets are the zoo's teacher-like controls, trained on the
students' corpus third: measurably not peers of either teacher (their samples are less likely under both teachers
than the other teacher's are), so both sides reject. Peers of a model must be trained on their own data sample
(the zoo's teacher-like controls now are, each on its own random third of the corpus).

On the control side, ``likelihood`` is a likelihood ratio when the panel holds models that are not controls: the
log-likelihood of a model's samples under A minus their mean log-likelihood under those panel models. The raw
log-likelihood under A also measures how fluent a model's text is, to any scorer, and a control more fluent than
B hid B's lineage (see :func:`_toward_candidate`); the ratio is one function of each model's samples, applied to
B and the controls alike, so the control side's null is untouched.

The test, per feature and side: at each prompt, count the panel models that A beats; under the null ("at every prompt, A's
similarity to B is exchangeable with the panel models'") each count is uniform on 0..K and independent across
prompts, so the sum has an exact distribution; the p-value is randomised within the observed sum's atom, which makes
it exactly uniform under the null (the conservative ``P(S >= s)`` is in ``details``). We prefer this to a sign-flip test of
``d_i = sim(B, A)_i - mean_j sim(B, panel_j)_i``: sign flips are valid only if each ``d_i`` is symmetric about 0
under the null, which fails when the similarity is skewed (Jaccards near 0, a mean of K panel values against one
value of A); the rank of A among K+1 exchangeable values is uniform whatever their distribution. The sign-flip
p-value and the standardised mean of ``d_i`` (the effect size) are reported alongside.

Example::

    from distillscope.models import load_model
    from distillscope.store import SampleStore
    from distillscope.lineage.blackbox import blackbox_test
    ev = blackbox_test(load_model("zoo:tiny-llama-s1"), load_model("zoo:tiny-llama"),
                       [load_model(f"zoo:tiny-llama-s{i}") for i in range(2, 6)],
                       ["Tell me about rivers.", "Write a haiku."], store=SampleStore("/tmp/s.duckdb"))
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from distillscope.errors import InputError, MissingModelError
from distillscope.evidence import Evidence
from distillscope.lineage import _similarity as sim
from distillscope.models import Completion, GenRequest, Model, is_white_box
from distillscope.stats import sign_flip_test
from distillscope.store import CachedModel, SampleStore

FEATURES = ("ngram", "embedding", "likelihood")
NULL = ("B owes A nothing: either at every prompt A's similarity to B is exchangeable with each panel model's (the "
        "panel holds peers of A), or B's similarity to A is exchangeable with each control's (the controls are peers "
        "of B); rejected only when both sides reject (p = the larger p-value)")


def _draw(models: Sequence[Model], reqs: list[GenRequest], store: SampleStore | None, cache: bool
          ) -> list[list[Completion]]:
    out = []
    for m in models:
        runner = m if (not cache or isinstance(m, CachedModel)) else CachedModel(m, store)
        out.append(runner.generate(reqs))
    return out


def _loglik(m: Model, req: GenRequest, texts: Sequence[str], memo: dict[Any, float] | None) -> list[float]:
    """Mean per-token log-likelihood under white-box ``m`` of each text as an answer to ``req``.

    ``memo`` (keyed by model spec, context and text) lets a caller that asks the same model about the same texts
    again (a bench over many pairs sharing teachers and panels) pay once.
    """
    memo = {} if memo is None else memo
    ctx = m.encode(m.render(req))
    keys = [(m.spec, tuple(ctx), t) for t in texts]
    todo = list(dict.fromkeys(k for k in keys if k not in memo))
    if todo:
        lps = m.score_continuations(ctx, [m.encode(k[2]) for k in todo])
        for k, lp in zip(todo, lps):
            memo[k] = float(np.mean(lp)) if len(lp) else 0.0
    return [memo[k] for k in keys]


def _likelihood_matrix(models: Sequence[Model], reqs_by_prompt: list[list[GenRequest]],
                       texts: list[list[list[str]]], memo: dict[Any, float] | None) -> np.ndarray:
    """``[n, N, N]``: entry ``[i, x, m]`` = mean log-lik of model x's samples of prompt i under model m (m >= 1).

    Column 0 (the suspect, maybe black-box) and the diagonal (a model's own samples) are NaN.
    """
    n, big_n = len(reqs_by_prompt), len(models)
    out = np.full((n, big_n, big_n), np.nan)
    for m_i, m in enumerate(models[1:], start=1):
        for i, reqs in enumerate(reqs_by_prompt):
            xs = [x for x in range(big_n) if x != m_i]
            flat = [t for x in xs for t in texts[x][i]]
            vals = _loglik(m, reqs[0], flat, memo)
            s = len(texts[0][i])
            for k, x in enumerate(xs):
                out[i, x, m_i] = float(np.mean(vals[k * s:(k + 1) * s]))
    return out


def _likelihood_raw(models: Sequence[Model], reqs_by_prompt: list[list[GenRequest]],
                    texts: list[list[list[str]]], memo: dict[Any, float] | None) -> np.ndarray:
    """``[n, K+1]``: mean log-lik of B's samples under M minus that of M's own samples under M (``reference='own'``)."""
    out = np.zeros((len(reqs_by_prompt), len(models) - 1))
    for j, m in enumerate(models[1:]):
        for i, reqs in enumerate(reqs_by_prompt):
            sus, own = texts[0][i], texts[j + 1][i]
            v = _loglik(m, reqs[0], [*sus, *own], memo)
            out[i, j] = float(np.mean(v[: len(sus)]) - np.mean(v[len(sus):]))
    return out


def _matrix(feature: str, models: Sequence[Model], texts: list[list[list[str]]]) -> np.ndarray:
    """``[n, N, N]`` symmetric similarity between every two models' samples of each prompt (diagonal NaN)."""
    n, big_n = len(texts[0]), len(models)
    out = np.full((n, big_n, big_n), np.nan)
    if feature == "embedding":
        flat = [t for per_model in texts for per_prompt in per_model for t in per_prompt]
        e = sim.embed(flat).reshape(big_n, n, len(texts[0][0]), -1)
    for i in range(n):
        for x in range(big_n):
            for y in range(x + 1, big_n):
                v = (sim.ngram_similarity(texts[x][i], texts[y][i]) if feature == "ngram"
                     else sim.embedding_similarity(e[x, i], e[y, i]))
                out[i, x, y] = out[i, y, x] = v
    return out


def _model_effects(block: np.ndarray, symmetric: bool) -> np.ndarray:
    """Per-model effect of an additive fit to the off-diagonal entries of one prompt's ``[n, n]`` block.

    Symmetric similarity: ``S[x, y] = mu + a_x + a_y``; asymmetric (``L[x, m]``: x's text under model m):
    ``L[x, m] = mu + t_x + s_m``. Returns ``a`` (or the scorer effects ``s``): least squares, minimum norm, so
    the fit is permutation-equivariant in the models.
    """
    n = block.shape[0]
    rows, y = [], []
    for x in range(n):
        for m in range(n):
            if x == m or not np.isfinite(block[x, m]) or (symmetric and x > m):
                continue
            r = np.zeros(1 + (n if symmetric else 2 * n))
            r[0] = 1.0
            if symmetric:
                r[1 + x] += 1.0
                r[1 + m] += 1.0
            else:
                r[1 + x] = 1.0
                r[1 + n + m] = 1.0
            rows.append(r)
            y.append(block[x, m])
    if not rows:
        return np.zeros(n)
    coef = np.linalg.lstsq(np.array(rows), np.array(y), rcond=None)[0]
    eff = coef[1 : 1 + n] if symmetric else coef[1 + n :]
    return eff - eff.mean()


def relative_scores(mat: np.ndarray, symmetric: bool = True) -> np.ndarray:
    """``[n, K+1]`` from ``[n, N, N]`` (model 0 = B): B's similarity to each model m minus m's own effect.

    m's effect is fitted on the similarities among the other models only (the candidate and the panel, never B):
    an additive model (:func:`_model_effects`) that says how close m is to *everyone* (a fluent model, a peaked
    one, a tokenizer shared with the rest; for ``likelihood``, how high m scores any text). ``score[i, m-1] =
    mat[i, 0, m] - effect_m``, which keeps what makes m close to B. B's own effect is the same for every m and
    does not change the ranking. The fit treats every model alike, so it is permutation-equivariant in the
    candidate and the panel and the exact rank test stays valid.
    """
    n, big_n, _ = mat.shape
    out = np.zeros((n, big_n - 1))
    for i in range(n):
        eff = _model_effects(mat[i, 1:, 1:], symmetric)
        out[i] = mat[i, 0, 1:] - eff
    return out


def _toward_candidate(feature: str, models: Sequence[Model], reqs_by_prompt: list[list[GenRequest]],
                      texts: list[list[list[str]]], memo: dict[Any, float] | None,
                      scorers: Sequence[Model] = ()) -> np.ndarray:
    """``[n, N-1]``: similarity to the candidate (models[1]) of the suspect (column 0) and of each control.

    ``models`` = [suspect, candidate, *controls]. No model effects: under the control side's null the suspect is
    exchangeable with its controls, so any one function of a model's samples is too. ``likelihood`` is the mean
    log-likelihood of each model's samples under A (A must be white-box) or, with ``scorers`` (white-box models that
    are neither the suspect nor a control), the log-likelihood ratio of A to the scorers' mean, which takes out how
    likely a model's text is under *any* model (fluency): on the bench zoo the 5%-mix students of the scratch Llama
    teacher write text that the scratch GPT-2 teacher finds likelier than its own mixed students' (-3.9 against
    -4.8 nats/token), which hid those students from the raw score.
    """
    n, big_n = len(texts[0]), len(models)
    xs = [0, *range(2, big_n)]
    out = np.zeros((n, len(xs)))
    if feature == "likelihood":
        s = len(texts[0][0])
        for i, reqs in enumerate(reqs_by_prompt):
            flat = [t for x in xs for t in texts[x][i]]
            vals = np.array(_loglik(models[1], reqs[0], flat, memo))
            if scorers:
                vals = vals - np.mean([_loglik(m, reqs[0], flat, memo) for m in scorers], axis=0)
            out[i] = [float(np.mean(vals[k * s:(k + 1) * s])) for k in range(len(xs))]
        return out
    if feature == "embedding":
        flat = [t for x in [1, *xs] for per_prompt in texts[x] for t in per_prompt]
        e = sim.embed(flat).reshape(len(xs) + 1, n, len(texts[0][0]), -1)
    for i in range(n):
        for k, x in enumerate(xs):
            out[i, k] = (sim.ngram_similarity(texts[x][i], texts[1][i]) if feature == "ngram"
                         else sim.embedding_similarity(e[k + 1, i], e[0, i]))
    return out


def _scores(feature: str, models: Sequence[Model], reqs_by_prompt: list[list[GenRequest]],
            texts: list[list[list[str]]], reference: str = "others", memo: dict[Any, float] | None = None,
            likelihood_reference: str = "raw") -> np.ndarray:
    """``[n_prompts, 1 + K]`` similarity of B (models[0]) to A (column 0) and the panel (columns 1..)."""
    if feature not in FEATURES:
        raise InputError(f"Unknown black-box lineage feature {feature!r}: use one of {', '.join(FEATURES)}.")
    if feature == "likelihood":
        if likelihood_reference == "own":
            return _likelihood_raw(models, reqs_by_prompt, texts, memo)
        if likelihood_reference == "raw":  # only B's samples are scored
            return np.array([[float(np.mean(_loglik(m, reqs[0], texts[0][i], memo))) for m in models[1:]]
                             for i, reqs in enumerate(reqs_by_prompt)])
        return relative_scores(_likelihood_matrix(models, reqs_by_prompt, texts, memo), symmetric=False)
    mat = _matrix(feature, models, texts)
    return mat[:, 0, 1:] if reference == "own" else relative_scores(mat)


def _control_side(ctrl: np.ndarray | None, ctrl_specs: list[str], seed: int) -> tuple[float | None, dict[str, Any]]:
    """p-value and details of the control side: is B closer to A than each of B's controls is, prompt by prompt?"""
    if ctrl is None:
        return None, {"used": False}
    p, _, stat, p_cons = sim.exact_rank_test(ctrl, seed=seed + 1)
    return p, {"used": True, "controls": ctrl_specs, "p": p, "p_conservative": p_cons, "statistic": stat,
               "mean_similarity_to_candidate": {"suspect": float(ctrl[:, 0].mean()),
                                                **{c: float(v) for c, v in zip(ctrl_specs, ctrl[:, 1:].mean(0))}}}


def _evidence(feature: str, scores: np.ndarray, prompts: Sequence[str], specs: list[str], sample_ids: list[str],
              params: dict[str, Any], seed: int, permutations: int, ctrl: np.ndarray | None = None,
              ctrl_specs: Sequence[str] = (), leniency: float | None = None) -> Evidence:
    p_panel, beats, stat, p_cons = sim.exact_rank_test(scores, seed=seed)
    p_ctrl, ctrl_details = _control_side(ctrl, list(ctrl_specs), seed)
    p = p_panel if p_ctrl is None else max(p_panel, p_ctrl)
    d = scores[:, 0] - scores[:, 1:].mean(1)
    sd = float(d.std(ddof=1)) if len(d) > 1 else 0.0
    effect = float(d.mean() / sd) if sd > 0 else (0.0 if d.mean() == 0 else float(np.sign(d.mean())) * np.inf)
    sf = sign_flip_test(d, n_perm=permutations, seed=seed) if len(d) >= 2 else None
    k = scores.shape[1] - 1
    means = scores.mean(0)
    model_rank = int(1 + (means[1:] > means[0]).sum())
    rows = [{"prompt": pr[:80], "sim_candidate": float(scores[i, 0]), "sim_panel_mean": float(scores[i, 1:].mean()),
             "d": float(d[i]), "panel_beaten": int(beats[i])} for i, pr in enumerate(prompts)][:200]
    drivers = [rows[i] for i in np.argsort(-d)[:10] if i < len(rows)]
    caveats = [
        ("The null is per prompt: a panel model closer to B for a shared reason (same family, same data) makes the "
        "test conservative, but a candidate closer for such a reason is flagged as well; pick a panel of the "
        "candidate's peers."),
        f"Smallest possible p-value is {(1 / (k + 1)) ** len(prompts):.1e} ({len(prompts)} prompts, {k} panel models).",
    ]
    if k < 3:
        caveats.append(f"Only {k} panel model(s): each prompt carries little information; use >= 4.")
    if p_ctrl is None:
        caveats.append("Panel side only (no controls): valid only if the panel holds peers of the candidate.")
    else:
        side = "control" if p_ctrl >= p_panel else "panel"
        caveats.append(f"p = max(panel side {p_panel:.3g}, control side {p_ctrl:.3g}): the {side} side decides; valid "
                       "when either the panel holds peers of the candidate or the controls peers of the suspect.")
    if leniency is not None and leniency > 0 and p_panel <= 0.05:
        caveats.append(f"The candidate scores the controls' samples {leniency:.2f} nats/token above the panel models' "
                       "mean: a more lenient scorer than the panel, which the raw likelihood panel side favours for "
                       "that alone; the verdict rests on the control side (controls that are peers of the suspect).")
    return Evidence(
        name=f"lineage.blackbox.{feature}", null=NULL, statistic=stat, p_value=p, effect_size=effect,
        effect_name="standardised mean over prompts of sim(B, A) - mean_j sim(B, panel_j) (mean / sd)",
        sample_ids=sample_ids, params={**params, "feature": feature},
        caveats=caveats,
        details={
            "statistic": ("panel side: mean over prompts of the fraction of panel models the candidate beats (0.5 under "
                          "the null)"),
            "models": {"suspect": specs[0], "candidate": specs[1], "panel": specs[2:]},
            "mean_similarity": {s: float(v) for s, v in zip(specs[1:], means)},
            "candidate_rank_of_means": model_rank, "n_ranked": k + 1,
            "p_panel": p_panel, "p_conservative": p_cons if p_ctrl is None else max(p_cons, ctrl_details["p_conservative"]),
            "control_side": ctrl_details,
            "sign_flip_p": sf.p_value if sf else None, "per_prompt": rows, "drivers": drivers,
            "candidate_leniency": leniency,
        },
    )


def blackbox_test(suspect: Model, candidate: Model, panel: Sequence[Model], prompts: Sequence[str], *,
                  samples: int = 4, max_tokens: int = 48, store: SampleStore | None = None,
                  features: Sequence[str] = FEATURES, permutations: int = 2000, seed: int = 0,
                  temperature: float = 0.7, cache: bool = True, reference: str = "others",
                  score_memo: dict[Any, float] | None = None, controls: Sequence[Model] | None = None,
                  likelihood_ratio: bool = True, likelihood_reference: str = "raw") -> list[Evidence]:
    """Test whether suspect B is closer to candidate A than to a panel, one Evidence per feature.

    Args:
        suspect: model B.
        candidate: model A (white-box for the ``likelihood`` feature, as must every panel model be).
        panel: other models, the null's reference (>= 4 recommended; peers of A, not of B).
        prompts: shared prompts (chat user messages); >= 10 recommended.
        samples: seeded samples per prompt and model.
        max_tokens: tokens per sample.
        store: sample store (default: the user's store); samples are cached there.
        features: any of ``ngram``, ``embedding``, ``likelihood``. A feature that cannot run (``likelihood`` with
            a black-box model, ``embedding`` without the extra ``embed``) gives an Evidence with ``p_value=None``
            and a caveat saying why, so the others still run; asked for alone, a missing extra raises
            :class:`~distillscope.errors.MissingModelError` naming it.
        permutations: sign flips for the secondary sign-flip p-value in ``details``.
        seed: sampling seed (shared by every model) and tie-breaking seed.
        temperature: sampling temperature (the same for every model, so the null is untouched). Below 1 the
            samples follow each model's modes, which is what distillation copies: at 1.0 a weak student's heavy tail
            (tokens its teacher never writes) dominated its samples, and on the bench zoo the 1-layer Llama
            students of the scratch Llama teacher were less like it than hard-label controls (likelihood under the
            teacher -9.5 nats/token against -8.9); at 0.7 they were the likeliest of all (-4.7 against -8.5 to -5.6).
        cache: draw through the store (``False`` only for simulations).
        reference: for ``ngram`` and ``embedding``: ``others`` (default): a model's similarity to B minus its
            effect fitted on the similarities among the other compared models (:func:`relative_scores`); ``own``:
            the raw similarity to B, kept for comparison.
        score_memo: a dict in which ``likelihood`` keeps (model spec, context, text) -> log-likelihood across calls.
        controls: peers of the suspect (trained like B, without A) for the control side; ``None`` (default): the
            panel serves as both; ``()``: panel side only (valid only with peers of A in the panel).
        likelihood_ratio: on the control side, score ``likelihood`` as the log-likelihood ratio of A to the mean
            of the panel models that are not controls (``False``, or no such panel model: the raw log-likelihood
            under A, the earlier score). Either is one function applied to every model alike, so the null holds.
        likelihood_reference: the panel side of ``likelihood``: ``raw`` (default): the mean log-likelihood of B's
            samples under each model; ``others``: minus the model's scorer effect fitted on the candidate's and the
            panel's texts (the default before session 10; see the module docstring for why it changed); ``own``:
            minus the log-likelihood of the model's own samples.

    Returns:
        One :class:`Evidence` per feature, named ``lineage.blackbox.<feature>``. Holm across them is the caller's.
    """
    if not panel:
        raise InputError("blackbox_test needs at least one panel model (4 or more recommended).")
    if len(prompts) < 2:
        raise InputError("blackbox_test needs at least 2 prompts (10 or more recommended).")
    if reference not in ("others", "own"):
        raise InputError(f"reference must be 'others' or 'own', got {reference!r}.")
    if likelihood_reference not in ("raw", "others", "own"):
        raise InputError(f"likelihood_reference must be 'raw', 'others' or 'own', got {likelihood_reference!r}.")
    bad = [f for f in features if f not in FEATURES]
    if bad:
        raise InputError(f"Unknown black-box lineage feature(s) {bad}: use any of {', '.join(FEATURES)}.")
    models = [suspect, candidate, *panel]
    specs = [m.spec for m in models]
    if len(set(specs)) != len(specs):
        raise InputError(f"Models need distinct specs (samples are cached by spec): got {specs}.")
    controls = list(panel) if controls is None else list(controls)
    bad_ctrl = [m.spec for m in controls if m.spec in specs[:2]]
    if bad_ctrl:
        raise InputError(f"Controls must differ from the suspect and the candidate: got {bad_ctrl}.")
    extra = [m for m in {m.spec: m for m in controls}.values() if m.spec not in specs]
    if cache and store is None:
        store = SampleStore()
    reqs_by_prompt = [[GenRequest.chat(p, max_tokens=max_tokens, temperature=temperature, seed=seed, seed_index=k)
                       for k in range(samples)] for p in prompts]
    flat = [r for rs in reqs_by_prompt for r in rs]
    comps = _draw([*models, *extra], flat, store, cache)
    texts = [[[c.text for c in cs[i * samples:(i + 1) * samples]] for i in range(len(prompts))] for cs in comps]
    ids = [c.sample_id for cs in comps for c in cs if c.sample_id]
    by_spec = dict(zip([*specs, *(m.spec for m in extra)], texts))
    ctrl_models = [suspect, candidate, *controls]
    # the control side's likelihood ratio is taken against the panel models that are not controls (none: raw)
    ctrl_specs = {m.spec for m in controls}
    scorers = [m for m in panel if m.spec not in ctrl_specs] if likelihood_ratio else []
    ctrl_texts = [by_spec[m.spec] for m in ctrl_models]
    texts = texts[: len(models)]
    params = {"samples": samples, "max_tokens": max_tokens, "temperature": temperature, "seed": seed,
              "n_prompts": len(prompts), "n_panel": len(panel), "reference": reference,
              "likelihood_reference": likelihood_reference,
              "n_controls": len(controls), "controls_are_panel": [m.spec for m in controls] == specs[2:],
              "control_likelihood_scorers": [m.spec for m in scorers]}
    out = []
    for f in features:
        if f == "likelihood" and not all(is_white_box(m) for m in models[1:]):
            bb = [m.spec for m in models[1:] if not is_white_box(m)]
            out.append(Evidence(name="lineage.blackbox.likelihood", null=NULL, statistic=float("nan"), p_value=None,
                                params={**params, "feature": f},
                                caveats=[(f"Not run: the likelihood feature needs the candidate and every panel model "
                                         f"white-box (the score is symmetric in them); black-box: {bb}.")]))
            continue
        try:
            scores = _scores(f, models, reqs_by_prompt, texts, reference, score_memo, likelihood_reference)
            ctrl = (_toward_candidate(f, ctrl_models, reqs_by_prompt, ctrl_texts, score_memo, scorers)
                    if controls else None)
        except MissingModelError as e:
            if len(features) == 1:
                raise
            out.append(Evidence(name=f"lineage.blackbox.{f}", null=NULL, statistic=float("nan"), p_value=None,
                                params={**params, "feature": f}, caveats=[f"Not run: {e}"]))
            continue
        # raw likelihood: how much likelier the controls' samples are under A than under the panel (A's leniency)
        lenient = f == "likelihood" and likelihood_reference == "raw" and bool(scorers) and ctrl is not None
        out.append(_evidence(f, scores, prompts, specs, ids, params, seed, permutations, ctrl,
                             [m.spec for m in controls], float(ctrl[:, 1:].mean()) if lenient else None))
    return out
