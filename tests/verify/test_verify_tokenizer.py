"""verify's usage-count tokenizer test: a relay serving another tokenizer family under the claimed name is caught
in 10 calls, even where the sampled text alone has no power; an honest endpoint passes it."""

from __future__ import annotations

import pytest

from distillscope.models import load_model
from distillscope.serve import serve_in_thread
from distillscope.store import SampleStore
from distillscope.verify import VerifyConfig, verify

PROMPTS = ["Name a color.", "Say hi."]


def _verify(model, tmp_path):
    cfg = VerifyConfig(samples=2, max_tokens=4, tokenizer_calls=10)
    with serve_in_thread(model, name="tiny-llama") as url:
        ep = load_model(f"openai:tiny-llama@{url}", api_key_env="NONE")
        return verify(ep, load_model("zoo:tiny-llama"), PROMPTS, cfg, store=SampleStore(tmp_path / "s.duckdb"))


@pytest.mark.slow
def test_relay_of_another_tokenizer_family_is_caught_in_10_calls(foreign_tokenizer_model, tmp_path):
    rep = _verify(foreign_tokenizer_model, tmp_path)
    tok = next(e for e in rep.evidence if e.name == "lineage.tokenizer.consistency")
    assert tok.params["calls"] == 10 and tok.p_value < 0.01
    assert rep.substituted and rep.combined.params["parts"]["lineage.tokenizer.consistency"] == tok.p_value


@pytest.mark.slow
def test_honest_endpoint_passes_the_tokenizer_test(tmp_path):
    rep = _verify(load_model("zoo:tiny-llama"), tmp_path)
    tok = next(e for e in rep.evidence if e.name == "lineage.tokenizer.consistency")
    assert tok.statistic == 0 and tok.p_value == 1.0


def test_tokenizer_test_is_off_for_local_endpoints_and_when_asked():
    ref = load_model("zoo:tiny-llama")
    rep = verify(load_model("zoo:tiny-llama-s1"), ref, PROMPTS, VerifyConfig(samples=2, max_tokens=4), store=False)
    assert not any(e.name.startswith("lineage.tokenizer") for e in rep.evidence)
    with pytest.raises(Exception, match="tokenizer-calls"):
        VerifyConfig(tokenizer_calls=2)
