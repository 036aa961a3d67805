"""Agreement of the two blind labellings of ``fresh_test`` (inter-annotator Cohen's kappa) and the adjudication.

    .venv/bin/python bench/identity_label_agreement.py

Reads ``tests/identity/data/real/fresh_test.meta.tsv`` (``gold_full``: the labels now in force, after
adjudication), ``fresh_test.adjudication.tsv`` (every label the adjudication changed, with the first labeller's
old value; its ``fresh_dev`` rows are not used here) and ``fresh_test.second.tsv`` (the second labeller's blind labels, committed before the first labels
were read). The first labelling is rebuilt by undoing the adjudication, so the figures stay reproducible after it.

Prints Cohen's kappa between first and second labelling at two levels, per answer:

* **answer level**: does the answer carry a claim about the model itself (any label in ``gold_full``, ``I``
  included), and the same with the main gold column only (A/N/R/H);
* **status level**: the whole label of the answer (``-``, ``gpt=A``, ``gpt=I``, ``claude=A``, ...) as one category;

then the confusion table of the status-level labels, every disagreement, and the agreement of each labelling with
the adjudicated labels.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

REAL = Path(__file__).resolve().parents[1] / "tests" / "identity" / "data" / "real"


def _rows(path: Path) -> list[list[str]]:
    return [line.rstrip("\n").split("\t") for line in path.open(encoding="utf-8") if not line.startswith("#")]


def _main_gold(full: str) -> str:
    """The main gold column (A/N/R/H) of a ``gold_full`` label: the ``=I`` labels dropped."""
    kept = [label for label in full.split(",") if label != "-" and not label.endswith("=I")]
    return ",".join(kept) or "-"


def _kappas(first: list[str], second: list[str]) -> dict[str, float]:
    return {
        "answer level (any claim, I included)": cohen_kappa_score(
            [x != "-" for x in first], [x != "-" for x in second]
        ),
        "answer level (main gold A/N/R/H)": cohen_kappa_score(
            [_main_gold(x) != "-" for x in first], [_main_gold(x) != "-" for x in second]
        ),
        "status level (whole label, I included)": cohen_kappa_score(first, second),
        "status level (main gold A/N/R/H)": cohen_kappa_score(
            [_main_gold(x) for x in first], [_main_gold(x) for x in second]
        ),
    }


def main() -> None:
    meta = _rows(REAL / "fresh_test.meta.tsv")
    second = _rows(REAL / "fresh_test.second.tsv")
    changes = {row[0]: row for row in _rows(REAL / "fresh_test.adjudication.tsv") if row[1] == "fresh_test"}
    ids = [row[0] for row in meta]
    if ids != [row[0] for row in second]:
        raise SystemExit("fresh_test.second.tsv is not in the order of fresh_test.meta.tsv")
    adjudicated = [row[6] for row in meta]
    first = [changes[i][2] if i in changes else gold for i, gold in zip(ids, adjudicated)]
    for i, gold in zip(ids, adjudicated):
        if i in changes and changes[i][4] != gold:
            raise SystemExit(f"{i}: the adjudication file says {changes[i][4]}, fresh_test.meta.tsv {gold}")
    two = [row[2] for row in second]
    n = len(ids)
    agree = sum(a == b for a, b in zip(first, two))
    print(f"fresh_test: {n} answers, first and second labelling agree on {agree} ({agree / n:.1%})")
    for name, kappa in _kappas(first, two).items():
        print(f"  Cohen's kappa, {name}: {kappa:.3f}")
    labels = sorted(set(first) | set(two), key=lambda x: (x != "-", x))
    table = Counter(zip(first, two))
    width = max(len(x) for x in labels) + 2
    print("\nconfusion (rows: first labeller, columns: second labeller; gold_full)")
    print(" " * width + "".join(f"{x:>{width}}" for x in labels))
    for a in labels:
        print(f"{a:<{width}}" + "".join(f"{table[(a, b)]:>{width}}" for b in labels))
    print("\ndisagreements (id: first -> second; adjudicated)")
    for i, a, b, c in zip(ids, first, two, adjudicated):
        if a != b:
            print(f"  {i}: {a} -> {b}; adjudicated {c}")
    for name, labelling in (("first", first), ("second", two)):
        same = sum(x == y for x, y in zip(labelling, adjudicated))
        print(f"{name} labelling vs adjudicated: {same}/{n} agree, status-level kappa "
              f"{cohen_kappa_score(labelling, adjudicated):.3f}")


if __name__ == "__main__":
    main()
