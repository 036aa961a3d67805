"""Private helpers for the white-box lineage tests: token strings, shared vocabularies, token boundaries, the
debiased CKA, and the prediction test that compares one model with a handful of reference models.

Nothing here is public API; :mod:`distillscope.lineage.functional` and :mod:`distillscope.lineage.weights` use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import torch
from scipy import stats

from distillscope.errors import InputError


@lru_cache(maxsize=1)
def _byte_decoder() -> dict[str, int]:
    # The GPT-2 byte <-> printable-unicode table used by byte-level BPE vocabularies (SmolLM2, GPT-2, the tiny BPE).
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs)}


def token_bytes(tokenizer: Any) -> list[bytes | None]:
    """The bytes each token id stands for (None for special tokens); byte-level BPE and SentencePiece alike."""
    n = len(tokenizer)
    toks = tokenizer.convert_ids_to_tokens(list(range(n)))
    special = set(getattr(tokenizer, "all_special_ids", []) or [])
    dec = _byte_decoder()
    byte_level = sum(1 for t in toks if t and "Ġ" in t) > 0.005 * n
    out: list[bytes | None] = []
    for i, t in enumerate(toks):
        if t is None or i in special:
            out.append(None)
        elif byte_level and all(c in dec for c in t):
            out.append(bytes(dec[c] for c in t))
        elif len(t) == 6 and t.startswith("<0x") and t.endswith(">"):
            out.append(bytes([int(t[3:5], 16)]))  # SentencePiece byte fallback
        else:
            out.append(t.replace("▁", " ").encode("utf-8"))
    return out


def same_tokenizer(a: Any, b: Any) -> bool:
    """True when two tokenizers map every token string to the same id."""
    return a is b or (len(a) == len(b) and a.get_vocab() == b.get_vocab())


def shared_vocab(ref: Any, others: Sequence[Any]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Token ids of ``ref`` whose bytes exist in every tokenizer of ``others``, and the matching ids in each.

    Returns:
        (ids in ``ref``, [ids in ``others[j]``]), aligned row by row.
    """
    rb = token_bytes(ref)
    maps = []
    for o in others:
        m: dict[bytes, int] = {}
        for i, b in enumerate(token_bytes(o)):
            if b is not None and b not in m:
                m[b] = i
        maps.append(m)
    seen: set[bytes] = set()
    keep = []
    for i, b in enumerate(rb):
        if b is not None and b not in seen and all(b in m for m in maps):
            seen.add(b)
            keep.append(i)
    ref_ids = np.array(keep, dtype=np.int64)
    return ref_ids, [np.array([m[rb[i]] for i in keep], dtype=np.int64) for m in maps]  # type: ignore[index]


def boundaries_from_end(tokenizer: Any, ids: Sequence[int]) -> np.ndarray:
    """For each position t, the number of bytes of text after token t (a prefix boundary counted from the end).

    Counting from the end makes boundaries of different tokenizers comparable even where one adds a dummy prefix
    space at the start (SentencePiece).
    """
    tb = _bytes_cache(tokenizer)
    lens = np.array([len(tb[i] or b"") if i < len(tb) else 0 for i in ids], dtype=np.int64)
    return lens.sum() - np.cumsum(lens)


_TB: dict[int, tuple[Any, list[bytes | None]]] = {}


def _bytes_cache(tokenizer: Any) -> list[bytes | None]:
    hit = _TB.get(id(tokenizer))
    if hit is None or hit[0] is not tokenizer:
        hit = (tokenizer, token_bytes(tokenizer))
        _TB[id(tokenizer)] = hit
    return hit[1]


# --- debiased CKA -------------------------------------------------------------------------------------------


def hsic_u_features(x: torch.Tensor, y: torch.Tensor) -> float:
    """Unbiased HSIC (Song et al. 2012) of linear kernels ``x xᵀ`` and ``y yᵀ`` from features, in O(n·dx·dy).

    Args:
        x, y: ``[n, dx]`` and ``[n, dy]`` with the same ``n`` (rows are the shared examples), ``n >= 4``.
    """
    n = x.shape[0]
    x = x.double()
    y = y.double()
    kd = (x * x).sum(1)
    ld = (y * y).sum(1)
    tr_kl = float((x.T @ y).pow(2).sum() - (kd * ld).sum())
    k1 = x @ x.sum(0) - kd  # row sums of K with zero diagonal
    l1 = y @ y.sum(0) - ld
    s_k, s_l = float(k1.sum()), float(l1.sum())
    return (tr_kl + s_k * s_l / ((n - 1) * (n - 2)) - 2.0 * float(k1 @ l1) / (n - 2)) / (n * (n - 3))


def cka_u(x: torch.Tensor, y: torch.Tensor) -> float:
    """Debiased linear CKA of two representations of the same ``n`` examples (0 when either is constant)."""
    if x.shape[0] != y.shape[0] or x.shape[0] < 4:
        raise InputError(f"CKA needs the same number (>= 4) of examples on both sides, got {x.shape[0]}, {y.shape[0]}.")
    xy = hsic_u_features(x, y)
    xx = hsic_u_features(x, x)
    yy = hsic_u_features(y, y)
    if xx <= 0 or yy <= 0:
        return 0.0
    return float(xy / np.sqrt(xx * yy))


def centred_gram(x: torch.Tensor) -> torch.Tensor:
    """The U-centred Gram matrix of ``x`` (``[n, d]``): ``hsic_u(K, L) = <Ku, Lu> / (n (n - 3))``."""
    return u_centre(x.double() @ x.double().T)


def u_centre(k: torch.Tensor) -> torch.Tensor:
    """U-centre a Gram matrix (zero diagonal; the centring of the unbiased HSIC estimator)."""
    k = k.double().clone()
    n = k.shape[0]
    k.fill_diagonal_(0.0)
    r = k.sum(0)
    tot = r.sum()
    u = k - r[:, None] / (n - 2) - r[None, :] / (n - 2) + tot / ((n - 1) * (n - 2))
    u.fill_diagonal_(0.0)
    return u


# --- comparing one model with reference models --------------------------------------------------------------


def prediction_test(value: float, refs: Sequence[float]) -> tuple[float, float, float]:
    """Is ``value`` larger than a new draw from the population the ``refs`` come from?

    The statistic is the prediction t ``(value - mean) / (sd * sqrt(1 + 1/k))`` with ``k - 1`` degrees of freedom
    (exact when the reference values are i.i.d. normal and ``value`` is one more draw). Returns
    ``(t, p_one_sided, z)`` where ``z = (value - mean) / sd`` (in reference SDs).
    """
    r = np.asarray(refs, dtype=float)
    k = r.size
    if k < 2:
        raise InputError(f"A prediction test needs at least 2 reference models, got {k}.")
    sd = float(r.std(ddof=1))
    diff = value - float(r.mean())
    if sd <= 1e-12 * max(1.0, abs(float(r.mean()))):
        if abs(diff) <= 1e-12:
            return 0.0, 1.0, 0.0
        raise InputError("The reference models give identical values, so there is no spread to compare with: are "
                         "they copies of one model? Use independently trained references.")
    t = diff / (sd * np.sqrt(1.0 + 1.0 / k))
    return float(t), float(stats.t.sf(t, k - 1)), float(diff / sd)


def rank_pvalue(value: float, refs: Sequence[float]) -> float:
    """Exact rank p-value of ``value`` among ``refs`` under exchangeability (floor ``1 / (k + 1)``)."""
    r = np.asarray(refs, dtype=float)
    return float((1 + np.sum(r >= value - 1e-12 * max(1.0, abs(value)))) / (r.size + 1))
