"""Typer options generated from a config dataclass, and ``--config FILE.yaml`` merged under the flags.

A field's metadata (see :func:`distillscope.configs.opt`) gives its help text, its flag name and bounds; nested
dataclass fields (``VerifyConfig.battery``) become flags of their own. Every generated option defaults to None, so
the command knows which flags were given: the value is the flag if given, else the config file's, else the field's
default. The config is built (and validated) before any model loads.

    @app.command()
    @with_config(VerifyConfig)
    def verify(endpoint: str, cfg_values: dict | None = None, config: ConfigFile = None): ...
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from distillscope.errors import InputError


@dataclass(frozen=True)
class Flag:
    name: str  # the option's parameter name (flag with - for _)
    path: tuple[str, ...]  # field path in the config, e.g. ("battery", "n_perm")
    type: Any
    default: Any
    help: str
    bounds: dict[str, float]
    short: str | None = None


def config_flags(cls: type, path: tuple[str, ...] = ()) -> list[Flag]:
    """The CLI flags of a config dataclass, nested dataclasses flattened."""
    hints = typing.get_type_hints(cls)
    out: list[Flag] = []
    for f in dataclasses.fields(cls):
        t = hints[f.name]
        if dataclasses.is_dataclass(t):
            out.extend(config_flags(t, (*path, f.name)))  # type: ignore[arg-type]
            continue
        meta = f.metadata
        if not meta.get("help") or not meta.get("cli", True):
            continue
        bounds = {k: meta[k] for k in ("min", "max") if k in meta}
        default = f.default if f.default is not dataclasses.MISSING else None
        out.append(Flag(meta.get("flag") or f.name, (*path, f.name), t, default, meta["help"], bounds,
                        meta.get("short")))
    return out


def _option(fl: Flag) -> inspect.Parameter:
    base = _base_type(fl.type)
    decl = f"--{fl.name.replace('_', '-')}"
    if base is bool:
        decl = f"{decl}/--no-{fl.name.replace('_', '-')}"
    shown = "" if fl.default is None else escape(f" [default: {fl.default}]")  # Rich markup would eat [...]
    info = typer.Option(decl, *([fl.short] if fl.short else []), help=fl.help + shown, show_default=False,
                        **fl.bounds)
    return inspect.Parameter(fl.name, inspect.Parameter.KEYWORD_ONLY, default=None,
                             annotation=Annotated[base | None, info])


def _base_type(t: Any) -> Any:
    args = [a for a in typing.get_args(t) if a is not type(None)]
    return args[0] if args else t


def with_config(cls: type) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add one option per config field to a command; the command gets ``cfg_values`` ({flag name: value or None})."""
    flags = config_flags(cls)

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        sig = inspect.signature(fn, eval_str=True)
        own = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in sig.parameters.values()
               if p.name != "cfg_values"]
        taken = {p.name for p in own}
        params = own + [_option(f) for f in flags if f.name not in taken]

        @functools.wraps(fn)
        def wrapper(**kw: Any) -> Any:
            values = {f.name: kw.pop(f.name) for f in flags if f.name in kw and f.name not in taken}
            return fn(**kw, cfg_values=values)

        del wrapper.__wrapped__
        wrapper.__signature__ = sig.replace(parameters=params, return_annotation=None)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in params}
        return wrapper

    return deco


def read_config_file(path: Path | None, cls: type) -> dict[str, Any]:
    """``{flag name: value}`` from a YAML/JSON mapping whose keys are flag names (``-`` or ``_``)."""
    if path is None:
        return {}
    import yaml

    from distillscope.inputs import read_text_file

    try:
        doc = yaml.safe_load(read_text_file(path, "config file"))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise InputError(f"{path}:{mark.line + 1 if mark else '?'}: not valid YAML ({getattr(e, 'problem', e)}).") from e
    if doc is None:
        raise InputError(f"{path} is empty; a config file maps option names to values, e.g. 'samples: 20'.")
    if not isinstance(doc, dict):
        raise InputError(f"{path}: a config file is a mapping of option names to values, got a {type(doc).__name__}.")
    names = {f.name: f for f in config_flags(cls)}
    out: dict[str, Any] = {}
    for key, val in doc.items():
        name = str(key).lstrip("-").replace("-", "_")
        fl = names.get(name)
        if fl is None:
            raise InputError(f"{path}: unknown option {key!r}; valid: {', '.join(sorted(names))}.")
        out[name] = _typed(val, fl, path)
    return out


def _typed(val: Any, fl: Flag, path: Path) -> Any:
    if val is None:
        return None
    base = _base_type(fl.type)
    ok = isinstance(val, base) and not (base is int and isinstance(val, bool))
    if base is float and isinstance(val, int) and not isinstance(val, bool):
        val, ok = float(val), True
    if not ok:
        raise InputError(f"{path}: {fl.name} must be a {base.__name__}, got {val!r}.")
    lo, hi = fl.bounds.get("min"), fl.bounds.get("max")
    if (lo is not None and val < lo) or (hi is not None and val > hi):
        raise InputError(f"{path}: {fl.name} = {val} is outside [{lo}, {hi}].")
    return val


def build_config(cls: type, cfg_values: dict[str, Any], config_file: Path | None = None,
                 **fixed: Any) -> tuple[Any, set[str]]:
    """The config: field defaults, then the file, then the flags given, then ``fixed``; and the names set by the
    user (file or flags). Invalid values raise InputError (``__post_init__`` checks run here)."""
    given = {**read_config_file(config_file, cls), **{k: v for k, v in cfg_values.items() if v is not None}}
    given.update({k: v for k, v in fixed.items() if v is not None})
    by_path: dict[tuple[str, ...], Any] = {}
    for fl in config_flags(cls):
        if fl.name in given:
            by_path[fl.path] = given[fl.name]
    return _make(cls, by_path, ()), set(given)


def _make(cls: type, values: dict[tuple[str, ...], Any], path: tuple[str, ...]) -> Any:
    hints = typing.get_type_hints(cls)
    kw: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        p = (*path, f.name)
        if dataclasses.is_dataclass(hints[f.name]):
            kw[f.name] = _make(hints[f.name], values, p)
        elif p in values:
            kw[f.name] = values[p]
    try:
        return cls(**kw)
    except TypeError as e:
        raise InputError(f"invalid settings for {cls.__name__}: {e}") from e
