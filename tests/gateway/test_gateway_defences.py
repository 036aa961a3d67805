"""Each output defence a gateway config can switch on (``perturb:``) is applied to what clients receive: the served
tokens and the served log-probabilities, in JSON and in streamed answers."""

from __future__ import annotations

import json

import pytest
import torch
from fastapi.testclient import TestClient

from distillscope.gateway import ExchangeLog, Gateway, KeyStore, Quotas, Upstreams, create_gateway_app
from distillscope.gateway.config import GatewayConfig
from distillscope.models import GenRequest, load_model
from distillscope.watermark.defences import fingerprint_mask
from distillscope.watermark.model import Perturbation

PROMPT = "Tell me about rivers."
BODY = {"model": "gw-model", "messages": [{"role": "user", "content": PROMPT}], "max_tokens": 12, "seed": 7,
        "temperature": 1.0, "logprobs": True, "top_logprobs": 5}


@pytest.fixture(scope="module")
def tiny():
    torch.set_num_threads(1)
    return load_model("zoo:tiny-llama")


@pytest.fixture()
def serve(tmp_path, tiny):
    made = []

    def make(perturb: dict | None):
        cfg = GatewayConfig.load({"upstreams": ["zoo:tiny-llama"], **({"perturb": perturb} if perturb else {})})
        pert = Perturbation(**cfg.perturbation.model_dump()) if cfg.perturbation else None
        keys = KeyStore(tmp_path / f"keys{len(made)}.json")
        key, _ = keys.add("acct")
        gw = Gateway(Upstreams([tiny], perturbation=pert), keys, Quotas("1000/minute", "10000000/hour"),
                     ExchangeLog(tmp_path / f"log{len(made)}"), model_name="gw-model")
        made.append(gw)
        c = TestClient(create_gateway_app(gw), raise_server_exceptions=False)
        h = {"Authorization": f"Bearer {key}"}

        def ask(stream: bool = False):
            r = c.post("/v1/chat/completions", json={**BODY, "stream": stream}, headers=h)
            assert r.status_code == 200, r.text
            if not stream:
                return r.json()["choices"][0]
            chunks = [json.loads(x[6:]) for x in r.text.split("\n\n") if x.startswith("data: {")]
            return chunks

        return ask

    yield make
    for gw in made:
        gw.log.close()


def _clean_logp(tiny, served_ids):
    """The clean model's next-token log-probabilities along the served answer."""
    prompt = tiny.encode(tiny.render(GenRequest.chat(PROMPT)))
    z = tiny.logits([prompt + served_ids])[0, len(prompt) - 1: len(prompt) - 1 + len(served_ids)]
    return z.float()


def _served_ids(tiny, choice, perturb):
    """Token ids of the served answer: those of the defended model's completion of the very request the gateway
    built, after checking that it is what the gateway served (tokens and log-probabilities)."""
    from distillscope.serve import parse_chat_request, to_gen_requests
    from distillscope.watermark import watermark_model

    (req,) = to_gen_requests(parse_chat_request(json.dumps(BODY).encode()))
    pert = Perturbation(**GatewayConfig.load({"upstreams": ["x"], "perturb": perturb}).perturbation.model_dump())
    (c,) = watermark_model(tiny, perturbation=pert).generate([req])
    served = choice["logprobs"]["content"]
    assert [t["token"] for t in served] == [t.token for t in c.logprobs]
    assert [t["logprob"] for t in served] == pytest.approx([t.logprob for t in c.logprobs], abs=1e-6)
    return c.token_ids


def _streamed_text(chunks):
    assert all(ch["choices"][0]["logprobs"] is None for ch in chunks)  # a stream carries no log-probabilities
    return "".join(ch["choices"][0]["delta"].get("content", "") for ch in chunks)


@pytest.mark.parametrize("perturb,expect", [
    ({"temperature_factor": 2.0}, lambda z, m: z / 2.0),
    ({"fingerprint_bias": 5.0, "fingerprint_key": "fp-secret"}, lambda z, m: z + 5.0 * m),
])
def test_sampling_defences_shape_served_tokens_and_logprobs(serve, tiny, perturb, expect):
    clean, defended = serve(None)(), serve(perturb)()
    assert [t["logprob"] for t in defended["logprobs"]["content"]] != \
        [t["logprob"] for t in clean["logprobs"]["content"]]
    ids = _served_ids(tiny, defended, perturb)
    mask = fingerprint_mask("fp-secret", tiny.vocab_size, 0.25)
    want = torch.log_softmax(expect(_clean_logp(tiny, ids), mask), -1)
    got = [t["logprob"] for t in defended["logprobs"]["content"]]
    assert got == pytest.approx([float(want[i, t]) for i, t in enumerate(ids)], abs=2e-3)
    top = defended["logprobs"]["content"][0]["top_logprobs"]
    assert [x["logprob"] for x in top] == pytest.approx(want[0].topk(5).values.tolist(), abs=2e-3)
    if "fingerprint_bias" in perturb:  # the served tokens lean on the fingerprinted share of the vocabulary
        assert float(mask[ids].mean()) > 0.6 and defended["message"]["content"] != clean["message"]["content"]
    assert _streamed_text(serve(perturb)(stream=True)) == defended["message"]["content"]


def test_logit_noise_changes_served_tokens_and_logprobs_reproducibly(serve, tiny):
    clean, a = serve(None)(), serve({"logit_noise": 2.0})
    x, y = a(), a()
    assert x == y and x["message"]["content"] != clean["message"]["content"]
    ids = _served_ids(tiny, x, {"logit_noise": 2.0})
    want = torch.log_softmax(_clean_logp(tiny, ids), -1)
    got = torch.tensor([t["logprob"] for t in x["logprobs"]["content"]])
    assert (got - torch.tensor([float(want[i, t]) for i, t in enumerate(ids)])).abs().max() > 0.1
    assert _streamed_text(a(stream=True)) == x["message"]["content"]


def test_logprob_rounding_and_truncation_touch_only_the_numbers(serve, tiny):
    clean, coarse = serve(None)(), serve({"logprob_step": 0.5, "top_logprobs_max": 2})()
    assert coarse["message"]["content"] == clean["message"]["content"]  # sampling untouched
    for a, b in zip(clean["logprobs"]["content"], coarse["logprobs"]["content"]):
        assert a["token"] == b["token"] and len(b["top_logprobs"]) == 2
        assert abs(b["logprob"] - a["logprob"]) <= 0.25 + 1e-6 and (b["logprob"] / 0.5) == round(b["logprob"] / 0.5)
        assert all(x["logprob"] / 0.5 == round(x["logprob"] / 0.5) for x in b["top_logprobs"])
    assert _streamed_text(serve({"logprob_step": 0.5, "top_logprobs_max": 2})(stream=True)) == \
        coarse["message"]["content"]


def test_logprob_decoy_raises_the_served_runner_up_only(serve):
    clean, dec = serve(None)(), serve({"logprob_decoy_margin": 0.25})()
    assert dec["message"]["content"] == clean["message"]["content"]  # sampling untouched
    for a, b in zip(clean["logprobs"]["content"], dec["logprobs"]["content"]):
        ta, tb = a["top_logprobs"], b["top_logprobs"]
        assert a["token"] == b["token"] and [x["token"] for x in ta] == [x["token"] for x in tb]
        gap = ta[0]["logprob"] - ta[1]["logprob"]
        assert tb[0]["logprob"] - tb[1]["logprob"] == pytest.approx(min(gap, 0.25), abs=1e-6)
        if gap > 0.25:  # raised runner-up, the rest renormalised down
            assert tb[0]["logprob"] < ta[0]["logprob"] and tb[1]["logprob"] > ta[1]["logprob"]
    assert any(a["top_logprobs"][0]["logprob"] - a["top_logprobs"][1]["logprob"] > 0.25
               for a in clean["logprobs"]["content"])
    assert _streamed_text(serve({"logprob_decoy_margin": 0.25})(stream=True)) == dec["message"]["content"]


def test_trace_redaction_withholds_the_trace_from_served_text_tokens_and_logprobs(serve):
    import re

    clean = serve(None)()
    text, toks = clean["message"]["content"], [t["token"] for t in clean["logprobs"]["content"]]
    assert "".join(toks) == text and len(toks) >= 9
    opener, closer = "".join(toks[:2]), "".join(toks[6:8])  # markers taken from the clean answer itself
    perturb = {"trace_open": opener, "trace_close": closer, "trace_placeholder": "<hidden>"}
    want = re.sub(re.escape(opener) + "(.*?)(" + re.escape(closer) + "|$)",
                  lambda m: opener + ("<hidden>" if m.group(1) else "") + m.group(2), text,
                  flags=re.DOTALL)
    assert want != text
    red = serve(perturb)()
    assert red["message"]["content"] == want
    served = red["logprobs"]["content"]
    assert "".join(t["token"] for t in served) == want
    hidden = [t for t in served if "<hidden>" in t["token"]]
    assert hidden and all(t["logprob"] == 0.0 and [x["token"] for x in t["top_logprobs"]] == [t["token"]]
                          for t in hidden)
    assert served[:2] == clean["logprobs"]["content"][:2]  # the tokens before the trace are served as they were
    assert len(served) < len(toks)
    assert _streamed_text(serve(perturb)(stream=True)) == want


def test_perturb_config_is_validated():
    from distillscope.errors import InputError

    with pytest.raises(InputError, match="perturb"):
        GatewayConfig.load({"upstreams": ["mock:echo"], "perturb": {"logprob_stepp": 1}})
    cfg = GatewayConfig.load({"upstreams": ["mock:echo"], "perturbation": {"top_logprobs_max": 1}})
    assert cfg.perturbation.top_logprobs_max == 1
