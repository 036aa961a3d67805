"""Hamming-kernel MMD: kernel correctness, block structure, calibration, power, reproducibility."""

import numpy as np
import pytest

from distillscope.errors import InputError
from distillscope.stats.mmd import encode_codepoints, hamming_gram, mmd_test
from distillscope.stats.power import rejection_rate

ALPHABET = list("abcdefgh ")


def _texts(rng, n, favour, bias=3.0, length=40):
    p = np.ones(len(ALPHABET))
    p[favour % len(ALPHABET)] += bias
    p /= p.sum()
    return ["".join(rng.choice(ALPHABET, size=rng.integers(length // 2, length), p=p)) for _ in range(n)]


def test_kernel_counts_equal_positions_with_padding():
    codes = encode_codepoints(["abc", "abd", "ab", "é✓"], 4)
    g = hamming_gram(codes)
    assert g[0, 1] == 3  # a, b, and the padded last position
    assert g[0, 2] == 3  # a, b, pad==pad at position 3; 'c' vs pad differs
    assert g[0, 0] == 4 and g[3, 3] == 4
    assert g[3, 0] == 1  # only the trailing padding matches
    naive = [[sum(a == b for a, b in zip(x.ljust(4, "\0"), y.ljust(4, "\0"))) for y in ["abc", "abd", "ab", "é✓"]]
             for x in ["abc", "abd", "ab", "é✓"]]
    assert np.array_equal(g, naive)


def test_identical_sources_give_negative_or_zero_statistic_and_reproducible_p():
    rng = np.random.default_rng(0)
    x = [_texts(rng, 6, p) for p in range(5)]
    r1 = mmd_test(x, [list(t) for t in x], length=40, n_perm=200, seed=1)
    r2 = mmd_test(x, [list(t) for t in x], length=40, n_perm=200, seed=1)
    assert r1.p_value == r2.p_value and r1.statistic == r2.statistic
    assert r1.p_value > 0.5


def test_kernel_is_zero_across_prompts():
    # Same per-prompt distributions, but the prompt order of one source is rotated: a pooled test would be blind
    # (same mixture), the per-prompt test is not.
    rng = np.random.default_rng(2)
    x = [_texts(rng, 8, p, bias=6) for p in range(6)]
    y = [_texts(rng, 8, p, bias=6) for p in range(6)]
    assert mmd_test(x, y, 40, 300, 0).p_value > 0.01
    assert mmd_test(x, y[1:] + y[:1], 40, 300, 0).p_value < 0.01


def test_null_uniform_and_positive():
    rng = np.random.default_rng(5)
    null, alt = [], []
    for t in range(120):
        x = [_texts(rng, 5, p) for p in range(4)]
        y = [_texts(rng, 5, p) for p in range(4)]
        z = [_texts(rng, 5, p + 1) for p in range(4)]
        null.append(mmd_test(x, y, 40, 99, t).p_value)
        alt.append(mmd_test(z, y, 40, 99, t).p_value)
    assert rejection_rate(null, 0.05).low <= 0.05
    assert np.mean(np.array(null) < 0.5) == pytest.approx(0.5, abs=0.15)
    assert rejection_rate(alt, 0.05).rate > 0.8


def test_unequal_sizes_and_too_few():
    rng = np.random.default_rng(3)
    r = mmd_test([_texts(rng, 3, 0), _texts(rng, 1, 1)], [_texts(rng, 5, 0), _texts(rng, 4, 1)], 40, 50, 0)
    assert r.dropped == [1] and len(r.per_prompt) == 1
    with pytest.raises(InputError):
        mmd_test([["a"]], [["b", "c"]])
