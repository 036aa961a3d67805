"""Style groups (monitor/style.py): grouped on one half of each account's history, tested on the other."""

import numpy as np
import pandas as pd
import pytest

from distillscope.monitor import calibrate as C
from distillscope.monitor.campaigns import LinkConfig
from distillscope.monitor.style import style_groups

# per-account propensities (Beta parameters) of each population: cot, detail, long, followup, newest model,
# and the coefficient of variation of the gaps. SAME: every account has the same propensities (accounts are
# exchangeable); ORDINARY: each account has its own (persistent heterogeneity, as real users have)
SAME = {"cot": (200, 1000), "detail": (100, 1000), "long": (100, 800), "followup": (300, 500), "newm": (200, 400),
        "cv": 1.5}
ORDINARY = {"cot": (1, 6), "detail": (1, 10), "long": (1, 8), "followup": (3, 5), "newm": (2, 4), "cv": 1.5}
HARVESTER = {"cot": (8, 2), "detail": (5, 3), "long": (4, 4), "followup": (1, 20), "newm": (9, 1), "cv": 0.4}
STUDENT = {"cot": (8, 2), "detail": (5, 3), "long": (4, 4), "followup": (6, 3), "newm": (2, 4), "cv": 1.5}


def _halves(pops: dict[str, tuple[dict, int]], seed: int) -> tuple[pd.DataFrame, dict[str, str]]:
    """``half_features``-shaped rows: each account draws its propensities once, then each half draws its
    exchanges independently from them (as two halves of one history do)."""
    rng = np.random.default_rng(seed)
    rows, who = [], {}
    for name, (spec, count) in pops.items():
        for i in range(count):
            acct = f"{name}{i:04d}"
            who[acct] = name
            n = int(rng.integers(8, 60))
            p = {k: rng.beta(*spec[k]) for k in ("cot", "detail", "long", "followup", "newm")}
            cv = spec["cv"] * float(np.exp(rng.normal(0, 0.2)))
            for h in (0, 1):
                m = n // 2
                gm = float(rng.exponential(3600))
                rows.append({"account_id": acct, "half": h, "n": m, "n_sampled": m,
                             "cot_share": rng.binomial(m, p["cot"]) / m,
                             "detail_share": rng.binomial(m, p["detail"]) / m, "synth_share": 0.0,
                             "followup_share": rng.binomial(m, p["followup"]) / m,
                             "long_output_share": rng.binomial(m, p["long"]) / m,
                             "new_model_share_after": rng.binomial(m, p["newm"]) / m,
                             "gap_mean": gm, "gap_std": gm * cv * float(np.exp(rng.normal(0, 0.3)))})
    return pd.DataFrame(rows), who


def _run(halves: pd.DataFrame, split: bool = True):
    index = pd.Index(sorted(halves["account_id"].unique()))
    n = halves.groupby("account_id")["n"].sum().reindex(index).to_numpy()
    groups, _ = style_groups(halves, index, np.ones(len(index), bool), C.strata(n), LinkConfig(), split=split)
    return index, groups


def _flagged(groups, cfg=None):
    cfg = cfg or LinkConfig()
    return [g for g in groups if g.p_adjusted <= cfg.alpha and g.effect >= cfg.min_effect
            and g.z_long >= cfg.harvest_z]


def test_known_positive_harvesters_form_flagged_style_groups():
    halves, who = _halves({"ord": (ORDINARY, 600), "harv": (HARVESTER, 40)}, seed=1)
    index, groups = _run(halves)
    assert all(g.grouped_on != g.tested_on for g in groups)
    fl = _flagged(groups)
    hit = [index[i] for g in fl for i in g.members]
    assert len({a for a in hit if who[a] == "harv"}) >= 0.8 * 40
    # harvesters are 6% of the log and at least a third of the flagged groups (the member test of
    # campaigns._add_style_groups then sets the ordinary members aside)
    assert np.mean([who[a] == "harv" for a in hit]) >= 1 / 3


@pytest.mark.parametrize("seed", [2, 3, 4])
def test_null_exchangeable_accounts_split_halves_give_valid_p_values_same_half_does_not(seed):
    """On accounts that differ only by chance, groups formed and tested on one half reach tiny p-values (they
    were selected for looking alike); formed on one half and tested on the other they are ordinary."""
    halves, _ = _halves({"same": (SAME, 700)}, seed=seed)
    _, split = _run(halves)
    _, same = _run(halves, split=False)
    assert len(split) >= 10 and not _flagged(split)
    small = sum(g.p_value <= 0.05 for g in split)
    assert small <= 0.05 * len(split) + 3 * np.sqrt(0.05 * len(split)) + 1
    assert min(g.p_value for g in split) > LinkConfig().alpha
    assert min(g.p_value for g in same) < 1e-5


def test_a_cohort_that_asks_for_reasoning_in_conversations_is_unusual_on_elicitation_only():
    """Students who ask for the steps are unusual on elicitation, not on automation; the intersection-union test
    needs both, so their groups are not significant while the harvesters' groups are."""
    halves, who = _halves({"same": (SAME, 600), "stud": (STUDENT, 60), "harv": (HARVESTER, 40)}, seed=4)
    index, groups = _run(halves)
    hit = [index[i] for g in _flagged(groups) for i in g.members]
    assert len({a for a in hit if who[a] == "harv"}) >= 0.9 * 40
    assert len({a for a in hit if who[a] == "stud"}) <= 0.1 * 60
    stud = [g for g in groups if np.mean([who[index[i]] == "stud" for i in g.members]) >= 0.5]
    assert stud and all(g.p_elicitation < 1e-6 and g.p_value > 0.1 for g in stud)
