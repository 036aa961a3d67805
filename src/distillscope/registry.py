"""One lazy, named registry for every extension point: model backends, watermark schemes, lineage methods.

An entry is a name bound to the dotted path ``"package.module:attribute"`` of its implementation (or the object
itself), imported on first use, so ``import distillscope`` never pays for an SDK it does not need and a missing
optional dependency fails with the pip extra to install. Built-in entries register through exactly the same
call a third-party plugin would use; plugins may instead declare an entry point in the kind's group::

    [project.entry-points."distillscope.watermark_schemes"]
    myscheme = "mypkg.wm:MyScheme"

Kinds and their entry-point groups are listed in :data:`KINDS`. Usage::

    from distillscope.registry import registry
    registry("lineage").register("weights", "distillscope.lineage.weights:compare", help="parameter similarity")
    fn = registry("lineage").load("weights")        # imports distillscope.lineage.weights now
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

from distillscope.errors import DistillscopeError, InputError, SpecError

#: kind -> (entry-point group, noun used in messages, error raised for an unknown name)
KINDS: dict[str, tuple[str, str, type[DistillscopeError]]] = {
    "backend": ("distillscope.backends", "model spec prefix", SpecError),
    "watermark_scheme": ("distillscope.watermark_schemes", "watermark scheme", InputError),
    "lineage": ("distillscope.lineage_methods", "lineage method", InputError),
}


@dataclass(frozen=True)
class Entry:
    """One registered implementation.

    Attributes:
        name: the name users write (a spec prefix, a scheme name, a method name).
        target: the implementation, or its dotted path ``"pkg.mod:attr"`` imported on first :meth:`Registry.load`.
        help: one line for listings and error messages.
        extra: the pip extra that provides the implementation's dependencies (named when the import fails).
        options: the option names the implementation accepts, or ``None`` when it accepts any.
        meta: free-form extra data for the kind (shown nowhere; read by the kind's own code).
    """

    name: str
    target: str | Callable[..., Any] | type
    help: str = ""
    extra: str | None = None
    options: frozenset[str] | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def description(self) -> str:
        """``help`` plus the install hint, for listings."""
        return self.help if self.extra is None else f"{self.help} [extra: distillscope[{self.extra}]]"


class Registry:
    """Named entries of one kind, loaded lazily (see the module docstring)."""

    def __init__(self, kind: str, group: str, noun: str, error: type[DistillscopeError] = InputError) -> None:
        self.kind, self.group, self.noun, self.error = kind, group, noun, error
        self._entries: dict[str, Entry] = {}
        self._loaded: dict[str, Any] = {}
        self._entry_points_read = False

    def register(self, name: str, target: str | Callable[..., Any] | type, *, help: str = "",
                 extra: str | None = None, options: Iterable[str] | None = None, **meta: Any) -> Entry:
        """Register (or replace) ``name``; see :class:`Entry` for the arguments. Returns the entry."""
        if not name or any(c in name for c in ":;= "):
            raise ValueError(f"{self.noun} name {name!r} must be non-empty without ':', ';', '=' or spaces")
        if isinstance(target, str) and ":" not in target:
            raise ValueError(f"target {target!r} must be a dotted path 'package.module:attribute'")
        entry = Entry(name, target, help, extra, None if options is None else frozenset(options), dict(meta))
        self._entries[name] = entry
        self._loaded.pop(name, None)
        return entry

    def unregister(self, name: str) -> None:
        """Remove ``name`` (no error when absent)."""
        self._entries.pop(name, None)
        self._loaded.pop(name, None)

    @contextmanager
    def scoped(self) -> Iterator[Registry]:
        """Registrations made inside the block are undone at its end (for tests)."""
        entries, loaded = dict(self._entries), dict(self._loaded)
        try:
            yield self
        finally:
            self._entries, self._loaded = entries, loaded

    def _read_entry_points(self) -> None:
        if self._entry_points_read:
            return
        self._entry_points_read = True
        for ep in entry_points(group=self.group):
            if ep.name not in self._entries:
                self.register(ep.name, ep.value, help=f"plugin from {ep.value}")

    def entries(self) -> dict[str, Entry]:
        """Name -> entry, sorted by name, including plugins declared as entry points."""
        self._read_entry_points()
        return dict(sorted(self._entries.items()))

    def names(self) -> list[str]:
        return list(self.entries())

    def __contains__(self, name: object) -> bool:
        return name in self.entries()

    def get(self, name: str) -> Entry:
        """The entry for ``name``; an error naming the valid names when there is none."""
        entries = self.entries()
        if name not in entries:
            valid = "; ".join(f"{k} ({e.description})" if e.description else k for k, e in entries.items())
            raise self.error(f"Unknown {self.noun} {name!r}. Valid: {valid or 'none registered'}.")
        return entries[name]

    def load(self, name: str) -> Any:
        """The implementation registered as ``name``, importing its module on first use."""
        entry = self.get(name)
        if name in self._loaded:
            return self._loaded[name]
        target = entry.target
        if isinstance(target, str):
            mod_name, _, attr = target.partition(":")
            try:
                mod = importlib.import_module(mod_name)
            except ImportError as e:
                hint = f" Install it with: pip install 'distillscope[{entry.extra}]'." if entry.extra else ""
                raise DistillscopeError(f"{self.noun.capitalize()} {name!r} could not be imported ({e}).{hint}") from e
            try:
                target = getattr(mod, attr)
            except AttributeError as e:
                raise DistillscopeError(f"{self.noun.capitalize()} {name!r}: {mod_name} has no {attr!r}.") from e
        self._loaded[name] = target
        return target

    def check_options(self, name: str, options: Iterable[str], where: str = "") -> None:
        """Raise the kind's error when ``options`` holds a name that entry ``name`` does not declare."""
        accepted = self.get(name).options
        if accepted is None:
            return
        unknown = sorted(set(options) - accepted)
        if unknown:
            takes = f"it takes {', '.join(sorted(accepted))}" if accepted else "it takes no options"
            raise self.error(f"Unknown option{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} for "
                             f"{self.noun} {name!r}{f' in {where!r}' if where else ''}: {takes}.")


_REGISTRIES: dict[str, Registry] = {}


def registry(kind: str) -> Registry:
    """The registry of ``kind`` (one of :data:`KINDS`)."""
    if kind not in KINDS:
        raise ValueError(f"unknown registry kind {kind!r}; kinds: {', '.join(KINDS)}")
    if kind not in _REGISTRIES:
        group, noun, error = KINDS[kind]
        _REGISTRIES[kind] = Registry(kind, group, noun, error)
    return _REGISTRIES[kind]
