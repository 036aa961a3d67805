"""`verify`: draw samples from an endpoint and a reference through the store, run the battery, give a verdict.

    from distillscope.verify import verify, VerifyConfig
    from distillscope.models import load_model
    report = verify(load_model("openai:smollm2@http://127.0.0.1:8000/v1"), load_model("zoo:smollm2-135m-instruct"))
    print(report.verdict, report.combined.p_value)

Endpoint sample ``i`` of a prompt uses ``seed=config.seed, seed_index=i``; reference samples use a different seed
so that a reference which happens to be the very same local model never repeats the endpoint's samples. Both go
through :class:`~distillscope.store.CachedModel`: a rerun with more samples only pays for the new ones.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from distillscope.errors import InputError
from distillscope.evidence import Evidence
from distillscope.models.base import GenRequest, Model, is_white_box
from distillscope.verify.battery import run_battery
from distillscope.verify.config import BatteryConfig, VerifyConfig  # noqa: F401 - re-exported
from distillscope.verify.data import PromptSamples, SampleSet
from distillscope.verify.scoring import Scorer

REFERENCE_SEED_OFFSET = 7919


@dataclass
class Spend:
    """What the endpoint samples cost: new calls vs. calls served from the store, tokens and dollars."""

    calls_new: int = 0
    calls_cached: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    price_in: float = 0.0
    price_out: float = 0.0


@dataclass
class VerifyReport:
    endpoint: str
    reference: str
    verdict: str
    substituted: bool
    alpha: float
    evidence: list[Evidence]
    spend: Spend
    prompts: int
    samples: int
    declared_models: list[str]

    @property
    def combined(self) -> Evidence:
        return self.evidence[-1]

    def to_dict(self) -> dict[str, Any]:
        return {"endpoint": self.endpoint, "reference": self.reference, "verdict": self.verdict,
                "substituted": self.substituted, "alpha": self.alpha, "prompts": self.prompts,
                "samples_per_prompt": self.samples, "declared_models": self.declared_models,
                "spend": asdict(self.spend), "evidence": [e.to_dict() for e in self.evidence]}


def _requests(prompts: list[str], n: int, seed: int, cfg: VerifyConfig, logprobs: bool) -> list[GenRequest]:
    return [GenRequest.chat(p, max_tokens=cfg.max_tokens, temperature=cfg.temperature, top_p=cfg.top_p, seed=seed,
                            seed_index=i, logprobs=logprobs) for p in prompts for i in range(n)]


def _cached(model: Model, store: Any) -> Model:
    if store is False:
        return model
    from distillscope.store import CachedModel

    return model if isinstance(model, CachedModel) else CachedModel(model, store)


def resolve_proxy(cfg: VerifyConfig, reference: Model, proxy: Model | None = None) -> Model | None:
    """The proxy LM of the proxy-likelihood test: ``proxy`` if given, else from ``cfg.proxy`` (``auto``: the
    reference when it is white-box; ``none``: no proxy; otherwise a model spec, loaded here)."""
    if proxy is not None:
        return proxy
    if cfg.proxy == "none":
        return None
    if cfg.proxy == "auto":
        return reference if is_white_box(reference) else None
    from distillscope.models import load_model

    return load_model(cfg.proxy)


def collect(endpoint: Model, reference: Model, prompts: list[str], cfg: VerifyConfig, store: Any = None,
            progress: Any = None, proxy: Model | None = None) -> tuple[SampleSet, Spend, list[str]]:
    """Sample both sources (through the store unless ``store is False``), score with a white-box reference and
    compute the proxy LM's features (``proxy``, default :func:`resolve_proxy`).

    Returns the samples, what the endpoint samples cost, and the model names the endpoint declared.
    """
    if not prompts:
        raise InputError("No prompts given.")
    want_lp = cfg.logprobs == "yes" or (cfg.logprobs == "auto" and "logprobs" in endpoint.capabilities)
    white = is_white_box(reference)
    ep = _cached(endpoint, store)
    ref = _cached(reference, store)
    seed = cfg.battery.seed
    n_ref = cfg.reference_samples or cfg.samples
    ereqs = _requests(prompts, cfg.samples, seed, cfg, want_lp)
    rreqs = _requests(prompts, n_ref, seed + REFERENCE_SEED_OFFSET, cfg, False)
    ecomps = ep.generate(ereqs, progress=progress)
    rcomps = ref.generate(rreqs, progress=progress)

    spend = Spend(price_in=cfg.price_in, price_out=cfg.price_out)
    for c in ecomps:
        if c.cached:
            spend.calls_cached += 1
            continue
        spend.calls_new += 1
        spend.prompt_tokens += int(c.usage.get("prompt_tokens", 0))
        spend.completion_tokens += int(c.usage.get("completion_tokens", 0))
    spend.cost_usd = (spend.prompt_tokens * cfg.price_in + spend.completion_tokens * cfg.price_out) / 1e6

    scorer = Scorer(reference) if white else None
    pmodel = resolve_proxy(cfg, reference, proxy)
    efeat = rfeat = escores = rscores = erecs = rrecs = None
    eitems = [(r, c.text) for r, c in zip(ereqs, ecomps)]
    ritems = [(r, c.text) for r, c in zip(rreqs, rcomps)]
    if pmodel is not None:
        from distillscope.verify.features import ProxyScorer

        ps = ProxyScorer(pmodel)
        efeat, rfeat = ps.features(eitems), ps.features(ritems)
        erecs, rrecs = ps.token_records(eitems), ps.token_records(ritems)
        if pmodel is reference:  # the same teacher-forcing pass gave the reference log-likelihoods
            escores, rscores = ps.summed_logprobs(eitems), ps.summed_logprobs(ritems)
    if scorer is not None and escores is None:
        escores = np.array([s.sum() for s in scorer.score_texts(eitems)])
        rscores = np.array([s.sum() for s in scorer.score_texts(ritems)])
    lp_diffs: list[np.ndarray | None] = [None] * len(ecomps)
    ambiguous = 0
    aligned: list[bool] = [True] * len(ecomps)
    if scorer is not None and want_lp:
        pairs, where = [], []
        for j, (r, c) in enumerate(zip(ereqs, ecomps)):
            if c.logprobs:
                ids, how = scorer.aligned_ids(c)
                if ids is None:  # sampled ids cannot be recovered: leave this completion out of the logprob tests
                    ambiguous += 1
                    continue
                pairs.append((scorer.context_ids(r), ids))
                where.append((j, how == "exact"))
        for (j, ok), lps in zip(where, scorer.score_ids(pairs)):
            rep = np.array([t.logprob for t in ecomps[j].logprobs or []], dtype=float)
            if ok:
                lp_diffs[j] = rep - lps
            else:  # different tokenization: compare whole sequences, spread over the reported tokens
                lp_diffs[j] = np.full(rep.size, (rep.sum() - lps.sum()) / max(1, rep.size))
            aligned[j] = ok

    groups = []
    for pi, prompt in enumerate(prompts):
        es = slice(pi * cfg.samples, (pi + 1) * cfg.samples)
        rs = slice(pi * n_ref, (pi + 1) * n_ref)
        diffs = [d for d in lp_diffs[es] if d is not None]
        groups.append(PromptSamples(
            prompt=prompt, endpoint=[c.text for c in ecomps[es]], reference=[c.text for c in rcomps[rs]],
            endpoint_scores=None if escores is None else escores[es],
            reference_scores=None if rscores is None else rscores[rs],
            logprob_diffs=diffs or None,
            aligned=[a for a, d in zip(aligned[es], lp_diffs[es]) if d is not None] or None,
            endpoint_ids=[c.sample_id or "" for c in ecomps[es]],
            reference_ids=[c.sample_id or "" for c in rcomps[rs]],
            endpoint_proxy=None if efeat is None else efeat[es], reference_proxy=None if rfeat is None else rfeat[rs],
            endpoint_tokens=None if erecs is None else erecs[es], reference_tokens=None if rrecs is None else rrecs[rs],
            endpoint_finish=[_finish(c) for c in ecomps[es]], reference_finish=[_finish(c) for c in rcomps[rs]],
        ))
    declared = sorted({c.declared_model for c in ecomps if c.declared_model})
    notes = [(f"{ambiguous} completion(s) left out: their reported tokens match several reference tokens (e.g. "
             "partial UTF-8 bytes), so the sampled ids are unknown.")] if ambiguous else []
    return SampleSet(groups, notes, None if pmodel is None else pmodel.spec), spend, declared


def _finish(c: Any) -> str:
    """The finish reason when the source reported one (with its usage), else "" (unknown: recorded text)."""
    return (c.finish_reason or "") if "completion_tokens" in (c.usage or {}) else ""


def verdict_text(substituted: bool, combined: Evidence, alpha: float, endpoint: str, reference: str) -> str:
    p = combined.p_value
    if substituted:
        return (f"DIFFERS: {endpoint} does not serve the distribution of {reference} "
                f"(combined p = {p:.3g} < alpha = {alpha:g}).")
    return (f"CONSISTENT: no evidence that {endpoint} differs from {reference} at alpha = {alpha:g} "
            f"(combined p = {p:.3g}); this bounds what the samples could detect, it does not prove identity.")


def _tokenizer_evidence(endpoint: Model, reference: Model, ss: SampleSet, cfg: VerifyConfig,
                        store: Any) -> list[Evidence]:
    """The usage-count tokenizer test (:func:`distillscope.lineage.tokenizer.tokenizer_consistency`), when it
    applies: a white-box reference whose tokenizer is known, an endpoint that reports ``usage.prompt_tokens``."""
    if not cfg.tokenizer_calls or not is_white_box(reference) or is_white_box(endpoint):
        return []
    from distillscope.lineage.tokenizer import tokenizer_consistency

    ep = _cached(endpoint, store)
    try:
        return [tokenizer_consistency(ep, reference, calls=cfg.tokenizer_calls)]
    except InputError:  # the endpoint reports no usage counts: the test does not apply
        return []


def verify(endpoint: Model, reference: Model, prompts: list[str] | None = None, config: VerifyConfig | None = None,
           store: Any = None, progress: Any = None, proxy: Model | None = None) -> VerifyReport:
    """Test whether ``endpoint`` serves the same model as ``reference``.

    Args:
        endpoint: the model under audit (usually ``openai:MODEL@URL``).
        reference: the model it claims to be; white-box (``zoo:``/``hf:``) enables the likelihood tests.
        prompts: prompts to sample (default: the shipped informative set and the self-description probes).
        config: sampling and test settings.
        store: a SampleStore (default: the user's store); ``False`` bypasses the store.
        progress: callable(n_done) for progress bars.
        proxy: a white-box LM for the proxy-likelihood test (default: from ``config.proxy``).
    """
    from distillscope.verify.prompts import verify_prompts

    cfg = config or VerifyConfig()
    prompts = list(prompts) if prompts is not None else verify_prompts()
    ss, spend, declared = collect(endpoint, reference, prompts, cfg, store, progress, proxy)
    ev = run_battery(ss, cfg.battery, extra=_tokenizer_evidence(endpoint, reference, ss, cfg, store))
    comb = ev[-1]
    sub = comb.significant(cfg.battery.alpha)
    return VerifyReport(endpoint.spec, reference.spec, verdict_text(sub, comb, cfg.battery.alpha, endpoint.spec,
                                                                    reference.spec),
                        sub, cfg.battery.alpha, ev, spend, len(prompts), cfg.samples, declared)
