"""``distillscope demo``: the main job on the built-in reference model, end to end on this machine."""

from __future__ import annotations

import typer

from distillscope.cli._common import Json, Samples


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        samples: Samples = 3,
        max_tokens: int = typer.Option(40, min=1, help="New tokens per sample."),
        as_json: Json = False,
    ) -> None:
        """Serve SmolLM2 on loopback; sample it through the openai SDK, probe its identity, verify an honest
        endpoint and a relay with a hidden system prompt. Samples are cached in the store."""
        from distillscope.demo import run_demo

        run_demo(samples=samples, max_tokens=max_tokens, as_json=as_json)
