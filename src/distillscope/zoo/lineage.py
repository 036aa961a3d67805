"""The lineage zoo: models with known ancestry, built here from a teacher, on which lineage detectors are measured.

Python API::

    from distillscope.zoo.lineage import build_lineage_zoo, read_lineage
    paths = build_lineage_zoo(size="small")        # {name: Path}; load each with load_model(f"hf:{path}")
    info = read_lineage(paths["logit-distilled"].parent)   # relations, methods, specs

Members (teacher: ``zoo:smollm2-135m-instruct`` unless given):

================================ ============ ===========================================================
name                             relation     how
================================ ============ ===========================================================
``logit-distilled``              derived      tiny student, sparse top-k KD on the teacher's answers
``sequence-distilled``           derived      tiny student, fine-tuned on the teacher's answers (text only)
``fine-tuned``                   derived      the teacher itself, a few steps of fine-tuning on corpus text
``quantized``                    derived      the teacher with 4-bit group-wise round-to-nearest weights
``control-corpus``               control      tiny student, same prompts, corpus passages as answers
``control-other-teacher``        control      tiny student, same prompts, answers of another model
                                              (``control-corpus``, which never saw the teacher)
================================ ============ ===========================================================

Every tiny student has the same architecture and sees the same prompts; only the targets differ. Each uses its own
init seed, so weight similarity between students is not an artefact of a shared initialisation. Each member folder
has ``provenance.json``; ``lineage.json`` in the zoo folder lists members, relations and specs. Built members are
kept: a rerun builds only what is missing (pass ``force=True`` to rebuild).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from distillscope.errors import InputError

DEFAULT_TEACHER = "zoo:smollm2-135m-instruct"
MEMBERS = ("logit-distilled", "sequence-distilled", "control-corpus", "control-other-teacher", "fine-tuned",
           "quantized")


@dataclass(frozen=True)
class ZooSize:
    n_prompts: int
    answer_tokens: int
    steps: int
    batch_size: int
    finetune_steps: int
    max_len: int
    student_config: str
    default_teacher: str


SIZES = {
    "test": ZooSize(8, 8, 3, 2, 2, 48, "tiny", "zoo:tiny-llama"),
    "small": ZooSize(64, 48, 60, 8, 4, 96, "tiny", DEFAULT_TEACHER),
    "medium": ZooSize(240, 64, 300, 8, 30, 128, "tiny", DEFAULT_TEACHER),
}


def quantize_weights(model: Any, bits: int = 4, group: int = 32) -> Any:
    """Round every Linear weight (not embeddings) to ``bits``-bit symmetric integers per group of ``group`` inputs,
    de-quantized in place (a quantized derivative that loads like any checkpoint)."""
    import torch

    qmax = 2 ** (bits - 1) - 1
    with torch.no_grad():
        for mod in model.modules():
            if isinstance(mod, torch.nn.Linear) and mod.weight.shape[1] % group == 0:
                w = mod.weight
                if w.data_ptr() == model.get_input_embeddings().weight.data_ptr():
                    continue  # tied LM head = embeddings: leave as is
                g = w.reshape(w.shape[0], -1, group)
                scale = g.abs().amax(-1, keepdim=True).clamp(min=1e-12) / qmax
                w.copy_((torch.round(g / scale).clamp(-qmax - 1, qmax) * scale).reshape_as(w))
    return model


def read_lineage(folder: str | Path) -> dict[str, Any]:
    """The zoo's ``lineage.json``: ``{"teacher", "size", "members": {name: {path, spec, relation, method, ...}}}``."""
    p = Path(folder) / "lineage.json"
    if not p.exists():
        raise InputError(f"No lineage.json in {folder}: build the zoo with `distillscope zoo build-lineage`.")
    return json.loads(p.read_text())


def _done(path: Path) -> bool:
    return (path / "provenance.json").exists() and (path / "config.json").exists()


def build_lineage_zoo(out_dir: str | Path | None = None, size: str = "small", teacher: str | None = None,
                      force: bool = False, show_progress: bool = True) -> dict[str, Path]:
    """Build (or reuse) the lineage zoo and return ``{member name: folder}``; load one with ``hf:FOLDER``.

    Args:
        out_dir: zoo folder (default ``distillscope.paths.cache_dir("lineage") / size``).
        size: ``test`` (seconds, tiny random teacher), ``small`` (roughly 15 minutes on 2 idle CPU cores; 52 measured on a heavily shared machine) or ``medium``.
        teacher: teacher spec (default per size: SmolLM2-135M-Instruct; tiny-llama for ``test``).
        force: rebuild members that exist.
    """
    from transformers.utils import logging as hf_logging

    from distillscope.distill.data import corpus_texts, default_prompts, encode_chat, encode_texts
    from distillscope.distill.provenance import now, weights_hash, write_manifest
    from distillscope.distill.run import DistillConfig, run_distill
    from distillscope.distill.sequences import teacher_answers
    from distillscope.distill.train import TrainConfig
    from distillscope.models import load_model
    from distillscope.paths import cache_dir
    from distillscope.store import SampleStore

    if size not in SIZES:
        raise InputError(f"Unknown zoo size {size!r}: choose one of {', '.join(SIZES)}.")
    hf_logging.disable_progress_bar()
    sz = SIZES[size]
    teacher_spec = teacher or sz.default_teacher
    out = Path(out_dir) if out_dir is not None else cache_dir("lineage") / size
    out.mkdir(parents=True, exist_ok=True)
    paths = {name: out / name for name in MEMBERS}
    info: dict[str, Any] = {"teacher": teacher_spec, "size": size, "members": {}}
    lj = out / "lineage.json"
    if lj.exists():
        old = json.loads(lj.read_text())
        if old.get("teacher") != teacher_spec and not force:
            raise InputError(f"{out} holds a lineage zoo of teacher {old.get('teacher')}; pass force=True (--force) "
                             f"or another folder to build one for {teacher_spec}.")
    if not force and all(_done(p) for p in paths.values()) and lj.exists():
        return paths

    teacher = load_model(teacher_spec)
    tok = teacher.tokenizer
    store = SampleStore(out / "samples.duckdb")
    prompts = default_prompts(sz.n_prompts, seed=0)
    corpus = corpus_texts(seed=0)
    answers = [c.text for c in teacher_answers(teacher, prompts, sz.answer_tokens, 0.7, 0, store)]
    t_ex = [e for p, a in zip(prompts, answers) if (e := encode_chat(tok, p, a, sz.max_len))]
    tcfg = {"steps": sz.steps, "batch_size": sz.batch_size, "checkpoint_every": 100}
    relation = {"logit-distilled": "derived", "sequence-distilled": "derived", "fine-tuned": "derived",
                "quantized": "derived", "control-corpus": "control", "control-other-teacher": "control"}

    def record(name: str, method: str, parent: str | None, seed: int | None, note: str) -> None:
        info["members"][name] = {"path": str(paths[name]), "spec": f"hf:{paths[name]}", "relation": relation[name],
                                 "method": method, "parent": parent, "seed": seed, "note": note}

    def student(name: str, method: str, examples: list, seed: int, source: str, note: str) -> None:
        if force or not _done(paths[name]):
            cfg = DistillConfig(teacher=teacher_spec, out=str(paths[name]), method=method, student_config=sz.student_config,
                                max_len=sz.max_len, seed=seed, train=TrainConfig(seed=seed, **tcfg))
            run_distill(cfg, show_progress=show_progress, teacher_model=teacher, examples=examples, source=source,
                        extra={"lineage": {"member": name, "relation": relation[name], "zoo_size": size}})
        record(name, method, teacher_spec if relation[name] == "derived" else None, seed, note)

    student("logit-distilled", "logits", t_ex, 1, "teacher answers to the zoo prompts",
            "top-20 sparse KD on prompts + teacher answers")
    student("sequence-distilled", "sequences", t_ex, 2, "teacher answers to the zoo prompts",
            "cross-entropy on the teacher's sampled answers")
    corpus_answers = [" ".join(c.split()[: int(sz.answer_tokens * 0.75)]) for c in corpus[: len(prompts)]]
    c_ex = [e for p, a in zip(prompts, corpus_answers) if (e := encode_chat(tok, p, a, sz.max_len))]
    student("control-corpus", "text", c_ex, 3, "zoo prompts + corpus passages (no teacher)",
            "same prompts, corpus passages as answers")
    if force or not _done(paths["control-other-teacher"]):
        other = load_model(f"hf:{paths['control-corpus']}")
        o_answers = [c.text for c in teacher_answers(other, prompts, sz.answer_tokens, 0.7, 0, store)]
        o_ex = [e for p, a in zip(prompts, o_answers) if (e := encode_chat(tok, p, a, sz.max_len))]
        del other
    else:
        o_ex = []
    student("control-other-teacher", "sequences", o_ex, 4, "answers of control-corpus (never saw the teacher)",
            "same prompts, another model's answers")
    info["members"]["control-other-teacher"]["other_teacher"] = f"hf:{paths['control-corpus']}"

    # Derivatives of the teacher itself.
    if force or not _done(paths["fine-tuned"]):
        ft_ex = encode_texts(tok, corpus[len(prompts) : len(prompts) + 8 * sz.finetune_steps], sz.max_len)
        cfg = DistillConfig(teacher=teacher_spec, out=str(paths["fine-tuned"]), method="text", student=teacher_spec,
                            student_config=None, max_len=sz.max_len, seed=5,
                            train=TrainConfig(steps=sz.finetune_steps, batch_size=4, lr=5e-5, warmup=2, seed=5,
                                              checkpoint_every=10))
        run_distill(cfg, show_progress=show_progress, teacher_model=teacher, examples=ft_ex,
                    source="built-in corpus (stdlib docstrings)",
                    extra={"lineage": {"member": "fine-tuned", "relation": "derived", "zoo_size": size}})
    record("fine-tuned", "finetune", teacher_spec, 5, "teacher fine-tuned on corpus text (lr 5e-5)")
    if force or not _done(paths["quantized"]):
        import copy

        started = now()
        q = quantize_weights(copy.deepcopy(teacher.module), bits=4, group=32)
        paths["quantized"].mkdir(parents=True, exist_ok=True)
        q.save_pretrained(paths["quantized"])
        tok.save_pretrained(paths["quantized"])
        write_manifest(paths["quantized"], model=q,
                       teacher={"spec": teacher_spec, "weights_sha256": weights_hash(teacher.module)},
                       data={"sha256": None, "n_sequences": 0, "n_target_tokens": 0, "source": "none"},
                       method="quantize", hyperparameters={"bits": 4, "group": 32, "scheme": "symmetric RTN"},
                       started=started, parents=[{"spec": teacher_spec, "role": "weights"}],
                       extra={"lineage": {"member": "quantized", "relation": "derived", "zoo_size": size}})
        del q
    record("quantized", "quantize", teacher_spec, None, "4-bit group-32 round-to-nearest of every Linear weight")
    lj.write_text(json.dumps(info, indent=2))
    return paths
