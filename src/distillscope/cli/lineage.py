"""``distillscope lineage SUSPECT --candidate SPEC``: did the suspect model come from the candidate?

    distillscope lineage hf:./student --candidate zoo:smollm2-135m-instruct --panel hf:./control-1,hf:./control-2
    distillscope lineage openai:m@http://127.0.0.1:8000/v1 --candidate zoo:smollm2-135m-instruct \
        --panel zoo:tiny-llama-s1,zoo:tiny-gpt2-s2 --methods blackbox --json
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from distillscope.cli._common import (
    EXIT_CODES_HELP,
    Alpha,
    Field,
    Json,
    Prompts,
    Samples,
    Spec,
    Store,
    console,
    emit,
    exit_for,
    open_store,
    progress,
    spec_list,
    spec_option,
)


def register(app: typer.Typer) -> None:
    app.command("lineage")(lineage_cmd)


def lineage_cmd(
    suspect: Spec,
    candidate: Annotated[str, spec_option("--candidate", "-c", help="The model the suspect may derive from (any "
                                          "spec; zoo:/hf: enables the white-box methods).")],
    panel: Annotated[str, typer.Option(help="Comma-separated specs of other models: the black-box null, and (when "
                                       "local and trained on the same data without the candidate) the controls "
                                       "of the functional test and the independent models of the weight tests.")
                     ] = "",
    methods: Annotated[str, typer.Option(help="Comma-separated subset of: blackbox, tokenizer, functional, "
                                         "weights, representations.")] = ("blackbox,tokenizer,functional,weights,"
                                                                          "representations"),
    prompts: Prompts = None,
    field: Field = None,
    samples: Samples = 4,
    max_tokens: Annotated[int, typer.Option(min=1, help="Tokens per completion.")] = 48,
    white_box: Annotated[bool, typer.Option(help="Run the white-box methods when both models are local.")] = True,
    alpha: Alpha = 0.05,
    permutations: Annotated[int, typer.Option(min=100, help="Resamples per permutation test.")] = 2000,
    seed: Annotated[int, typer.Option(help="Seed of sampling and permutations.")] = 0,
    store: Store = None,
    as_json: Json = False,
) -> None:
    """Test whether SUSPECT derives from --candidate (distilled, fine-tuned, quantized, pruned, merged, ...).

    Null hypotheses, one per method, Holm-adjusted as one family: blackbox, the suspect's outputs are no closer to
    the candidate's than to the panel's; tokenizer, the two tokenizers overlap no more than unrelated ones do;
    functional, the suspect's next-token distributions agree with the candidate's no more than those of controls
    trained without it; weights / representations, the suspect matches the candidate no more than independent
    models do.
    """
    from distillscope.lineage.run import LineageConfig, run_lineage
    from distillscope.models import load_model

    cfg = LineageConfig(methods=tuple(m.strip() for m in methods.split(",") if m.strip()), samples=samples,
                        max_tokens=max_tokens, permutations=permutations, alpha=alpha, seed=seed,
                        white_box=white_box)
    cfg.validate()
    panel_specs = spec_list(panel)
    plist = None
    if prompts is not None:
        from distillscope.verify.prompts import load_prompts

        plist = load_prompts(prompts, field)
    st = open_store(store)
    models = [load_model(s) for s in (suspect, candidate, *panel_specs)]
    sus, cand, *pan = models
    try:
        with progress(len(cfg.methods), "lineage", enabled=not as_json) as advance:
            rep = run_lineage(sus, cand, pan, plist, cfg, store=st, on_step=lambda s: advance(1))
    finally:
        for m in models:
            m.close()
    emit(rep.to_dict(), as_json, lambda: _print(rep))
    exit_for(rep.derived)


lineage_cmd.__doc__ = f"{lineage_cmd.__doc__}\n    {EXIT_CODES_HELP}\n"


def _print(rep: Any) -> None:
    from rich.markup import escape

    from distillscope.report import print_evidence

    print_evidence(rep.evidence, title=escape(f"lineage: {rep.suspect} <- {rep.candidate}"), console=console)
    for e in rep.evidence:
        console.print(escape(f"{e.name}: null: {e.null}; effect: {e.effect_name}"), soft_wrap=True)
    for s in rep.steps:
        if not s.runs:
            console.print(escape(f"skipped {s.method}: {s.reason}"))
    console.print(escape(rep.verdict), soft_wrap=True)
