"""The official openai SDK against the gateway on loopback: answers, streaming, 401, 429 + Retry-After, fallback,
and every acknowledged exchange in the log with the watermark key id of the upstream that answered."""

from __future__ import annotations

import openai
import pytest

from distillscope.gateway import gateway_in_thread, read_log

MSG = [{"role": "user", "content": "hello gateway"}]


def test_sdk_end_to_end(make_gateway):
    gw, key = make_gateway(upstreams=["mock:fail", "mock:echo"], key_limits={"request_limit": "4/minute"})
    with gateway_in_thread(gw) as url:
        client = openai.OpenAI(base_url=url, api_key=key, max_retries=0)
        r = client.chat.completions.create(model="gw-model", messages=MSG, max_tokens=16)
        assert r.choices[0].message.content == "hello gateway"  # mock:fail failed, mock:echo answered
        assert r.usage.completion_tokens == 2 and r.model == "gw-model"
        chunks = list(client.chat.completions.create(model="gw-model", messages=MSG, stream=True))
        assert "".join(c.choices[0].delta.content or "" for c in chunks) == "hello gateway"
        assert chunks[-1].choices[0].finish_reason == "stop"
        assert [m.id for m in client.models.list()] == ["gw-model"]
        with pytest.raises(openai.AuthenticationError) as e:
            openai.OpenAI(base_url=url, api_key=key[:-2] + "xx", max_retries=0).chat.completions.create(
                model="gw-model", messages=MSG)
        assert e.value.status_code == 401 and "Invalid API key" in e.value.message
        with pytest.raises(openai.AuthenticationError):
            openai.OpenAI(base_url=url, api_key="sk-not-ours", max_retries=0).chat.completions.create(model="gw-model",
                                                                                           messages=MSG)
        client.chat.completions.create(model="gw-model", messages=MSG)
        client.chat.completions.create(model="gw-model", messages=MSG)  # 4th request: the last allowed
        with pytest.raises(openai.RateLimitError) as e:
            client.chat.completions.create(model="gw-model", messages=MSG)
        ra = int(e.value.response.headers["retry-after"])
        assert e.value.status_code == 429 and 1 <= ra <= 60
        with pytest.raises(openai.NotFoundError):
            client.chat.completions.create(model="other-model", messages=MSG)
    gw.log.close()
    t = read_log(gw.log.path)
    rows = t.to_pylist()
    ok = [r for r in rows if r["status"] == 200]
    assert len(ok) == 4 and sum(r["status"] == 429 for r in rows) == 1
    assert {r["account_id"] for r in rows} == {"acct-1"} and {r["org_id"] for r in rows} == {"org-1"}
    assert all(r["ip"] == "127.0.0.1" and "OpenAI" in r["user_agent"] for r in rows)
    assert ok[0]["prompt"] == "user: hello gateway" and ok[0]["completion"] == "hello gateway"
    assert '"upstream": "mock:echo"' in ok[0]["extra"] and "mock:fail" in ok[0]["extra"]


def test_all_upstreams_failing_is_502(make_gateway):
    gw, key = make_gateway(upstreams=["mock:fail", "mock:fail"])
    with gateway_in_thread(gw) as url, pytest.raises(openai.APIStatusError) as e:
        openai.OpenAI(base_url=url, api_key=key, max_retries=0).chat.completions.create(model="gw-model",
                                                                                       messages=MSG)
    assert e.value.status_code == 502


def test_watermarked_white_box_upstream(make_gateway):
    """A white-box upstream is watermarked with the deployment key; the log says which key, detection finds it."""
    from distillscope.models import load_model
    from distillscope.watermark import WatermarkConfig, detect

    cfg = WatermarkConfig(key="gateway-deployment", delta=4.0)
    tiny = load_model("zoo:tiny-llama")
    gw, key = make_gateway(upstreams=[tiny], watermark=cfg)
    with gateway_in_thread(gw) as url:
        client = openai.OpenAI(base_url=url, api_key=key, max_retries=0)
        texts = [client.chat.completions.create(model="gw-model", messages=[{"role": "user", "content": f"q{i}"}],
                                                max_tokens=40, seed=i).choices[0].message.content for i in range(3)]
    gw.log.close()
    rows = read_log(gw.log.path).to_pylist()
    assert {r["watermark_key_id"] for r in rows} == {cfg.key_id}
    _, pooled, _ = detect(texts, cfg, tokenizer=tiny.tokenizer, vocab_size=2048)
    assert pooled.counts.p_value < 1e-6
