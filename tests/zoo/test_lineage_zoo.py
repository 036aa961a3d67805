"""The lineage zoo (test size, tiny reference teacher): relations, seeds, pairs, provenance, weight operations."""

from __future__ import annotations

import json
from collections import Counter

import pytest
import torch
from typer.testing import CliRunner

from distillscope.zoo.lineage import (
    DERIVED_RELATIONS,
    build_lineage_zoo,
    lineage_pairs,
    merge_weights,
    prune_weights,
    quantize_weights,
    read_lineage,
)


@pytest.fixture(scope="module")
def zoo(tmp_path_factory):
    torch.set_num_threads(1)
    out = tmp_path_factory.mktemp("lineage") / "zoo"
    paths = build_lineage_zoo(out, size="test", show_progress=False)
    return out, paths, read_lineage(out)


def _module(spec):
    from distillscope.models import load_model, require_white_box

    return require_white_box(load_model(spec), "zoo test").module


@pytest.mark.slow  # builds the test-size zoo once (~35 s CPU)
def test_relations_seeds_and_teachers(zoo):
    _, paths, info = zoo
    mem = info["members"]
    assert all(m["built"] for m in mem.values()) and info["complete"]
    teachers = [n for n, m in mem.items() if m["relation"] == "teacher"]
    assert len(teachers) >= 3 and {mem[t]["arch"] for t in teachers} >= {"llama", "gpt2"}
    assert any("gemma" in n for n in info["notes"])  # installed or skipped, it is said
    per = Counter((m["teacher"], m["relation"]) for m in mem.values() if m["relation"] in DERIVED_RELATIONS)
    for t in teachers:
        for rel in DERIVED_RELATIONS:
            assert per[(t, rel)] >= 3, (t, rel)
    assert sum(m["relation"] == "control" for m in mem.values()) >= 9
    for name, p in paths.items():
        lin = json.loads((p / "provenance.json").read_text())["lineage"]
        assert lin["member"] == name and lin["relation"] == mem[name]["relation"]
    # the cross-architecture student is a GPT-2 sharing its Llama teacher's vocabulary
    x = _module(mem["teacher-scratch-llama--logit-distilled-xarch-s0"]["spec"])
    t = _module(mem["teacher-scratch-llama"]["spec"])
    assert x.config.model_type == "gpt2" and t.config.model_type == "llama"
    assert x.config.vocab_size == t.config.vocab_size
    # 5% of the mixed student's target tokens are teacher answers (the first answers that reach 5%), and it is
    # trained as long as its own hard-label controls, which are among its controls
    prov = json.loads((paths["teacher-scratch-gpt2--mixed-5pct-s0"] / "provenance.json").read_text())
    ts = prov["teacher_samples"]
    assert 0.05 <= ts["fraction_of_target_tokens"] < 0.08, ts
    assert prov["training"]["steps"] == mem["control-tiny-mixsteps-gpt2-s0"]["recipe"]["steps"]
    # the scratch teachers are different models trained on different text
    pa = json.loads((paths["teacher-scratch-llama"] / "provenance.json").read_text())
    pb = json.loads((paths["teacher-scratch-gpt2"] / "provenance.json").read_text())
    assert pa["data"]["sha256"] != pb["data"]["sha256"]


@pytest.mark.slow  # builds the test-size zoo once (~35 s CPU)
def test_pairs_counts_and_controls(zoo):
    _, _, info = zoo
    pairs = lineage_pairs(info)
    assert [p.to_dict() for p in pairs] == info["pairs"]
    assert sum(p.derived for p in pairs) >= 40 and sum(not p.derived for p in pairs) >= 40
    mem = info["members"]
    spec_of = {m["spec"]: n for n, m in mem.items()}
    for p in pairs:
        assert p.derived == (p.relation in DERIVED_RELATIONS)
        assert p.suspect_spec not in p.controls and p.candidate_spec not in p.panel
        for c in p.controls:  # hard-label controls, or recipe-matched students of a teacher other than the candidate
            m = mem[spec_of[c]]
            assert m["relation"] == "control" or (m["teacher"] != p.candidate and m["method"] == mem[p.suspect]["method"])
        assert all(mem[spec_of[c]]["tokenizer"] == mem[p.suspect]["tokenizer"] for c in p.controls)
        if p.derived:
            assert mem[p.suspect]["teacher"] == p.candidate
        else:
            assert mem[p.suspect].get("teacher") != p.candidate
    assert {p.relation for p in pairs if not p.derived} >= {"independent:control", "independent:other-teacher",
                                                            "independent:teacher"}
    assert all(len(p.controls) >= 3 for p in pairs if p.relation == "logit-distilled")
    # controls are trained like the suspect: teacher-like ones for a quantized scratch teacher, students' for a
    # student; the reference teacher's derivatives have no matched controls, and say so
    q = next(p for p in pairs if p.suspect == "teacher-scratch-gpt2--quantized-s1" and p.derived)
    st = next(p for p in pairs if p.suspect == "teacher-scratch-gpt2--sequence-distilled-s1" and p.derived)
    assert q.controls_matched and all("teacherlike" in c for c in q.controls) and len(q.controls) >= 3
    assert st.controls_matched and not any("teacherlike" in c for c in st.controls)
    assert not next(p for p in pairs if p.suspect == "teacher-ref--pruned-s0").controls_matched
    small = next(p for p in pairs if p.suspect == "teacher-scratch-llama--logit-distilled-size-s0" and p.derived)
    assert small.controls_matched
    assert all("control-tiny-small" in c or "teacher-scratch-gpt2--logit-distilled-size" in c for c in small.controls)
    # a soft-label student's controls include soft-label students of the other teacher (its own architecture first),
    # and against the other teacher its siblings; hard-label controls of its architecture come first
    kd = next(p for p in pairs if p.suspect == "teacher-scratch-llama--logit-distilled-s0" and p.derived)
    assert "teacher-scratch-gpt2--logit-distilled-xarch-s0" in kd.controls[0] and "control-tiny-llama" in kd.controls[1]
    assert any("teacher-scratch-gpt2--logit-distilled-xarch" in x for x in kd.panel)
    other = next(p for p in pairs if p.suspect == "teacher-scratch-llama--logit-distilled-s0" and not p.derived)
    assert not any("teacher-scratch-gpt2--" in c for c in other.controls)
    assert any("teacher-scratch-llama--logit-distilled-s1" in c for c in other.controls)


@pytest.mark.slow  # builds the test-size zoo once (~35 s CPU)
def test_weight_derivatives_are_what_they_claim(zoo):
    _, _, info = zoo
    mem = info["members"]
    t = _module(mem["teacher-scratch-llama"]["spec"]).state_dict()
    key = "model.layers.0.mlp.up_proj.weight"
    q = _module(mem["teacher-scratch-llama--quantized-s0"]["spec"]).state_dict()[key]  # 4 bits, group 32
    assert not torch.equal(q, t[key]) and len(torch.unique(q[0, :32])) <= 16
    pr = _module(mem["teacher-scratch-llama--pruned-s2"]["spec"]).state_dict()[key]  # sparsity 0.5
    assert abs(float((pr == 0).float().mean()) - 0.5) < 0.02 and int((t[key] == 0).sum()) == 0
    ft = _module(mem["teacher-scratch-llama--fine-tuned-s0"]["spec"]).state_dict()
    assert not torch.equal(ft[key], t[key])
    mg = _module(mem["teacher-scratch-llama--merged-s0"]["spec"]).state_dict()  # 0.5 teacher + 0.5 fine-tune
    assert torch.allclose(mg[key], 0.5 * t[key] + 0.5 * ft[key], atol=1e-6)
    # fresh students of different members start from different seeds
    a = _module(mem["teacher-scratch-llama--logit-distilled-s0"]["spec"]).state_dict()[key]
    b = _module(mem["control-tiny-llama-s0"]["spec"]).state_dict()[key]
    assert a.shape == b.shape and not torch.equal(a, b)


@pytest.mark.slow  # builds the test-size zoo once (~35 s CPU)
def test_rerun_builds_nothing_and_cli(zoo):
    from distillscope.cli import app

    out, paths, _ = zoo
    mtime = (paths["teacher-scratch-gpt2--quantized-s0"] / "provenance.json").stat().st_mtime_ns
    assert build_lineage_zoo(out, size="test", show_progress=False) == paths
    assert (paths["teacher-scratch-gpt2--quantized-s0"] / "provenance.json").stat().st_mtime_ns == mtime
    res = CliRunner().invoke(app, ["zoo", "build-lineage", "--size", "test", "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    got = json.loads(res.stdout)
    assert got["members"]["teacher-ref--sequence-distilled-s1"]["method"] == "sequences"


@pytest.mark.slow  # builds the test-size zoo once (~35 s CPU)
def test_member_whose_recipe_changed_is_rebuilt(zoo):
    out, paths, _ = zoo
    prov_path = paths["teacher-scratch-llama--pruned-s1"] / "provenance.json"
    prov = json.loads(prov_path.read_text())
    planned = prov["lineage"]["recipe"]
    prov["lineage"]["recipe"] = {**planned, "sparsity": 0.9}  # as if built by an older plan
    prov_path.write_text(json.dumps(prov))
    build_lineage_zoo(out, size="test", show_progress=False)
    assert json.loads(prov_path.read_text())["lineage"]["recipe"] == planned
    assert read_lineage(out)["members"]["teacher-scratch-llama--pruned-s1"]["built"]


def test_quantize_and_prune_reach_gpt2_conv1d():
    from distillscope.zoo import tiny_model

    m, _ = tiny_model("gpt2", seed=3)
    w0 = m.transformer.h[0].mlp.c_fc.weight.detach().clone()  # Conv1D, stored [in, out]
    quantize_weights(m, bits=3, group=16)
    w = m.transformer.h[0].mlp.c_fc.weight
    assert not torch.equal(w, w0) and len(torch.unique(w[:16, 0])) <= 8  # groups run along the input dim
    prune_weights(m, 0.4)
    assert abs(float((m.transformer.h[0].mlp.c_fc.weight == 0).float().mean()) - 0.4) < 0.02
    assert int((m.get_input_embeddings().weight == 0).sum()) == 0  # embeddings untouched


def test_merge_averages_tied_weights_once():
    from distillscope.zoo import tiny_model

    a, _ = tiny_model("llama", seed=1)
    b, _ = tiny_model("llama", seed=2)
    ea, eb = a.get_input_embeddings().weight.detach().clone(), b.get_input_embeddings().weight.detach().clone()
    merge_weights(a, b, 0.25)
    assert torch.allclose(a.get_input_embeddings().weight, 0.25 * ea + 0.75 * eb, atol=1e-6)
    assert a.get_output_embeddings().weight.data_ptr() == a.get_input_embeddings().weight.data_ptr()


def test_relations_filter_pulls_dependencies(tmp_path):
    from distillscope.zoo._lineage_plan import plan
    from distillscope.zoo.lineage import _with_dependencies

    members, _ = plan("test", "zoo:tiny-llama")
    names = {m.name for m in _with_dependencies(members, ["merged", "student-of-student"])}
    assert "teacher-scratch-gpt2--fine-tuned-s1" in names and "teacher-scratch-gpt2--logit-distilled-s2" in names
    assert "teacher-scratch-gpt2--quantized-s0" not in names
    from distillscope.errors import InputError

    with pytest.raises(InputError, match="Unknown relation"):
        _with_dependencies(members, ["telepathy"])
    with pytest.raises(InputError, match="size"):
        build_lineage_zoo(tmp_path / "x", size="huge")
