"""Lazy registry of backends keyed by spec prefix (``hf:``, ``zoo:``, ``openai:``, ...).

A backend is registered by prefix with the dotted path of its factory, so its SDK is imported only when a spec
with that prefix is loaded. Built-in backends register through :func:`register_backend` exactly as third-party
plugins do (or through the ``distillscope.backends`` entry-point group, value ``"module:factory"``).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

from distillscope.errors import DistillscopeError, SpecError

_BACKENDS: dict[str, tuple[str | Callable[..., Any], str]] = {}
_entry_points_loaded = False


def register_backend(prefix: str, factory: str | Callable[..., Any], help: str = "", extra: str | None = None) -> None:
    """Register a backend.

    Args:
        prefix: the spec prefix without the colon, e.g. ``"openai"``.
        factory: a callable ``factory(rest_of_spec, **options) -> Model`` or its dotted path ``"pkg.mod:func"``.
        help: one line shown in error messages and ``models list``.
        extra: the pip extra that provides the backend's SDK, named in the error when the import fails.
    """
    _BACKENDS[prefix] = (factory, help if extra is None else f"{help} [extra: distillscope[{extra}]]")
    if extra:
        _EXTRAS[prefix] = extra


_EXTRAS: dict[str, str] = {}


def _load_entry_points() -> None:
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for ep in entry_points(group="distillscope.backends"):
        if ep.name not in _BACKENDS:
            register_backend(ep.name, ep.value, help=f"plugin from {ep.value}")


def backends() -> dict[str, str]:
    """Prefix -> one-line help, for every registered backend."""
    _load_entry_points()
    return {k: v[1] for k, v in sorted(_BACKENDS.items())}


def split_spec(spec: str) -> tuple[str, str]:
    if ":" not in spec:
        raise SpecError(
            f"Model spec {spec!r} has no prefix. Use PREFIX:REST with one of: "
            + ", ".join(f"{k}:" for k in backends())
            + " (e.g. zoo:smollm2-135m-instruct, hf:/path/to/model, openai:gpt-4o-mini@https://api.example/v1)."
        )
    prefix, rest = spec.split(":", 1)
    return prefix, rest


# Options that change how a model is reached, not what it answers: left out of the spec (the cache key).
TRANSPORT_OPTIONS = {"api_key_env", "concurrency", "max_retries", "timeout", "batch_size"}


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


def _factory(prefix: str, spec: str) -> Callable[..., Any]:
    _load_entry_points()
    if prefix not in _BACKENDS:
        raise SpecError(
            f"Unknown model spec prefix {prefix!r} in {spec!r}. Valid prefixes: "
            + "; ".join(f"{k}: {h}" for k, h in backends().items())
        )
    factory, _ = _BACKENDS[prefix]
    if isinstance(factory, str):
        mod_name, _, func = factory.partition(":")
        try:
            mod = importlib.import_module(mod_name)
        except ImportError as e:
            extra = _EXTRAS.get(prefix)
            hint = f" Install it with: pip install 'distillscope[{extra}]'." if extra else ""
            raise DistillscopeError(f"Backend {prefix!r} could not be imported ({e}).{hint}") from e
        factory = getattr(mod, func)
    return factory


def valid_options(factory: Callable[..., Any]) -> list[str]:
    """The options a backend factory takes: its keyword parameters after the spec (plus ``factory.options``)."""
    params = list(inspect.signature(factory).parameters.values())[1:]
    named = [p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    return sorted({*named, *getattr(factory, "options", ())})


def _check_options(prefix: str, factory: Callable[..., Any], options: dict[str, Any]) -> None:
    valid = valid_options(factory)
    unknown = sorted(k for k in options if k not in valid)
    if unknown:
        takes = f"it takes {', '.join(valid)}" if valid else "it takes no options"
        raise SpecError(f"Unknown option{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} for {prefix}: specs; "
                        f"{takes} (written SPEC;key=value).")


def check_spec(spec: str) -> None:
    """Raise SpecError if ``spec`` does not parse, names no known backend or passes options it does not take.

    Imports the backend's module only when the spec has options to check.
    """
    bare, opts = parse_options(spec)
    prefix, _ = split_spec(bare)
    factory: Any = _factory(prefix, spec) if opts else None
    if factory is None:
        _load_entry_points()
        if prefix not in _BACKENDS:
            _factory(prefix, spec)
        return
    _check_options(prefix, factory, opts)


def load_model(spec: str, **options: Any) -> Any:
    """Resolve a spec like ``zoo:smollm2-135m-instruct`` to a :class:`~distillscope.models.base.Model`.

    Options may be given as keyword arguments or inside the spec after semicolons, e.g.
    ``openai:gpt-4o-mini@https://api.example/v1;api_key_env=EXAMPLE_KEY;concurrency=4`` or
    ``zoo:smollm2-135m-instruct;system_prompt=You are Aster.``. Options that change outputs (like
    ``system_prompt``) stay part of the model's spec, so its samples are cached apart.
    """
    spec, in_spec = parse_options(spec)
    options = {**in_spec, **options}
    prefix, rest = split_spec(spec)
    factory = _factory(prefix, spec)
    _check_options(prefix, factory, options)
    model = factory(rest, **options)
    model.spec = canonical_spec(spec, **options)
    return model


def canonical_spec(spec: str, **options: Any) -> str:
    """The spec a loaded model carries (its cache key): the bare spec plus the options that change outputs.

    Computed without loading the model, so a fully cached run can skip loading it.
    """
    bare, in_spec = parse_options(spec)
    semantic = sorted((k, v) for k, v in {**in_spec, **options}.items()
                      if k not in TRANSPORT_OPTIONS and v is not None)
    return bare + "".join(f";{k}={v}" for k, v in semantic)
