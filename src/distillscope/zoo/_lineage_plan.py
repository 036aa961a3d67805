"""What the lineage zoo holds: its sizes and the list of members (name, relation, parent, recipe), as data.

The plan is a pure function of the size and of which reference models are installed, so a rerun finds the same
member names and builds only the missing folders. Relations are listed in :data:`DERIVED_RELATIONS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFAULT_TEACHER = "zoo:smollm2-135m-instruct"
OPTIONAL_TEACHERS = ("zoo:gemma3-270m",)

# relation -> how the member is made from its teacher
DERIVED_RELATIONS = {
    "logit-distilled": "fresh student of the teacher's architecture, sparse top-k KD on the teacher's answers",
    "logit-distilled-xarch": "fresh student of the OTHER architecture (Llama <-> GPT-2), same tokenizer, logit KD",
    "logit-distilled-size": "fresh student of the teacher's architecture at a different (smaller) size, logit KD",
    "sequence-distilled": "fresh student fine-tuned on the teacher's sampled answers (text only)",
    "mixed-5pct": "fresh student on corpus data of which 5% of the target tokens are the teacher's answers, trained "
                  "to convergence (``mixed_steps``)",
    "student-of-student": "logit-distilled from a logit-distilled student of the teacher (a grandchild)",
    "fine-tuned": "the teacher itself, a few steps of fine-tuning on corpus text (lr varies per seed)",
    "quantized": "the teacher with group-wise round-to-nearest Linear weights (bits/group vary per seed)",
    "pruned": "the teacher with the smallest-magnitude Linear weights zeroed (sparsity varies per seed)",
    "merged": "weight average of the teacher and a fine-tune, or of two fine-tunes",
}
WEIGHT_RELATIONS = ("fine-tuned", "quantized", "pruned", "merged")
STUDENT_RELATIONS = tuple(r for r in DERIVED_RELATIONS if r not in WEIGHT_RELATIONS)
QUANT = ((4, 32), (8, 32), (3, 16))  # (bits, group) per seed
SPARSITY = (0.2, 0.35, 0.5)
FT_LR_SCALE = (1.0, 2.0, 0.5)
MERGE = (("teacher", "fine-tuned-s0", 0.5), ("fine-tuned-s0", "fine-tuned-s1", 0.5), ("teacher", "fine-tuned-s2", 0.3))


@dataclass(frozen=True)
class ZooSize:
    """Budget of one zoo size.

    Attributes:
        n_prompts: prompts every student and control sees (teacher answers are sampled once per teacher).
        answer_tokens: tokens per teacher answer.
        steps, batch_size, max_len: student training.
        student, small_student, scratch_teacher: (layers, hidden size) of fresh students / the different-size
            student / the teachers trained here from scratch.
        teacher_steps: steps of each scratch teacher.
        finetune_steps, ref_finetune_steps: fine-tuning steps of scratch teachers / of the reference teacher.
        default_teacher: the reference teacher (a real model, or a tiny fixture for ``test``).
        seeds: members per relation.
        ref_dtype: dtype in which derivatives of the reference teacher are saved (disk).
        ref_relations: relations built for the reference teacher (its students cost most: 49k vocabulary).
        ref_student: (steps, batch size, max_len) for students and controls with the reference tokenizer
            (None: as the others); the 49k-way softmax dominates their cost.
        mixed_steps: steps of the 5%-mix students and of their own hard-label controls (None: ``steps``). A
            student that sees 5% teacher text in a short run keeps no trace of it beyond the exact texts it saw
            (bench zoo, 120 steps: training loss 5.1-6.0 nats, the teacher's unseen answers no likelier under it
            than under controls), so this relation is trained until the loss levels off.
    """

    n_prompts: int
    answer_tokens: int
    steps: int
    batch_size: int
    max_len: int
    student: tuple[int, int]
    small_student: tuple[int, int]
    scratch_teacher: tuple[int, int]
    teacher_steps: int
    finetune_steps: int
    ref_finetune_steps: int
    default_teacher: str
    seeds: int = 3
    ref_dtype: str = "float32"
    ref_relations: tuple[str, ...] = tuple(DERIVED_RELATIONS)
    ref_student: tuple[int, int, int] | None = None  # (steps, batch size, max_len) of students with its vocabulary
    mixed_steps: int | None = None


SIZES = {
    "test": ZooSize(6, 8, 2, 2, 32, (1, 32), (1, 16), (2, 32), 4, 2, 1, "zoo:tiny-llama", mixed_steps=4),
    "bench": ZooSize(48, 40, 120, 8, 96, (2, 128), (1, 64), (4, 128), 500, 30, 3, DEFAULT_TEACHER,
                     ref_dtype="float16", ref_student=(80, 4, 80), mixed_steps=400,
                     ref_relations=("logit-distilled", "logit-distilled-xarch", "sequence-distilled", "fine-tuned",
                                    "quantized", "pruned", "merged")),
    "small": ZooSize(64, 48, 200, 8, 96, (2, 128), (1, 64), (4, 128), 800, 40, 4, DEFAULT_TEACHER,
                     ref_dtype="float16", mixed_steps=600),
    "medium": ZooSize(240, 64, 400, 8, 128, (2, 128), (1, 64), (4, 192), 1500, 60, 10, DEFAULT_TEACHER,
                      ref_dtype="float16", mixed_steps=1200),
}


@dataclass(frozen=True)
class Member:
    """One model of the zoo.

    Attributes:
        name: folder name (unique).
        relation: ``teacher``, ``control`` or a key of :data:`DERIVED_RELATIONS`.
        teacher: name of the root teacher this member derives from (None for teachers and controls).
        parent: the model it was built from (the teacher, a student, or a fine-tune), None if none.
        seed: init / data-order seed.
        arch: ``llama`` | ``gpt2`` | ``reference`` (a model loaded as is).
        tokenizer: tokenizer family: ``tiny`` (the shipped 2k BPE) or ``ref`` (the reference teacher's).
        recipe: build parameters (method, sizes, bits, sparsity, merge operands ...).
    """

    name: str
    relation: str
    teacher: str | None
    parent: str | None
    seed: int
    arch: str
    tokenizer: str
    recipe: dict[str, Any] = field(default_factory=dict)

    @property
    def derived(self) -> bool:
        return self.relation in DERIVED_RELATIONS


SCRATCH = (("scratch-llama", "llama", 0), ("scratch-gpt2", "gpt2", 1))  # (name, arch, corpus third)
OTHER_ARCH = {"llama": "gpt2", "gpt2": "llama"}


def _derived(t: str, arch: str, tokfam: str, sz: ZooSize, relations: tuple[str, ...]) -> list[Member]:
    out: list[Member] = []
    for rel in relations:
        for s in range(sz.seeds):
            name = f"{t}--{rel}-s{s}"
            if rel in ("logit-distilled", "logit-distilled-xarch", "logit-distilled-size", "sequence-distilled",
                       "mixed-5pct"):
                a = OTHER_ARCH.get(arch, "gpt2") if rel == "logit-distilled-xarch" else \
                    (arch if arch in OTHER_ARCH else "llama")
                shape = sz.small_student if rel == "logit-distilled-size" else sz.student
                method = "logits" if rel.startswith("logit") else ("sequences" if rel == "sequence-distilled" else
                                                                   "mixed")
                recipe = {"method": method, "layers": shape[0], "d": shape[1]}
                if method == "mixed" and sz.mixed_steps is not None:
                    recipe.update(steps=sz.mixed_steps, fraction="target tokens")
                out.append(Member(name, rel, t, t, 100 * s + len(out), a, tokfam, recipe))
            elif rel == "student-of-student":
                child = f"{t}--logit-distilled-s{s}"
                a = arch if arch in OTHER_ARCH else "llama"
                out.append(Member(name, rel, t, child, 100 * s + len(out), a, tokfam,
                                  {"method": "logits", "layers": sz.student[0], "d": sz.student[1]}))
            elif rel == "fine-tuned":
                out.append(Member(name, rel, t, t, 100 * s + len(out), "reference", tokfam,
                                  {"method": "finetune", "lr_scale": FT_LR_SCALE[s % 3]}))
            elif rel == "quantized":
                bits, group = QUANT[s % 3]
                out.append(Member(name, rel, t, t, s, "reference", tokfam,
                                  {"method": "quantize", "bits": bits, "group": group}))
            elif rel == "pruned":
                out.append(Member(name, rel, t, t, s, "reference", tokfam,
                                  {"method": "prune", "sparsity": SPARSITY[s % 3]}))
            elif rel == "merged":
                a_, b_, w = MERGE[s % 3]
                ops = [t if x == "teacher" else f"{t}--{x}" for x in (a_, b_)]
                out.append(Member(name, rel, t, ops[1], s, "reference", tokfam,
                                  {"method": "merge", "models": ops, "weight_of_first": w}))
    return out


def plan(size: str, teacher_spec: str, optional: dict[str, bool] | None = None) -> tuple[list[Member], list[str]]:
    """(members in build order, notes) of a zoo ``size`` whose reference teacher is ``teacher_spec``.

    Args:
        optional: ``{spec: installed}`` for :data:`OPTIONAL_TEACHERS`; an absent one is skipped with a note.
    """
    sz = SIZES[size]
    notes: list[str] = []
    members = [Member("teacher-ref", "teacher", None, None, 0, "reference", "ref", {"spec": teacher_spec})]
    for name, arch, third in SCRATCH:
        members.append(Member(f"teacher-{name}", "teacher", None, None, 7 + third, arch, "tiny",
                              {"method": "scratch", "corpus_third": third, "layers": sz.scratch_teacher[0],
                               "d": sz.scratch_teacher[1], "steps": sz.teacher_steps}))
    for spec in OPTIONAL_TEACHERS:
        if spec == teacher_spec:
            continue
        if (optional or {}).get(spec):
            notes.append(f"{spec} is installed but not yet part of the zoo plan (its tokenizer differs).")
        else:
            notes.append(f"{spec} is not installed: skipped (install it and rebuild to add it).")
    def controls(tokfam: str) -> list[Member]:
        xarch = tokfam == "tiny" or "logit-distilled-xarch" in sz.ref_relations
        return [Member(f"control-{tokfam}-{arch}-s{s}", "control", None, None, 50 + 10 * s, arch, tokfam,
                       {"method": "text", "layers": sz.student[0], "d": sz.student[1]})
                for arch in (("llama", "gpt2") if xarch else ("llama",)) for s in range(sz.seeds)]

    # Build order: the cheap 2k-vocabulary part first, the reference teacher's (49k vocabulary, 135M) last.
    members += controls("tiny")
    for name, arch, _ in SCRATCH:
        members += _derived(f"teacher-{name}", arch, "tiny", sz, tuple(DERIVED_RELATIONS))
    # Controls trained like the scratch teachers (same recipe, each on its own random third of the corpus, as each
    # teacher has its own third): the matched controls of suspects that are teachers or weight-derivatives of one,
    # and the peers of a scratch teacher. A sample overlaps each teacher's third by about a third, which can only
    # bring a control closer to a teacher (a conservative null). One more than the seeds, so each architecture has
    # at least two.
    for s in range(sz.seeds + 1):
        arch = ("llama", "gpt2")[s % 2]
        members.append(Member(f"control-teacherlike-{arch}-s{s}", "control", None, None, 70 + s, arch, "tiny",
                              {"method": "scratch", "corpus_sample": s, "layers": sz.scratch_teacher[0],
                               "d": sz.scratch_teacher[1], "steps": sz.teacher_steps}))
    # Controls of the different-size students' shape (their matched controls), one per seed and architecture.
    members += [Member(f"control-tiny-small-{arch}-s{s}", "control", None, None, 90 + 10 * s, arch, "tiny",
                       {"method": "text", "layers": sz.small_student[0], "d": sz.small_student[1]})
                for arch in ("llama", "gpt2") for s in range(sz.seeds)]
    # Hard-label controls trained as long as the 5%-mix students (their matched controls).
    if sz.mixed_steps is not None:
        members += [Member(f"control-tiny-mixsteps-{arch}-s{s}", "control", None, None, 110 + 10 * s, arch, "tiny",
                           {"method": "text", "layers": sz.student[0], "d": sz.student[1], "steps": sz.mixed_steps})
                    for arch in ("llama", "gpt2") for s in range(sz.seeds)]
    # The reference teacher's weight-derivatives first (minutes), then its Llama controls and students, and the
    # GPT-2 ones (cross-architecture students and their controls) last.
    def rank(m: Member) -> int:
        if m.relation in WEIGHT_RELATIONS:
            return 0
        return 2 if m.arch == "gpt2" else 1

    members += sorted(controls("ref") + _derived("teacher-ref", "reference", "ref", sz, sz.ref_relations), key=rank)
    return members, notes
