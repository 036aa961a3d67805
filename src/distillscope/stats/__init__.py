"""Statistics shared by every analysis: permutation tests, p-value combination, MMD, power planning.

Modules:
    permutation  stratified label permutations, sign flips, permutation p-values, nonparametric combination
    combine      Fisher, Stouffer, Cauchy (ACAT) and Bonferroni combinations of p-values
    mmd          Hamming/codepoint kernel over strings and a stratified (per-prompt) MMD permutation test
    power        power and sample-size planning (normal approximation) and empirical power with intervals
    intervals    confidence intervals (owned by the identity package)
    weighted_binomial  exact upper tail of a sum of integer-weighted binomials (capped-count watermark scores)
"""

from distillscope.stats.combine import bonferroni, cauchy, combine_pvalues, fisher, stouffer
from distillscope.stats.mmd import mmd_test
from distillscope.stats.permutation import (
    npc_pvalue,
    permutation_pvalue,
    sign_flip_test,
    stratified_label_permutations,
)
from distillscope.stats.power import plan_rank_test, rank_test_power, rejection_rate

__all__ = [
    "bonferroni",
    "cauchy",
    "combine_pvalues",
    "fisher",
    "mmd_test",
    "npc_pvalue",
    "permutation_pvalue",
    "plan_rank_test",
    "rank_test_power",
    "rejection_rate",
    "sign_flip_test",
    "stouffer",
    "stratified_label_permutations",
]
