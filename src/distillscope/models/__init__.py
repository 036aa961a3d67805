"""Models: one contract (:class:`Model`) over local and remote LLMs, resolved from spec strings.

Specs: ``hf:PATH`` | ``zoo:NAME`` | ``openai:MODEL@BASE_URL`` | ``anthropic:MODEL`` | ``replay:FILE.jsonl`` |
``mock:NAME``.

Adding a backend in three steps:
1. Subclass :class:`Model` in a module that imports its SDK at top level; implement ``_generate`` (and
   ``score`` etc. if white-box) and set ``capabilities``.
2. Write ``def factory(rest: str, **options) -> Model`` in that module.
3. ``register_backend("myprefix", "mypkg.mymod:factory", help="...")`` — or declare the entry point
   ``[project.entry-points."distillscope.backends"] myprefix = "mypkg.mymod:factory"``.
"""

from distillscope.models.base import CAPABILITIES, Completion, GenRequest, Message, Model, TokenLogprob
from distillscope.models.registry import backends, load_model, register_backend

register_backend("hf", "distillscope.models._hf:factory", help="any local transformers causal LM or PATH/file.gguf")
register_backend("zoo", "distillscope.zoo:factory", help="named reference models and tiny fixtures (see `models list`)")
register_backend("openai", "distillscope.models._openai:factory", help="OpenAI-compatible endpoint, MODEL@BASE_URL")
register_backend(
    "anthropic", "distillscope.models._anthropic:factory", help="Anthropic Messages API, MODEL", extra="anthropic"
)
register_backend("replay", "distillscope.models._replay:factory", help="transcripts in a JSONL file as a model")
register_backend("mock", "distillscope.models._mock:factory", help="scripted outputs for tests (mock:echo, mock:fixed=TEXT)")

__all__ = [
    "CAPABILITIES",
    "Completion",
    "GenRequest",
    "Message",
    "Model",
    "TokenLogprob",
    "backends",
    "load_model",
    "register_backend",
]
