"""The demo case study, end to end on this machine with the built-in reference model (SmolLM2-135M-Instruct):

1. build three small models with known ancestry (cached after the first run): a student logit-distilled from
   SmolLM2, and controls trained on the same prompts without it (hard-label students of corpus answers, and
   soft-label students of one of them: the matched controls of a soft-label student);
2. put two endpoints behind the gateway, both calling themselves ``smollm2-135m-instruct`` and each needing an API
   key: an honest one (SmolLM2) and a substituting one that serves the cheap distilled student instead;
3. audit both endpoints through the real ``openai`` client (identity in two languages, substitution test against
   the local SmolLM2, usage-count tokenizer test);
4. audit the distilled student and a control against SmolLM2 (black-box and white-box lineage);
5. print the verdicts and the paths of the four case files (``case.json``, ``report.html``, ``statement.json``).

Run:  distillscope demo      (or `make demo` on a fresh machine). A rerun takes its models and samples from the
caches and only recomputes the statistics (measured: 221 s against 300 s for a first run at load ~1.6; bench/demo.py).
"""

from __future__ import annotations

import os
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from distillscope.cli._common import console, say

NAME = "smollm2-135m-instruct"
TEACHER = f"zoo:{NAME}"
KEY_ENV = "DISTILLSCOPE_DEMO_KEY"
N_PROMPTS, ANSWER_TOKENS, MAX_LEN, STEPS = 24, 32, 48, 30


def _train(cfg_kw: dict[str, Any], teacher: Any, examples: list, source: str, show: bool) -> None:
    from distillscope.distill.config import DistillConfig, TrainConfig
    from distillscope.distill.run import run_distill

    seed = cfg_kw.pop("seed")
    cfg = DistillConfig(**cfg_kw, student_config="tiny", max_len=MAX_LEN, seed=seed, heldout=0.0,
                        train=TrainConfig(steps=STEPS, batch_size=4, seed=seed, checkpoint_every=10**9))
    run_distill(cfg, show_progress=show, teacher_model=teacher, examples=examples, source=source)


def _names(students: int, hard: int, soft: int) -> list[str]:
    return ([("student" if i == 1 else f"student-{i}") for i in range(1, students + 1)]
            + [f"control-hard-{i}" for i in range(1, hard + 1)] + [f"control-soft-{i}" for i in range(1, soft + 1)])


def _seed(name: str) -> int:
    """The demo's own models keep seeds 1-5 (their cache stays valid); more models get seeds of their own."""
    kind, _, i = name.rpartition("-") if name[-1].isdigit() else (name, "", "1")
    i = int(i)
    base = {"student": (1, 100), "control-hard": (1 + i, 200), "control-soft": (3 + i, 300)}[kind]
    return base[0] if (kind == "student" and i == 1) or (kind != "student" and i <= 2) else base[1] + i


def build_demo_models(folder: Path, teacher: Any, show: bool = True, *, students: int = 1, hard: int = 2,
                      soft: int = 2) -> dict[str, Path]:
    """Models with known ancestry (built once; a rerun reuses them). Returns ``{name: folder}``.

    ``student`` (``student-2``...): logit-distilled from the teacher. ``control-hard-i``: the same prompts answered
    with corpus passages (no teacher). ``control-soft-i``: logit-distilled from ``control-hard-((i+1)//2)`` (soft
    labels, but another teacher), so that a soft-label student is compared with soft-label controls. The demo uses
    the defaults; ``bench/audit_controls.py`` builds more of each to measure the audit's false-positive rate.
    """
    from distillscope.distill.data import corpus_texts, default_prompts, encode_chat
    from distillscope.distill.sequences import teacher_answers
    from distillscope.errors import InputError
    from distillscope.models import load_model
    from distillscope.store import SampleStore

    if soft and (soft + 1) // 2 > hard:
        raise InputError(f"{soft} soft-label controls need at least {(soft + 1) // 2} hard-label controls as their "
                         f"teachers, got {hard}.")
    paths = {n: folder / n for n in _names(students, hard, soft)}
    if all((p / "provenance.json").exists() for p in paths.values()):
        return paths
    tok = teacher.tokenizer
    prompts = default_prompts(N_PROMPTS, seed=0)
    store = SampleStore(folder / "samples.duckdb")
    answers = [c.text for c in teacher_answers(teacher, prompts, ANSWER_TOKENS, 0.7, 0, store)]
    t_ex = [e for p, a in zip(prompts, answers) if (e := encode_chat(tok, p, a, MAX_LEN))]
    corpus = corpus_texts(seed=0)
    c_ex = [e for i, p in enumerate(prompts)
            if (e := encode_chat(tok, p, " ".join(corpus[i].split()[:ANSWER_TOKENS]), MAX_LEN))]
    for name, path in paths.items():
        if (path / "provenance.json").exists() or name.startswith("control-soft"):
            continue
        student = name.startswith("student")
        say(f"   training {name} ({'teacher answers' if student else 'corpus answers'})")
        _train({"teacher": TEACHER, "method": "logits" if student else "text", "seed": _seed(name),
                "out": str(path)}, teacher, t_ex if student else c_ex,
               "teacher answers" if student else "corpus answers", show)
    for i in range(1, soft + 1):
        name, parent = f"control-soft-{i}", f"control-hard-{(i + 1) // 2}"
        if not (paths[name] / "provenance.json").exists():
            say(f"   training {name} (soft labels of {parent})")
            _train({"teacher": f"hf:{paths[parent]}", "method": "logits", "seed": _seed(name),
                    "out": str(paths[name])}, load_model(f"hf:{paths[parent]}"), c_ex,
                   f"corpus answers, {parent}'s logits", show)
    return paths


def _gateway(stack: ExitStack, model: Any, keys: Any, folder: Path, label: str) -> str:
    """Serve ``model`` behind a gateway that calls it ``smollm2-135m-instruct``; returns the base URL."""
    from distillscope.gateway.app import Gateway
    from distillscope.gateway.log import ExchangeLog
    from distillscope.gateway.quota import Quotas
    from distillscope.gateway.server import gateway_in_thread
    from distillscope.gateway.upstream import Upstreams

    gw = Gateway(Upstreams([model]), keys, Quotas("100000/minute", "10000000/hour"),
                 ExchangeLog(folder / f"{label}-log.jsonl"), model_name=NAME)
    stack.callback(gw.close)
    return stack.enter_context(gateway_in_thread(gw))


def _threads() -> str:
    """Give torch the cores nobody else is using: on a small machine, intra-op threads that compete with another
    busy process spin and run several times slower than one thread does."""
    import torch

    cores = os.cpu_count() or 1
    busy = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    n = max(1, min(cores, round(cores - busy)))
    torch.set_num_threads(n)
    return f"torch threads: {n} (load {busy:.1f} on {cores} cores)"


def run_demo(out: str | Path | None = None, budget: int = 2000, as_json: bool = False) -> dict[str, Any]:
    """Run the case study (module docstring); returns a summary with every verdict and report path."""
    from distillscope.audit import AuditConfig, audit
    from distillscope.models import load_model
    from distillscope.paths import cache_dir
    from distillscope.store import SampleStore

    t0 = time.perf_counter()
    folder = Path(out) if out is not None else cache_dir("demo")
    folder.mkdir(parents=True, exist_ok=True)
    show = not as_json
    threads = _threads()
    say(f"1. loading zoo:smollm2-135m-instruct (the first run converts the GGUF once, ~40 s); {threads}")
    teacher = load_model(TEACHER)
    say("2. models with known ancestry: a student distilled from SmolLM2, and controls that never saw it")
    models = build_demo_models(folder / f"models-{N_PROMPTS}p-{STEPS}steps", teacher, show)
    store = SampleStore()
    cfg = AuditConfig(budget=budget, identity_samples=2, identity_max_tokens=32, verify_prompts=6,
                      verify_samples=5, lineage_prompts=8, lineage_samples=3, max_tokens=24, permutations=1000)
    results: dict[str, Any] = {}

    def run(label: str, **kw: Any) -> None:
        t = time.perf_counter()
        res = audit(config=cfg, store=store, out=folder / "cases" / label, command=["distillscope", "demo"], **kw)
        results[label] = res
        say(f"   {label} ({time.perf_counter() - t:.0f} s): {res.case.verdict.headline}")

    from distillscope.gateway.keys import KeyStore

    keys = KeyStore(folder / "gateway-keys.json")
    os.environ[KEY_ENV] = keys.add("auditor")[0]  # the auditor's key, for this run only (read by the openai client)
    with ExitStack() as stack:
        student = load_model(f"hf:{models['student']}")
        honest_url = _gateway(stack, teacher, keys, folder, "honest")
        subst_url = _gateway(stack, student, keys, folder, "substituted")
        say(f"3. two gateways call themselves {NAME}: {honest_url} (SmolLM2) and {subst_url} (the cheap student); "
            "auditing both through the openai client")
        for label, url in (("endpoint-honest", honest_url), ("endpoint-substituted", subst_url)):
            ep = load_model(f"openai:{NAME}@{url}", api_key_env=KEY_ENV, concurrency=4, timeout=900)
            run(label, suspect=ep, reference=teacher)
    say("4. lineage: the distilled student, and a control, each against SmolLM2")
    hard = [load_model(f"hf:{models[n]}") for n in ("control-hard-1", "control-hard-2")]
    soft = [load_model(f"hf:{models[n]}") for n in ("control-soft-1", "control-soft-2")]
    # The panel (local models trained without SmolLM2) is also the functional test's controls.
    run("lineage-student", suspect=student, candidate=teacher, panel=hard + soft)
    run("lineage-control", suspect=soft[0], candidate=teacher, panel=hard + soft[1:])
    summary = {"seconds": round(time.perf_counter() - t0, 1), "folder": str(folder), "threads": threads,
               "cases": {k: {"verdict": r.case.verdict.headline, "report": str(r.paths.get("html")),
                             "case": str(r.paths.get("case")), "statement": str(r.paths.get("statement"))}
                         for k, r in results.items()}}
    if not as_json:
        for k, r in results.items():
            console.print(f"[bold]{k}[/]: {r.paths.get('html')}", soft_wrap=True, highlight=False)
        say(f"done in {summary['seconds']} s")
    return summary
