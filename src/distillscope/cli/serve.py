"""``distillscope serve SPEC``: an OpenAI-compatible server in front of any model.

    distillscope serve zoo:smollm2-135m-instruct --port 8000
    distillscope verify openai:smollm2@http://127.0.0.1:8000/v1 --reference zoo:smollm2-135m-instruct
"""

from __future__ import annotations

from typing import Annotated

import typer

from distillscope.cli._common import Spec, check_spec, say


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        spec: Spec,
        host: Annotated[str, typer.Option(help="Bind address (loopback by default).")] = "127.0.0.1",
        port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8000,
        name: Annotated[str | None, typer.Option(help="Model name the server declares (default: the model's "
                                                 "own).")] = None,
        system_prompt: Annotated[str | None, typer.Option(help="A hidden system prompt added to every chat.")]
        = None,
        max_batch: Annotated[int, typer.Option(min=1, help="Most samples generated together in one batch.")] = 16,
    ) -> None:
        """Serve /v1/models and /v1/chat/completions (n, temperature, top_p, seed, logprobs, stream).

        Requests that arrive together are generated as one batch; a request whose client gave up (timed out or
        disconnected) before its batch started is dropped, not computed. Clients of distillscope
        (openai:MODEL@URL) lower their concurrency when the server is slower than their timeout.
        """
        import uvicorn

        from distillscope.models import load_model
        from distillscope.serve import create_app

        if system_prompt:
            check_spec(f"{spec};system_prompt=x")
        kw = {"system_prompt": system_prompt} if system_prompt else {}
        model = load_model(spec, **kw)
        say(f"serving {spec} on http://{host}:{port}/v1")
        uvicorn.run(create_app(model, name, max_batch=max_batch), host=host, port=port, log_level="info")
