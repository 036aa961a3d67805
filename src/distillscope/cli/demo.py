"""``distillscope demo``: the case study on the built-in reference model, end to end on this machine."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from distillscope.cli._common import Json, emit, out_option


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        out: Annotated[Path | None, out_option("Folder for the demo's models, logs and case files (default: the "
                                               "cache dir, cache/demo).", folder=True)] = None,
        budget: Annotated[int, typer.Option(min=1, help="Most model calls each audit may make.")] = 2000,
        as_json: Json = False,
    ) -> None:
        """The case study: build a student distilled from SmolLM2 and controls, serve SmolLM2 and a substitute
        under the same name through the gateway, audit both endpoints with the openai client, audit the student
        and a control against SmolLM2, and print the report paths. Models and samples are cached."""
        from distillscope.demo import run_demo

        emit(run_demo(out=out, budget=budget, as_json=as_json), as_json)
