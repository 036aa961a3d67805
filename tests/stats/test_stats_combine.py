"""P-value combination: agreement with scipy, known values, calibration under independence."""

import numpy as np
import pytest
from scipy import stats

from distillscope.errors import InputError
from distillscope.stats.combine import bonferroni, cauchy, combine_pvalues, fisher, stouffer
from distillscope.stats.power import rejection_rate


def test_known_values():
    assert bonferroni([0.01, 0.5, 0.9]) == pytest.approx(0.03)
    assert bonferroni([0.6, 0.9]) == 1.0
    assert fisher([0.1, 0.2]) == pytest.approx(stats.combine_pvalues([0.1, 0.2], method="fisher").pvalue)
    assert cauchy([0.3]) == pytest.approx(0.3)
    assert cauchy([0.2, 0.2, 0.2]) == pytest.approx(0.2)  # equal p-values combine to themselves
    assert cauchy([1e-20, 0.9]) < 1e-19
    assert 0 < stouffer([0.04, 0.04]) < 0.04


def test_bad_input():
    with pytest.raises(InputError):
        combine_pvalues([0.1, 1.2])
    with pytest.raises(InputError):
        combine_pvalues([])
    with pytest.raises(InputError):
        combine_pvalues([0.1], "median")


@pytest.mark.parametrize("method", ["bonferroni", "cauchy", "fisher", "stouffer"])
def test_null_calibrated_and_positive(method):
    rng = np.random.default_rng(7)
    null = [combine_pvalues(rng.uniform(size=4), method) for _ in range(600)]
    assert rejection_rate(null, 0.05).low <= 0.05
    # signal in every component: combined rejects far more often than alpha
    alt = [combine_pvalues(stats.norm.sf(rng.normal(2.0, 1, size=4)), method) for _ in range(200)]
    assert rejection_rate(alt, 0.05).rate > 0.5
