"""The claim extractor's full output (every claim's offsets, name, family, maker, status, label and cue) on every
labelled text, short and padded into a long answer, must be what was recorded in
``tests/identity/data/extractor_outputs.json.gz``: a change meant only to make the extractor faster must not change
one claim.

A change to the rules that is meant to change outputs changes this record too; write it again with the rules in
use and say so in the commit:

    PYTHONPATH=src .venv/bin/python tests/identity/test_extractor_outputs.py --write

(Texts are keyed by a hash, so lines added to or removed from the labelled files only narrow or leave the check.)
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
from pathlib import Path

from distillscope.identity.claims import Claim, default_extractor

DATA = Path(__file__).resolve().parent / "data"
RECORD = DATA / "extractor_outputs.json.gz"
# The bench's long answers (bench/identity_extractor.py): the labelled text with ordinary prose on each side.
FILLER = (" I can help with many tasks, such as writing emails, summarising articles, explaining concepts in "
          "science and history, brainstorming ideas, translating between languages and solving math problems. "
          "Let me know what you need and I will do my best to give a clear and accurate answer.")
PAD = (FILLER * 3)[:700]


def texts() -> list[str]:
    """Every labelled text (tests/identity/data/*.tsv and real/*.tsv), alone and padded as a long answer."""
    out: dict[str, None] = {}
    for p in sorted(DATA.glob("*.tsv")) + sorted((DATA / "real").glob("*.tsv")):
        for line in p.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if line.startswith("#") or len(parts) != 3:
                continue
            t = parts[2].replace("\\n", "\n")
            out[t] = None
            out[f"{PAD} {t} {PAD}"] = None
    return list(out)


def key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def row(c: Claim) -> list:
    return [c.start, c.end, c.text, c.family, c.maker, c.status, c.label, c.cue]


def outputs(ts: list[str]) -> dict[str, list[list]]:
    ex = default_extractor()
    return {key(t): [row(c) for c in ex.extract(t)] for t in ts}


def test_extractor_outputs_are_unchanged():
    recorded = json.loads(gzip.decompress(RECORD.read_bytes()))["outputs"]
    now = texts()
    checked = [t for t in now if key(t) in recorded]
    # (the record covers the labelled files as they were; most texts must still be there to check)
    assert len(checked) >= 0.9 * len(recorded), f"only {len(checked)} of {len(recorded)} recorded texts left"
    got = outputs(checked)
    changed = [t for t in checked if got[key(t)] != recorded[key(t)]]
    assert not changed, (
        f"{len(changed)} of {len(checked)} texts now get other claims, e.g. {changed[0][:120]!r}: "
        f"recorded {recorded[key(changed[0])]}, now {got[key(changed[0])]}. If the rules were changed on purpose, "
        "write the record again (see this module's docstring).")


if __name__ == "__main__" and "--write" in sys.argv:
    ts = texts()
    payload = {"about": "claims of identity.claims.extract on every labelled text, alone and padded as a long "
                        "answer; written by tests/identity/test_extractor_outputs.py --write",
               "outputs": outputs(ts)}
    RECORD.write_bytes(gzip.compress(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
                                     mtime=0))
    print(f"{len(ts)} texts written to {RECORD}")
