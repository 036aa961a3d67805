"""`verify` against a local one-worker `serve` works with the client's defaults: the openai: client halves its
concurrency when the server is slower than its timeout, and the server drops queued requests whose client left."""

from __future__ import annotations

import time
from typing import Any

import pytest

from distillscope.models import Completion, GenRequest, Model, load_model
from distillscope.serve import serve_in_thread


class SlowModel(Model):
    """Costs ``per_request`` seconds per request, so a batch of k requests takes k times longer (a CPU model)."""

    capabilities = frozenset({"text"})

    def __init__(self, per_request: float) -> None:
        self.spec, self.per_request, self.computed = "slow:test", per_request, 0

    def _generate(self, requests: list[GenRequest], progress: Any = None) -> list[Completion]:
        time.sleep(self.per_request * len(requests))
        self.computed += len(requests)
        return [Completion(text=f"answer {r.seed}") for r in requests]


@pytest.mark.slow
def test_client_lowers_its_concurrency_and_server_drops_abandoned_requests():
    slow = SlowModel(per_request=0.1)
    reqs = [GenRequest.chat(f"q{i}", max_tokens=4, seed_index=i) for i in range(24)]
    with serve_in_thread(slow) as url:
        # 16 at once take 1.6 s on this server: far beyond the 0.5 s timeout at the starting concurrency
        m = load_model(f"openai:x@{url};concurrency=16;timeout=0.5;max_retries=4")
        t0 = time.monotonic()
        out = m.generate(reqs)
        took = time.monotonic() - t0
    assert len(out) == 24 and all(c.text.startswith("answer") for c in out)
    # every request was answered, and the retries cost little: measured 48 computed samples for 24 requests (the
    # batches that started before the first timeouts are computed twice); the SDK's fixed-concurrency retries
    # against the same server computed 75
    assert slow.computed <= 2.5 * len(reqs), slow.computed
    assert took < 30


@pytest.mark.slow
def test_a_request_whose_client_left_is_never_computed():
    import httpx

    slow = SlowModel(per_request=0.8)
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 2}
    with serve_in_thread(slow) as url, httpx.Client(base_url=url, timeout=5) as c:
        import threading

        busy = threading.Thread(target=lambda: c.post("/chat/completions", json=body))
        busy.start()  # occupies the worker for 0.8 s
        time.sleep(0.2)
        try:
            httpx.post(f"{url}/chat/completions", json=body, timeout=0.2)  # queued, then abandoned
        except httpx.TimeoutException:
            pass
        busy.join()
        time.sleep(1.0)  # time for the worker to have started the abandoned request, had it not been dropped
    assert slow.computed == 1


def test_limit_halves_once_per_wave_of_timeouts_and_grows_back():
    from distillscope.models._openai import _AdaptiveLimit

    lim = _AdaptiveLimit(8)
    for _ in range(8):  # eight calls that were in flight together at limit 8 all time out: one halving
        lim.timed_out(started_at=8)
    assert lim.limit == 4
    lim.timed_out(started_at=4)
    assert lim.limit == 2
    for _ in range(2 + 3 + 4 + 5 + 6 + 7):
        lim.succeeded()
    assert lim.limit == 8  # back to the configured concurrency, never above it
    for _ in range(50):
        lim.succeeded()
    assert lim.limit == 8


def test_replay_and_record_files_get_the_same_clear_errors(tmp_path):
    from distillscope.errors import InputError
    from distillscope.jsonl import iter_jsonl

    f = tmp_path / "r.jsonl"
    f.write_bytes(b'{"a": 1}\n\xff\xfe\n')
    with pytest.raises(InputError, match="r.jsonl:2: not UTF-8"):
        list(iter_jsonl(f))
    with pytest.raises(InputError, match="is a folder"):
        list(iter_jsonl(tmp_path))
