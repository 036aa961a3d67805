"""``distillscope gateway``: the distillation-resistant OpenAI-compatible gateway (serve, add-key, revoke)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from distillscope.cli._common import Json, check_input, check_out, check_spec, emit, print_json, say


def _measured_costs() -> dict[str, str]:
    """One line per defence, written by ``bench/antidistill.py --costs-out`` (shown in ``gateway serve --help``)."""
    import json

    p = Path(__file__).resolve().parents[1] / "gateway" / "data" / "defence_costs.json"
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def register(app: typer.Typer) -> None:
    COSTS = {k: "" for k in ("temperature", "logit noise", "logprob round/trunc", "fingerprint bias",
                             "logprob decoy", "trace redaction")}
    COSTS.update(_measured_costs())
    gw = typer.Typer(help="OpenAI-compatible gateway with API keys, quotas, a durable exchange log, watermarking, "
                          "output perturbation and upstream fallback.", no_args_is_help=True)
    app.add_typer(gw, name="gateway")

    @gw.command()
    def serve(
        config: Path | None = typer.Option(None, "--config", "-c", help="gateway.yaml (see `distillscope.gateway."
                                                                          "config`); options below override it."),
        upstream: list[str] = typer.Option([], "--upstream", "-u", help="Model spec; repeat for ordered fallback."),
        keys: Path | None = typer.Option(None, help="Key file written by `gateway add-key`."),
        log: str | None = typer.Option(None, help="Exchange log: a folder (Parquet), .jsonl or .duckdb."),
        request_limit: str | None = typer.Option(None, help="Default per-key request quota, e.g. 60/minute."),
        token_limit: str | None = typer.Option(None, help="Default per-key token quota, e.g. 100000/hour."),
        storage: str | None = typer.Option(None, help="Quota storage: memory:// or redis://HOST:PORT."),
        model_name: str | None = typer.Option(None, help="Model name clients ask for and responses declare."),
        watermark_key: str | None = typer.Option(None, envvar="DISTILLSCOPE_WATERMARK_KEY",
                                                 help="Watermark white-box upstreams with this secret (or config "
                                                      "file)."),
        watermark_scheme: str = typer.Option("kgw", help="kgw or synthid."),
        temperature_factor: float | None = typer.Option(None, help="Perturbation: divide logits by this. "
                                                        + COSTS["temperature"]),
        logit_noise: float | None = typer.Option(None, help="Perturbation: Gaussian logit noise std. "
                                                 + COSTS["logit noise"]),
        logprob_step: float | None = typer.Option(None, help="Round served logprobs to multiples of this many "
                                                  "nats (sampling untouched). " + COSTS["logprob round/trunc"]),
        top_logprobs_max: int | None = typer.Option(None, help="Serve at most this many top_logprobs per token."),
        logprob_decoy_margin: float | None = typer.Option(None, help="Raise each token's served runner-up to this "
                                                          "many nats below the top one (sampling untouched). "
                                                          + COSTS["logprob decoy"]),
        trace_open: str | None = typer.Option(None, help="Withhold the reasoning trace that starts with this "
                                              "marker (e.g. '<think>'): served as a placeholder, its logprobs "
                                              "withheld, the answer after it unchanged. "
                                              + COSTS["trace redaction"]),
        trace_close: str | None = typer.Option(None, help="Marker that ends the withheld trace (default: none, "
                                               "the trace runs to the end)."),
        fingerprint_bias: float | None = typer.Option(None, help="Logit bias on a key-derived quarter of the "
                                                      "vocabulary (needs --fingerprint-key). "
                                                      + COSTS["fingerprint bias"]),
        fingerprint_key: str | None = typer.Option(None, envvar="DISTILLSCOPE_FINGERPRINT_KEY",
                                                   help="Secret choosing the fingerprinted tokens."),
        host: str = typer.Option("127.0.0.1", help="Bind address."),
        port: int = typer.Option(8000, min=1, max=65535, help="Port."),
        check: bool = typer.Option(False, "--check", help="Validate everything serve would refuse (specs, key "
                                                          "file, quotas, quota storage, log path), print the "
                                                          "configuration as JSON and exit."),
    ) -> None:
        """Serve /v1/chat/completions and /v1/models behind API keys and quotas, logging every exchange.

        Needs a key file first: `distillscope gateway add-key ACCOUNT --keys keys.json`. The configuration is
        checked (as with --check) before any model loads."""
        from distillscope.errors import InputError
        from distillscope.gateway.config import GatewayConfig

        data: dict = {}
        if config is not None:
            data = GatewayConfig.load(config).model_dump(exclude_none=True)
        over = {"upstreams": list(upstream) or None, "keys": str(keys) if keys else None, "log": log,
                "request_limit": request_limit, "token_limit": token_limit, "storage_uri": storage,
                "model_name": model_name}
        data.update({k: v for k, v in over.items() if v is not None})
        if watermark_key:
            from distillscope.watermark import WatermarkConfig

            wm = WatermarkConfig.load(watermark_key)
            data["watermark"] = {**wm.model_dump(), "scheme": watermark_scheme if not config else wm.scheme}
        flags = {"temperature_factor": temperature_factor, "logit_noise": logit_noise, "logprob_step": logprob_step,
                 "top_logprobs_max": top_logprobs_max, "fingerprint_bias": fingerprint_bias,
                 "fingerprint_key": fingerprint_key, "logprob_decoy_margin": logprob_decoy_margin,
                 "trace_open": trace_open, "trace_close": trace_close}
        if any(v is not None for v in flags.values()):
            data["perturbation"] = {**(data.get("perturbation") or {}),
                                    **{k: v for k, v in flags.items() if v is not None}}
        if not data.get("upstreams"):
            raise InputError("No upstream model: pass --upstream SPEC (repeatable) or a --config with upstreams.")
        cfg = GatewayConfig.load(data)
        _validate(cfg)
        if check:
            shown = cfg.model_dump()
            if shown.get("watermark"):
                shown["watermark"] = cfg.watermark.public_dict()
            if (shown.get("perturbation") or {}).get("fingerprint_key"):
                shown["perturbation"]["fingerprint_key"] = "***"
            print_json(shown)
            return
        from distillscope.gateway.server import serve_gateway

        say(f"gateway on http://{host}:{port}/v1 -> {', '.join(cfg.upstreams)}; log {cfg.log}")
        serve_gateway(cfg, host, port)

    @gw.command("add-key")
    def add_key(
        account: str = typer.Argument(..., help="Account id that owns the key."),
        keys: Path = typer.Option(Path("keys.json"), help="Key file (created if missing).",
                                  callback=lambda p: check_out(p, flag="--keys")),
        org: str | None = typer.Option(None, help="Organisation / payment-method id, logged with each exchange."),
        request_limit: str | None = typer.Option(None, help="This key's request quota (default: the gateway's)."),
        token_limit: str | None = typer.Option(None, help="This key's token quota (default: the gateway's)."),
        as_json: bool = typer.Option(False, "--json", help="Print the key and its id as JSON."),
    ) -> None:
        """Issue an API key. The key is printed once; only its hash is stored."""
        from distillscope.gateway.keys import KeyStore
        from distillscope.gateway.quota import _parse

        for lim in (request_limit, token_limit):
            if lim is not None:
                _parse(lim)
        key, rec = KeyStore(keys).add(account, org, request_limit, token_limit)
        if as_json:
            print_json({"key": key, "key_id": rec.key_id, "account_id": rec.account_id, "keys_file": str(keys)})
        else:
            say(f"key id {rec.key_id} for {account} (stored hashed in {keys}); the key, shown once, on stdout:")
            typer.echo(key)  # the key itself is the command's output: stdout, so it can be captured

    @gw.command()
    def revoke(
        key_id: str = typer.Argument(..., help="The key id (the part after 'dsk-')."),
        keys: Path = typer.Option(Path("keys.json"), help="Key file.",
                                  callback=lambda p: check_input(p, "key file")),
        as_json: Json = False,
    ) -> None:
        """Disable a key (takes effect when the gateway restarts or reloads its key file)."""
        from distillscope.gateway.keys import KeyStore

        KeyStore(keys).revoke(key_id)
        emit({"revoked": key_id, "keys_file": str(keys)}, as_json, lambda: say(f"revoked {key_id}"))


def _validate(cfg: Any) -> None:
    """Everything `gateway serve` would refuse or crash on, checked without loading a model."""
    from distillscope.errors import InputError
    from distillscope.gateway.keys import KeyStore
    from distillscope.gateway.quota import Quotas, _parse

    for spec in cfg.upstreams:
        check_spec(spec)
    if cfg.keys is None or not Path(cfg.keys).exists():
        raise InputError("No key file: create one with `distillscope gateway add-key ACCOUNT --keys keys.json` "
                         "and pass --keys keys.json.")
    check_input(Path(cfg.keys), "key file")
    ks = KeyStore(cfg.keys)
    for rec in ks._by_id.values():
        for lim in (rec.request_limit, rec.token_limit):
            if lim is not None:
                _parse(lim)
    q = Quotas(cfg.request_limit, cfg.token_limit, cfg.storage_uri)
    try:
        reachable = q.storage.check()
    except Exception as e:  # noqa: BLE001 - any storage failure means serve would answer 500s
        reachable, why = False, str(e)
    else:
        why = "no answer"
    if not reachable:
        raise InputError(f"Quota storage {cfg.storage_uri} is not reachable ({why}). Start it, or use memory://.")
    log = Path(cfg.log)
    check_out(log, folder=log.suffix not in (".jsonl", ".duckdb", ".db"), flag="--log")
