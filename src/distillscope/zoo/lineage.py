"""The lineage zoo: models with known ancestry, built here, on which lineage detectors are measured.

Python API::

    from distillscope.zoo.lineage import build_lineage_zoo, read_lineage, lineage_pairs
    build_lineage_zoo("zoo/", size="bench")           # {member: folder}; a rerun builds only what is missing
    info = read_lineage("zoo/")                        # teachers, members, relations, specs, notes
    for pair in lineage_pairs(info):                   # (suspect, candidate, relation, derived, controls, panel)
        ...

Shell::

    distillscope zoo build-lineage --size test            # seconds, tiny random reference teacher
    distillscope zoo build-lineage --size bench --out zoo/  # SmolLM2 + 2 teachers trained here (~65 min, 3.6 GB)

Teachers: the reference teacher (``zoo:smollm2-135m-instruct``; ``zoo:tiny-llama`` for ``test``), and two small
models TRAINED HERE FROM SCRATCH with the shipped 2k BPE tokenizer on disjoint thirds of the built-in corpus: a
Llama (``teacher-scratch-llama``) and a GPT-2 (``teacher-scratch-gpt2``). ``zoo:gemma3-270m`` is noted as skipped
in ``lineage.json`` when it is not installed.

Derived members (``TEACHER--RELATION-sSEED``, :data:`DERIVED_RELATIONS`, several seeds each): logit-distilled
(same architecture; other architecture, GPT-2 <-> Llama with the teacher's tokenizer; smaller size),
sequence-distilled, mixed-5pct (5% of the target tokens are teacher answers, the rest corpus data; trained to
convergence, with hard-label controls ``control-tiny-mixsteps-ARCH-sSEED`` trained as long), student-of-student,
fine-tuned, quantized (bits/group per seed), pruned (magnitude, sparsity per seed), merged (weight averages of the
teacher and fine-tunes). Controls (``control-TOKENIZER-ARCH-sSEED``) see the same prompts and corpus data as the
students but no teacher: the hard negatives. Teacher-like controls (``control-teacherlike-ARCH-sSEED``) are trained
from scratch with the scratch teachers' recipe, each on its own random third of the corpus (as each scratch teacher
has its own third): the peers of a scratch teacher, and the matched controls of suspects that are teachers or
weight-derivatives of one (the reference teacher has none: nothing of its size can be trained here). A member
whose recipe in the plan differs from the one in its ``provenance.json`` is rebuilt by the next build.

Every student sees the same prompts; only the targets differ; every fresh model has its own init seed, so weight
similarity between students is not an artefact of a shared initialisation. Each member folder has
``provenance.json``; ``lineage.json`` lists members, relations, specs and the (suspect, candidate) pairs that
:func:`lineage_pairs` derives from them. It is rewritten after every member, so a zoo still building can be used.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from distillscope.errors import InputError
from distillscope.zoo._lineage_ops import merge_weights, prune_weights, quantize_weights
from distillscope.zoo._lineage_plan import (
    DEFAULT_TEACHER,
    DERIVED_RELATIONS,
    OPTIONAL_TEACHERS,
    SIZES,
    STUDENT_RELATIONS,
    WEIGHT_RELATIONS,
    Member,
    ZooSize,
    plan,
)

__all__ = ["DEFAULT_TEACHER", "DERIVED_RELATIONS", "SIZES", "WEIGHT_RELATIONS", "LineagePair", "Member", "ZooSize",
           "build_lineage_zoo", "lineage_pairs", "merge_weights", "prune_weights", "quantize_weights",
           "read_lineage", "zoo_dir"]


@dataclass(frozen=True)
class LineagePair:
    """One question the bench asks: does ``suspect`` derive from ``candidate``? ``derived`` is the known answer.

    Attributes:
        suspect_spec, candidate_spec: model specs (``hf:FOLDER`` or ``zoo:NAME``).
        relation: a derived relation (``logit-distilled`` ...) or ``independent:KIND``.
        derived: True when the suspect was built from the candidate.
        controls: specs of controls shaped like the suspect and sharing its training data and tokenizer (never the
            suspect, never a model derived from the candidate), for the functional and weight tests; for a student,
            hard-label controls interleaved with recipe-matched students of other teachers (see ``_pair_maker``).
        panel: specs of other models for the black-box test: the teachers other than the candidate, and the first
            two controls (for a student: one recipe-matched student of another teacher and one hard-label control).
        suspect, candidate: member names.
        same_tokenizer: suspect and candidate share a tokenizer.
        controls_matched: the controls were trained like the suspect: teacher-like controls for teachers and
            their weight-derivatives, student controls for students. False where the zoo has no matched controls
            (derivatives of the reference teacher get student controls): a functional test is then not valid.
    """

    suspect_spec: str
    candidate_spec: str
    relation: str
    derived: bool
    controls: tuple[str, ...] = ()
    panel: tuple[str, ...] = ()
    suspect: str = ""
    candidate: str = ""
    same_tokenizer: bool = True
    controls_matched: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


def zoo_dir(out_dir: str | Path | None, size: str) -> Path:
    """The zoo folder: ``out_dir`` or the cache dir's ``lineage/SIZE``."""
    from distillscope.paths import cache_dir

    return Path(out_dir) if out_dir is not None else cache_dir("lineage") / size


def read_lineage(folder: str | Path) -> dict[str, Any]:
    """The zoo's ``lineage.json``: ``{"teacher", "size", "teachers", "notes", "complete", "members": {name:
    {path, spec, relation, method, parent, teacher, seed, arch, tokenizer, recipe, built}}, "pairs"}``.

    Specs are re-rooted at ``folder`` when the zoo was moved after it was built.
    """
    folder = Path(folder)
    p = folder / "lineage.json"
    if not p.exists():
        raise InputError(f"No lineage.json in {folder}: build the zoo with `distillscope zoo build-lineage`.")
    info = json.loads(p.read_text())
    for name, m in info["members"].items():
        if m.get("path") and not Path(m["path"]).exists() and (folder / name).exists():
            m["path"] = str(folder / name)
            m["spec"] = f"hf:{folder / name}"
    return info


def _built(m: dict[str, Any]) -> bool:
    return bool(m.get("built"))


def _teacher_like(m: dict[str, Any]) -> bool:
    return m["relation"] in ("teacher", *WEIGHT_RELATIONS) or m["method"] == "scratch"


def _pair_maker(mem: dict[str, dict[str, Any]], teachers: list[str]) -> Callable[[str, str, str, bool], LineagePair]:
    """A function (suspect, candidate, relation, derived) -> LineagePair with the suspect's matched controls.

    A student's controls interleave two kinds, both of its shape and tokenizer: hard-label controls (the same
    prompts and corpus, no teacher) and *recipe-matched* controls, members built with the suspect's recipe (same
    method: logit KD, sequences, mixed) from a teacher other than the candidate, its own architecture first. Soft-
    label students agree more with any teacher than hard-label controls do, so without the second kind a student of
    another teacher looks "derived" from every teacher; nothing derived from the candidate is ever a control.
    """
    controls = {(fam, kind): [n for n, m in mem.items() if m["relation"] == "control" and m["tokenizer"] == fam
                              and _teacher_like(m) == kind]
                for fam in ("tiny", "ref") for kind in (True, False)}
    students = [n for n, m in mem.items() if m["relation"] in STUDENT_RELATIONS]

    def shape(n: str) -> tuple[Any, Any, Any]:  # a student's controls share its shape and training length
        return mem[n]["recipe"].get("layers"), mem[n]["recipe"].get("d"), mem[n]["recipe"].get("steps")

    def recipe_matched(s: str, c: str) -> list[str]:
        same = [x for x in students if x != s and mem[x]["teacher"] != c and mem[x]["tokenizer"] == mem[s]["tokenizer"]
                and mem[x]["method"] == mem[s]["method"] and shape(x) == shape(s)]
        own = [x for x in same if mem[x]["arch"] == mem[s]["arch"]]
        return own + [x for x in same if x not in own] if len(own) < 2 else own

    def make(s: str, c: str, relation: str, derived: bool) -> LineagePair:
        fam, kind = mem[s]["tokenizer"], _teacher_like(mem[s])
        ctl = [x for x in controls[(fam, kind)] if x != s and (kind or shape(x) == shape(s))]
        matched = len(ctl) >= 2
        if not matched:  # nothing trained like the suspect: the nearest controls, flagged
            ctl = [x for x in controls[(fam, kind)] + controls[(fam, not kind)] if x != s]
        if not kind:
            ctl = sorted(ctl, key=lambda x: mem[x]["arch"] != mem[s]["arch"])  # its own architecture first
            soft = recipe_matched(s, c)
            mixed = [x for pair in zip(soft, ctl) for x in pair]
            ctl = mixed + soft[len(mixed) // 2:] + ctl[len(mixed) // 2:]
        panel = [t for t in teachers if t not in (c, s)] + ctl[:2]
        return LineagePair(mem[s]["spec"], mem[c]["spec"], relation, derived,
                           tuple(mem[x]["spec"] for x in ctl), tuple(mem[x]["spec"] for x in panel), s, c,
                           fam == mem[c]["tokenizer"], matched)

    return make


def lineage_pairs(info: dict[str, Any]) -> list[LineagePair]:
    """Every (suspect, candidate) pair of the built members with its known answer.

    Derived: each derived member against its root teacher. Independent: controls against every teacher of their
    tokenizer; derived members of a scratch teacher against the other scratch teacher (same tokenizer, the hard
    case); derived members of the reference teacher against the scratch Llama (another tokenizer); every ordered
    pair of teachers.
    """
    mem = {n: m for n, m in info["members"].items() if _built(m)}
    teachers = [n for n, m in mem.items() if m["relation"] == "teacher"]
    scratch = [t for t in teachers if mem[t]["tokenizer"] == "tiny"]
    make = _pair_maker(mem, teachers)
    derived = {n: m for n, m in mem.items() if m["relation"] in DERIVED_RELATIONS and m["teacher"] in mem}
    out = [make(n, m["teacher"], m["relation"], True) for n, m in derived.items()]
    out += [make(n, t, "independent:control", False) for n, m in mem.items() if m["relation"] == "control"
            for t in teachers if mem[t]["tokenizer"] == m["tokenizer"]]
    for n, m in derived.items():
        if m["teacher"] in scratch:
            out += [make(n, t, "independent:other-teacher", False) for t in scratch if t != m["teacher"]]
        elif scratch:
            out.append(make(n, scratch[0], "independent:other-tokenizer", False))
    out += [make(a, b, "independent:teacher", False) for a in teachers for b in teachers if a != b]
    return out


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2))
    os.replace(tmp, path)


def _with_dependencies(members: list[Member], relations: Sequence[str] | None) -> list[Member]:
    if relations is None:
        return members
    unknown = set(relations) - set(DERIVED_RELATIONS) - {"control", "teacher"}
    if unknown:
        raise InputError(f"Unknown relation(s) {', '.join(sorted(unknown))}: choose from "
                         f"{', '.join(['teacher', 'control', *DERIVED_RELATIONS])}.")
    by = {m.name: m for m in members}
    want = {m.name for m in members if m.relation in relations or m.relation == "teacher"}
    todo = list(want)
    while todo:  # parents (a student-of-student's child, a merge's fine-tunes) come along
        m = by[todo.pop()]
        for dep in [m.parent, *m.recipe.get("models", [])]:
            if dep and dep in by and dep not in want:
                want.add(dep)
                todo.append(dep)
    return [m for m in members if m.name in want]


def build_lineage_zoo(out_dir: str | Path | None = None, size: str = "bench", teacher: str | None = None,
                      force: bool = False, show_progress: bool = True, relations: Sequence[str] | None = None,
                      log: Callable[[str], None] | None = None) -> dict[str, Path]:
    """Build (or reuse) the lineage zoo and return ``{member name: folder}`` of the built members.

    Args:
        out_dir: zoo folder (default ``distillscope.paths.cache_dir("lineage") / size``).
        size: ``test`` (seconds, tiny random reference teacher), ``bench`` (SmolLM2 teacher; 112 models, 81 derived
            and 137 independent pairs; the first build took 46 minutes on 2 cores shared at load 5-8, and the
            recipe changes of session 8 rebuilt 16 members (5%-mix students, their controls, the teacher-like
            controls) in 18.4 minutes at load 2-6; 3.6 GB of which 3.1 GB are the twelve 16-bit SmolLM2
            derivatives), ``small`` or ``medium`` (more steps and seeds).
        teacher: reference teacher spec (default per size: SmolLM2-135M-Instruct; tiny-llama for ``test``).
        force: rebuild members that exist (and drop the stored teacher answers).
        relations: build only these relations (plus teachers and the members they depend on); None: all.
        log: called with one line per built member.
    """
    from transformers.utils import logging as hf_logging

    from distillscope.zoo import list_models
    from distillscope.zoo._lineage_build import Builder, done

    if size not in SIZES:
        raise InputError(f"Unknown zoo size {size!r}: choose one of {', '.join(SIZES)}.")
    hf_logging.disable_progress_bar()
    sz = SIZES[size]
    teacher_spec = teacher or sz.default_teacher
    out = zoo_dir(out_dir, size)
    out.mkdir(parents=True, exist_ok=True)
    lj = out / "lineage.json"
    old: dict[str, Any] = {}
    if lj.exists():
        old = json.loads(lj.read_text())
        if old.get("teacher") != teacher_spec and not force:
            raise InputError(f"{out} holds a lineage zoo of teacher {old.get('teacher')}; pass force=True (--force) "
                             f"or another folder to build one for {teacher_spec}.")
    if force and (out / "samples.duckdb").exists():
        (out / "samples.duckdb").unlink()  # answers are keyed by spec, and the specs are about to change weights
    installed = {r["name"]: r["installed"] for r in list_models()}
    members, notes = plan(size, teacher_spec, {s: installed.get(s, False) for s in OPTIONAL_TEACHERS})
    todo = _with_dependencies(members, relations)
    info: dict[str, Any] = {
        "teacher": teacher_spec, "size": size, "notes": notes, "complete": False,
        "teachers": {m.name: m.recipe.get("spec") or f"hf:{out / m.name}" for m in members if m.relation == "teacher"},
        "relations": {**DERIVED_RELATIONS, "control": "same prompts and corpus data as the students, no teacher"},
        "members": {}, "pairs": [], "build_seconds": old.get("build_seconds", 0.0),
    }

    def record(m: Member) -> None:
        ref = m.name == "teacher-ref"
        info["members"][m.name] = {
            "path": None if ref else str(out / m.name), "spec": teacher_spec if ref else f"hf:{out / m.name}",
            "relation": m.relation, "method": m.recipe.get("method", "reference"), "parent": m.parent,
            "teacher": m.teacher, "seed": m.seed, "arch": m.arch, "tokenizer": m.tokenizer, "recipe": m.recipe,
            "built": ref or done(out / m.name, m.recipe),
        }

    def flush() -> None:
        info["pairs"] = [p.to_dict() for p in lineage_pairs(info)]
        info["complete"] = all(v["built"] for v in info["members"].values())
        _write_json(lj, info)

    for m in members:
        record(m)
    need = [m for m in todo if m.name != "teacher-ref" and (force or not done(out / m.name, m.recipe))]
    if need:
        builder = Builder(out, sz, size, members, teacher_spec, show_progress, log)
        t0 = time.perf_counter()
        for m in need:
            builder.build(m)
            record(m)
            info["build_seconds"] = round(old.get("build_seconds", 0.0) + time.perf_counter() - t0, 1)
            flush()
    flush()
    return {n: Path(v["path"]) for n, v in info["members"].items() if v["built"] and v["path"]}
