"""Gateway fixtures: a gateway over mock upstreams with a fresh key store, quotas and log folder per test."""

from __future__ import annotations

from collections.abc import Callable

import pytest


@pytest.fixture()
def make_gateway(tmp_path) -> Callable:
    """``make_gateway(upstreams=[...], request_limit=..., token_limit=..., **gateway_kwargs) -> (gateway, key)``."""
    from distillscope.gateway import ExchangeLog, Gateway, KeyStore, Quotas, Upstreams
    from distillscope.models import load_model

    made = []

    def make(upstreams=("mock:echo",), request_limit="1000/minute", token_limit="10000000/hour", watermark=None,
             key_limits=None, **kw):
        keys = KeyStore(tmp_path / "keys.json")
        key, _ = keys.add("acct-1", org_id="org-1", **(key_limits or {}))
        models = [load_model(u) if isinstance(u, str) else u for u in upstreams]
        gw = Gateway(Upstreams(models, watermark=watermark), keys, Quotas(request_limit, token_limit),
                     ExchangeLog(tmp_path / "log"), model_name="gw-model", **kw)
        made.append(gw)
        return gw, key

    yield make
    for gw in made:
        gw.close()
