"""Models: one contract (:class:`Model`) over local and remote LLMs, resolved from spec strings.

Specs: ``hf:PATH`` | ``zoo:NAME`` | ``openai:MODEL@BASE_URL`` | ``anthropic:MODEL`` | ``replay:FILE.jsonl`` |
``mock:NAME``.

Adding a backend in three steps:
1. Subclass :class:`Model` in a module that imports its SDK at top level; implement ``_generate`` (and
   ``score`` etc. if white-box) and set ``capabilities``.
2. Write ``def factory(rest: str, **options) -> Model`` in that module.
3. ``register_backend("myprefix", "mypkg.mymod:factory", help="...", options=("timeout",))`` (``options``: the
   ``;key=value`` spec options the factory accepts; others are refused) — or declare the entry point
   ``[project.entry-points."distillscope.backends"] myprefix = "mypkg.mymod:factory"`` (accepts any option).
"""

from distillscope._lazy import lazy_getattr
from distillscope.models.base import (
    CAPABILITIES,
    Completion,
    GenRequest,
    LogitsTransform,
    Message,
    Model,
    TokenLogprob,
    WhiteBox,
    is_white_box,
    require_white_box,
)
from distillscope.models.registry import backends, check_spec, load_model, register_backend

# The transformers backend, for code that builds a white-box model from an in-memory module (zoo fixtures, distilled
# students); imported on first use so that `import distillscope.models` stays free of torch.
__getattr__ = lazy_getattr("distillscope.models", {"HFModel": "_hf", "load_pretrained": "_hf", "gguf_cache_dir": "_hf"})

_LOCAL = ("batch_size", "system_prompt")
_REMOTE = ("api_key_env", "concurrency", "max_retries", "timeout")
register_backend("hf", "distillscope.models._hf:factory", help="any local transformers causal LM or PATH/file.gguf",
                 options=_LOCAL)
register_backend("zoo", "distillscope.zoo:factory", help="named reference models and tiny fixtures (see `models list`)",
                 options=_LOCAL)
register_backend("openai", "distillscope.models._openai:factory", help="OpenAI-compatible endpoint, MODEL@BASE_URL",
                 options=_REMOTE)
register_backend("anthropic", "distillscope.models._anthropic:factory", help="Anthropic Messages API, MODEL",
                 extra="anthropic", options=_REMOTE)
register_backend("replay", "distillscope.models._replay:factory", help="transcripts in a JSONL file as a model",
                 options=())
register_backend("mock", "distillscope.models._mock:factory", help="scripted outputs for tests (mock:echo, mock:fixed=TEXT)",
                 options=())


__all__ = [
    "CAPABILITIES",
    "Completion",
    "GenRequest",
    "HFModel",
    "LogitsTransform",
    "Message",
    "Model",
    "TokenLogprob",
    "WhiteBox",
    "backends",
    "check_spec",
    "gguf_cache_dir",
    "is_white_box",
    "load_model",
    "load_pretrained",
    "register_backend",
    "require_white_box",
]
