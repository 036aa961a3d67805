"""Students: from an existing checkpoint, or a small Llama config built around the teacher's tokenizer.

Logit distillation compares distributions token id by token id, so the student must use the teacher's tokenizer;
:func:`check_tokenizers` refuses a mismatch before any work starts and points to ``--method sequences``.
"""

from __future__ import annotations

from typing import Any

from distillscope.errors import InputError

# name -> (layers, hidden, heads, kv heads, mlp width). Sized for CPU training; embeddings dominate at vocab 49k.
STUDENT_CONFIGS: dict[str, tuple[int, int, int, int, int]] = {
    "tiny": (2, 128, 4, 2, 384),
    "small": (4, 256, 4, 2, 768),
    "base": (6, 384, 6, 2, 1024),
}


def student_config(name: str, tokenizer: Any, max_positions: int = 1024) -> Any:
    """A LlamaConfig for the named size whose vocabulary and special tokens are the tokenizer's."""
    from transformers import LlamaConfig

    if name not in STUDENT_CONFIGS:
        raise InputError(f"Unknown student config {name!r}: choose one of {', '.join(STUDENT_CONFIGS)}.")
    layers, d, heads, kv, mlp = STUDENT_CONFIGS[name]
    return LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=d, intermediate_size=mlp, num_hidden_layers=layers,
        num_attention_heads=heads, num_key_value_heads=kv, max_position_embeddings=max_positions,
        tie_word_embeddings=True, rope_theta=10000.0,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id,
    )


def build_student(name: str, tokenizer: Any, seed: int = 0) -> tuple[Any, Any]:
    """(model, tokenizer): a freshly initialised student of size ``name`` sharing ``tokenizer``."""
    import torch
    from transformers import AutoModelForCausalLM

    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(student_config(name, tokenizer))
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model, tokenizer


def load_student(spec: str) -> tuple[Any, Any]:
    """(model, tokenizer) of an existing white-box checkpoint (``hf:PATH``, ``zoo:NAME``) to continue training."""
    import copy

    from distillscope.models import is_white_box, load_model

    m = load_model(spec)
    if not is_white_box(m):
        raise InputError(f"Student {spec} is not a white-box checkpoint: use hf:PATH or zoo:NAME.")
    # zoo reference models are cached per process: train a copy so the cached teacher is never modified.
    return copy.deepcopy(m.module), m.tokenizer


def check_tokenizers(teacher_tok: Any, student_tok: Any, method: str) -> None:
    """Refuse logit distillation across different tokenizers (ids would not align), with the way out."""
    if method != "logits":
        return
    from distillscope.distill.data import tokenizer_hash

    if teacher_tok is None:
        raise InputError("Logit distillation needs the teacher's tokenizer (a white-box hf:/zoo: teacher or an API "
                         "cache built with the student's tokenizer). Use --method sequences for black-box teachers.")
    if tokenizer_hash(teacher_tok) != tokenizer_hash(student_tok):
        raise InputError(
            f"Tokenizer mismatch: the teacher's vocabulary ({len(teacher_tok)} tokens) differs from the student's "
            f"({len(student_tok)} tokens), so logits cannot be compared token by token. Use --method sequences "
            "(train on the teacher's generated text), or --student-config NAME to build a student that shares the "
            "teacher's tokenizer."
        )
