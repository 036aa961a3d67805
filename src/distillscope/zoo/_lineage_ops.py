"""Weight-space derivatives used by the lineage zoo: quantization, magnitude pruning and weight averaging.

Each works on Linear and GPT-2 ``Conv1D`` weights, in place, and leaves the (tied) embeddings alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def matrix_weights(model: Any) -> Iterator[tuple[str, Any, bool]]:
    """``(name, weight, transposed)`` of every Linear / Conv1D weight except one tied to the input embeddings.

    ``transposed`` is True for GPT-2's Conv1D, whose weight is stored ``[in, out]``.
    """
    import torch
    from transformers.pytorch_utils import Conv1D

    emb = model.get_input_embeddings().weight.data_ptr()
    for name, mod in model.named_modules():
        if isinstance(mod, torch.nn.Linear | Conv1D) and mod.weight.data_ptr() != emb:
            yield name, mod.weight, isinstance(mod, Conv1D)


def quantize_weights(model: Any, bits: int = 4, group: int = 32) -> Any:
    """Round every Linear/Conv1D weight (not embeddings) to ``bits``-bit symmetric integers per group of ``group``
    inputs, de-quantized in place (a quantized derivative that loads like any checkpoint). A matrix whose input
    size is not a multiple of ``group`` is left as is."""
    import torch

    qmax = 2 ** (bits - 1) - 1
    with torch.no_grad():
        for _, weight, transposed in matrix_weights(model):
            w = weight.T if transposed else weight  # [out, in]
            if w.shape[1] % group:
                continue
            g = w.reshape(w.shape[0], -1, group)
            scale = g.abs().amax(-1, keepdim=True).clamp(min=1e-12) / qmax
            q = (torch.round(g / scale).clamp(-qmax - 1, qmax) * scale).reshape_as(w)
            weight.copy_(q.T if transposed else q)
    return model


def prune_weights(model: Any, sparsity: float = 0.3) -> Any:
    """Zero the ``sparsity`` fraction of smallest-magnitude entries of every Linear/Conv1D weight, per matrix,
    in place (unstructured magnitude pruning; embeddings untouched)."""
    import torch

    if not 0 <= sparsity < 1:
        from distillscope.errors import InputError

        raise InputError(f"sparsity must be in [0, 1), got {sparsity}.")
    with torch.no_grad():
        for _, weight, _ in matrix_weights(model):
            k = int(weight.numel() * sparsity)
            if k < 1:
                continue
            cut = weight.abs().flatten().kthvalue(k).values
            weight.masked_fill_(weight.abs() <= cut, 0.0)
    return model


def merge_weights(a: Any, b: Any, weight_of_a: float = 0.5) -> Any:
    """``a`` with every floating parameter replaced by ``w * a + (1 - w) * b`` (same architecture), in place."""
    import torch

    sb = b.state_dict()
    seen: set[int] = set()  # tied weights appear under two names: average them once
    with torch.no_grad():
        for name, t in a.state_dict().items():
            if t.is_floating_point() and t.data_ptr() not in seen:
                seen.add(t.data_ptr())
                if name not in sb or sb[name].shape != t.shape:
                    from distillscope.errors import InputError

                    raise InputError(f"Cannot merge: parameter {name} differs between the two models.")
                t.copy_(weight_of_a * t + (1 - weight_of_a) * sb[name].to(t.dtype))
    return a
