"""Power planning for `verify`: how many prompts x samples detect a distortion of a given size.

Two routes:

* **analytic** (:func:`plan`): the likelihood-rank test is distribution-free under the null, so its power
  depends only on the design and the distortion size ``delta`` (probability shift, see
  :func:`distillscope.stats.power.rank_test_power`), whatever the reference.
* **from a pilot** (:func:`plan_from_pilot`, :func:`empirical_power`): run a small verify against a suspected
  endpoint (or a known distortion of the reference), estimate ``delta`` from it and plan; or subsample a larger
  pilot to measure the power of every test, MMD included, at smaller designs.
* **text-only, from a pilot** (:func:`plan_text_only`): the samples per prompt each test (and the combined
  verdict) needs for a target power, with the cost; sizes beyond the pilot are extrapolated and flagged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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
            endpoint_tokens=None if p.endpoint_tokens is None else [p.endpoint_tokens[i] for i in e],
            reference_tokens=None if p.reference_tokens is None else [p.reference_tokens[i] for i in r],
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


@dataclass
class PilotPlan:
    """Samples per prompt a test needs for the target power, from a pilot (see :func:`plan_text_only`).

    Attributes:
        test: battery test name (``verify.combined`` is the verdict's).
        power_by_n: measured rejection rate at each subsample size.
        samples: samples per prompt reaching the target power by the conservative normal-shift fit of
            :func:`_needed` (``None``: the pilot shows no power above alpha, or more than ``cap`` are needed).
        extrapolated: True when ``samples`` is beyond the largest size the pilot could measure.
        calls: endpoint calls of an audit of that size (prompts x samples).
        cost_usd: its price at the given per-token prices and the pilot's mean token counts.
    """

    test: str
    power_by_n: dict[int, float]
    samples: int | None
    extrapolated: bool
    calls: int | None
    cost_usd: float | None


def _needed(rates: dict[int, Rate], n_pilot: int, target: float, alpha: float, cap: int) -> int | None:
    """Fewest samples per prompt for ``target`` power under the normal-shift model, fitted conservatively.

    Model: a fresh audit of ``n`` samples rejects with ``Phi(c sqrt(n) - q)``, ``q = Phi^-1(1 - alpha)``. A
    subsample of ``n`` out of the pilot's ``N`` has its noise shrunk by ``sqrt(1 - n/N)`` (finite population), so
    its rejection rate overstates a fresh audit's; ``c`` is fitted with that correction to the lower end of the
    rate's binomial interval at the largest size whose rate is above ``alpha`` beyond that interval.
    """
    from scipy.stats import norm

    q = norm.ppf(1 - alpha)
    ok = [n for n in rates if rates[n].low > alpha]
    if not ok:
        return None
    n = max(ok)
    low = min(rates[n].low, 1 - 1e-3)
    c = (q + np.sqrt(1 - n / n_pilot) * norm.ppf(low)) / np.sqrt(n)
    if c <= 0:
        return None
    need = int(np.ceil(((norm.ppf(target) + q) / c) ** 2))
    return need if need <= cap else None


def plan_text_only(ss: SampleSet, target: float = 0.8, cfg: BatteryConfig | None = None, trials: int = 40,
                   ns: Sequence[int] | None = None, prompt_tokens: float = 0.0, completion_tokens: float = 0.0,
                   price_in: float = 0.0, price_out: float = 0.0, cap: int = 1000, seed: int = 0) -> list[PilotPlan]:
    """Samples per prompt each test needs for ``target`` power against the pilot's endpoint, and the cost.

    The pilot is a verify run with ``N`` samples per prompt on each side; subsamples of size ``n <= N/2`` are
    drawn ``trials`` times (at most half the pilot so that subsamples vary) and the battery is run on each (the
    tests that apply to the pilot's data: text-only ones when it has no logprobs). The samples needed come from
    a normal-shift model fitted conservatively to those rates (see :func:`_needed`); sizes beyond the pilot are
    flagged as extrapolated. The pilot's own noise is not removed: a small pilot plans for the distortion it
    happened to see. Cost = prompts x samples x (mean prompt tokens x price_in + mean
    completion tokens x price_out) / 1e6.
    """
    cfg = cfg or BatteryConfig(n_perm=200)
    n_pilot = min(min(len(p.endpoint), len(p.reference)) for p in ss.prompts)
    if n_pilot < 4:
        raise InputError(f"The pilot has {n_pilot} samples per prompt on a side; plan from >= 4 (better 20).")
    ns = sorted(ns or {n for n in (2, 3, 5, 8, 10, 15, 20, 30, 40) if n <= n_pilot // 2})
    rates = empirical_power(ss, ns, trials, cfg, seed)
    prompts = len(ss.usable)
    out = []
    for name in rates[ns[0]]:
        by_n = {n: rates[n][name].rate for n in ns}
        need = _needed({n: rates[n][name] for n in ns}, n_pilot, target, cfg.alpha, cap)
        extra = need is not None and need > max(ns)
        calls = None if need is None else need * prompts
        cost = None if calls is None else calls * (prompt_tokens * price_in + completion_tokens * price_out) / 1e6
        out.append(PilotPlan(name, by_n, need, extra, calls, cost))
    return out
