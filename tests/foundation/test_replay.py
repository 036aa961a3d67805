"""replay: transcripts as a model, with line-numbered errors."""

from __future__ import annotations

import json

import pytest

from distillscope.errors import InputError
from distillscope.models import GenRequest, load_model


def write(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_replay_serves_answers_in_order(tmp_path):
    msgs = [{"role": "user", "content": "Who are you?"}]
    f = write(tmp_path / "t.jsonl", [json.dumps({"messages": msgs, "completion": "I am A", "model": "m1"}),
                                     json.dumps({"messages": msgs, "response": "I am B"}),
                                     json.dumps({"prompt": "raw", "text": "cont"})])
    m = load_model(f"replay:{f}")
    out = m.generate([GenRequest.chat(msgs, seed_index=0), GenRequest.chat(msgs, seed_index=1),
                      GenRequest.raw("raw")])
    assert [c.text for c in out] == ["I am A", "I am B", "cont"]
    assert out[0].declared_model == "m1"
    with pytest.raises(InputError, match="2 answers"):
        m.generate([GenRequest.chat(msgs, seed_index=2)])


@pytest.mark.parametrize("bad,msg", [("{not json", "not valid JSON"), ('{"completion": "x"}', "messages"),
                                     ('{"prompt": "x"}', "no answer field")])
def test_malformed_line_names_its_number(tmp_path, bad, msg):
    good = json.dumps({"prompt": "p", "completion": "c"})
    f = write(tmp_path / "t.jsonl", [good, good, bad])
    with pytest.raises(InputError, match=rf"t\.jsonl:3: .*{msg}"):
        load_model(f"replay:{f}")
