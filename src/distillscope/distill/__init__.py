"""Knowledge distillation from a teacher's logits or its text, with a provenance manifest, and the lineage zoo.

Three steps to distill (CLI: ``distillscope distill --help``)::

    from distillscope.distill import DistillConfig, TrainConfig, run_distill
    cfg = DistillConfig(teacher="zoo:smollm2-135m-instruct", out="st", method="logits", student_config="tiny",
                        train=TrainConfig(steps=300))
    summary = run_distill(cfg)        # st/ loads as hf:st; st/provenance.json says where it came from

Modules:
  ``losses``      forward/reverse KL, generalized JSD (continuous at beta = 0 and 1), temperature, sparse top-k teacher
  ``cache``       teacher top-k log-probs in quantized Parquet shards (teacher forward or API ``top_logprobs``)
  ``sequences``   teacher answers through any backend, cached in the sample store (resumable)
  ``student``     fresh students sharing the teacher's tokenizer, or checkpoints; tokenizer-mismatch refusal
  ``train``       the training loop: checkpoints, resume, Rich progress with loss and tokens/s
  ``run``         end-to-end runs (:func:`run_distill`) and :func:`heldout_kl`
  ``provenance``  ``provenance.json``: write, read, verify
  ``lineage``     :func:`build_lineage_zoo`: models with known ancestry for lineage/verify detectors

Nothing heavy is imported until a name is used, so ``import distillscope.distill`` stays cheap.
"""

from __future__ import annotations

from distillscope._lazy import lazy_getattr

_EXPORTS = {
    "DistillConfig": "config", "run_distill": "run", "heldout_kl": "run",
    "TrainConfig": "config", "train": "train",
    "kd_loss": "losses", "distill_loss": "losses", "divergence": "losses", "SparseTeacher": "losses",
    "LogitCache": "cache", "build_logit_cache": "cache", "cache_from_completions": "cache",
    "teacher_answers": "sequences",
    "build_student": "student", "check_tokenizers": "student",
    "write_manifest": "provenance", "read_manifest": "provenance", "verify_manifest": "provenance",
    "weights_hash": "provenance",
    "build_lineage_zoo": "lineage", "read_lineage": "lineage",
}

__all__ = list(_EXPORTS)


__getattr__ = lazy_getattr(__name__, _EXPORTS)
