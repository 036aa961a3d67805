"""MMD two-sample test with a Hamming (codepoint) kernel over strings, stratified by prompt.

Each completion is cut or padded to ``L`` characters and compared position by position:
``k(x, y) = #{l < L : x_l == y_l} / L``. Completions of different prompts get kernel 0, so the Gram matrix is
block diagonal with one block per prompt. The statistic is the mean over prompts of the unbiased per-prompt
MMD^2; its null distribution comes from shuffling the source labels within each prompt (exact under the null
that both sources draw completions of a prompt from the same distribution).

All heavy work is numpy: the Gram blocks are ``(P, n, n)`` and the ``B`` relabelings are ``(B, P, n)``, so the
statistic on all relabelings is two batched matrix products.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from distillscope.errors import InputError
from distillscope.stats.permutation import SeedLike, permutation_pvalue, stratified_label_permutations

PAD = 0  # codepoint used for padding; NUL never occurs in model output we keep


def encode_codepoints(texts: Sequence[str], length: int) -> np.ndarray:
    """``(len(texts), length)`` int32 array of Unicode codepoints, cut or padded with ``PAD``."""
    if length < 1:
        raise InputError(f"kernel length must be >= 1 character, got {length}.")
    out = np.full((len(texts), length), PAD, dtype=np.int32)
    for i, t in enumerate(texts):
        cp = np.frombuffer(t[:length].encode("utf-32-le"), dtype=np.uint32).astype(np.int32)
        out[i, : cp.size] = cp
    return out


def hamming_gram(codes: np.ndarray) -> np.ndarray:
    """Number of equal positions for every pair of rows: ``(n, L) -> (n, n)`` (not normalised)."""
    codes = np.asarray(codes)
    n = codes.shape[0]
    gram = np.empty((n, n), dtype=np.float64)
    # Row blocks keep the (rows, n, L) boolean temporary small for long strings.
    step = max(1, int(4e6 // max(1, n * codes.shape[1])))
    for s in range(0, n, step):
        gram[s : s + step] = (codes[s : s + step, None, :] == codes[None, :, :]).sum(-1)
    return gram


@dataclass
class StratifiedSamples:
    """Two sources' completions grouped by prompt, padded into arrays.

    ``labels[p, i] = 1`` marks source X (e.g. the endpoint), 0 source Y (the reference); ``valid`` masks padding.
    """

    codes: np.ndarray  # (P, n, L) int32
    labels: np.ndarray  # (P, n) float 0/1
    valid: np.ndarray  # (P, n) bool
    length: int
    dropped: list[int] = field(default_factory=list)  # prompt indices with < 2 samples on a side


def stratify(x_by_prompt: Sequence[Sequence[str]], y_by_prompt: Sequence[Sequence[str]], length: int = 1000) -> StratifiedSamples:
    """Pack per-prompt completion lists of two sources; prompts with fewer than 2 samples on a side are dropped."""
    if len(x_by_prompt) != len(y_by_prompt):
        raise InputError(f"Both sources need completions for the same prompts: got {len(x_by_prompt)} and "
                         f"{len(y_by_prompt)} prompt groups.")
    keep = [p for p in range(len(x_by_prompt)) if len(x_by_prompt[p]) >= 2 and len(y_by_prompt[p]) >= 2]
    dropped = [p for p in range(len(x_by_prompt)) if p not in set(keep)]
    if not keep:
        raise InputError("MMD needs at least 2 completions per source for at least one prompt.")
    n = max(len(x_by_prompt[p]) + len(y_by_prompt[p]) for p in keep)
    longest = max(len(t) for p in keep for t in [*x_by_prompt[p], *y_by_prompt[p]])
    # Positions past the longest completion are padding in every string: they add the same constant to every
    # kernel entry, which cancels in the unbiased MMD, so they need not be compared.
    used = max(1, min(length, longest))
    codes = np.full((len(keep), n, used), PAD, dtype=np.int32)
    labels = np.zeros((len(keep), n))
    valid = np.zeros((len(keep), n), dtype=bool)
    for j, p in enumerate(keep):
        texts = [*x_by_prompt[p], *y_by_prompt[p]]
        codes[j, : len(texts)] = encode_codepoints(texts, used)
        labels[j, : len(x_by_prompt[p])] = 1
        valid[j, : len(texts)] = True
    return StratifiedSamples(codes, labels, valid, length, dropped)


def gram_blocks(s: StratifiedSamples) -> np.ndarray:
    """``(P, n, n)`` Hamming kernel blocks normalised by the nominal length, diagonal zeroed, padding zeroed."""
    P, n, _ = s.codes.shape
    k = np.zeros((P, n, n))
    for p in range(P):
        m = int(s.valid[p].sum())
        k[p, :m, :m] = hamming_gram(s.codes[p, :m])
    k /= float(s.length)
    idx = np.arange(n)
    k[:, idx, idx] = 0.0
    return k


def mmd2_per_prompt(k0: np.ndarray, u: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Unbiased per-prompt MMD^2 for label arrays ``u`` of shape ``(..., P, n)``; ``k0`` has a zero diagonal.

    With ``v = valid - u``: ``MMD^2 = u'Ku/(m(m-1)) + v'Kv/(k(k-1)) - 2 u'Kv/(mk)``.
    """
    v = valid.astype(float) - u
    # (..., P, n) @ (P, n, n): batched over the leading relabeling axis.
    ku = np.einsum("...pi,pij->...pj", u, k0, optimize=True)
    kv = np.einsum("...pi,pij->...pj", v, k0, optimize=True)
    sxx = (ku * u).sum(-1)
    sxy = (ku * v).sum(-1)
    syy = (kv * v).sum(-1)
    m = u.sum(-1)
    c = v.sum(-1)
    return sxx / (m * (m - 1)) + syy / (c * (c - 1)) - 2 * sxy / (m * c)


@dataclass
class MMDResult:
    statistic: float  # mean per-prompt unbiased MMD^2
    p_value: float
    null_mean: float
    null_sd: float
    n_perm: int
    per_prompt: list[float]
    null: np.ndarray  # (B,) statistics on relabelings (for nonparametric combination)
    dropped: list[int]

    @property
    def z(self) -> float:
        return 0.0 if self.null_sd <= 0 else (self.statistic - self.null_mean) / self.null_sd


def mmd_test(x_by_prompt: Sequence[Sequence[str]], y_by_prompt: Sequence[Sequence[str]], length: int = 1000,
             n_perm: int = 1000, seed: SeedLike = 0, perms: np.ndarray | None = None) -> MMDResult:
    """Stratified MMD permutation test between two sources' completions of the same prompts.

    Args:
        x_by_prompt: for each prompt, source X's completions.
        y_by_prompt: for each prompt, source Y's completions (same prompt order).
        length: ``L``, characters compared per completion.
        n_perm: number of within-prompt relabelings.
        seed: random seed of the relabelings (same seed, same p-value).
        perms: precomputed ``(B, P, n)`` relabelings (to share them with other statistics); overrides n_perm/seed.
    """
    s = stratify(x_by_prompt, y_by_prompt, length)
    k0 = gram_blocks(s)
    obs_pp = mmd2_per_prompt(k0, s.labels, s.valid)
    if perms is None:
        perms = stratified_label_permutations(s.labels, s.valid, n_perm, seed)
    null = mmd2_per_prompt(k0, perms, s.valid).mean(-1)
    obs = float(obs_pp.mean())
    return MMDResult(obs, permutation_pvalue(obs, null, "greater"), float(null.mean()), float(null.std()),
                     int(null.size), [float(x) for x in obs_pp], null, s.dropped)
