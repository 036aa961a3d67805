"""Quotas on Redis: two gateway replicas sharing one Redis enforce one limit. Starts its own redis-server on
loopback (skipped, with the reason, where redis-server or the redis client is not installed)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest

from distillscope.serve import RequestError, free_port


@pytest.fixture()
def redis_url(tmp_path):
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server); memory storage is tested instead")
    pytest.importorskip("redis", reason="the redis client is the 'redis' extra: pip install 'distillscope[redis]'")
    port = free_port()
    proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 20
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


def test_replicas_share_quota_through_redis(redis_url):
    from distillscope.gateway import Quotas

    a = Quotas("5/minute", "1000/hour", storage_uri=redis_url)
    b = Quotas("5/minute", "1000/hour", storage_uri=redis_url)
    for q in (a, b, a, b, a):
        q.charge("shared-key", 10)
    for q in (a, b):
        with pytest.raises(RequestError) as e:
            q.charge("shared-key", 10)
        assert e.value.status == 429 and 1 <= int(e.value.headers["Retry-After"]) <= 60
    b.charge("another-key", 10)


def test_defect11_refunds_work_on_redis(redis_url):
    from distillscope.gateway import Quotas

    q = Quotas("2/minute", "100/hour", storage_uri=redis_url)
    q.charge("k", 60)
    q.refund("k", 60)  # the upstream failed: nothing is owed
    q.charge("k", 90)
    with pytest.raises(RequestError) as e:
        q.charge("k", 20)
    assert e.value.code == "tokens_exceeded"
    q.charge("k", 10)  # the token refusal did not use the request quota (2 requests: 90 + 10)
    with pytest.raises(RequestError) as e:
        q.charge("k", 0)
    assert e.value.code == "rate_limit_exceeded"
