"""Settings of a distillation run. Each field's metadata (help text, CLI flag) drives `distillscope distill`'s
options and its ``--config FILE.yaml``; this module imports nothing heavy so the CLI stays fast.

    from distillscope.distill.config import DistillConfig, TrainConfig
    cfg = DistillConfig(teacher="zoo:tiny-llama", out="st", train=TrainConfig(steps=50))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from distillscope.configs import opt
from distillscope.errors import InputError

METHODS = ("logits", "sequences", "text")
LOSSES = ("forward", "reverse", "jsd")
STUDENT_CONFIGS = ("tiny", "small", "base")


@dataclass
class TrainConfig:
    """Optimisation settings (shared by every method)."""

    steps: int = opt(300, "Optimizer steps.", min=1)
    batch_size: int = opt(8, "Sequences per step.", min=1)
    lr: float = opt(3e-3, "Peak learning rate (AdamW, cosine schedule with warm-up).", min=0.0)
    warmup: int = opt(20, "Warm-up steps of the learning rate (the schedule uses at most half the steps).",
                       min=0)
    weight_decay: float = opt(0.0, "AdamW weight decay.", min=0.0)
    grad_clip: float = opt(1.0, "Gradient norm clip.", min=0.0)
    seed: int = opt(0, "Seed of student init, data order and teacher sampling.", cli=False)
    checkpoint_every: int = opt(100, "Checkpoint every N steps (resume after interruption).", min=1)
    kind: str = opt("forward", "Divergence: forward (KL(T||S)) | reverse (KL(S||T)) | jsd.", flag="loss")
    beta: float = opt(0.5, "JSD weight: 0 = forward KL, 1 = reverse KL.", min=0.0, max=1.0)
    temperature: float = opt(1.0, "Distillation temperature (loss scaled by T^2).", min=0.01)
    alpha: float = opt(0.9, "Weight of the distillation term vs hard-label cross-entropy.", flag="distill_weight",
                       min=0.0, max=1.0)
    extra: dict[str, Any] = field(default_factory=dict)

    def validate(self) -> None:
        if self.steps < 1 or self.batch_size < 1:
            raise InputError("--steps and --batch-size must be >= 1.")
        if self.lr <= 0:
            raise InputError(f"--lr must be > 0, got {self.lr}.")
        if self.kind not in LOSSES:
            raise InputError(f"--loss must be {', '.join(LOSSES)}, got {self.kind!r}.")
        if not 0 <= self.beta <= 1 or not 0 <= self.alpha <= 1 or self.temperature <= 0:
            raise InputError("--beta and --distill-weight must be in [0, 1] and --temperature > 0.")


@dataclass
class DistillConfig:
    """One distillation run (drives the Python API, the CLI and --config files alike)."""

    teacher: str | None = opt(None, "Teacher spec (zoo:/hf: for logits; any backend for sequences).", short="-t")
    out: str | None = opt(None, "Output folder for the student (save_pretrained) and provenance.json.", short="-o")
    method: str = opt("logits", "logits (teacher top-k logits, cached) | sequences (teacher answers) | text "
                      "(control: same text, no teacher).")
    student: str | None = opt(None, "Start from this checkpoint (hf:PATH or zoo:NAME) instead of a fresh student.")
    student_config: str | None = opt("tiny", "Fresh student size sharing the teacher's tokenizer: tiny (2 layers, "
                                     "d=128) | small (4, 256) | base (6, 384).")
    data: str | None = opt(None, "Training texts (any format of distillscope.inputs, field 'text'); default: the "
                           "built-in corpus.")
    prompts: str | None = opt(None, "Prompts for sequences (any format of distillscope.inputs); default: the "
                              "built-in prompt set.")
    input_field: str | None = opt(None, "Field of each --data / --prompts record holding the text or prompt (see "
                                  "distillscope.inputs).", flag="field")
    n_data: int | None = opt(None, "Use at most this many texts / prompts.", min=1)
    max_len: int = opt(128, "Tokens per training sequence.", min=8)
    k: int = opt(20, "Teacher log-probs kept per position in the logit cache.", min=1)
    answer_tokens: int = opt(64, "Max tokens of each teacher answer (sequences).", min=1)
    answer_temperature: float = opt(0.7, "Sampling temperature of teacher answers.", min=0.0)
    heldout: float = opt(0.1, "Fraction of sequences held out to report the student's KL to the teacher.",
                         min=0.0, max=0.9)
    seed: int = opt(0, "Seed of student init, data order and teacher sampling.")
    resume: bool = opt(True, "Resume from OUT/checkpoint when present.")
    train: TrainConfig = field(default_factory=TrainConfig)

    def validate(self) -> None:
        if not self.teacher or not self.out:
            raise InputError("distill needs --teacher SPEC and --out FOLDER (as flags or in --config).")
        if self.method not in METHODS:
            raise InputError(f"--method must be {', '.join(METHODS)}, got {self.method!r}.")
        if self.student is None and self.student_config is None:
            raise InputError("Give --student SPEC (a checkpoint) or --student-config NAME (a fresh student).")
        if self.student is None and self.student_config not in STUDENT_CONFIGS:
            raise InputError(f"--student-config must be {', '.join(STUDENT_CONFIGS)}, got {self.student_config!r}.")
        if not 0 <= self.heldout < 0.9:
            raise InputError(f"--heldout must be in [0, 0.9), got {self.heldout}.")
        if self.k < 1:
            raise InputError(f"--k must be >= 1, got {self.k}.")
        self.train.validate()
