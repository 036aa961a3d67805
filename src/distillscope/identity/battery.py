"""The identity probe battery: ``distillscope/probes/identity/<language>.yaml`` as :class:`Probe` objects.

Adding a language in three steps:
1. Copy ``en.yaml`` to ``<bcp47-tag>.yaml`` and write every probe as a native speaker would ask it.
2. Keep the probe ids (``model``, ``maker``, ``company``, ``name``, ``cutoff``, ``system_conflict``,
   ``roleplay``) so results line up across languages.
3. Add the language's cue words to ``identity/data/cues.yaml`` and a few labelled answers to the test set.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from distillscope.errors import InputError
from distillscope.models.base import GenRequest

KINDS = ("direct", "maker", "company", "indirect", "system_conflict", "roleplay")


@dataclass(frozen=True)
class Probe:
    """One identity question in one language."""

    language: str
    id: str
    kind: str
    user: str
    system: str | None = None

    def request(self, seed_index: int = 0, max_tokens: int = 64, temperature: float = 1.0, seed: int = 0) -> GenRequest:
        msgs = ([{"role": "system", "content": self.system}] if self.system else []) + [
            {"role": "user", "content": self.user}]
        return GenRequest.chat(msgs, max_tokens=max_tokens, temperature=temperature, seed=seed,
                               seed_index=seed_index)


def _parse(name: str, text: str) -> list[Probe]:
    try:
        d: Any = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise InputError(f"Probe file {name} is not valid YAML: {e}") from e
    if not isinstance(d, dict) or "language" not in d or not isinstance(d.get("probes"), list):
        raise InputError(f"Probe file {name} needs 'language' and a 'probes' list.")
    out = []
    for i, p in enumerate(d["probes"]):
        if not isinstance(p, dict) or not p.get("id") or not p.get("user"):
            raise InputError(f"Probe {i} in {name} needs 'id' and 'user'.")
        kind = p.get("kind", "direct")
        if kind not in KINDS:
            raise InputError(f"Probe {p['id']!r} in {name} has unknown kind {kind!r}; use one of {', '.join(KINDS)}.")
        out.append(Probe(str(d["language"]), str(p["id"]), kind, str(p["user"]), p.get("system")))
    return out


@lru_cache(maxsize=1)
def _all() -> dict[str, list[Probe]]:
    root = resources.files("distillscope.probes.identity")
    out: dict[str, list[Probe]] = {}
    for f in sorted(root.iterdir(), key=lambda f: f.name):
        if f.name.endswith(".yaml"):
            probes = _parse(f.name, f.read_text(encoding="utf-8"))
            if probes:
                out[probes[0].language] = probes
    return out


def languages() -> list[str]:
    """Language tags of the shipped battery."""
    return list(_all())


def resolve_languages(requested: list[str] | str | None) -> list[str]:
    """Turn ``None``/``"all"``/``"en,zh"`` into battery tags; ``zh`` means both Chinese scripts."""
    known = languages()
    if requested is None or requested == "all" or requested == ["all"]:
        return known
    items = requested.split(",") if isinstance(requested, str) else [x for r in requested for x in r.split(",")]
    out: list[str] = []
    for raw in items:
        r = raw.strip()
        if not r:
            continue
        hits = [k for k in known if k.lower() == r.lower()] or [k for k in known if k.lower().split("-")[0] == r.lower()]
        if not hits:
            raise InputError(f"Unknown probe language {r!r}. Available: {', '.join(known)} (or 'all').")
        out += [h for h in hits if h not in out]
    return out


def load_battery(langs: list[str] | str | None = None, probe_ids: list[str] | None = None) -> list[Probe]:
    """Probes of the given languages (default all), optionally only some probe ids."""
    table = _all()
    out = [p for lang in resolve_languages(langs) for p in table[lang]]
    if probe_ids:
        unknown = set(probe_ids) - {p.id for p in out}
        if unknown:
            raise InputError(f"Unknown probe id(s) {sorted(unknown)}; available: {sorted({p.id for p in out})}.")
        out = [p for p in out if p.id in probe_ids]
    return out
