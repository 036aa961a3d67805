"""A labelled benign reference: the provider's own known-good accounts, as the null of every monitor test.

Without one, :mod:`.calibrate` resamples the log itself, which on a log where campaigns are a third of the accounts
is a contaminated null (and a per-account p-value from it cannot go below 1 / accounts). A provider knows some
accounts are good: long-standing customers, verified organisations, accounts reviewed by trust & safety. Give them
as a SPEC, one or more items separated by commas:

* ``ids:PATH``: a text file of account ids of the scanned log, one per line (blank lines and ``#`` comments
  skipped; a first line ``account_id`` is a header);
* ``log:PATH``: a separate log (file or folder, any format ``scan`` reads) of known-good traffic: its rows are
  scanned with the log, and every account in it is a reference account;
* a bare ``PATH``: a ``.txt``/``.ids``/``.lst`` file, or a ``.csv`` whose only column is ``account_id``, is an id
  file; anything else is a log.

    distillscope monitor scan logs/ --benign-reference known_good.txt
    distillscope monitor scan logs/ --benign-reference ids:verified.txt,log:reviewed_accounts/

    from distillscope.monitor.reference import parse_reference
    ref = parse_reference("known_good.txt")      # Reference(ids=[...], logs=[...])
    scan(["logs/"], reference=ref)

What the reference changes (:func:`.campaigns.link_accounts`): the group score test and the member test compare
with reference accounts instead of the log's, every group must also hold fewer reference accounts than benign
groups do (:class:`.calibrate.DepletionTest`), ``account_p`` is a rank among reference accounts, and reference
accounts are never flagged. The depletion test is valid only if the reference is a random sample of the benign
accounts; a biased one (only old accounts, only one kind of customer) makes every other benign population look
depleted (measured in docs/monitor-blind-scores.md, blind simulator 300k seeds 1/2: a random 20% of the benign
accounts gives benign FPR 0.0003/0.0006 at recall 0.28/0.28 (before the reference ceiling); the same number
drawn from chat users only, FPR 0.048/0.092, student cohorts first).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from distillscope.errors import InputError

ID_SUFFIXES = (".txt", ".ids", ".lst")


@dataclass
class Reference:
    """Known-good account ids of the scanned log, and logs of known-good traffic (every account in them is one)."""

    ids: list[str] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def read_ids(path: str | Path) -> list[str]:
    """Account ids from a text file: one per line, blank lines and ``#`` comments skipped, header
    ``account_id`` skipped."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"benign reference {p}: no such file.")
    try:
        lines = p.read_text("utf-8").splitlines()
    except UnicodeDecodeError as e:
        raise InputError(f"benign reference {p}: not UTF-8 text ({e}); give one account id per line.") from None
    ids = [s.strip() for s in lines if s.strip() and not s.lstrip().startswith("#")]
    if ids and ids[0] == "account_id":
        ids = ids[1:]
    if not ids:
        raise InputError(f"benign reference {p}: no account ids (one per line).")
    bad = [s for s in ids if "," in s or "\t" in s]
    if bad:
        raise InputError(f"benign reference {p}: {len(bad)} line(s) hold more than an id (e.g. {bad[0]!r}); give one "
                         f"account id per line, or pass a log of known-good traffic as log:PATH.")
    return ids


def _is_id_file(p: Path) -> bool:
    if p.is_dir():
        return False
    if p.suffix.lower() in ID_SUFFIXES:
        return True
    if p.suffix.lower() == ".csv" and p.is_file():
        with open(p, encoding="utf-8", errors="replace") as f:
            return f.readline().strip() == "account_id"
    return False


def parse_reference(spec: str | list[str]) -> Reference:
    """A :class:`Reference` from a SPEC (module docstring) or a list of SPEC items."""
    items = [s.strip() for part in ([spec] if isinstance(spec, str) else spec) for s in str(part).split(",")]
    items = [s for s in items if s]
    if not items:
        raise InputError("the benign reference is empty: give ids:PATH (known-good account ids) and/or log:PATH "
                         "(a log of known-good traffic).")
    ref = Reference()
    for it in items:
        kind, _, rest = it.partition(":")
        if kind in ("ids", "log") and rest:
            p = Path(rest)
        else:
            kind, p = "", Path(it)
        if not p.exists():
            raise InputError(f"benign reference {p}: no such file or folder.")
        if kind == "ids" or (not kind and _is_id_file(p)):
            ref.ids += read_ids(p)
            ref.sources.append(f"ids:{p}")
        else:
            ref.logs.append(p)
            ref.sources.append(f"log:{p}")
    return ref
