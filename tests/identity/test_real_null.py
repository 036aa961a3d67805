"""The foreign-identity test on real answers (tests/identity/data/real, the ``real_*`` and ``fresh_*`` halves):
with the null's default tolerance (measured on those answers, per language where there are enough), answers of
models that never claim a foreign identity reject at most alpha of the time; answers of models that do claim one are
found.

Each answer is reduced to what :func:`~distillscope.identity.analysis.foreign_claims` counts: whether the extractor
asserts a family other than the answering model's own (its lineage from the corpus' sidecar files). Batches are
drawn with replacement from the labelled answers, mixing models and languages as real traffic does.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from distillscope.identity.analysis import Response, foreign_claims
from distillscope.identity.claims import Claim, default_extractor
from distillscope.identity.probing import measured_tolerance
from distillscope.identity.scoring import load_labelled, normalise_gold

REAL = Path(__file__).parent / "data" / "real"
ALPHA = 0.05
META_COLS = ("id", "source", "model", "family", "context", "stratum", "gold_full")


def own_labels(family: str) -> set[str]:
    """The labels that are the answering model's own: its maker's families and the maker itself."""
    ex = default_extractor()
    maker = ex.families.get(family, {}).get("maker")
    if maker is None:
        return set()
    return {f for f, spec in ex.families.items() if spec.get("maker") == maker} | {f"maker:{maker}"}


@pytest.fixture(scope="module")
def answers() -> list[tuple[str, str, bool, bool]]:
    if not (REAL / "real_test.tsv").exists():
        pytest.skip("the real-answer corpus is not in this checkout")
    return real_answers()


def real_answers() -> list[tuple[str, str, bool, bool]]:
    """(model, language, gold asserts a foreign identity, extractor asserts one) for every labelled answer."""
    ex = default_extractor()
    out = []
    for name in ("real_dev", "real_test", "fresh_dev", "fresh_test"):
        items = normalise_gold(load_labelled([REAL / f"{name}.tsv"]))
        meta = [dict(zip(META_COLS, ln.split("\t"))) for ln in
                (REAL / f"{name}.meta.tsv").read_text(encoding="utf-8").splitlines() if ln and ln[0] != "#"]
        assert len(meta) == len(items)
        for it, m in zip(items, meta):
            if m["family"] == "mixture":  # several models: no single own identity
                continue
            own = own_labels(m["family"])
            gold = any(st == "asserted" and lab not in own for lab, st in it.gold)
            pred = any(c.status == "asserted" and c.label not in own for c in ex.extract(it.text))
            out.append((m["model"], it.lang, gold, pred))
    return out


def batch(rng, pool, n: int) -> list[Response]:
    picks = rng.integers(len(pool), size=n)
    foreign = Claim(0, 1, "x", "x", None, "asserted", "x")
    return [Response(pool[i][1], "real", "", [foreign] if pool[i][3] else []) for i in picks]


def test_null_on_models_that_never_claim_a_foreign_identity(answers):
    tol, v = measured_tolerance()
    assert "real answers" in v["kinds"], "the default tolerance should come from the real-answer measurement"
    claimers = {model for model, _, gold, _ in answers if gold}
    pool = [a for a in answers if a[0] not in claimers]
    assert len(pool) > 800 and len({a[1] for a in pool}) >= 3
    rng = np.random.default_rng(20)
    ps = np.array([foreign_claims(batch(rng, pool, 150), "y", tolerance=tol).p_value for _ in range(1500)])
    fpr = np.mean(ps < ALPHA)
    assert fpr <= ALPHA + 2 * np.sqrt(ALPHA * (1 - ALPHA) / len(ps)), fpr
    assert np.mean(ps) > 0.5  # far from rejecting: on honest traffic the p-values pile up near 1


def test_models_that_claim_a_foreign_identity_are_found(answers):
    tol, _ = measured_tolerance()
    claimers = {model for model, _, gold, _ in answers if gold}
    pos = [a for a in answers if a[2]]
    null = [a for a in answers if a[0] not in claimers]
    assert len(pos) >= 5
    rng = np.random.default_rng(21)
    ps = []
    for _ in range(200):  # traffic where one answer in five is a foreign claim of the kind the labels saw
        rs = batch(rng, null, 120) + batch(rng, pos, 30)
        ps.append(foreign_claims(rs, "y", tolerance=tol).p_value)
    assert np.mean(np.array(ps) < ALPHA) > 0.95
