"""Run every lineage method that fits the access we have, Holm-adjust across them, and say what it means.

    from distillscope.lineage.run import LineageConfig, run_lineage
    from distillscope.models import load_model
    rep = run_lineage(load_model("hf:./student"), load_model("zoo:smollm2-135m-instruct"),
                      panel=[load_model("hf:./control-1"), load_model("hf:./control-2")])
    print(rep.verdict)

Which methods run (see :func:`plan`):

============== ====================================================== ===================================
method         needs                                                  null hypothesis
============== ====================================================== ===================================
blackbox       any access; a panel of >= 2 other models               B is no closer to A than to the panel,
               (peers of A or of B: both sides are tested, p = max)   or than the panel is to A
tokenizer      both models local (tokenizers)                         B's tokenizer overlaps A's no more
                                                                      than unrelated tokenizers do
functional     both local; >= 2 local controls (panel models trained  B agrees with A's next-token
               on the same data without A)                            distributions no more than controls
weights        both local                                             B's weights match A's no more than
                                                                      independent models' do
representations both local                                            same, for hidden states on a probe set
============== ====================================================== ===================================
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from distillscope.errors import DistillscopeError, InputError
from distillscope.evidence import Evidence, holm
from distillscope.models.base import Model, is_white_box
from distillscope.registry import registry


def methods() -> dict[str, str]:
    """Registered lineage methods: name -> one-line help."""
    import distillscope.lineage  # noqa: F401 - registers the built-in methods

    return {n: e.help for n, e in registry("lineage").entries().items()}


@dataclass
class LineageConfig:
    """Options of a lineage run (the CLI's flags map one to one)."""

    methods: tuple[str, ...] = ("blackbox", "tokenizer", "functional", "weights", "representations")
    features: tuple[str, ...] = ("ngram", "embedding", "likelihood")
    samples: int = 4
    max_tokens: int = 48
    permutations: int = 2000
    alpha: float = 0.05
    seed: int = 0
    white_box: bool = True

    def validate(self) -> None:
        known = methods()
        bad = [m for m in self.methods if m not in known]
        if bad:
            raise InputError(f"Unknown lineage method(s) {', '.join(bad)}: choose from {', '.join(known)}.")
        if self.samples < 1 or self.max_tokens < 1:
            raise InputError("--samples and --max-tokens must be >= 1.")
        if not 0 < self.alpha < 1:
            raise InputError(f"--alpha must be in (0, 1), got {self.alpha}.")


@dataclass
class LineageContext:
    """What a lineage method gets: the models, the prompts for sampling, the options and the sample store."""

    suspect: Model
    candidate: Model
    panel: Sequence[Model]
    prompts: Sequence[str]
    cfg: LineageConfig
    store: Any = None

    @property
    def local_panel(self) -> list[Model]:
        return [m for m in self.panel if is_white_box(m)]


def _about_tokenizer(e: Evidence) -> bool:
    """Whether ``e`` (named ``lineage.<method>[.<feature>]``) comes from a method registered with ``of="tokenizer"``."""
    reg = registry("lineage")
    method = e.name.split(".")[1] if e.name.count(".") >= 1 else ""
    return method in reg and reg.get(method).meta.get("of") == "tokenizer"


@dataclass
class Step:
    method: str
    runs: bool
    reason: str


@dataclass
class LineageReport:
    suspect: str
    candidate: str
    panel: list[str]
    evidence: list[Evidence]
    steps: list[Step]
    alpha: float
    errors: list[str] = field(default_factory=list)

    @property
    def model_evidence(self) -> list[Evidence]:
        """Evidence about the model itself: that of methods registered with ``of="tokenizer"`` is left out (see the
        package docstring)."""
        return [e for e in self.evidence if not _about_tokenizer(e)]

    @property
    def derived(self) -> bool:
        """True when a model-level method rejects its null at ``alpha`` after Holm adjustment across methods."""
        return any(e.significant(self.alpha) for e in self.model_evidence)

    @property
    def verdict(self) -> str:
        ran = [e for e in self.model_evidence if e.p_value is not None]
        tok = [e for e in self.evidence if _about_tokenizer(e) and e.p_value is not None]
        note = ""
        if tok:
            shared = any(e.significant(self.alpha) for e in tok)
            note = (" The suspect's tokenizer is " + ("" if shared else "not shown to be ") + "derived from the "
                    "candidate's" + (" (a shared tokenizer alone does not show that the model was trained on the "
                                     "candidate's outputs)." if shared else "."))
        if not ran:
            return "No model-level lineage method could run with the access given; see the skipped steps." + note
        hits = sorted((e for e in ran if e.significant(self.alpha)), key=lambda e: e.p_adjusted or 1.0)
        n = len([e for e in self.evidence if e.p_value is not None])
        if not hits:
            best = min(ran, key=lambda e: e.p_adjusted if e.p_adjusted is not None else 1.0)
            return (f"No evidence that {self.suspect} derives from {self.candidate}: no method rejected its null at "
                    f"alpha={self.alpha} after Holm adjustment over {n} tests (smallest adjusted p = "
                    f"{best.p_adjusted:.3g}, {best.name}). This is absence of evidence at this sample size, not "
                    "proof of independence." + note)
        names = ", ".join(f"{e.name} (adjusted p = {e.p_adjusted:.2g})" for e in hits)
        lenient = any(c.startswith("Every null model here has at most") for e in hits for c in e.caveats)
        return (f"Evidence that {self.suspect} derives from {self.candidate}: {names} reject their nulls at "
                f"alpha={self.alpha} after Holm adjustment over {n} tests." + note
                + (" CAUTION: every null model is far smaller than the suspect and the candidate, so this null is "
                   "too lenient for two real LMs (see the caveat): treat it as a lead." if lenient else ""))

    def to_dict(self) -> dict[str, Any]:
        return {"suspect": self.suspect, "candidate": self.candidate, "panel": self.panel, "alpha": self.alpha,
                "derived": self.derived, "verdict": self.verdict,
                "steps": [{"method": s.method, "runs": s.runs, "reason": s.reason} for s in self.steps],
                "evidence": [e.to_dict() for e in self.evidence], "errors": self.errors}


def plan(suspect: Model, candidate: Model, panel: Sequence[Model], cfg: LineageConfig) -> list[Step]:
    """Which methods run on these models, and why the others do not (from each method's declared ``needs``)."""
    methods()
    reg = registry("lineage")
    local = is_white_box(suspect) and is_white_box(candidate)
    n_local = sum(1 for m in panel if is_white_box(m))
    steps = []
    for name in cfg.methods:
        entry = reg.get(name)
        needs = entry.meta.get("needs", "white-box")
        min_panel = int(entry.meta.get("min_panel", 0))
        if len(panel) < min_panel:
            ok, why = False, f"needs a panel of >= {min_panel} other models (--panel) to compare the candidate against"
        elif needs != "any" and not cfg.white_box:
            ok, why = False, "white-box methods switched off (--no-white-box)"
        elif needs != "any" and not local:
            ok, why = False, "needs both the suspect and the candidate as local weights (hf:/zoo:)"
        elif needs == "controls" and n_local < 2:
            ok, why = False, ("needs >= 2 local control models trained on the same data without the candidate "
                              "(give them in --panel)")
        else:
            ok, why = True, entry.help
        steps.append(Step(name, ok, why))
    return steps


#: Null models (panel, controls) at most this fraction of the smaller of suspect and candidate make a lenient null.
NULL_SIZE_RATIO = 0.25


def parameter_count(m: Model) -> int | None:
    """Parameters of a white-box model's module; None for a model we cannot see into."""
    if not is_white_box(m):
        return None
    return int(sum(p.numel() for p in m.module.parameters()))  # type: ignore[attr-defined]


def null_size_caveat(suspect: int | None, candidate: int | None, nulls: Sequence[int | None]) -> str | None:
    """A caveat when every null model is far smaller than both suspect and candidate (sizes in parameters).

    Two real language models resemble each other (token geometry, next-token function, fluent text) more than
    either resembles a small model trained on a little data, whatever their origin: measured on Gemma-3-270M vs
    SmolLM2-135M, which are unrelated, weights, functional and black-box tests with small null models all rejected
    (``bench/lineage_real.py``). Such a rejection is a lead, not evidence of lineage, until the null holds models
    of the suspect's size and quality. Returns None when the sizes are unknown or comparable.
    """
    if suspect is None or candidate is None or not nulls or any(n is None for n in nulls):
        return None
    floor = min(suspect, candidate)
    biggest = max(n for n in nulls if n is not None)
    if biggest > NULL_SIZE_RATIO * floor:
        return None
    return (f"Every null model here has at most {biggest:,} parameters, {floor / max(biggest, 1):.0f}x fewer than "
            f"the smaller of suspect and candidate ({floor:,}): two real LMs resemble each other more than either "
            "resembles small models, whatever their origin, so this null is too lenient and a rejection is a lead, "
            "not evidence of lineage (an unrelated real pair, Gemma-3-270M vs SmolLM2-135M, was rejected this way). "
            "Add panel models of the suspect's size that are unrelated to the candidate.")


def _size_caveats(evidence: list[Evidence], suspect: Model, candidate: Model, panel: Sequence[Model]) -> str | None:
    """Attach :func:`null_size_caveat` to every model-level Evidence; returns the caveat (or None)."""
    cav = null_size_caveat(parameter_count(suspect), parameter_count(candidate), [parameter_count(m) for m in panel])
    if cav is not None:
        for e in evidence:
            if not _about_tokenizer(e) and cav not in e.caveats:
                e.caveats.append(cav)
    return cav


# The built-in methods, as registered in lineage/__init__.py: each adapts one module's test to a LineageContext.
def blackbox_method(ctx: LineageContext) -> list[Evidence]:
    from distillscope.lineage.blackbox import blackbox_test

    c = ctx.cfg
    return list(blackbox_test(ctx.suspect, ctx.candidate, ctx.panel, ctx.prompts, samples=c.samples,
                              max_tokens=c.max_tokens, store=ctx.store, features=c.features,
                              permutations=c.permutations, seed=c.seed))


def tokenizer_method(ctx: LineageContext) -> list[Evidence]:
    from distillscope.lineage.tokenizer import tokenizer_test

    return [tokenizer_test(ctx.suspect, ctx.candidate)]


def functional_method(ctx: LineageContext) -> list[Evidence]:
    from distillscope.lineage.functional import functional_test

    return [functional_test(ctx.suspect, ctx.candidate, ctx.local_panel, seed=ctx.cfg.seed)]


def weights_method(ctx: LineageContext) -> list[Evidence]:
    from distillscope.lineage.weights import weight_test

    return [weight_test(ctx.suspect, ctx.candidate, null_models=ctx.local_panel, seed=ctx.cfg.seed)]


def representations_method(ctx: LineageContext) -> list[Evidence]:
    from distillscope.lineage.weights import representation_test

    return [representation_test(ctx.suspect, ctx.candidate, null_models=ctx.local_panel, seed=ctx.cfg.seed)]


def run_lineage(suspect: Model, candidate: Model, panel: Sequence[Model] = (), prompts: Sequence[str] | None = None,
                cfg: LineageConfig | None = None, store: Any = None,
                on_step: Callable[[Step], None] | None = None) -> LineageReport:
    """Run the planned methods, Holm-adjust their p-values as one family, and return the report.

    A method that cannot handle these inputs (it raises a distillscope error, e.g. an optional extra missing) is
    recorded in ``errors`` and its step marked as not run; the others still run.
    """
    cfg = cfg or LineageConfig()
    cfg.validate()
    if prompts is None:
        from distillscope.verify.prompts import default_prompts

        prompts = default_prompts()
    ctx = LineageContext(suspect, candidate, panel, prompts, cfg, store)
    steps = plan(suspect, candidate, panel, cfg)
    evidence: list[Evidence] = []
    errors: list[str] = []
    for step in steps:
        if not step.runs:
            continue
        if on_step is not None:
            on_step(step)
        try:
            evidence.extend(registry("lineage").load(step.method)(ctx))
        except DistillscopeError as e:
            step.runs, step.reason = False, f"could not run: {e}"
            errors.append(f"{step.method}: {e}")
    holm(evidence)
    _size_caveats(evidence, suspect, candidate, panel)
    return LineageReport(suspect.spec, candidate.spec, [m.spec for m in panel], evidence, steps, cfg.alpha, errors)
