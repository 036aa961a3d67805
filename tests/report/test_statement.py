"""statement.json (in-toto Statement v1, DSSE Ed25519) and the distillation manifest as SLSA Provenance v1."""

from __future__ import annotations

import base64
import json

import pytest

from distillscope.errors import InputError
from distillscope.report import CaseFile
from distillscope.report.statement import (
    PREDICATE_TYPE,
    STATEMENT_TYPE,
    endpoint_subject,
    generate_key,
    statement,
    subject_for,
    verify_statement,
    write_statement,
)


@pytest.fixture()
def case_dir(evidence, tmp_path):
    case = CaseFile.build(evidence, "openai:gpt-x@http://127.0.0.1:9/v1", candidate="zoo:tiny-llama")
    return case, case.save(tmp_path)


def _checks(r):
    return {c["check"]: c["ok"] for c in r["checks"]}


def test_statement_shape(case_dir):
    case, path = case_dir
    st = statement(case, endpoint_subject(case.suspect, "gpt-x"), path)
    assert st["_type"] == STATEMENT_TYPE and st["predicateType"] == PREDICATE_TYPE
    assert len(st["subject"][0]["digest"]["sha256"]) == 64
    pred = st["predicate"]
    assert pred["verdict"]["finding"] is True and len(pred["evidence"]) == len(case.evidence)
    assert pred["evidence"][0]["p_adjusted"] == case.evidence[0].p_adjusted


def test_signed_round_trip_and_tampering(case_dir, tmp_path):
    case, path = case_dir
    priv, pub = generate_key(tmp_path / "keys" / "k")
    out = write_statement(case, tmp_path / "statement.json", endpoint_subject(case.suspect, "gpt-x"), path, priv)
    r = verify_statement(out, pub)
    assert r["ok"] and r["signed"], r["checks"]
    assert set(_checks(r)) >= {"signature", "in-toto Statement v1", "case file case.json"}
    # another key does not verify
    _, pub2 = generate_key(tmp_path / "keys" / "other")
    assert not _checks(verify_statement(out, pub2))["signature"]
    # a changed payload does not verify
    env = json.loads(out.read_text())
    st = json.loads(base64.b64decode(env["payload"]))
    st["predicate"]["verdict"]["finding"] = False
    env["payload"] = base64.b64encode(json.dumps(st, sort_keys=True).encode()).decode()
    out.write_text(json.dumps(env))
    assert not _checks(verify_statement(out, pub))["signature"]
    # signed but no key: not verified
    assert not verify_statement(out)["ok"]
    with pytest.raises(InputError, match="exists"):
        generate_key(tmp_path / "keys" / "k")


def test_case_file_and_subject_digest_checked(case_dir, tmp_path):
    case, path = case_dir
    out = write_statement(case, tmp_path / "statement.json", endpoint_subject(case.suspect, "gpt-x"), path)
    assert verify_statement(out)["ok"]
    path.write_text(path.read_text().replace('"alpha": 0.05', '"alpha": 0.01', 1))
    assert not _checks(verify_statement(out))["case file case.json"]
    st = json.loads(out.read_text())
    st["subject"][0]["annotations"]["declared_model"] = "other"
    out.write_text(json.dumps(st))
    assert not _checks(verify_statement(out, case_path=tmp_path / "missing.json"))[
        "subject openai:gpt-x@http://127.0.0.1:9/v1"]


def test_weights_subject_recomputed(evidence, tmp_path, tiny):
    case = CaseFile.build(evidence, "zoo:tiny-llama")
    subj = subject_for("zoo:tiny-llama", tiny)
    assert subj["annotations"]["kind"] == "weights"
    out = write_statement(case, tmp_path / "statement.json", subj)
    assert verify_statement(out)["ok"]
    st = json.loads(out.read_text())
    st["subject"][0]["annotations"]["spec"] = st["subject"][0]["name"] = "zoo:tiny-llama-s1"  # other weights
    out.write_text(json.dumps(st))
    r = verify_statement(out)
    assert not r["ok"] and "!=" in r["checks"][-1]["detail"]


def test_provenance_statement_next_to_manifest(tmp_path):
    import torch

    from distillscope.distill.provenance import (
        SLSA_PROVENANCE,
        STATEMENT,
        provenance_statement,
        verify_manifest,
        weights_hash,
        write_manifest,
    )

    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    model = torch.nn.Linear(3, 2)
    m = write_manifest(folder, model=model, teacher={"spec": "zoo:tiny-llama", "weights_sha256": "ab" * 32},
                       data={"sha256": "cd" * 32, "n_sequences": 4}, method="logits",
                       hyperparameters={"lr": 1e-3}, started="2026-01-01T00:00:00+00:00")
    st = json.loads((folder / STATEMENT).read_text())
    assert st["_type"] == STATEMENT_TYPE and st["predicateType"] == SLSA_PROVENANCE
    assert st["subject"][0]["digest"]["sha256"] == weights_hash(model)
    assert {s["name"] for s in st["subject"]} == {"student-weights", "config.json"}
    deps = {d["name"]: d for d in st["predicate"]["buildDefinition"]["resolvedDependencies"]}
    assert deps["teacher:zoo:tiny-llama"]["digest"]["sha256"] == "ab" * 32
    assert deps["data"]["digest"]["sha256"] == "cd" * 32 and "config" in deps
    assert st == json.loads(json.dumps(provenance_statement(m), default=str))
    checks = {c["check"]: c for c in verify_manifest(folder)["checks"]}
    assert checks["in-toto statement"]["ok"] and "file provenance.intoto.json" not in checks
    (folder / STATEMENT).write_text(json.dumps({**st, "subject": []}))
    assert not {c["check"]: c for c in verify_manifest(folder)["checks"]}["in-toto statement"]["ok"]
