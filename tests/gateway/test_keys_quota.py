"""API keys (hashed, constant-time) and per-key quotas (limits library, moving window)."""

from __future__ import annotations

import hmac
import json
import time

import pytest

from distillscope.errors import InputError
from distillscope.gateway import KeyStore, Quotas
from distillscope.serve import RequestError


def test_keys_are_stored_hashed_and_verified(tmp_path, monkeypatch):
    ks = KeyStore(tmp_path / "keys.json")
    key, rec = ks.add("acct-a", request_limit="5/minute")
    raw = (tmp_path / "keys.json").read_text()
    assert key not in raw and key.split("-", 2)[2] not in raw and rec.key_hash in raw  # dsk-ID-SECRET
    assert json.loads(raw)["keys"][0]["account_id"] == "acct-a"
    assert ks.verify(key).account_id == "acct-a"
    reloaded = KeyStore(tmp_path / "keys.json")
    assert reloaded.verify(key).key_id == rec.key_id
    wrong = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    for bad in (wrong, "", None, "sk-openai-style", f"dsk-{'0' * 12}-{'x' * 43}", key + " "):
        assert reloaded.verify(bad) is None
    calls = []
    real = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: calls.append(1) or real(a, b))
    reloaded.verify(key), reloaded.verify(wrong), reloaded.verify("garbage")
    assert len(calls) == 3  # every path, even an unknown key id, does one constant-time comparison
    reloaded.revoke(rec.key_id)
    assert reloaded.verify(key) is None and KeyStore(tmp_path / "keys.json").verify(key) is None


def test_key_errors(tmp_path):
    ks = KeyStore()
    with pytest.raises(InputError):
        ks.add(" ")
    with pytest.raises(InputError, match="rate limit"):
        ks.add("a", request_limit="lots")
    (tmp_path / "bad.json").write_text("{nope")
    with pytest.raises(InputError, match="not valid JSON"):
        KeyStore(tmp_path / "bad.json")


@pytest.mark.slow
def test_request_quota_moving_window_with_retry_after():
    q = Quotas("3/2 seconds", "1000000/hour")
    for _ in range(3):
        q.charge("k1", 10)
    with pytest.raises(RequestError) as e:
        q.charge("k1", 10)
    assert e.value.status == 429 and 1 <= int(e.value.headers["Retry-After"]) <= 2
    q.charge("k2", 10)  # other keys are independent
    time.sleep(2.1)
    q.charge("k1", 10)  # the window moved on


def test_token_quota_and_per_key_override():
    q = Quotas("1000/minute", "100/hour")
    q.charge("k", 60)
    with pytest.raises(RequestError) as e:
        q.charge("k", 60)
    assert e.value.status == 429 and e.value.code == "tokens_exceeded" and int(e.value.headers["Retry-After"]) > 0
    with pytest.raises(RequestError) as e:
        q.charge("other", 101)
    assert e.value.code == "tokens_exceed_quota" and e.value.status == 400  # waiting cannot help
    q.charge("vip", 500, token_limit="1000/hour")  # a key's own limit overrides the default
    with pytest.raises(InputError):
        Quotas("often")
    with pytest.raises(InputError, match="storage"):
        Quotas(storage_uri="nosuch://x")


# --- issue 14, defect 5: the key file lost updates between processes --------------------------------------------
def _add_keys(path, account, n, barrier):
    barrier.wait()
    ks = KeyStore(path)
    for i in range(n):
        ks.add(f"{account}-{i}")


def _revoke(path, key_id, barrier):
    barrier.wait()
    KeyStore(path).revoke(key_id)


@pytest.mark.slow
def test_defect05_concurrent_processes_never_lose_key_updates(tmp_path):
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    path = tmp_path / "keys.json"
    _, victim = KeyStore(path).add("victim")
    barrier = ctx.Barrier(13)
    procs = [ctx.Process(target=_add_keys, args=(path, f"acct{p}", 3, barrier)) for p in range(12)]
    procs.append(ctx.Process(target=_revoke, args=(path, victim.key_id, barrier)))
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    final = KeyStore(path).records()
    assert len(final) == 1 + 12 * 3  # every add is kept
    assert {r.account_id for r in final} == {"victim"} | {f"acct{p}-{i}" for p in range(12) for i in range(3)}
    assert [r.disabled for r in final if r.key_id == victim.key_id] == [True]  # the revoke is not undone
    assert oct(path.stat().st_mode & 0o777) == "0o600" and not list(tmp_path.glob("*.tmp*"))
