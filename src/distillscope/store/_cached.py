"""CachedModel: any Model in front of the sample store, so reruns and resumes never pay twice."""

from __future__ import annotations

from collections import Counter
from typing import Any

from distillscope.models.base import Completion, GenRequest, Model
from distillscope.store._store import SampleStore


class CachedModel(Model):
    """Serve requests from the store; generate only the misses, writing each chunk in one transaction.

    Args:
        model: the backend.
        store: the sample store (default: the user's store).
        chunk_size: misses generated and committed per transaction (default: the backend's batch size, or 8).
    """

    def __init__(self, model: Model, store: SampleStore | None = None, chunk_size: int | None = None) -> None:
        self.inner = model
        self.store = store if store is not None else SampleStore()
        self.spec = model.spec
        self.capabilities = model.capabilities
        self.chunk_size = chunk_size or int(getattr(model, "batch_size", 8))
        self.hits = 0
        self.misses = 0

    def _generate(self, requests: list[GenRequest], progress: Any = None) -> list[Completion]:
        keys = [r.key(self.spec) for r in requests]
        found = self.store.get_many(sorted(set(keys)))
        self.hits += sum(1 for k in keys if k in found)
        if progress is not None and found:
            progress(sum(1 for k in keys if k in found))
        todo: dict[str, GenRequest] = {}
        for k, r in zip(keys, requests):
            if k not in found and k not in todo:
                todo[k] = r
        copies = Counter(keys)  # requests per key: progress counts every request a generated sample answers
        pending = list(todo.items())
        for s in range(0, len(pending), self.chunk_size):
            chunk = pending[s : s + self.chunk_size]
            comps = self.inner.generate([r for _, r in chunk])
            self.store.put_many(self.spec, [(r, c) for (_, r), c in zip(chunk, comps)])
            for (k, _), c in zip(chunk, comps):
                c.cached = False
                found[c.sample_id or k] = c
            self.misses += len(chunk)
            if progress is not None:
                progress(sum(copies[k] for k, _ in chunk))
        return [found[k] for k in keys]

    def __getattr__(self, name: str) -> Any:
        # White-box members (tokenizer, score, logits, render, ...) are the backend's, reached through the wrapper.
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)

    def close(self) -> None:
        self.inner.close()
