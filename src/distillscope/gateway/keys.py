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
    """Hashed API keys, optionally persisted to a JSON file.

    Changes are safe between processes: each one takes a lock file (``<keys>.lock``, :mod:`filelock`), re-reads
    the file, applies the change and atomically replaces the file, so concurrent ``gateway add-key`` / ``revoke``
    calls never lose each other's updates. A running gateway re-reads the file when it changed, checked at most
    every ``reload_s`` seconds, so a revoked key stops working within about that time without a restart.

    Args:
        path: the key file (``None``: keys in memory only).
        reload_s: how often :meth:`verify` checks the file for changes (0: on every call).
    """

    def __init__(self, path: str | Path | None = None, reload_s: float = 1.0) -> None:
        self.path = Path(path) if path else None
        self.reload_s = reload_s
        self._by_id: dict[str, KeyRecord] = {}
        self._lock = threading.Lock()
        self._stamp: tuple[int, int, int] | None = None
        self._checked = 0.0
        if self.path is not None and self.path.exists():
            with self._lock:
                self._by_id = self._read()

    def _file_lock(self):
        from filelock import FileLock

        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = self.path.with_name(self.path.name + ".lock")
        return FileLock(str(lock), timeout=60, mode=0o600)

    def _stat(self) -> tuple[int, int, int] | None:
        assert self.path is not None
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _read(self) -> dict[str, KeyRecord]:
        """The records on disk (the caller holds ``_lock``); remembers the file's identity for reloads."""
        assert self.path is not None
        stamp = self._stat()
        if stamp is None:
            self._stamp = None
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as e:
            raise InputError(f"Key file {self.path} is not valid JSON ({e.msg}, line {e.lineno}).") from e
        rows = data.get("keys") if isinstance(data, dict) else None
        if not isinstance(rows, list):
            raise InputError(f"Key file {self.path} must be {{\"keys\": [...]}} as written by `gateway add-key`.")
        out = {}
        for r in rows:
            rec = KeyRecord.from_dict(r)
            out[rec.key_id] = rec
        self._stamp = stamp
        self._checked = time.monotonic()
        return out

    def _write(self, records: dict[str, KeyRecord]) -> None:
        """Atomically replace the key file (the caller holds the file lock)."""
        assert self.path is not None
        tmp = self.path.with_name(f"{self.path.name}.tmp{os.getpid()}-{threading.get_ident()}")
        data = json.dumps({"version": 1, "keys": [asdict(r) for r in records.values()]}, indent=1).encode()
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.path)
        self._stamp = self._stat()

    def _change(self, fn) -> Any:
        """Apply ``fn(records)`` to the freshest records and persist them, under the thread and file locks."""
        with self._lock:
            if self.path is None:
                return fn(self._by_id)
            with self._file_lock():
                records = self._read()
                out = fn(records)
                self._write(records)
                self._by_id = records
            return out

    def maybe_reload(self) -> None:
        """Re-read the key file if it changed since it was read (checked at most every ``reload_s`` seconds).

        A file that cannot be read keeps the keys already loaded (and logs why), so a bad edit never opens or
        closes the gateway.
        """
        if self.path is None or time.monotonic() - self._checked < self.reload_s:
            return
        with self._lock:
            self._checked = time.monotonic()
            if self._stat() == self._stamp:
                return
            try:
                self._by_id = self._read()
            except (InputError, OSError) as e:
                import logging

                logging.getLogger("distillscope.gateway").error("key file not reloaded: %s", e)

    def add(self, account_id: str, org_id: str | None = None, request_limit: str | None = None,
            token_limit: str | None = None) -> tuple[str, KeyRecord]:
        """Issue a new key for ``account_id``; returns (plaintext key, shown once; stored record)."""
        if not account_id or not account_id.strip():
            raise InputError("account_id must be a non-empty string.")
        for lim in (request_limit, token_limit):
            if lim is not None:
                _check_limit(lim)

        def add(records: dict[str, KeyRecord]) -> tuple[str, KeyRecord]:
            key_id = secrets.token_hex(6)
            while key_id in records:
                key_id = secrets.token_hex(6)
            key = f"dsk-{key_id}-{secrets.token_urlsafe(32)}"
            rec = KeyRecord(key_id, account_id.strip(), hash_key(key), org_id, request_limit, token_limit)
            records[key_id] = rec
            return key, rec

        return self._change(add)

    def revoke(self, key_id: str) -> None:
        def revoke(records: dict[str, KeyRecord]) -> None:
            if key_id not in records:
                raise InputError(f"No key with id {key_id!r}.")
            records[key_id].disabled = True

        self._change(revoke)

    def verify(self, presented: str | None) -> KeyRecord | None:
        """The record of a valid, enabled key, or None. Constant-time in the secret. Sees revocations and new
        keys written by other processes within ``reload_s`` seconds."""
        self.maybe_reload()
        m = KEY_RE.match(presented or "")
        rec = self._by_id.get(m.group(1)) if m else None
        ok = hmac.compare_digest(hash_key(presented or ""), rec.key_hash if rec else _DUMMY)
        if rec is None or not ok or rec.disabled:
            return None
        return rec

    def __len__(self) -> int:
        return len(self._by_id)

    def records(self) -> list[KeyRecord]:
        """The key records as loaded (tests, the load benchmark and `gateway` tooling list keys with it)."""
        return list(self._by_id.values())


def _check_limit(s: str) -> None:
    from limits import parse

    try:
        parse(s)
    except ValueError as e:
        raise InputError(f"Bad rate limit {s!r}: use the form '60/minute' or '100000 per hour'.") from e
