"""Model backends keyed by spec prefix (``hf:``, ``zoo:``, ``openai:``, ...), on the generic lazy registry.

A backend is registered by prefix with the dotted path of its factory, so its SDK is imported only when a spec
with that prefix is loaded. Built-in backends register through :func:`register_backend` exactly as third-party
plugins do (or through the ``distillscope.backends`` entry-point group, value ``"module:factory"``); see
:mod:`distillscope.registry`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from distillscope.errors import SpecError
from distillscope.registry import registry

if TYPE_CHECKING:
    from distillscope.models.base import Model

BACKENDS = registry("backend")

# Options that change how a model is reached, not what it answers: left out of the spec (the cache key).
TRANSPORT_OPTIONS = {"api_key_env", "concurrency", "max_retries", "timeout", "batch_size"}


def register_backend(prefix: str, factory: str | Callable[..., Any], help: str = "", extra: str | None = None,
                     options: Iterable[str] | None = None) -> None:
    """Register a backend.

    Args:
        prefix: the spec prefix without the colon, e.g. ``"openai"``.
        factory: a callable ``factory(rest_of_spec, **options) -> Model`` or its dotted path ``"pkg.mod:func"``.
        help: one line shown in error messages and ``models list``.
        extra: the pip extra that provides the backend's SDK, named in the error when the import fails.
        options: the spec options the factory accepts (``;key=value``); :func:`load_model` rejects any other
            with a :class:`~distillscope.errors.SpecError` listing these. ``None`` accepts any option.
    """
    BACKENDS.register(prefix, factory, help=help, extra=extra, options=options)


def backends() -> dict[str, str]:
    """Prefix -> one-line help, for every registered backend."""
    return {k: e.description for k, e in BACKENDS.entries().items()}


def split_spec(spec: str) -> tuple[str, str]:
    """``"PREFIX:REST"`` -> ``("PREFIX", "REST")``; a SpecError naming the valid prefixes when there is no colon."""
    if ":" not in spec:
        raise SpecError(
            f"Model spec {spec!r} has no prefix. Use PREFIX:REST with one of: "
            + ", ".join(f"{k}:" for k in backends())
            + " (e.g. zoo:smollm2-135m-instruct, hf:/path/to/model, openai:gpt-4o-mini@https://api.example/v1)."
        )
    prefix, rest = spec.split(":", 1)
    return prefix, rest


def parse_options(spec: str) -> tuple[str, dict[str, Any]]:
    """Split ``PREFIX:REST;key=value;...`` into the bare spec and typed options."""
    head, *parts = spec.split(";")
    opts: dict[str, Any] = {}
    for part in parts:
        key, eq, val = part.partition("=")
        if not eq or not key.strip():
            raise SpecError(f"Bad option {part!r} in {spec!r}: options are written ;key=value")
        v: Any = val
        for cast in (int, float):
            try:
                v = cast(val)
                break
            except ValueError:
                pass
        opts[key.strip()] = v
    return head, opts


def load_model(spec: str, **options: Any) -> Model:
    """Resolve a spec like ``zoo:smollm2-135m-instruct`` to a :class:`~distillscope.models.base.Model`.

    Options may be given as keyword arguments or inside the spec after semicolons, e.g.
    ``openai:gpt-4o-mini@https://api.example/v1;api_key_env=EXAMPLE_KEY;concurrency=4`` or
    ``zoo:smollm2-135m-instruct;system_prompt=You are Aster.``. Options that change outputs (like
    ``system_prompt``) stay part of the model's spec, so its samples are cached apart. An option the backend
    does not declare is a SpecError that lists the accepted ones (checked before anything is loaded).
    """
    full = spec
    spec, in_spec = parse_options(spec)
    options = {**in_spec, **options}
    prefix, rest = split_spec(spec)
    try:
        BACKENDS.get(prefix)
    except SpecError:
        raise SpecError(
            f"Unknown model spec prefix {prefix!r} in {spec!r}. Valid prefixes: "
            + "; ".join(f"{k}: {h}" for k, h in backends().items())
        ) from None
    BACKENDS.check_options(prefix, (k for k, v in options.items() if v is not None), where=full)
    factory = BACKENDS.load(prefix)
    model = factory(rest, **options)
    model.spec = canonical_spec(spec, **options)
    return model


def check_spec(spec: str) -> None:
    """Raise SpecError if ``spec`` does not parse, names no known backend or passes options it does not take.

    Nothing is imported or loaded: backends declare their options when they register.
    """
    bare, opts = parse_options(spec)
    prefix, _ = split_spec(bare)
    if prefix not in BACKENDS:
        raise SpecError(
            f"Unknown model spec prefix {prefix!r} in {spec!r}. Valid prefixes: "
            + "; ".join(f"{k}: {h}" for k, h in backends().items())
        )
    BACKENDS.check_options(prefix, opts, where=spec)


def canonical_spec(spec: str, **options: Any) -> str:
    """The spec a loaded model carries (its cache key): the bare spec plus the options that change outputs.

    Computed without loading the model, so a fully cached run can skip loading it.
    """
    bare, in_spec = parse_options(spec)
    semantic = sorted((k, v) for k, v in {**in_spec, **options}.items()
                      if k not in TRANSPORT_OPTIONS and v is not None)
    return bare + "".join(f";{k}={v}" for k, v in semantic)
