"""API keys: issued once in plaintext, stored only as SHA-256 hashes, checked in constant time.

A key looks like ``dsk-<key_id>-<secret>``: the public ``key_id`` finds the stored record (and is what the
exchange log records), the 256-bit ``secret`` is never stored. Verification hashes the presented key and
compares hashes with :func:`hmac.compare_digest`; unknown ids are compared against a dummy hash so that a
missing key and a wrong secret take the same time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from distillscope.errors import InputError

KEY_RE = re.compile(r"^dsk-([0-9a-f]{12})-([A-Za-z0-9_-]{20,128})$")
_DUMMY = hashlib.sha256(b"distillscope-no-such-key").hexdigest()


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class KeyRecord:
    """What the gateway stores about one key (never the key itself).

    ``request_limit`` / ``token_limit`` are ``limits`` strings like ``"60/minute"``; None = the gateway default.
    """

    key_id: str
    account_id: str
    key_hash: str
    org_id: str | None = None
    request_limit: str | None = None
    token_limit: str | None = None
    created: float = field(default_factory=time.time)
    disabled: bool = False

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> KeyRecord:
        known = set(cls.__dataclass_fields__)
        missing = {"key_id", "account_id", "key_hash"} - d.keys()
        if missing:
            raise InputError(f"key record is missing {sorted(missing)}: {d}")
        return cls(**{k: v for k, v in d.items() if k in known})


class KeyStore:
    """Hashed API keys, optionally persisted to a JSON file (rewritten atomically on every change)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else None
        self._by_id: dict[str, KeyRecord] = {}
        self._lock = threading.Lock()
        if self.path is not None and self.path.exists():
            self._load()

    def _load(self) -> None:
        assert self.path is not None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as e:
            raise InputError(f"Key file {self.path} is not valid JSON ({e.msg}, line {e.lineno}).") from e
        rows = data.get("keys") if isinstance(data, dict) else None
        if not isinstance(rows, list):
            raise InputError(f"Key file {self.path} must be {{\"keys\": [...]}} as written by `gateway add-key`.")
        for r in rows:
            rec = KeyRecord.from_dict(r)
            self._by_id[rec.key_id] = rec

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + f".tmp{os.getpid()}")
        tmp.write_text(json.dumps({"version": 1, "keys": [asdict(r) for r in self._by_id.values()]}, indent=1))
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)

    def add(self, account_id: str, org_id: str | None = None, request_limit: str | None = None,
            token_limit: str | None = None) -> tuple[str, KeyRecord]:
        """Issue a new key for ``account_id``; returns (plaintext key, shown once; stored record)."""
        if not account_id or not account_id.strip():
            raise InputError("account_id must be a non-empty string.")
        for lim in (request_limit, token_limit):
            if lim is not None:
                _check_limit(lim)
        with self._lock:
            key_id = secrets.token_hex(6)
            while key_id in self._by_id:
                key_id = secrets.token_hex(6)
            key = f"dsk-{key_id}-{secrets.token_urlsafe(32)}"
            rec = KeyRecord(key_id, account_id.strip(), hash_key(key), org_id, request_limit, token_limit)
            self._by_id[key_id] = rec
            self._save()
        return key, rec

    def revoke(self, key_id: str) -> None:
        with self._lock:
            if key_id not in self._by_id:
                raise InputError(f"No key with id {key_id!r}.")
            self._by_id[key_id].disabled = True
            self._save()

    def verify(self, presented: str | None) -> KeyRecord | None:
        """The record of a valid, enabled key, or None. Constant-time in the secret."""
        m = KEY_RE.match(presented or "")
        rec = self._by_id.get(m.group(1)) if m else None
        ok = hmac.compare_digest(hash_key(presented or ""), rec.key_hash if rec else _DUMMY)
        if rec is None or not ok or rec.disabled:
            return None
        return rec

    def __len__(self) -> int:
        return len(self._by_id)


def _check_limit(s: str) -> None:
    from limits import parse

    try:
        parse(s)
    except ValueError as e:
        raise InputError(f"Bad rate limit {s!r}: use the form '60/minute' or '100000 per hour'.") from e
