"""Provenance manifest (``provenance.json``) written next to every student, and its verification.

The manifest records the teacher (spec and weight hash), the data (hash, size), the method and hyperparameters,
the code version, timestamps, the student's own weight hash and a hash of every file in the folder. ``verify``
recomputes what it can: file hashes always, the student's weight hash always, the teacher's weight hash when the
teacher spec can be loaded here.

Next to the manifest, ``provenance.intoto.json`` states the same as an in-toto Statement v1 with an SLSA
Provenance v1 predicate: the student's weights and files are the subjects; teacher, data and configuration are the
resolved dependencies (:func:`provenance_statement`).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from distillscope.errors import InputError

MANIFEST = "provenance.json"
STATEMENT = "provenance.intoto.json"
SCHEMA = "distillscope.provenance/1"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
SLSA_PROVENANCE = "https://slsa.dev/provenance/v1"
BUILD_TYPE = "https://distillscope.dev/distill/v1"


def weights_hash(model: Any) -> str:
    """sha256 over a module's parameters and buffers (names, dtypes, shapes, bytes), in name order."""
    import torch

    sd = model.state_dict() if hasattr(model, "state_dict") else model
    h = hashlib.sha256()
    for name in sorted(sd):
        t = sd[name]
        if not isinstance(t, torch.Tensor):
            continue
        t = t.detach().cpu().contiguous()
        h.update(f"{name}|{t.dtype}|{tuple(t.shape)}|".encode())
        h.update(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return h.hexdigest()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def code_version() -> dict[str, str | None]:
    """distillscope's version and, when run from a git checkout, its commit."""
    import distillscope

    commit = None
    try:
        here = Path(__file__).resolve().parent
        r = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5, check=False)
        commit = r.stdout.strip() or None if r.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        pass
    return {"distillscope": getattr(distillscope, "__version__", None), "git_commit": commit}


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _file_hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): file_sha256(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in (MANIFEST, STATEMENT) and "checkpoint" not in p.relative_to(folder).parts
    }


def write_manifest(folder: str | Path, *, model: Any, teacher: dict[str, Any], data: dict[str, Any], method: str,
                   hyperparameters: dict[str, Any], started: str, parents: list[dict[str, Any]] | None = None,
                   extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Write ``provenance.json`` into ``folder`` (after the model files are saved there) and return it.

    Args:
        folder: the saved student (``save_pretrained`` output).
        model: the student module (its weight hash is recorded).
        teacher: ``{"spec": ..., "weights_sha256": ... or None, "declared_model": ...}``.
        data: ``{"sha256": ..., "n_sequences": ..., "n_target_tokens": ..., "source": ...}``.
        method: ``"logits"``, ``"sequences"``, ``"finetune"``, ``"quantize"``, ``"corpus"`` ...
        hyperparameters: everything that shaped training.
        started: ISO timestamp of the start of the run.
        parents: further ancestors (e.g. the checkpoint a student was initialised from).
    """
    folder = Path(folder)
    manifest = {
        "schema": SCHEMA,
        "method": method,
        "teacher": teacher,
        "parents": parents or [],
        "data": data,
        "hyperparameters": hyperparameters,
        "student": {"weights_sha256": weights_hash(model), "architecture": _arch(model)},
        "code": code_version(),
        "started": started,
        "finished": now(),
        "files": _file_hashes(folder),
        **(extra or {}),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=False, default=str))
    (folder / STATEMENT).write_text(json.dumps(provenance_statement(manifest), indent=2, default=str))
    return manifest


def _canonical_sha256(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


def provenance_statement(manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest as an in-toto Statement v1 with an SLSA Provenance v1 predicate.

    Subjects: the student's weights (``weights_sha256``) and every file of the folder. Resolved dependencies: the
    teacher (its weights digest when known, else its spec), further parents, the data and the hyperparameters.
    """
    subjects = [{"name": "student-weights", "digest": {"sha256": manifest["student"]["weights_sha256"]},
                 "annotations": {"kind": "weights", "architecture": manifest["student"].get("architecture", {})}}]
    subjects += [{"name": name, "digest": {"sha256": h}} for name, h in manifest.get("files", {}).items()]
    deps = []
    for role, dep in [("teacher", manifest.get("teacher") or {})] + [("parent", d) for d in manifest.get("parents", [])]:
        h = dep.get("weights_sha256")
        deps.append({"name": f"{role}:{dep.get('spec')}",
                     "digest": {"sha256": h} if h else {"sha256": _canonical_sha256({"spec": dep.get("spec")})},
                     "annotations": {"role": role, **{k: v for k, v in dep.items() if k != "weights_sha256"},
                                     "digest_of": "weights" if h else "spec only (weights not hashed)"}})
    data = manifest.get("data") or {}
    if data.get("sha256"):
        deps.append({"name": "data", "digest": {"sha256": data["sha256"]},
                     "annotations": {"role": "data", **{k: v for k, v in data.items() if k != "sha256"}}})
    hp = manifest.get("hyperparameters", {})
    deps.append({"name": "config", "digest": {"sha256": _canonical_sha256(hp)},
                 "annotations": {"role": "config", "method": manifest.get("method")}})
    code = manifest.get("code") or {}
    return {
        "_type": STATEMENT_TYPE,
        "subject": subjects,
        "predicateType": SLSA_PROVENANCE,
        "predicate": {
            "buildDefinition": {"buildType": BUILD_TYPE,
                                "externalParameters": {"method": manifest.get("method"), "hyperparameters": hp},
                                "resolvedDependencies": deps},
            "runDetails": {"builder": {"id": "https://distillscope.dev/distill",
                                       "version": {k: str(v) for k, v in code.items() if v is not None}},
                           "metadata": {"startedOn": manifest.get("started"), "finishedOn": manifest.get("finished")}},
        },
    }


def _arch(model: Any) -> dict[str, Any]:
    cfg = getattr(model, "config", None)
    if cfg is None:
        return {}
    keys = ("model_type", "vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads")
    n = sum(p.numel() for p in model.parameters()) if hasattr(model, "parameters") else None
    return {**{k: getattr(cfg, k, None) for k in keys}, "n_parameters": n}


def read_manifest(folder: str | Path) -> dict[str, Any]:
    p = Path(folder)
    p = p if p.name == MANIFEST else p / MANIFEST
    if not p.exists():
        raise InputError(f"No {MANIFEST} at {p.parent}: this folder was not written by `distillscope distill`.")
    try:
        m = json.loads(p.read_text())
    except ValueError as e:
        raise InputError(f"{p} is not valid JSON ({e}).") from e
    if m.get("schema") != SCHEMA:
        raise InputError(f"{p} has schema {m.get('schema')!r}, expected {SCHEMA!r}.")
    return m


def verify_manifest(folder: str | Path, check_teacher: bool = False) -> dict[str, Any]:
    """Recompute hashes and compare with the manifest.

    Returns:
        ``{"ok": bool, "checks": [{"check", "ok", "detail"}, ...]}``. ``ok`` is False if any check fails.
    """
    folder = Path(folder)
    m = read_manifest(folder)
    checks: list[dict[str, Any]] = []
    now_files = _file_hashes(folder)
    for name, h in m.get("files", {}).items():
        got = now_files.get(name)
        checks.append({"check": f"file {name}", "ok": got == h,
                       "detail": "matches" if got == h else ("missing" if got is None else "content changed")})
    for name in sorted(set(now_files) - set(m.get("files", {}))):
        checks.append({"check": f"file {name}", "ok": False, "detail": "not in the manifest (added later)"})
    try:
        from distillscope.models import load_pretrained

        model, _ = load_pretrained(folder)
        got = weights_hash(model)
        want = m["student"]["weights_sha256"]
        checks.append({"check": "student weights", "ok": got == want,
                       "detail": "match" if got == want else f"hash {got[:12]} != manifest {want[:12]}"})
    except Exception as e:  # noqa: BLE001 - a folder that does not load is itself a failed check
        checks.append({"check": "student weights", "ok": False, "detail": f"could not load: {e}"})
    st_path = folder / STATEMENT
    if st_path.exists():
        try:
            same = json.loads(st_path.read_text()) == json.loads(json.dumps(provenance_statement(m), default=str))
        except ValueError:
            same = False
        checks.append({"check": "in-toto statement", "ok": same,
                       "detail": "agrees with the manifest" if same else f"{STATEMENT} differs from the manifest"})
    th = (m.get("teacher") or {}).get("weights_sha256")
    if check_teacher and th:
        from distillscope.models import load_model, require_white_box

        t = load_model(m["teacher"]["spec"])
        got = weights_hash(require_white_box(t, 'checking the teacher weights').module)
        checks.append({"check": "teacher weights", "ok": got == th,
                       "detail": "match" if got == th else f"hash {got[:12]} != manifest {th[:12]}"})
    return {"ok": all(c["ok"] for c in checks), "folder": str(folder), "method": m.get("method"),
            "teacher": (m.get("teacher") or {}).get("spec"), "checks": checks}
