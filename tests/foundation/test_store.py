"""The sample store: cache hits, crash-safe resume, no loss on errors, export."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from distillscope.errors import DistillscopeError
from distillscope.models import GenRequest, Model, load_model
from distillscope.models.base import Completion
from distillscope.store import CachedModel, SampleStore


def reqs(n_prompts=4, n=3, **kw):
    return [GenRequest.chat(f"prompt {p}", seed_index=i, max_tokens=8, **kw) for p in range(n_prompts) for i in range(n)]


def test_rerun_makes_zero_new_calls(tmp_path):
    store = SampleStore(tmp_path / "s.duckdb")
    mock = load_model("mock:choice=a|b|c|d")
    first = CachedModel(mock, store).generate(reqs())
    assert mock.calls == 12
    cm = CachedModel(mock, store)
    second = cm.generate(reqs())
    assert mock.calls == 12 and cm.misses == 0 and cm.hits == 12
    assert [c.text for c in first] == [c.text for c in second]
    assert all(c.cached for c in second) and not any(c.cached for c in first)
    # more samples per prompt: only the new ones are generated
    cm.generate(reqs(n=5))
    assert mock.calls == 12 + 4 * 2


def test_duplicate_requests_in_one_call_generate_once(tmp_path):
    mock = load_model("mock:echo")
    cm = CachedModel(mock, SampleStore(tmp_path / "s.duckdb"))
    out = cm.generate([GenRequest.chat("same")] * 5)
    assert mock.calls == 1 and [c.text for c in out] == ["same"] * 5


class FailsAfter(Model):
    def __init__(self, ok: int) -> None:
        self.ok, self.spec, self.batch_size = ok, "mock:fails", 2

    def _generate(self, requests, progress=None):
        if self.ok <= 0:
            raise DistillscopeError("upstream died")
        self.ok -= len(requests)
        return [Completion(text=f"t{r.seed_index}") for r in requests]


def test_error_midway_keeps_what_was_stored(tmp_path):
    store = SampleStore(tmp_path / "s.duckdb")
    with pytest.raises(DistillscopeError, match="upstream died"):
        CachedModel(FailsAfter(ok=4), store).generate(reqs(n_prompts=1, n=8))
    assert store.count() == 4
    cm = CachedModel(load_model("mock:echo"), store)
    cm.spec = "mock:fails"  # same content addresses as the failed run
    cm.generate(reqs(n_prompts=1, n=8))
    assert cm.hits == 4 and cm.misses == 4 and store.count() == 8


SLOW = textwrap.dedent("""
    import sys, time
    from distillscope.models import GenRequest, Model
    from distillscope.models.base import Completion
    from distillscope.store import CachedModel, SampleStore

    class Slow(Model):
        spec = "mock:slow"
        batch_size = 2
        def _generate(self, requests, progress=None):
            time.sleep(0.15)
            return [Completion(text=f"{r.message_dicts[0]['content']}#{r.seed_index}") for r in requests]

    cm = CachedModel(Slow(), SampleStore(sys.argv[1]))
    reqs = [GenRequest.chat(f"p{p}", seed_index=i) for p in range(5) for i in range(8)]
    cm.generate(reqs, progress=lambda n: print("chunk", flush=True))
    print("finished", flush=True)
""")


@pytest.mark.slow
def test_sigkill_midway_resumes_with_only_missing_samples(tmp_path):
    db = tmp_path / "s.duckdb"
    script = tmp_path / "slow.py"
    script.write_text(SLOW)
    proc = subprocess.Popen([sys.executable, str(script), str(db)], stdout=subprocess.PIPE, text=True)
    seen = 0
    for line in proc.stdout:  # type: ignore[union-attr]
        seen += line.startswith("chunk")
        if seen >= 5:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    store = SampleStore(db)
    stored = store.count()
    assert 0 < stored < 40 and stored % 2 == 0, stored  # whole chunks only

    class Counting(Model):
        spec, batch_size, calls = "mock:slow", 2, 0

        def _generate(self, requests, progress=None):
            Counting.calls += len(requests)
            return [Completion(text=f"{r.message_dicts[0]['content']}#{r.seed_index}") for r in requests]

    cm = CachedModel(Counting(), store)
    out = cm.generate([GenRequest.chat(f"p{p}", seed_index=i) for p in range(5) for i in range(8)])
    assert Counting.calls == 40 - stored and cm.hits == stored
    assert store.count() == 40
    assert [c.text for c in out] == [f"p{p}#{i}" for p in range(5) for i in range(8)]


def test_export_parquet_and_jsonl(tmp_path):
    store = SampleStore(tmp_path / "s.duckdb")
    CachedModel(load_model("zoo:tiny-llama"), store).generate(reqs(n_prompts=2, n=2, logprobs=True))
    assert store.export(tmp_path / "o.parquet") == 4
    df = pd.read_parquet(tmp_path / "o.parquet")
    assert len(df) == 4 and set(df["spec"]) == {"zoo:tiny-llama"} and df["has_logprobs"].all()
    assert store.export(tmp_path / "o.jsonl", spec="zoo:tiny-llama") == 4
    rows = [json.loads(x) for x in (tmp_path / "o.jsonl").read_text().splitlines()]
    assert len(rows) == 4 and all(r["completion"]["logprobs"] for r in rows)  # JSON column stays structured
    with pytest.raises(Exception, match="parquet or .jsonl"):
        store.export(tmp_path / "o.csv")


def test_logprobs_survive_the_store(tmp_path):
    store = SampleStore(tmp_path / "s.duckdb")
    tiny = load_model("zoo:tiny-llama")
    r = reqs(n_prompts=1, n=1, logprobs=True)
    a = CachedModel(tiny, store).generate(r)[0]
    b = CachedModel(tiny, store).generate(r)[0]
    assert b.cached and [t.logprob for t in a.logprobs] == [t.logprob for t in b.logprobs]
    assert b.token_ids == a.token_ids


# --- issue 14, defect 8: `sample` was quadratic in the progress callback ----------------------------------------
@pytest.mark.slow
def test_defect08_cached_generate_with_progress_is_linear(tmp_path, monkeypatch):
    calls = {"key": 0}
    real_key = GenRequest.key

    def counting_key(self, spec):
        calls["key"] += 1
        return real_key(self, spec)

    monkeypatch.setattr(GenRequest, "key", counting_key)
    done: list[int] = []
    n = 400
    rs = [GenRequest.chat(f"prompt {i}", max_tokens=4) for i in range(n)] + [GenRequest.chat("prompt 0", max_tokens=4)]
    out = CachedModel(load_model("mock:echo"), SampleStore(tmp_path / "s.duckdb"), chunk_size=40).generate(
        rs, progress=done.append)
    assert sum(done) == n + 1 and [c.text for c in out[:2]] == ["prompt 0", "prompt 1"]
    # one content hash per request (plus one per stored sample in put_many): linear, not requests x chunk
    assert calls["key"] <= 3 * (n + 1), calls["key"]
