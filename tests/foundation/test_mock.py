"""MockModel: callable outputs, the request history, and the scripted ``mock:`` specs."""

from __future__ import annotations

import pytest

from distillscope.errors import DistillscopeError
from distillscope.models import GenRequest, load_model
from distillscope.models._mock import MockModel


def test_callable_output_sees_each_request():
    m = MockModel(lambda r: "Paris" if "France" in r.message_dicts[-1]["content"] else "no idea")
    out = m.generate([GenRequest.chat("Capital of France?"), GenRequest.chat("Capital of Mars?")])
    assert [c.text for c in out] == ["Paris", "no idea"]


def test_request_history_keeps_every_request_in_order():
    m = MockModel("ok")
    first = [GenRequest.chat("a", seed_index=i) for i in range(3)]
    second = [GenRequest.chat("b", max_tokens=4)]
    m.generate(first)
    m.generate(second)
    assert m.requests == first + second
    assert m.calls == 4


def test_fixed_string_output_and_max_tokens_cut():
    m = MockModel("one two three four five")
    assert m.generate([GenRequest.chat("q", max_tokens=2)])[0].text == "one two"
    assert m.generate([GenRequest.chat("q")])[0].text == "one two three four five"


def test_history_through_the_store_records_only_misses():
    from distillscope.store import CachedModel, SampleStore

    m = MockModel(lambda r: f"n{r.seed_index}", spec="mock:history-test")
    cm = CachedModel(m, SampleStore(":memory:"))
    reqs = [GenRequest.chat("q", seed_index=i) for i in range(3)]
    cm.generate(reqs)
    cm.generate(reqs + [GenRequest.chat("q", seed_index=3)])
    assert [r.seed_index for r in m.requests] == [0, 1, 2, 3]


def test_echo_spec_returns_the_prompt_and_records_requests():
    m = load_model("mock:echo")
    assert m.generate([GenRequest.chat("hello there")])[0].text == "hello there"
    assert [r.message_dicts[-1]["content"] for r in m.requests] == ["hello there"]


def test_fail_spec_raises_and_still_records():
    m = load_model("mock:fail")
    with pytest.raises(DistillscopeError, match="scripted to fail"):
        m.generate([GenRequest.chat("x")])
    assert len(m.requests) == 1
