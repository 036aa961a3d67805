"""The centered token kernel: a two-sample statistic that sees reweightings keyed to the previous tokens (KGW and
SynthID watermarks), sharpening and flattening, from text alone.

    from distillscope.verify.kernel import completion_grams, kernel_statistic
    grams = completion_grams(records, prompt_of)      # {"prompt": (N, N), "prev1": ..., "prev4": ...}
    stat = kernel_statistic(grams["prev1"], labels)   # labels (..., N) 0/1 -> (...) statistics

Every token ``i`` of a completion becomes the vector ``v_i = e(x_i) - p_i``: the one-hot of the token minus the
next-token distribution of a white-box LM at that position (the reference itself, or any proxy LM; kept to its
:data:`~distillscope.verify.features.TOP_K` most likely tokens). If the completion was sampled from that LM,
``v_i`` has mean 0 given everything before it, so for two tokens ``i, j`` of different completions (or ``i`` before
``j`` in one completion) ``E[<v_i, v_j>] = 0`` whatever decides which pairs are compared, as long as it is known
before the later token. A watermark that boosts a pseudo-random "green" subset of the vocabulary chosen by the
previous token(s) moves ``v_i`` and ``v_j`` the same way whenever they follow the same previous token(s): their
inner product has a positive mean. The Gram matrices sum ``<v_i, v_j>`` over pairs of tokens that share a key
(``prompt``: the same prompt; ``prevW``: the same W previous tokens, across prompts; ``prompt_raw``: the same
prompt, one-hots not centered), per pair of completions,
without the ``i = j`` terms. The statistic of a labeling is the kernel MMD^2 between the endpoint's and the
reference's completions (``(N, N)`` Gram, unbiased within-group sums): both sides pass through the same function of
their text, so label shuffles within prompts give an exact p-value whatever the LM.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

from distillscope.verify.features import TokenRecord

KEYS = ("prompt", "prev1", "prev4", "prompt_raw")

# Gram matrices computed ahead over a larger set of completions (see :func:`precompute`); a Gram entry depends only
# on its two completions, so any subset's Gram is a sub-matrix.
_PRECOMPUTED: list[tuple[dict[int, int], np.ndarray, dict[str, np.ndarray]]] = []


def _token_vectors(records: Sequence[TokenRecord], centered: bool = True
                   ) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
    """Sparse ``(tokens, vocab)`` rows ``e(x_i) - p_i`` (``e(x_i)`` if not ``centered``), the completion of each
    token and its position."""
    rows, cols, vals, owner, pos = [], [], [], [], []
    t0 = 0
    vocab = 1
    for c, r in enumerate(records):
        n = len(r.ids)
        if not n:
            continue
        k = r.topk_ids.shape[1]
        idx = np.arange(t0, t0 + n)
        rows += [np.repeat(idx, k), idx]
        cols += [r.topk_ids.reshape(-1), r.ids]
        vals += [-r.topk_p.reshape(-1).astype(np.float64) * centered, np.ones(n)]
        owner.append(np.full(n, c))
        pos.append(np.arange(n))
        vocab = max(vocab, int(r.topk_ids.max()) + 1, int(r.ids.max()) + 1)
        t0 += n
    if not t0:
        return sparse.csr_matrix((0, 1)), np.zeros(0, int), np.zeros(0, int)
    v = sparse.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(t0, vocab))
    v.sum_duplicates()  # the sampled token is usually among the top K: its entry becomes 1 - p
    v.eliminate_zeros()
    return v, np.concatenate(owner), np.concatenate(pos)


def _keys(records: Sequence[TokenRecord], prompt_of: Sequence[int], key: str) -> list[tuple[int, ...]]:
    out: list[tuple[int, ...]] = []
    for r, p in zip(records, prompt_of):
        if key.removesuffix("_raw") == "prompt":
            out += [(int(p),)] * len(r.ids)
            continue
        w = int(key.removeprefix("prev"))
        full = [*(int(t) for t in r.context), *(int(t) for t in r.ids)]
        off = len(r.context)
        out += [tuple(full[max(0, off + t - w) : off + t]) for t in range(len(r.ids))]
    return out


def completion_grams(records: Sequence[TokenRecord], prompt_of: Sequence[int],
                     keys: Sequence[str] = KEYS) -> dict[str, np.ndarray]:
    """``(N, N)`` Gram matrices over completions, one per key (see the module docstring).

    Args:
        records: one :class:`TokenRecord` per completion, both sides, in any order.
        prompt_of: the prompt index of each completion.
        keys: which token pairs are compared: ``prompt`` (every pair of tokens of the same prompt) and/or
            ``prevW`` (pairs that follow the same W tokens); a ``_raw`` suffix compares the one-hots alone, not
            centered by the LM (``prompt_raw``: an MMD of token counts per prompt, which sees a change of content
            that the LM would predict from the completion's own context, such as a hidden system prompt's topic).

    Returns:
        ``{key: G}`` with ``G[a, b]`` the sum of ``<v_i, v_j>`` over keyed pairs ``i`` in completion ``a``, ``j`` in
        ``b`` (``i != j``); the diagonal holds twice the sum over ordered pairs within one completion.
    """
    n = len(records)
    out = {}
    vecs = {c: _token_vectors(records, c) for c in {not k.endswith("_raw") for k in keys}}
    for key in keys:
        v, owner, _ = vecs[not key.endswith("_raw")]
        diag = np.bincount(owner, weights=np.asarray(v.multiply(v).sum(1)).ravel(), minlength=n)
        ks = _keys(records, prompt_of, key)
        index: dict[tuple[int, ...], int] = {}
        gid = np.array([index.setdefault(k, len(index)) for k in ks], dtype=np.int64)
        if not len(gid):
            out[key] = np.zeros((n, n))
            continue
        coo = v.tocoo()
        width = np.int64(v.shape[1])
        # completion-level maps: token vector placed in the block of its key, summed per completion
        # only the (key, token) columns that occur: a dense column index keeps the product small
        cols, col = np.unique(gid[coo.row] * width + coo.col, return_inverse=True)
        phi = sparse.csr_matrix((coo.data, (owner[coo.row], col)), shape=(n, cols.size))
        g = (phi @ phi.T).toarray()
        g[np.diag_indices(n)] -= diag
        out[key] = g
    return out


def kernel_statistic(gram: np.ndarray, labels: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """MMD^2 between label-1 and label-0 completions under ``gram``, for one or many labelings.

    Args:
        gram: ``(N, N)`` from :func:`completion_grams`.
        labels: ``(..., N)`` 0/1 labels (1 = endpoint).
        valid: ``(N,)`` mask of real entries (padding has label 0 and must not count as reference).

    Returns:
        ``(...)`` statistics: mean Gram entry within the endpoint's completions + within the reference's - 2 x
        between (the diagonal, which holds pairs inside one completion, counts within).
    """
    lab = np.asarray(labels, float)
    val = np.ones(gram.shape[0]) if valid is None else np.asarray(valid, float)
    ref = val - lab
    m = lab.sum(-1)
    k = ref.sum(-1)
    ge = np.einsum("...i,ij->...j", lab, gram)
    gr = np.einsum("...i,ij->...j", ref, gram)
    ee = (ge * lab).sum(-1)
    rr = (gr * ref).sum(-1)
    er = (ge * ref).sum(-1)
    return ee / np.maximum(m * m, 1) + rr / np.maximum(k * k, 1) - 2 * er / np.maximum(m * k, 1)


def precompute(records: Sequence[TokenRecord], prompt_of: Sequence[int], keys: Sequence[str] = KEYS) -> None:
    """Compute the Gram matrices of ``records`` once, so that :func:`grams` of any subset of them (the same record
    objects) is a lookup: for benchmarks that draw many trials from one pool. :func:`clear` frees them."""
    _PRECOMPUTED.append(({id(r): i for i, r in enumerate(records)}, np.asarray(prompt_of),
                         completion_grams(records, prompt_of, keys)))


def clear() -> None:
    _PRECOMPUTED.clear()


def grams(records: Sequence[TokenRecord], prompt_of: Sequence[int], keys: Sequence[str] = KEYS) -> dict[str, np.ndarray]:
    """:func:`completion_grams`, from a :func:`precompute` set when it holds every record with the same prompts."""
    for index, prompts, g in _PRECOMPUTED:
        at = [index.get(id(r), -1) for r in records]
        if min(at, default=-1) < 0 or not all(k in g for k in keys):
            continue
        here = np.asarray(prompt_of)
        same = here[:, None] == here[None, :]
        if np.array_equal(same, prompts[at][:, None] == prompts[at][None, :]):
            return {k: g[k][np.ix_(at, at)] for k in keys}
    return completion_grams(records, prompt_of, keys)
