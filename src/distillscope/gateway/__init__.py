"""The distillation-resistant gateway: OpenAI-compatible serving with API keys, per-key quotas, a durable
exchange log in the monitor's schema, watermarking/perturbation of white-box upstreams and ordered fallback.

Three steps:
  1. ``distillscope gateway add-key ACCOUNT --keys keys.json`` issues a key (stored hashed);
  2. write a ``gateway.yaml`` (see :mod:`distillscope.gateway.config`);
  3. ``distillscope gateway serve --config gateway.yaml``; clients use any OpenAI SDK with that key.
"""

from distillscope.gateway.app import Gateway, create_gateway_app
from distillscope.gateway.config import GatewayConfig, PerturbationConfig
from distillscope.gateway.keys import KeyRecord, KeyStore
from distillscope.gateway.log import ExchangeLog, read_log
from distillscope.gateway.quota import Quotas
from distillscope.gateway.upstream import Upstreams

__all__ = ["ExchangeLog", "Gateway", "GatewayConfig", "KeyRecord", "KeyStore", "PerturbationConfig", "Quotas",
           "Upstreams", "create_gateway_app", "read_log"]
