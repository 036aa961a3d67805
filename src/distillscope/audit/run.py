"""Plan and run an audit within a call budget, then write ``case.json``, ``report.html`` and ``statement.json``.

    from distillscope.audit.run import AuditConfig, audit
    from distillscope.models import load_model
    result = audit(load_model("openai:gpt-x@http://127.0.0.1:8000/v1"), reference=load_model("zoo:smollm2-135m-instruct"),
                   config=AuditConfig(budget=500, expect="smollm"), out="out/")
    result.case.verdict.headline, result.paths

The plan (:func:`plan_audit`) walks :data:`distillscope.audit.steps.STEPS` in order: a step that does not apply to
the access at hand is skipped with its reason; one that applies is kept while its new calls (planned requests not
already in the sample store) fit in what is left of the budget. Every sampled model sits behind a meter
(:class:`~distillscope.audit.budget.Metered`) that refuses calls past the budget, so the audit never spends more,
whatever a step does. Samples go through the store: a rerun (or a run resumed after a crash) pays only for what
is missing, and the same command gives the same p-values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from distillscope.audit.budget import Budget, BudgetExceeded, Metered
from distillscope.audit.steps import STEP_NAMES, STEPS, Planned, Skip, StepOutput
from distillscope.errors import DistillscopeError, InputError
from distillscope.models.base import GenRequest, Model
from distillscope.report.case import CaseFile


@dataclass
class AuditConfig:
    """Sizes and seeds of the audit's steps (the CLI flags map one to one).

    Attributes:
        budget: most model calls the audit may make (None: no limit); cached samples are free.
        languages: identity battery languages (at least two, comma-separated).
        expect: the identity the suspect should claim (default: from its declared model name).
        identity_samples: answers per identity probe.
        verify_prompts, verify_samples: prompts and samples per prompt of the substitution test.
        lineage_prompts, lineage_samples: prompts and samples per prompt of black-box lineage.
        lineage_features: black-box lineage features (default: ngram, likelihood, and embedding when the
            ``embed`` extra is installed).
        max_tokens: tokens per sample (verify and black-box lineage).
        tokenizer_calls: calls of verify's usage-count tokenizer test (remote suspect, local reference).
        alpha: family-wise error rate of the verdict (Holm over every test of the case).
        permutations: permutations of the permutation tests.
        seed: seed of every sample and permutation.
    """

    budget: int | None = None
    languages: str = "en,zh-Hans"
    expect: str | None = None
    identity_samples: int = 4
    identity_max_tokens: int = 48
    verify_prompts: int = 8
    verify_samples: int = 6
    lineage_prompts: int = 10
    lineage_samples: int = 3
    lineage_features: tuple[str, ...] | None = None
    max_tokens: int = 32
    tokenizer_calls: int = 10
    watermark_prompts: int = 16
    watermark_tokens: int = 64
    alpha: float = 0.05
    permutations: int = 1000
    seed: int = 0
    examples: int = 5

    def __post_init__(self) -> None:
        langs = [x for x in self.languages.split(",") if x.strip()]
        if len(langs) < 2 and self.languages != "all":
            raise InputError(f"--languages needs at least two languages (got {self.languages!r}): identity claims "
                             "often change with the language asked in.")
        if self.budget is not None and self.budget < 0:
            raise InputError(f"--budget must be >= 0, got {self.budget}.")
        if not 0 < self.alpha < 1:
            raise InputError(f"--alpha must be in (0, 1), got {self.alpha}.")


@dataclass
class AuditContext:
    """What the audit can reach, and the store and budget every sampled model goes through."""

    suspect: Model
    candidate: Model | None
    reference: Model | None
    panel: list[Model]
    watermark: Any
    config: AuditConfig
    store: Any
    budget: Budget
    controls: list[Model] = field(default_factory=list)
    _wrapped: dict[str, Model] = field(default_factory=dict)

    def sampled(self, m: Model) -> Model:
        """``m`` behind the store and the budget meter (one wrapper per spec)."""
        from distillscope.store import CachedModel

        if m.spec not in self._wrapped:
            self._wrapped[m.spec] = CachedModel(Metered(m, self.budget), self.store)
        return self._wrapped[m.spec]

    def new_calls(self, calls: Sequence[tuple[Model, GenRequest]]) -> tuple[int, int]:
        """(new, cached) among planned requests."""
        keys = sorted({r.key(m.spec) for m, r in calls})
        have = self.store.get_many(keys)
        return len(keys) - len(have), len(have)


@dataclass
class PlanRow:
    step: str
    purpose: str
    new_calls: int
    cached_calls: int
    planned: Planned | None = None
    skip_reason: str = ""

    @property
    def runs(self) -> bool:
        return self.planned is not None


def _step_name(fn: Callable[..., Any]) -> str:
    return STEP_NAMES.get(fn, fn.__name__.removeprefix("plan_"))


def plan_audit(ctx: AuditContext) -> list[PlanRow]:
    """Decide which steps run within the budget; every other step carries the reason it does not."""
    rows: list[PlanRow] = []
    left = ctx.config.budget
    for fn in STEPS:
        got = fn(ctx)
        for p in got if isinstance(got, list) else [got]:
            if isinstance(p, str):
                rows.append(PlanRow(_step_name(fn), "", 0, 0, None, p))
            elif isinstance(p, Skip):
                rows.append(PlanRow(p.step, "", 0, 0, None, p.reason))
            else:
                left = _admit(ctx, p, rows, left)
    return rows


def _admit(ctx: AuditContext, p: Planned, rows: list[PlanRow], left: int | None) -> int | None:
    """Add ``p`` to the plan if its new calls fit in what is ``left`` of the budget; returns what is left."""
    new, cached = ctx.new_calls(p.calls) if p.calls else (0, 0)
    new += p.max_calls  # calls that cannot be enumerated are counted as new
    if left is not None and new > left:
        rows.append(PlanRow(p.step, p.purpose, new, cached, None,
                            f"budget: needs {new} new call(s), {left} left (raise --budget)"))
        return left
    rows.append(PlanRow(p.step, p.purpose, new, cached, p))
    return None if left is None else left - new


@dataclass
class AuditResult:
    case: CaseFile
    plan: list[PlanRow]
    paths: dict[str, Path]
    subject: dict[str, Any]


def audit(suspect: Model, *, candidate: Model | None = None, reference: Model | None = None,
          panel: Sequence[Model] = (), controls: Sequence[Model] = (), watermark: Any = None, config: AuditConfig | None = None, store: Any = None,
          out: str | Path | None = None, key: str | Path | None = None, command: str | Sequence[str] | None = None,
          on_plan: Callable[[list[PlanRow]], None] | None = None) -> AuditResult:
    """Plan, run within the budget, build the case file and (with ``out``) write its files.

    Args:
        suspect: the model under audit (any Model; white-box enables weight/functional lineage).
        candidate: the model the suspect may derive from (its teacher, or the model it may be).
        reference: the model the suspect claims to be (for the substitution test).
        panel: other models: the null reference of black-box lineage (peers of the candidate).
        controls: models trained like the suspect without the candidate: the controls of functional lineage and
            null models of weight / representation lineage (default: the local panel models).
        watermark: a :class:`~distillscope.watermark.config.WatermarkConfig` for radioactivity tests.
        config: sizes, seeds, alpha and the call budget.
        store: the sample store (default: the user's).
        out: folder for case.json, report.html, statement.json.
        key: Ed25519 private key (PEM) to sign the statement.
        command: the command line recorded in the case (default: ``sys.argv``).
        on_plan: called with the plan before anything runs (the CLI prints it).
    """
    from distillscope.store import SampleStore

    cfg = config or AuditConfig()
    specs = [m.spec for m in (suspect, candidate, reference, *panel, *controls) if m is not None]
    if len(set(specs)) != len(specs):
        raise InputError(f"Each model of an audit needs its own spec (samples are cached by spec): {specs}.")
    ctx = AuditContext(suspect, candidate, reference, list(panel), watermark, cfg,
                       store if store is not None else SampleStore(), Budget(cfg.budget), list(controls))
    plan = plan_audit(ctx)
    if on_plan is not None:
        on_plan(plan)
    evidence, examples, skipped, notes = [], {}, [], {}
    for row in plan:
        if row.planned is None:
            skipped.append({"step": row.step, "reason": row.skip_reason})
            continue
        try:
            res: StepOutput = row.planned.run()
        except BudgetExceeded as e:
            skipped.append({"step": row.step, "reason": f"stopped: {e}"})
            continue
        except DistillscopeError as e:  # a step that refuses its inputs is reported, not fatal
            skipped.append({"step": row.step, "reason": f"refused: {e}"})
            continue
        evidence += res.evidence
        examples.update(res.examples)
        skipped += res.skipped
        for k, v in res.notes.items():
            notes[k] = sorted(set(notes.get(k, [])) | set(v)) if isinstance(v, list) else v
    declared = (notes.get("declared_models") or [None])[0]
    case = CaseFile.build(
        evidence, suspect.spec, alpha=cfg.alpha, candidate=candidate.spec if candidate else None,
        panel=[m.spec for m in panel], reference=reference.spec if reference else None, command=command,
        examples=examples, skipped=skipped,
        plan=[{"step": r.step, "purpose": r.purpose, "new_calls": r.new_calls, "cached_calls": r.cached_calls,
               "runs": r.runs, "reason": r.skip_reason} for r in plan],
        spend={"budget": cfg.budget, "calls": ctx.budget.total, "by_model": dict(ctx.budget.spent)},
        caveats=_caveats(ctx),
        extra={"config": asdict(cfg), "controls": [m.spec for m in controls], "notes": _plain(notes)})
    from distillscope.report.statement import subject_for

    subject = subject_for(suspect.spec, suspect, declared)
    paths: dict[str, Path] = {}
    if out is not None:
        from distillscope.report.outputs import write_outputs

        paths = write_outputs(case, out, subject, key)
    return AuditResult(case, plan, paths, subject)


def _plain(x: Any) -> Any:
    from dataclasses import is_dataclass

    if is_dataclass(x) and not isinstance(x, type):
        return asdict(x)
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    return x


def _caveats(ctx: AuditContext) -> list[str]:
    out = ["Holm's adjustment covers every test in this case file; tests run elsewhere are not part of it."]
    if ctx.config.budget is not None:
        out.append(f"The audit was limited to {ctx.config.budget} model calls; skipped steps are listed with why.")
    return out

