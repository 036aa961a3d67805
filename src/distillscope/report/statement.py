"""``statement.json``: the case summary as an in-toto Statement v1, optionally signed (Ed25519, DSSE envelope).

    from distillscope.report.statement import generate_key, write_statement, verify_statement
    generate_key("keys/audit")                          # keys/audit.pem (private) and keys/audit.pub
    write_statement(case, "out/statement.json", subject, case_path="out/case.json", key="keys/audit.pem")
    verify_statement("out/statement.json", key="keys/audit.pub")["ok"]

The subject is the suspect: the sha256 of its weights (:func:`distillscope.distill.provenance.weights_hash`) when
they are local, else a sha256 over the endpoint spec and the model name it declared (which names the service, not
its weights; the annotations say which kind it is). The predicate carries the verdict, every evidence's p-values
and effect size, the command, the versions and the sha256 of ``case.json``.

Signing follows DSSE (https://github.com/secure-systems-lab/dsse): the signature is over
``PAE(payloadType, payload)`` and the envelope carries the base64 payload; keys are PEM files made with the
``cryptography`` library.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

from distillscope.errors import InputError
from distillscope.report.case import CaseFile

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://distillscope.dev/attestation/case/v1"
PAYLOAD_TYPE = "application/vnd.in-toto+json"


# --- subjects -------------------------------------------------------------------------------------------------
def weights_subject(spec: str, model: Any) -> dict[str, Any]:
    """Subject for local weights: the sha256 of a white-box model's parameters."""
    from distillscope.distill.provenance import weights_hash
    from distillscope.models import require_white_box

    wb = require_white_box(model, "hashing the suspect's weights")
    return {"name": spec, "digest": {"sha256": weights_hash(wb.module)},
            "annotations": {"kind": "weights", "spec": spec}}


def endpoint_digest(spec: str, declared_model: str | None) -> str:
    blob = json.dumps({"spec": spec, "declared_model": declared_model}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def endpoint_subject(spec: str, declared_model: str | None = None) -> dict[str, Any]:
    """Subject for a remote endpoint: a sha256 over its spec and the model name it declared."""
    return {"name": spec, "digest": {"sha256": endpoint_digest(spec, declared_model)},
            "annotations": {"kind": "endpoint", "spec": spec, "declared_model": declared_model,
                            "note": "digest of the endpoint spec and declared model name, not of weights"}}


def subject_for(spec: str, model: Any, declared_model: str | None = None) -> dict[str, Any]:
    from distillscope.models import is_white_box

    return weights_subject(spec, model) if is_white_box(model) else endpoint_subject(spec, declared_model)


# --- statement ------------------------------------------------------------------------------------------------
def file_sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def statement(case: CaseFile, subject: dict[str, Any], case_path: str | Path | None = None) -> dict[str, Any]:
    """An in-toto Statement v1 about ``subject`` whose predicate is the case summary."""
    d = case.to_dict()
    pred: dict[str, Any] = {
        "kind": d["kind"], "created": d["created"], "suspect": d["suspect"], "candidate": d["candidate"],
        "panel": d["panel"], "reference": d["reference"], "alpha": d["alpha"],
        "verdict": {k: d["verdict"][k] for k in ("finding", "headline", "strength", "linked_candidate")},
        "evidence": [{k: e[k] for k in ("name", "null", "p_value", "p_adjusted", "effect_size", "effect_name")}
                     for e in d["evidence"]],
        "skipped": d["skipped"], "samples": d["samples"], "command": d["command"], "versions": d["versions"],
    }
    if case_path is not None:
        pred["case_file"] = {"name": Path(case_path).name, "digest": {"sha256": file_sha256(case_path)}}
    return {"_type": STATEMENT_TYPE, "subject": [subject], "predicateType": PREDICATE_TYPE, "predicate": pred}


# --- keys and DSSE ----------------------------------------------------------------------------------------------
def generate_key(path: str | Path) -> tuple[Path, Path]:
    """Write a new Ed25519 key pair: ``PATH.pem`` (private, PKCS#8, unencrypted) and ``PATH.pub``."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    base = Path(path)
    priv, pub = base.with_suffix(".pem"), base.with_suffix(".pub")
    if priv.exists():
        raise InputError(f"{priv} exists; pick another path (keys are never overwritten).")
    base.parent.mkdir(parents=True, exist_ok=True)
    k = Ed25519PrivateKey.generate()
    priv.write_bytes(k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption()))
    priv.chmod(0o600)
    pub.write_bytes(k.public_key().public_bytes(serialization.Encoding.PEM,
                                                serialization.PublicFormat.SubjectPublicKeyInfo))
    return priv, pub


def _load_private(path: str | Path) -> Any:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        k = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as e:
        raise InputError(f"Cannot read the private key {path}: {e}. Make one with `distillscope audit keygen`.") from e
    if not isinstance(k, Ed25519PrivateKey):
        raise InputError(f"{path} is not an Ed25519 key; make one with `distillscope audit keygen`.")
    return k


def _load_public(path: str | Path) -> Any:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        k = serialization.load_pem_public_key(Path(path).read_bytes())
    except (OSError, ValueError) as e:
        raise InputError(f"Cannot read the public key {path}: {e}.") from e
    if not isinstance(k, Ed25519PublicKey):
        raise InputError(f"{path} is not an Ed25519 public key.")
    return k


def key_id(public_key: Any) -> str:
    from cryptography.hazmat.primitives import serialization

    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE pre-authentication encoding."""
    t = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def sign(stmt: dict[str, Any], key: str | Path) -> dict[str, Any]:
    """A DSSE envelope around ``stmt`` signed with the Ed25519 private key at ``key``."""
    k = _load_private(key)
    payload = json.dumps(stmt, ensure_ascii=False, sort_keys=True).encode()
    sig = k.sign(pae(PAYLOAD_TYPE, payload))
    return {"payloadType": PAYLOAD_TYPE, "payload": base64.b64encode(payload).decode(),
            "signatures": [{"keyid": key_id(k.public_key()), "sig": base64.b64encode(sig).decode()}]}


def write_statement(case: CaseFile, path: str | Path, subject: dict[str, Any], case_path: str | Path | None = None,
                    key: str | Path | None = None) -> Path:
    """Write ``statement.json`` (a DSSE envelope when ``key`` is given); returns its path."""
    st = statement(case, subject, case_path)
    out = sign(st, key) if key else st
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return p


# --- verification ---------------------------------------------------------------------------------------------
def _check(checks: list[dict[str, Any]], name: str, ok: bool, detail: str) -> None:
    checks.append({"check": name, "ok": bool(ok), "detail": detail})


def verify_statement(path: str | Path, key: str | Path | None = None, case_path: str | Path | None = None,
                     check_subject: bool = True) -> dict[str, Any]:
    """Check a statement: its signature (with ``key``), its shape, the suspect's digest and the case file's.

    The subject digest is recomputed by loading the suspect's spec when it names local weights, or from the
    annotations when it names an endpoint. ``case_path`` defaults to ``case.json`` next to the statement.

    Returns:
        ``{"ok": bool, "signed": bool, "statement": {...}, "checks": [{"check", "ok", "detail"}]}``.
    """
    p = Path(path)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise InputError(f"Cannot read the statement {p}: {e}") from e
    checks: list[dict[str, Any]] = []
    signed = isinstance(doc, dict) and "payload" in doc and "signatures" in doc
    if signed:
        try:
            payload = base64.b64decode(doc["payload"], validate=True)
            st = json.loads(payload)
        except ValueError as e:
            raise InputError(f"{p}: the DSSE payload is not base64 JSON ({e}).") from e
        if key is None:
            _check(checks, "signature", False, "the statement is signed: pass the public key with --key")
        else:
            from cryptography.exceptions import InvalidSignature

            pub = _load_public(key)
            ok, kid = False, key_id(pub)
            for s in doc["signatures"]:
                try:
                    pub.verify(base64.b64decode(s["sig"]), pae(doc.get("payloadType", ""), payload))
                    ok = True
                except (InvalidSignature, ValueError, KeyError):
                    continue
            _check(checks, "signature", ok, f"valid Ed25519 signature by key {kid[:16]}" if ok else
                   "no signature verifies with this key (payload changed or another key signed it)")
            _check(checks, "payload type", doc.get("payloadType") == PAYLOAD_TYPE, str(doc.get("payloadType")))
    else:
        st = doc
        if key is not None:
            _check(checks, "signature", False, "a key was given but the statement is not signed")
    shape_ok = (isinstance(st, dict) and st.get("_type") == STATEMENT_TYPE and isinstance(st.get("subject"), list)
                and bool(st["subject"]) and all(isinstance(s, dict) and s.get("digest") for s in st["subject"])
                and st.get("predicateType") == PREDICATE_TYPE)
    _check(checks, "in-toto Statement v1", shape_ok, "shape and types" if shape_ok else "not a distillscope statement")
    if not shape_ok:
        return {"ok": False, "signed": signed, "statement": st, "checks": checks}
    if check_subject:
        for s in st["subject"]:
            _check(checks, f"subject {s.get('name')}", *_subject_ok(s))
    cf = st["predicate"].get("case_file")
    cpath = Path(case_path) if case_path else p.parent / (cf or {}).get("name", "case.json")
    if cf and cpath.exists():
        got, want = file_sha256(cpath), cf["digest"]["sha256"]
        _check(checks, f"case file {cpath.name}", got == want,
               "sha256 matches" if got == want else f"sha256 {got[:12]} != statement {want[:12]}")
    elif cf:
        _check(checks, "case file", False, f"{cpath} not found (pass --case)")
    return {"ok": all(c["ok"] for c in checks), "signed": signed, "statement": st, "checks": checks}


def _subject_ok(s: dict[str, Any]) -> tuple[bool, str]:
    ann = s.get("annotations") or {}
    want = (s.get("digest") or {}).get("sha256")
    if ann.get("kind") == "endpoint":
        got = endpoint_digest(ann.get("spec", s.get("name")), ann.get("declared_model"))
        return got == want, "endpoint digest matches" if got == want else "endpoint digest differs"
    if ann.get("kind") == "weights":
        from distillscope.models import load_model

        try:
            got = weights_subject(ann.get("spec", s.get("name")), load_model(ann.get("spec", s.get("name"))))
        except Exception as e:  # noqa: BLE001 - a suspect that does not load here is a failed check, named
            return False, f"could not load {s.get('name')} to hash its weights: {e}"
        g = got["digest"]["sha256"]
        return g == want, "weights sha256 matches" if g == want else f"weights sha256 {g[:12]} != {str(want)[:12]}"
    return False, f"unknown subject kind {ann.get('kind')!r}"
