"""Running the gateway: in the foreground (CLI) or on loopback in a thread (tests, benchmarks)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from distillscope.gateway.app import Gateway, create_gateway_app
from distillscope.gateway.config import GatewayConfig


def serve_gateway(config: GatewayConfig, host: str = "127.0.0.1", port: int = 8000, log_level: str = "info") -> None:
    """Serve until interrupted; the log is flushed and closed on exit."""
    import uvicorn

    gw = Gateway.from_config(config)
    try:
        uvicorn.run(create_gateway_app(gw), host=host, port=port, log_level=log_level, backlog=4096, access_log=False,
                    timeout_keep_alive=75)
    finally:
        gw.close()


@contextmanager
def gateway_in_thread(gateway: Gateway, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve a :class:`Gateway` on loopback in a background thread; yields the base URL ``http://host:port/v1``."""
    from distillscope.serve import run_app_in_thread

    with run_app_in_thread(create_gateway_app(gateway), host, port) as url:
        yield url + "/v1"


