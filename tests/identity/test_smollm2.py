"""Real SmolLM2-135M-Instruct answers two identity probes in English and Chinese (integration, small N)."""

from __future__ import annotations

import pytest

from distillscope.identity.claims import extract


@pytest.mark.integration
def test_probe_real_smollm2(smollm2):
    from distillscope.identity import probe_identity
    from distillscope.store import SampleStore

    store = SampleStore(":memory:")
    report = probe_identity(smollm2, languages=["en", "zh-Hans"], probes=["model"], samples=2, max_tokens=24,
                            store=store, n_perm=199)
    assert report.expected == "smollm"  # taken from the declared model name
    assert [r["language"] for r in report.summary_rows()] == ["en", "zh-Hans"]
    assert len(report.responses) == 4 and all(r.sample_id for r in report.responses)
    assert any(r.text.strip() for r in report.responses)
    for r in report.responses:
        assert [(c.label, c.status) for c in r.claims] == [(c.label, c.status) for c in extract(r.text)]
    assert {e.name for e in report.evidence} == {"identity.foreign_claims", "identity.language_dependence"}
    # A rerun is served from the store.
    again = probe_identity(smollm2, languages=["en", "zh-Hans"], probes=["model"], samples=2, max_tokens=24,
                           store=store, n_perm=199)
    assert [r.text for r in again.responses] == [r.text for r in report.responses]
