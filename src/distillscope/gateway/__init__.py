"""The distillation-resistant gateway: OpenAI-compatible serving with API keys, per-key quotas, a durable
exchange log in the monitor's schema, watermarking/perturbation of white-box upstreams and ordered fallback.

Three steps:
  1. ``distillscope gateway add-key ACCOUNT --keys keys.json`` issues a key (stored hashed);
  2. write a ``gateway.yaml`` (see :mod:`distillscope.gateway.config`);
  3. ``distillscope gateway serve --config gateway.yaml``; clients use any OpenAI SDK with that key.

Names are imported lazily, so ``from distillscope.gateway.log import ExchangeLog`` stays light.
"""

from __future__ import annotations

from distillscope._lazy import lazy_getattr

_EXPORTS = {
    "Gateway": "app", "create_gateway_app": "app",
    "GatewayConfig": "config", "PerturbationConfig": "config",
    "KeyRecord": "keys", "KeyStore": "keys",
    "ExchangeLog": "log", "read_log": "log",
    "Quotas": "quota",
    "Upstreams": "upstream",
    "gateway_in_thread": "server", "serve_gateway": "server",
}

__all__ = list(_EXPORTS)


__getattr__ = lazy_getattr(__name__, _EXPORTS)
