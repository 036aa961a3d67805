"""The case file: every Evidence of one investigation, Holm-adjusted, with a verdict and what it takes to re-run it.

    from distillscope.report import CaseFile
    case = CaseFile.build(evidence, suspect="openai:x@http://host/v1", candidate="zoo:smollm2-135m-instruct")
    case.save("out/")            # out/case.json (validated against report/data/case.schema.json)
    CaseFile.load("out/case.json").verdict.headline

``build`` fills ``Evidence.p_adjusted`` (Holm over every evidence with a p-value, :func:`distillscope.evidence.holm`)
and decides the verdict (:func:`distillscope.report.verdict.decide`). A case file records the exact command, the
package versions, the sample ids behind every evidence and a digest over them, the steps skipped and why.
"""

from __future__ import annotations

import copy
import hashlib
import json
import platform
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from distillscope.errors import InputError
from distillscope.evidence import Evidence, _jsonable, holm
from distillscope.report.verdict import Verdict, decide

SCHEMA_ID = "distillscope.case/1"
CASE_FILE = "case.json"
PACKAGES = ("distillscope", "torch", "transformers", "tokenizers", "numpy", "scipy", "duckdb")


def versions() -> dict[str, str | None]:
    """Python, platform and the versions of the packages that shape the numbers."""
    out: dict[str, str | None] = {"python": platform.python_version(), "platform": platform.platform()}
    for p in PACKAGES:
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            out[p] = None
    return out


def sample_digest(ids: Iterable[str]) -> str:
    """sha256 over the sorted, distinct sample ids (newline-separated): one hash for every sample used."""
    return hashlib.sha256("\n".join(sorted(set(ids))).encode()).hexdigest()


@dataclass
class Example:
    """One stored sample shown next to the evidence it drove."""

    sample_id: str
    text: str
    source: str = ""
    prompt: str = ""
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"sample_id": self.sample_id, "text": self.text, "source": self.source, "prompt": self.prompt,
                "note": self.note}


@dataclass
class CaseFile:
    """A list of Evidence with metadata, Holm-adjusted p-values and a verdict.

    Attributes:
        evidence: the records (``p_adjusted`` filled by :meth:`build`).
        verdict: the plain-language verdict.
        suspect, candidate, panel, reference: the models involved (specs).
        kind: ``"audit"`` or ``"compare"``.
        command: the exact command line that produced the case.
        versions: package versions (:func:`versions`).
        skipped: steps not run, each ``{"step", "reason"}``.
        caveats: case-wide caveats (each evidence keeps its own).
        examples: per evidence name, the samples that drove it (text included).
        plan, spend: the planned steps with their call cost, and what was spent.
        extra: anything else a renderer may show (kept JSON-serialisable).
    """

    evidence: list[Evidence]
    verdict: Verdict
    suspect: str
    candidate: str | None = None
    panel: list[str] = field(default_factory=list)
    reference: str | None = None
    kind: str = "audit"
    command: str = ""
    versions: dict[str, Any] = field(default_factory=versions)
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    skipped: list[dict[str, str]] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    examples: dict[str, list[Example]] = field(default_factory=dict)
    plan: list[dict[str, Any]] = field(default_factory=list)
    spend: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(cls, evidence: Iterable[Evidence], suspect: str, *, alpha: float = 0.05, candidate: str | None = None,
              decider: Callable[..., Verdict] = decide, command: str | Iterable[str] | None = None,
              **kw: Any) -> CaseFile:
        """Holm-adjust copies of ``evidence`` across the case, decide the verdict, record the command.

        Args:
            evidence: the records (copied; the caller's are left untouched).
            suspect: spec of the model under audit.
            alpha: family-wise error rate of the verdict.
            candidate: the model the suspect may derive from.
            decider: ``f(evidence, alpha=, suspect=, candidate=) -> Verdict`` (default :func:`decide`).
            command: the command line (default: this process's ``sys.argv``).
            **kw: further :class:`CaseFile` fields.
        """
        if not 0 < alpha < 1:
            raise InputError(f"alpha must be in (0, 1), got {alpha}.")
        ev = [copy.deepcopy(e) for e in evidence]
        for e in ev:
            e.p_adjusted = None
        holm(ev)
        verdict = decider(ev, alpha=alpha, suspect=suspect, candidate=candidate)
        if command is None:
            command = sys.argv
        if not isinstance(command, str):
            command = list(command)
            if command and Path(command[0]).name == "distillscope":  # the entry point, not this machine's path
                command[0] = "distillscope"
        cmd = command if isinstance(command, str) else " ".join(_quote(a) for a in command)
        return cls(evidence=ev, verdict=verdict, suspect=suspect, candidate=candidate, command=cmd, **kw)

    @property
    def alpha(self) -> float:
        return self.verdict.alpha

    @property
    def sample_ids(self) -> list[str]:
        return sorted({s for e in self.evidence for s in e.sample_ids})

    def to_dict(self) -> dict[str, Any]:
        ids = self.sample_ids
        return _jsonable({
            "schema": SCHEMA_ID, "kind": self.kind, "created": self.created, "command": self.command,
            "versions": self.versions, "suspect": self.suspect, "candidate": self.candidate, "panel": self.panel,
            "reference": self.reference, "alpha": self.alpha, "verdict": self.verdict.to_dict(),
            "evidence": [e.to_dict() for e in self.evidence],
            "samples": {"n": len(ids), "sha256": sample_digest(ids)},
            "examples": {k: [x.to_dict() for x in v] for k, v in self.examples.items()},
            "skipped": self.skipped, "caveats": self.caveats, "plan": self.plan, "spend": self.spend,
            "extra": self.extra,
        })

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CaseFile:
        validate(d)
        ev = [Evidence.from_dict(e) for e in d["evidence"]]
        return cls(evidence=ev, verdict=Verdict.from_dict(d["verdict"]), suspect=d["suspect"],
                   candidate=d.get("candidate"), panel=d.get("panel", []), reference=d.get("reference"),
                   kind=d["kind"], command=d["command"], versions=d["versions"], created=d["created"],
                   skipped=d.get("skipped", []), caveats=d.get("caveats", []),
                   examples={k: [Example(**x) for x in v] for k, v in d.get("examples", {}).items()},
                   plan=d.get("plan", []), spend=d.get("spend", {}), extra=d.get("extra", {}))

    def save(self, folder: str | Path) -> Path:
        """Validate and write ``folder/case.json``; returns its path."""
        d = self.to_dict()
        validate(d)
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        p = out / CASE_FILE
        p.write_text(json.dumps(d, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return p

    @classmethod
    def load(cls, path: str | Path) -> CaseFile:
        p = Path(path)
        p = p / CASE_FILE if p.is_dir() else p
        try:
            d = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise InputError(f"Cannot read the case file {p}: {e}") from e
        return cls.from_dict(d)


def _quote(a: str) -> str:
    import shlex

    return shlex.quote(str(a))


def schema() -> dict[str, Any]:
    """The JSON Schema of ``case.json`` shipped in the package (``report/data/case.schema.json``)."""
    return json.loads(resources.files("distillscope.report").joinpath("data/case.schema.json").read_text())


def validate(d: dict[str, Any]) -> None:
    """Raise :class:`InputError` naming the first place where ``d`` breaks the case-file schema."""
    import jsonschema

    v = jsonschema.Draft202012Validator(schema())
    errors = sorted(v.iter_errors(d), key=lambda e: list(e.absolute_path))
    if errors:
        e = errors[0]
        where = "/".join(str(p) for p in e.absolute_path) or "(top level)"
        raise InputError(f"case file does not match {SCHEMA_ID} at {where}: {e.message}")
