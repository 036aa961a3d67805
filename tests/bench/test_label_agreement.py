"""The inter-labeller agreement bench (bench/identity_label_agreement.py): its folding, and that the committed
second labellings agree with the disagreement files written next to them.

    PYTHONPATH=src python -m pytest -q tests/bench/test_label_agreement.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
import identity_label_agreement as agree

REAL = ROOT / "tests" / "identity" / "data" / "real"


@pytest.mark.parametrize("full, folded", [
    ("-", "-"),
    ("maker:openai=A", "gpt=A"),                      # a maker with one family is that family
    ("maker:google=A", "maker:google=A"),             # Google has several: the maker stays
    ("gemini=A,maker:google=A", "gemini=A"),          # ... but folds into its family's label of the same status
    ("gemini=N,maker:google=A", "gemini=N,maker:google=A"),
    ("qwen=A,maker:openai=N", "gpt=N,qwen=A"),        # sorted, so the order of writing does not count
    ("maker:openai=I", "gpt=I"),
])
def test_fold(full, folded):
    assert agree.fold(full) == folded


def test_fold_rejects_a_malformed_item():
    with pytest.raises(SystemExit, match="NAME=STATUS"):
        agree.fold("gpt")


def test_kappas_see_a_disagreement():
    first = ["-"] * 8 + ["gpt=A", "gpt=A"]
    assert agree._kappas(first, first)["status level (whole label, I included)"] == 1.0
    other = first[:-1] + ["gpt=I"]
    k = agree._kappas(first, other)
    assert k["status level (whole label, I included)"] < 1.0
    assert k["answer level (any claim, I included)"] == 1.0  # a claim on both sides, only the status differs


def test_unknown_set_names_the_ones_there_are():
    with pytest.raises(SystemExit, match="blind6_test"):
        agree.agreement("no_such_test")


@pytest.mark.parametrize("name", [n for n in agree.second_sets() if n != "fresh_test"])
def test_second_labellings_match_their_disagreement_files(name):
    """Every answer the two folded labellings disagree on is a row of NAME.disagreements.tsv (those files were
    written by the helpers who compared the labellings; they may also list differences of notation only, which
    fold away here)."""
    res = agree.agreement(name)
    assert len(res["ids"]) == len(set(res["ids"])) >= 60  # (blind10_test, the smallest, holds 67)
    differ = {i for i, a, b in zip(res["ids"], res["first"], res["second"]) if a != b}
    path = REAL / f"{name}.disagreements.tsv"
    if not differ and not path.exists():
        return  # (blind10_test: 67/67 identical, so there is nothing to list)
    listed = {row[0] for row in agree._rows(path)}
    assert differ <= listed, f"{name}: disagreements not in its file: {sorted(differ - listed)}"
