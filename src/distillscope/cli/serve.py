"""``distillscope serve SPEC``: an OpenAI-compatible server in front of any model."""

from __future__ import annotations

import typer

from distillscope.cli._common import console


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        spec: str = typer.Argument(..., help="Model spec to serve, e.g. zoo:smollm2-135m-instruct."),
        host: str = typer.Option("127.0.0.1", help="Bind address (loopback by default)."),
        port: int = typer.Option(8000, help="Port."),
        name: str | None = typer.Option(None, help="Model name the server declares (default: the model's own)."),
        system_prompt: str | None = typer.Option(None, help="A hidden system prompt added to every chat."),
    ) -> None:
        """Serve /v1/models and /v1/chat/completions (n, temperature, top_p, seed, logprobs, stream)."""
        import uvicorn

        from distillscope.models import load_model
        from distillscope.serve import create_app

        kw = {"system_prompt": system_prompt} if system_prompt else {}
        model = load_model(spec, **kw)
        console.print(f"serving {spec} on http://{host}:{port}/v1")
        uvicorn.run(create_app(model, name), host=host, port=port, log_level="info")
