"""Evidence fixtures shaped like what identity, verify and lineage return (no models needed)."""

from __future__ import annotations

import numpy as np
import pytest

from distillscope.evidence import Evidence


def make_evidence(seed: int = 0) -> list[Evidence]:
    rng = np.random.default_rng(seed)
    return [
        Evidence("lineage.blackbox.ngram", "B is no closer to A than to the panel models", 3.2, 0.0004, 0.8,
                 "z against the panel", ["s1", "s2", "s3"],
                 details={"null_draws": rng.normal(size=300).tolist(), "per_prompt": rng.normal(size=40).tolist()}),
        Evidence("identity.foreign_claims", "foreign claims at most 1%", 0.2, 0.004, 0.2, "share of responses",
                 ["s4", "s5"], caveats=["a lead, not proof"],
                 details={"by_language": {"en": {"k": 2, "n": 10, "rate": 0.2, "low": 0.06, "high": 0.51},
                                          "zh-Hans": {"k": 0, "n": 10, "rate": 0.0, "low": 0.0, "high": 0.28}},
                          "claimed_identity": {"en": {"n": 10, "labels": {
                              "gpt": {"k": 2, "n": 10, "rate": 0.2, "low": 0.06, "high": 0.51},
                              "none": {"k": 8, "n": 10, "rate": 0.8, "low": 0.49, "high": 0.94}}}}}),
        Evidence("lineage.weights", "<script>alert('x')</script> weights unrelated", 0.4, 0.3, 0.1, "cosine",
                 [], details={"per_layer": [{"layer": i, "z": float(z)} for i, z in enumerate(rng.normal(size=6))]}),
        Evidence("verify.mmd_hamming", "same distribution", 0.01, 0.6, -0.2, "z", ["s6"]),
    ]


@pytest.fixture()
def evidence() -> list[Evidence]:
    return make_evidence()
