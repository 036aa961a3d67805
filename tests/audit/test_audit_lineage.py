"""audit with lineage on tiny white-box models: a weight-derived suspect is linked to its parent with adjusted
p < 0.01; an independently initialised control is not linked. Runs once the lineage package is in the build."""

from __future__ import annotations

import copy

import pytest
import torch

from distillscope.audit.run import AuditConfig, audit
from distillscope.models import load_model, require_white_box
from distillscope.store import SampleStore

pytest.importorskip("distillscope.lineage.functional", reason="the lineage package is not merged into this build")
pytest.importorskip("distillscope.lineage.blackbox", reason="the lineage package is not merged into this build")

CFG = AuditConfig(identity_samples=1, lineage_prompts=4, lineage_samples=2, max_tokens=16, functional_tokens=256,
                  permutations=200)


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    torch.set_num_threads(1)
    parent = load_model("zoo:tiny-llama")
    folder = tmp_path_factory.mktemp("derived") / "student"
    child = copy.deepcopy(require_white_box(parent, "test").module)
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for p in child.parameters():  # a light fine-tune stand-in: 2% noise on every weight
            p.add_(0.02 * p.std() * torch.randn(p.shape, generator=g))
    child.save_pretrained(folder)
    parent.tokenizer.save_pretrained(folder)
    panel = [load_model(f"zoo:tiny-llama-s{i}") for i in (2, 3, 4)]
    return parent, load_model(f"hf:{folder}"), load_model("zoo:tiny-llama-s1"), panel


def test_derived_suspect_is_linked_to_its_parent(models):
    parent, derived, _, panel = models
    res = audit(derived, candidate=parent, panel=panel, config=CFG, store=SampleStore(":memory:"), command="t")
    v = res.case.verdict
    assert v.finding and v.linked_candidate == "zoo:tiny-llama"
    ran = {e.name for e in res.case.evidence}
    assert {"lineage.blackbox.ngram", "lineage.functional", "lineage.weights"} <= ran
    linked = [e for e in res.case.evidence if e.name in ("lineage.functional", "lineage.weights",
                                                         "lineage.representations")]
    assert min(e.p_adjusted for e in linked) < 0.01
    assert res.subject["annotations"]["kind"] == "weights"


def test_independent_control_is_not_linked(models):
    parent, _, control, panel = models
    res = audit(control, candidate=parent, panel=panel, config=CFG, store=SampleStore(":memory:"), command="t")
    assert res.case.verdict.linked_candidate is None
    assert not any(e.significant(CFG.alpha) for e in res.case.evidence
                   if e.name.startswith(("lineage.blackbox", "lineage.functional", "lineage.weights")))
