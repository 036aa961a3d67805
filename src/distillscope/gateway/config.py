"""Gateway configuration: one typed object for the Python API, the CLI and a YAML file.

Example ``gateway.yaml``::

    upstreams: [zoo:smollm2-135m-instruct, "openai:gpt-4o-mini@https://api.example/v1"]
    keys: keys.json                 # written by `distillscope gateway add-key`
    log: exchange-log/              # folder of Parquet segments (or .jsonl / .duckdb)
    request_limit: 60/minute        # per key; keys may override
    token_limit: 100000/hour
    storage_uri: memory://          # or redis://localhost:6379
    watermark: {scheme: kgw, key: "deployment secret"}
    perturb: {logprob_step: 1.0, top_logprobs_max: 2}   # output defences (alias: perturbation); costs below
    # perturb: {trace_open: "<think>", trace_close: "</think>"}  # withhold the reasoning, serve the answer
    model_name: my-model            # public name (default: the first upstream's model id, no URL/credentials)
    reject_log_limit: 60/minute     # refused requests logged per key at most (without their bodies)
    public_docs: false              # /docs and /openapi.json off unless true
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError

from distillscope.errors import InputError
from distillscope.watermark.config import WatermarkConfig


class PerturbationConfig(BaseModel):
    """Output defences against distillation (``perturb:`` in the gateway config), applied to white-box upstreams.

    The measured costs quoted in the descriptions come from ``bench/antidistill.py`` (a tiny teacher on a
    synthetic task, students distilled from its served text and top-5 log-probabilities); see the report it prints.
    """

    model_config = ConfigDict(extra="forbid")
    temperature_factor: float = Field(1.0, gt=0.0, le=10.0, description="divide logits by this factor")
    logit_noise: float = Field(0.0, ge=0.0, le=20.0, description="std of Gaussian noise added to logits")
    fingerprint_bias: float = Field(0.0, ge=-20.0, le=20.0, description="logit bias on a key-derived share of the "
                                    "vocabulary (a context-free fingerprint a holder of the key can test for)")
    fingerprint_key: str = Field("", description="secret that picks the fingerprinted tokens")
    fingerprint_gamma: float = Field(0.25, gt=0.0, lt=1.0, description="share of the vocabulary fingerprinted")
    logprob_step: float = Field(0.0, ge=0.0, le=20.0, description="round served log-probabilities to multiples "
                                "of this many nats (sampling untouched)")
    top_logprobs_max: int | None = Field(None, ge=0, le=20, description="serve at most this many top_logprobs "
                                         "per token (sampling untouched)")
    logprob_decoy_margin: float | None = Field(None, gt=0.0, le=20.0, description="raise each token's served "
                                               "runner-up to this many nats below the top one (sampling and "
                                               "the top token untouched)")
    trace_open: str = Field("", max_length=64, description="marker that opens a reasoning trace (e.g. '<think>'):"
                            " the trace's text is served as trace_placeholder, its logprobs withheld")
    trace_close: str = Field("", max_length=64, description="marker that closes the trace ('': to the end)")
    trace_placeholder: str = Field("[reasoning withheld]", max_length=200, description="what a withheld trace "
                                   "is served as")


class GatewayConfig(BaseModel):
    """Everything ``distillscope gateway serve`` needs."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    upstreams: list[str] = Field(..., min_length=1, description="model specs, tried in order")
    model_name: str | None = Field(None, description="public model name clients use and responses declare "
                                   "(default: the first upstream's model id, without its URL or credentials)")
    keys: str | None = Field(None, description="key file written by `gateway add-key`")
    log: str = Field("exchange-log", description="log folder (Parquet) or .jsonl / .duckdb file")
    log_fsync: bool = Field(True, description="fsync every log batch")
    log_compact_every: int = Field(64, ge=2, description="merge Parquet log segments every this many batches")
    log_rejected: bool = Field(True, description="also log authenticated requests refused with 429 (without "
                               "their body: its size and SHA-256 only)")
    reject_log_limit: str = Field("60/minute", description="refused requests logged per key at most (the rest "
                                  "are only counted)")
    request_limit: str = Field("60/minute", description="default per-key request quota")
    token_limit: str = Field("100000/hour", description="default per-key token quota")
    storage_uri: str = Field("memory://", description="limits storage: memory:// or redis://HOST:PORT")
    max_body_bytes: int = Field(1_000_000, ge=1024, description="larger request bodies get 413")
    max_tokens_cap: int = Field(4096, ge=1, description="max_tokens above this gets 400")
    max_n: int = Field(8, ge=1, le=64, description="largest n (choices) accepted")
    public_docs: bool = Field(False, description="serve /docs and /openapi.json (without a key)")
    trust_forwarded_for: bool = Field(False, description="take the client IP from X-Forwarded-For")
    watermark: WatermarkConfig | None = None
    perturbation: PerturbationConfig | None = Field(None, validation_alias=AliasChoices("perturbation", "perturb"),
                                                    description="output defences (see PerturbationConfig)")

    @classmethod
    def load(cls, source: str | Path | dict[str, Any]) -> GatewayConfig:
        if isinstance(source, dict):
            data = source
        else:
            import yaml

            p = Path(source)
            if not p.exists():
                raise InputError(f"Gateway config {p} does not exist.")
            try:
                data = yaml.safe_load(p.read_text(encoding="utf-8"))
            except yaml.YAMLError as e:
                raise InputError(f"{p} is not valid YAML: {e}") from e
            if not isinstance(data, dict):
                raise InputError(f"{p} must be a mapping (see `distillscope gateway serve --help`).")
        try:
            return cls.model_validate(data)
        except ValidationError as e:
            err = e.errors()[0]
            where = ".".join(str(x) for x in err.get("loc", ()))
            raise InputError(f"Bad gateway config field {where!r}: {err.get('msg')}.") from e
