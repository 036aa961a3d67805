"""Power planning for `verify`: how many prompts x samples detect a distortion of a given size.

Two routes:

* **analytic** (:func:`plan`): the likelihood-rank test is distribution-free under the null, so its power
  depends only on the design and the distortion size ``delta`` (probability shift, see
  :func:`distillscope.stats.power.rank_test_power`), whatever the reference.
* **from a pilot** (:func:`plan_from_pilot`, :func:`empirical_power`): run a small verify against a suspected
  endpoint (or a known distortion of the reference), estimate ``delta`` from it and plan; or subsample a larger
  pilot to measure the power of every test, MMD included, at smaller designs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from distillscope.errors import InputError
from distillscope.stats.power import PlanRow, Rate, plan_rank_test, rejection_rate
from distillscope.verify.battery import BatteryConfig, run_battery
from distillscope.verify.data import PromptSamples, SampleSet


def plan(delta: float, alpha: float = 0.05, power: float = 0.9,
         prompt_options: tuple[int, ...] = (10, 25, 50, 100)) -> list[PlanRow]:
    """Fewest samples per prompt reaching ``power`` for each number of prompts (likelihood-rank test)."""
    return plan_rank_test(delta, alpha, power, prompt_options)


def estimate_delta(ss: SampleSet) -> float:
    """The probability shift of a pilot: mean over prompts of P(endpoint score > reference score) - 1/2."""
    if not ss.has_scores:
        raise InputError("estimate_delta needs reference scores (a white-box reference).")
    shifts = []
    for i in ss.usable:
        p = ss.prompts[i]
        e = np.asarray(p.endpoint_scores, float)[:, None]
        r = np.asarray(p.reference_scores, float)[None, :]
        shifts.append(float(np.mean((e > r) + 0.5 * (e == r))) - 0.5)
    return float(np.mean(shifts))


def plan_from_pilot(ss: SampleSet, alpha: float = 0.05, power: float = 0.9,
                    prompt_options: tuple[int, ...] = (10, 25, 50, 100)) -> tuple[float, list[PlanRow]]:
    """Estimate ``delta`` from a pilot and plan for it (a pilot with ``delta`` ~ 0 raises: nothing to plan for)."""
    d = estimate_delta(ss)
    if abs(d) < 1e-3:
        raise InputError(f"The pilot shows no distortion (delta = {d:.4f}): nothing to plan for.")
    return d, plan(float(np.clip(d, -0.49, 0.49)), alpha, power, prompt_options)


def subsample(ss: SampleSet, n: int, rng: np.random.Generator) -> SampleSet:
    """``n`` endpoint and ``n`` reference samples per prompt, drawn without replacement from a larger pilot."""
    groups = []
    for p in ss.prompts:
        if len(p.endpoint) < n or len(p.reference) < n:
            raise InputError(f"prompt {p.prompt!r} has fewer than {n} samples per source in the pilot.")
        e = rng.choice(len(p.endpoint), n, replace=False)
        r = rng.choice(len(p.reference), n, replace=False)
        groups.append(PromptSamples(
            p.prompt, [p.endpoint[i] for i in e], [p.reference[i] for i in r],
            None if p.endpoint_scores is None else np.asarray(p.endpoint_scores)[e],
            None if p.reference_scores is None else np.asarray(p.reference_scores)[r],
            None if p.logprob_diffs is None or len(p.logprob_diffs) != len(p.endpoint)
            else [p.logprob_diffs[i] for i in e],
            None if p.aligned is None or len(p.aligned) != len(p.endpoint) else [p.aligned[i] for i in e],
            endpoint_proxy=None if p.endpoint_proxy is None else np.asarray(p.endpoint_proxy)[e],
            reference_proxy=None if p.reference_proxy is None else np.asarray(p.reference_proxy)[r],
            endpoint_finish=None if p.endpoint_finish is None else [p.endpoint_finish[i] for i in e],
            reference_finish=None if p.reference_finish is None else [p.reference_finish[i] for i in r],
        ))
    return SampleSet(groups, list(ss.logprob_notes), ss.proxy_spec)


def empirical_power(ss: SampleSet, ns: Sequence[int], trials: int = 50, cfg: BatteryConfig | None = None,
                    seed: int = 0) -> dict[int, dict[str, Rate]]:
    """Rejection rate of every test at ``n`` samples per prompt, by subsampling a pilot ``trials`` times.

    Subsamples overlap when ``n`` is close to the pilot size, so the rates are optimistic there.
    """
    cfg = cfg or BatteryConfig(n_perm=200)
    rng = np.random.default_rng(seed)
    out: dict[int, dict[str, Rate]] = {}
    for n in ns:
        ps: dict[str, list[float]] = {}
        for t in range(trials):
            sub = subsample(ss, n, rng)
            for e in run_battery(sub, BatteryConfig(**{**cfg.__dict__, "seed": t})):
                ps.setdefault(e.name, []).append(float(e.p_value))
        out[n] = {k: rejection_rate(v, cfg.alpha) for k, v in ps.items()}
    return out
