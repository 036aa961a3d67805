"""Agreement of two blind labellings of a real-answer test half (inter-annotator Cohen's kappa).

    .venv/bin/python bench/identity_label_agreement.py                    # fresh_test and its adjudication
    .venv/bin/python bench/identity_label_agreement.py --set blind6_test  # any half with a .second.tsv file
    .venv/bin/python bench/identity_label_agreement.py --all              # every half with a second labelling

**Other halves** (``--set NAME``): the first labels are ``gold_full`` of ``NAME.meta.tsv`` and, for sets whose
unlicensed answers are stored as labels only, of ``NAME.labels.tsv`` or the matching ``*_unlic_test.labels.tsv``; the second labels are
``NAME.second.tsv``'s ``second_gold_full``. Both are folded as the scorer folds gold (a maker with one family is
that family: ``maker:openai=A`` is ``gpt=A``; a maker label next to a label of its own family with the same status
is dropped), so that notation does not count as disagreement. Those halves were never adjudicated: both labellings
are printed against each other only.

**fresh_test** (the default):

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

import argparse
from collections import Counter
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

from distillscope.identity.claims import ClaimExtractor, default_extractor

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


def fold(full: str, extractor: ClaimExtractor | None = None) -> str:
    """A ``gold_full`` label in the scorer's convention, as one canonical string: ``maker:openai=A`` becomes
    ``gpt=A`` (a maker with one family is labelled by it), a maker label is dropped next to a label of one of its
    families with the same status, and the items are sorted (``-`` when there are none)."""
    ex = extractor or default_extractor()
    items = []
    for item in full.split(","):
        if item in ("-", ""):
            continue
        label, sep, status = item.rpartition("=")
        if not sep or not label or not status:
            raise SystemExit(f"malformed label item {item!r} in {full!r}: expected NAME=STATUS items joined by ','")
        items.append((ex.label_of(None, label[6:]) if label.startswith("maker:") else label, status))
    kept = {(label, st) for label, st in items if not (label.startswith("maker:") and any(
        other != label and st2 == st and ex.maker_of(other) == label[6:] for other, st2 in items))}
    return ",".join(f"{label}={st}" for label, st in sorted(kept)) or "-"


def first_labels(name: str) -> dict[str, str]:
    """``gold_full`` per answer id of a test half: its meta file and, where the set keeps unlicensed answers as
    labels only, that labels file too."""
    out: dict[str, str] = {}
    stem = name.removesuffix("_test")
    for path in (REAL / f"{name}.meta.tsv", REAL / f"{name}.labels.tsv", REAL / f"{stem}_unlic_test.labels.tsv"):
        if path.exists():
            out.update({row[0]: row[-1] for row in _rows(path)})
    if not out:
        raise SystemExit(f"no first labels for {name}: expected {name}.meta.tsv, {name}.labels.tsv or "
                         f"{stem}_unlic_test.labels.tsv in {REAL}")
    return out


def second_sets() -> list[str]:
    """Every test half with a second, blind labelling (``*.second.tsv``), fresh_test first."""
    names = sorted(p.name.removesuffix(".second.tsv") for p in REAL.glob("*.second.tsv"))
    return sorted(names, key=lambda n: n != "fresh_test")


def agreement(name: str) -> dict:
    """Both labellings of a half (folded) and their kappas; see the module docstring."""
    second_path = REAL / f"{name}.second.tsv"
    if not second_path.exists():
        raise SystemExit(f"{name} has no second labelling ({second_path.name}); halves with one: "
                         f"{', '.join(second_sets())}")
    first_all = first_labels(name)
    second = _rows(second_path)
    ids = [row[0] for row in second]
    missing = [i for i in ids if i not in first_all]
    if missing:
        raise SystemExit(f"{second_path.name} labels {len(missing)} answers with no first label, e.g. {missing[:3]}")
    first = [fold(first_all[i]) for i in ids]
    two = [fold(row[2]) for row in second]
    return {"set": name, "ids": ids, "first": first, "second": two, "kappa": _kappas(first, two)}


def print_agreement(res: dict) -> None:
    first, two, ids = res["first"], res["second"], res["ids"]
    n = len(ids)
    agree = sum(a == b for a, b in zip(first, two))
    claims = sum(x != "-" for x in first)
    print(f"{res['set']}: {n} answers ({claims} with a first label), first and second labelling agree on {agree} "
          f"({agree / n:.1%}) after folding")
    for kname, kappa in res["kappa"].items():
        print(f"  Cohen's kappa, {kname}: {kappa:.3f}")
    for i, a, b in zip(ids, first, two):
        if a != b:
            print(f"  {i}: first {a} / second {b}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = ap.add_mutually_exclusive_group()
    group.add_argument("--set", help="a test half with a .second.tsv file (default: fresh_test, with its "
                       "adjudication)")
    group.add_argument("--all", action="store_true", help="every half with a second labelling")
    args = ap.parse_args()
    if args.all:
        for name in second_sets():
            if name == "fresh_test":
                fresh_main()
            else:
                print_agreement(agreement(name))
            print()
    elif args.set and args.set != "fresh_test":
        print_agreement(agreement(args.set))
    else:
        fresh_main()


def fresh_main() -> None:
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
