"""Permutation helpers: exactness of p-values, stratification, sign flips, nonparametric combination."""

import numpy as np
import pytest

from distillscope.errors import InputError
from distillscope.stats.permutation import (
    npc_pvalue,
    permutation_pvalue,
    sign_flip_test,
    stratified_label_permutations,
)
from distillscope.stats.power import rejection_rate


def test_pvalue_counts_ties_and_never_zero():
    null = np.array([0.0, 1.0, 2.0, 3.0])
    assert permutation_pvalue(3.0, null) == pytest.approx(2 / 5)
    assert permutation_pvalue(10.0, null) == pytest.approx(1 / 5)
    assert permutation_pvalue(-10.0, null, "less") == pytest.approx(1 / 5)
    assert permutation_pvalue(-3.0, null, "two-sided") == pytest.approx(2 / 5)
    with pytest.raises(InputError):
        permutation_pvalue(1.0, null, "bigger")


def test_stratified_permutations_stay_within_strata_and_keep_padding():
    labels = np.array([[1, 1, 0, 0, 0], [1, 0, 0, 0, 0]], dtype=float)
    valid = np.array([[1, 1, 1, 1, 0], [1, 1, 0, 0, 0]], dtype=bool)
    perms = stratified_label_permutations(labels, valid, 500, seed=3)
    assert perms.shape == (500, 2, 5)
    assert np.all(perms.sum(-1) == labels.sum(-1))  # group sizes per stratum fixed
    assert np.all(perms[:, ~valid] == 0)  # padding never gets a label
    # every valid slot of stratum 0 sometimes carries label 1
    assert np.all(perms[:, 0, :4].mean(0) > 0.3)
    again = stratified_label_permutations(labels, valid, 500, seed=3)
    assert np.array_equal(perms, again)  # seeded: reproducible
    with pytest.raises(InputError):
        stratified_label_permutations(labels, valid[:, ::-1], 10)  # padding not at the end


def test_sign_flip_null_calibrated_and_detects_shift():
    rng = np.random.default_rng(0)
    ps = [sign_flip_test(rng.standard_t(3, size=20), 199, seed=i).p_value for i in range(300)]
    r = rejection_rate(ps, 0.05)
    assert r.low <= 0.05  # FPR <= alpha within its binomial interval
    assert np.mean(np.array(ps) < 0.5) == pytest.approx(0.5, abs=0.1)  # roughly uniform
    pos = [sign_flip_test(rng.normal(0.8, 1, size=20), 199, seed=i).p_value for i in range(50)]
    assert rejection_rate(pos, 0.05).rate > 0.8


def _two_stats(x, labels, valid, perms):
    # mean difference and variance ratio on the same relabelings
    def stats(u):
        v = valid - u
        mx = (u * x).sum((-1, -2)) / u.sum((-1, -2))
        my = (v * x).sum((-1, -2)) / v.sum((-1, -2))
        return mx - my
    obs = stats(labels)
    null = stats(perms)
    return np.concatenate([[obs], null])


def test_npc_null_calibrated_and_positive():
    rng = np.random.default_rng(1)
    labels = np.zeros((4, 12))
    labels[:, :6] = 1
    valid = np.ones((4, 12), dtype=bool)
    ps_null, ps_alt = [], []
    for t in range(150):
        perms = stratified_label_permutations(labels, valid, 199, seed=t)
        x = rng.normal(size=(4, 12))
        s1 = _two_stats(x, labels, valid.astype(float), perms)
        s2 = _two_stats(x**2, labels, valid.astype(float), perms)
        ps_null.append(npc_pvalue([s1, s2], ["two-sided", "greater"])[0])
        xa = x + labels * 0.9
        a1 = _two_stats(xa, labels, valid.astype(float), perms)
        a2 = _two_stats(xa**2, labels, valid.astype(float), perms)
        ps_alt.append(npc_pvalue([a1, a2], ["two-sided", "greater"], "min")[0])
    assert rejection_rate(ps_null, 0.05).low <= 0.05
    assert rejection_rate(ps_alt, 0.05).rate > 0.7
