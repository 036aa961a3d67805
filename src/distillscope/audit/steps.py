"""The audit's steps: each says whether it applies to the access at hand (or why not), what calls it will make,
and how to run. A step is a function ``plan_X(ctx) -> Planned | str`` (a string is the reason it is skipped);
:data:`STEPS` lists them in priority order (cheap, broadly applicable evidence first).

To add a step: write ``plan_<name>(ctx)`` returning :class:`Planned` (enumerate its requests in ``calls`` when it
can, so the plan counts cache hits; else give ``max_calls``) and append it to :data:`STEPS`. Lineage steps import
:mod:`distillscope.lineage` lazily and skip, saying so, when a method is not in this build.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from distillscope.evidence import Evidence
from distillscope.models.base import GenRequest, Model, is_white_box
from distillscope.report.case import Example

if TYPE_CHECKING:
    from distillscope.audit.run import AuditContext


@dataclass
class StepOutput:
    evidence: list[Evidence]
    examples: dict[str, list[Example]] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)
    skipped: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Planned:
    """A step that applies: what it tests, the calls it makes and how to run it."""

    step: str
    purpose: str
    run: Callable[[], StepOutput]
    calls: list[tuple[Model, GenRequest]] | None = None  # every request, when the step can enumerate them
    max_calls: int = 0  # upper bound when it cannot


def _lineage(module: str) -> Any | None:
    try:
        return importlib.import_module(f"distillscope.lineage.{module}")
    except ModuleNotFoundError as e:
        if e.name and e.name.startswith("distillscope.lineage"):
            return None
        raise


def _examples_from_store(ctx: AuditContext, ev: Evidence, n: int = 3) -> list[Example]:
    got = ctx.store.get_many(ev.sample_ids[:n])
    return [Example(sid, c.text, c.declared_model or "", "", "") for sid, c in got.items()]


# --- identity -------------------------------------------------------------------------------------------------
def plan_identity(ctx: AuditContext) -> Planned | str:
    from distillscope.identity.battery import load_battery

    cfg = ctx.config
    battery = load_battery(cfg.languages, None)
    reqs = [p.request(seed_index=i, max_tokens=cfg.identity_max_tokens, temperature=1.0, seed=cfg.seed)
            for p in battery for i in range(cfg.identity_samples)]

    def run() -> StepOutput:
        from distillscope.identity.analysis import NONE, is_foreign
        from distillscope.identity.probing import probe_identity

        rep = probe_identity(ctx.sampled(ctx.suspect), languages=cfg.languages, samples=cfg.identity_samples,
                             max_tokens=cfg.identity_max_tokens, temperature=1.0, expect=cfg.expect, seed=cfg.seed,
                             store=ctx.store, n_perm=cfg.permutations)
        evidence = list(rep.evidence)
        claimed = {"claimed_identity": rep.by_language, "consistency": rep.consistency}
        skipped = []
        if evidence:
            evidence[0].details.update(claimed)
        else:
            c = rep.consistency
            evidence.append(Evidence(
                name="identity.claims", null="(descriptive: claimed identities per language, no test)",
                statistic=c["coverage"] or 0.0, p_value=None, effect_size=c["index"],
                effect_name="consistency index (chance two answers name the same identity)",
                sample_ids=[r.sample_id for r in rep.responses if r.sample_id],
                params=rep.params, details=claimed))
            skipped.append({"step": "identity.foreign_claims", "reason": "the expected identity is unknown: pass "
                            "--expect (or audit an endpoint whose declared model names a known family)"})
        if rep.expected:
            lead = [r for r in rep.responses if any(is_foreign(lab, rep.expected) for lab in r.asserted)]
        else:
            lead = [r for r in rep.responses if r.primary != NONE]
        ex = [Example(r.sample_id or "", r.text, rep.spec, f"{r.language}/{r.probe}",
                      f"claims {', '.join(r.asserted) or 'nothing'}") for r in lead[:cfg.examples]]
        declared = sorted({r.declared_model for r in rep.responses if r.declared_model})
        return StepOutput(evidence, {evidence[0].name: ex}, {"declared_models": declared,
                                                              "expected_identity": rep.expected}, skipped)

    return Planned("identity", f"who does the suspect say it is, in {cfg.languages}?", run,
                   calls=[(ctx.suspect, r) for r in reqs])


# --- verify ---------------------------------------------------------------------------------------------------
def plan_verify(ctx: AuditContext) -> Planned | str:
    if ctx.reference is None:
        return "no --reference: the model the suspect claims to be is needed to test substitution"
    from distillscope.verify import BatteryConfig, VerifyConfig, default_prompts, verify
    from distillscope.verify.run import REFERENCE_SEED_OFFSET

    cfg = ctx.config
    prompts = default_prompts()[: cfg.verify_prompts]
    vcfg = VerifyConfig(samples=cfg.verify_samples, max_tokens=cfg.max_tokens,
                        battery=BatteryConfig(alpha=cfg.alpha, n_perm=cfg.permutations, seed=cfg.seed))
    want_lp = "logprobs" in ctx.suspect.capabilities
    calls = [(ctx.suspect, GenRequest.chat(p, max_tokens=vcfg.max_tokens, temperature=vcfg.temperature,
                                           top_p=vcfg.top_p, seed=cfg.seed, seed_index=i, logprobs=want_lp))
             for p in prompts for i in range(vcfg.samples)]
    calls += [(ctx.reference, GenRequest.chat(p, max_tokens=vcfg.max_tokens, temperature=vcfg.temperature,
                                              top_p=vcfg.top_p, seed=cfg.seed + REFERENCE_SEED_OFFSET, seed_index=i))
              for p in prompts for i in range(vcfg.samples)]

    def run() -> StepOutput:
        rep = verify(ctx.sampled(ctx.suspect), ctx.sampled(ctx.reference), prompts, vcfg, store=ctx.store)
        ex = {e.name: _examples_from_store(ctx, e, cfg.examples) for e in rep.evidence[:1]}
        return StepOutput(rep.evidence, ex, {"declared_models": rep.declared_models, "verify_spend": rep.spend})

    return Planned("verify", f"does the suspect serve the distribution of {ctx.reference.spec}?", run, calls=calls)


# --- lineage --------------------------------------------------------------------------------------------------
def plan_blackbox(ctx: AuditContext) -> Planned | str:
    if ctx.candidate is None:
        return "no --candidate: black-box lineage needs the model the suspect may derive from"
    if not ctx.panel:
        return "no --panel: black-box lineage needs other models as the null's reference (4 or more recommended)"
    mod = _lineage("blackbox")
    if mod is None:
        return "lineage.blackbox is not in this build of distillscope"
    cfg = ctx.config
    from distillscope.verify import default_prompts

    prompts = default_prompts()[: cfg.lineage_prompts]
    models = [ctx.suspect, ctx.candidate, *ctx.panel]
    reqs = [GenRequest.chat(p, max_tokens=cfg.max_tokens, temperature=1.0, seed=cfg.seed, seed_index=k)
            for p in prompts for k in range(cfg.lineage_samples)]
    features = ["ngram"] + (["likelihood"] if all(is_white_box(m) for m in models[1:]) else [])

    def run() -> StepOutput:
        ev = mod.blackbox_test(ctx.sampled(ctx.suspect), ctx.sampled(ctx.candidate),
                               [ctx.sampled(m) for m in ctx.panel], prompts, samples=cfg.lineage_samples,
                               max_tokens=cfg.max_tokens, store=ctx.store, features=features,
                               permutations=cfg.permutations, seed=cfg.seed)
        ex = {e.name: _examples_from_store(ctx, e, cfg.examples) for e in ev if e.sample_ids}
        return StepOutput(ev, ex)

    return Planned("lineage.blackbox", f"is the suspect closer to {ctx.candidate.spec} than to the panel?", run,
                   calls=[(m, r) for m in models for r in reqs])


def plan_tokenizer(ctx: AuditContext) -> Planned | str:
    mod = _lineage("tokenizer")
    if mod is None:
        return "lineage.tokenizer is not in this build of distillscope"
    cfg = ctx.config
    if is_white_box(ctx.suspect) and ctx.candidate is not None and is_white_box(ctx.candidate):
        def run_wb() -> StepOutput:
            return StepOutput([mod.tokenizer_test(ctx.suspect, ctx.candidate)])

        return Planned("lineage.tokenizer", f"does the suspect share {ctx.candidate.spec}'s tokenizer?", run_wb)
    ref = ctx.reference if ctx.reference is not None and is_white_box(ctx.reference) else None
    if not is_white_box(ctx.suspect) and ref is not None and hasattr(mod, "tokenizer_consistency"):
        def run_cons() -> StepOutput:
            return StepOutput([mod.tokenizer_consistency(ctx.sampled(ctx.suspect), ref, calls=cfg.tokenizer_calls)])

        return Planned("lineage.tokenizer", f"are the endpoint's usage counts those of {ref.spec}'s tokenizer?",
                       run_cons, max_calls=cfg.tokenizer_calls)
    return ("tokenizer tests need a white-box suspect and candidate, or a remote suspect and a white-box "
            "--reference")


def _white_pair(ctx: AuditContext, what: str) -> str | None:
    if ctx.candidate is None:
        return f"no --candidate: {what} compares the suspect with a candidate"
    if not (is_white_box(ctx.suspect) and is_white_box(ctx.candidate)):
        return f"{what} needs local weights of both suspect and candidate (one of them is remote)"
    return None


def plan_functional(ctx: AuditContext) -> Planned | str:
    if (why := _white_pair(ctx, "functional lineage")) is not None:
        return why
    controls = [m for m in ctx.panel if is_white_box(m)]
    if len(controls) < 2:
        return "functional lineage needs at least 2 white-box --panel models as controls"
    mod = _lineage("functional")
    if mod is None:
        return "lineage.functional is not in this build of distillscope"

    def run() -> StepOutput:
        return StepOutput([mod.functional_test(ctx.suspect, ctx.candidate, controls, seed=ctx.config.seed,
                                               max_tokens=ctx.config.functional_tokens)])

    return Planned("lineage.functional", "does the suspect agree with the candidate's next tokens more than "
                   "the controls do?", run)


def plan_weights(ctx: AuditContext) -> Planned | str:
    if (why := _white_pair(ctx, "weight lineage")) is not None:
        return why
    mod = _lineage("weights")
    if mod is None:
        return "lineage.weights is not in this build of distillscope"
    nulls = [m for m in ctx.panel if is_white_box(m)]

    def run() -> StepOutput:
        ev = [mod.weight_test(ctx.suspect, ctx.candidate, null_models=nulls, seed=ctx.config.seed)]
        if hasattr(mod, "representation_test"):
            ev.append(mod.representation_test(ctx.suspect, ctx.candidate, null_models=nulls, seed=ctx.config.seed))
        return StepOutput(ev)

    return Planned("lineage.weights", "are the suspect's weights derived from the candidate's?", run)


# --- watermark ------------------------------------------------------------------------------------------------
def plan_radioactivity(ctx: AuditContext) -> Planned | str:
    if ctx.watermark is None:
        return "no --watermark-key: radioactivity tests need the key the candidate's outputs were watermarked with"
    if ctx.candidate is None or not is_white_box(ctx.candidate):
        return "radioactivity needs a white-box --candidate (the watermarked model's tokenizer)"
    from distillscope.verify import default_prompts

    cfg = ctx.config
    prompts = default_prompts()[: cfg.watermark_prompts]
    reqs = [GenRequest.chat(p, max_tokens=cfg.watermark_tokens, temperature=1.0, seed_index=0) for p in prompts]

    def run() -> StepOutput:
        from distillscope.watermark.radioactivity import closed_radioactivity_from_model

        ev = closed_radioactivity_from_model(ctx.sampled(ctx.suspect), prompts, ctx.watermark,
                                             ctx.candidate.tokenizer, vocab_size=ctx.candidate.vocab_size,
                                             max_tokens=cfg.watermark_tokens)
        return StepOutput([ev])

    return Planned("watermark.radioactivity", "was the suspect trained on text watermarked with this key?", run,
                   calls=[(ctx.suspect, r) for r in reqs])


STEPS: tuple[Callable[[AuditContext], Planned | str], ...] = (
    plan_identity, plan_verify, plan_tokenizer, plan_blackbox, plan_functional, plan_weights, plan_radioactivity)
STEP_NAMES = {plan_identity: "identity", plan_verify: "verify", plan_tokenizer: "lineage.tokenizer",
              plan_blackbox: "lineage.blackbox", plan_functional: "lineage.functional", plan_weights: "lineage.weights",
              plan_radioactivity: "watermark.radioactivity"}
