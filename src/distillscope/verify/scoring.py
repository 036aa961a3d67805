"""Score completions under a white-box reference: batched teacher forcing, with an in-memory cache.

Every completion (endpoint's and reference's alike) is scored the same way, as a function of its text only:
re-encode the text with the reference tokenizer after the reference's rendering of the prompt. That keeps the
endpoint's and the reference's scores exchangeable under the null, whatever tokenization the endpoint used.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from distillscope.errors import InputError
from distillscope.models.base import Completion, GenRequest, require_white_box


class Scorer:
    """Batched scorer of token sequences under a white-box reference.

    Args:
        reference: a :class:`~distillscope.models.WhiteBox` model (or a wrapper such as ``CachedModel`` around one).
        batch_size: sequences per forward pass.
    """

    def __init__(self, reference: Any, batch_size: int = 8) -> None:
        self.ref = require_white_box(reference, "The likelihood tests")
        self.batch_size = batch_size
        self._cache: dict[str, np.ndarray] = {}
        self.tokens_scored = 0

    def context_ids(self, req: GenRequest) -> list[int]:
        return list(self.ref.encode(self.ref.render(req)))

    def encode(self, text: str) -> list[int]:
        return list(self.ref.encode(text)) if text else []

    @staticmethod
    def _key(ctx: Sequence[int], cont: Sequence[int]) -> str:
        return hashlib.sha1(np.asarray([*ctx, -1, *cont], dtype=np.int64).tobytes()).hexdigest()

    def score_ids(self, pairs: Sequence[tuple[Sequence[int], Sequence[int]]]) -> list[np.ndarray]:
        """Per-token log-probabilities of each ``cont`` after its ``ctx``.

        Continuations of the same context are scored together (:meth:`WhiteBox.score_continuations`), so scoring
        many samples of one prompt costs little more than their own tokens.
        """
        keys = [self._key(c, x) for c, x in pairs]
        groups: dict[tuple[int, ...], list[tuple[str, list[int]]]] = {}
        seen = set(self._cache)
        for k, (c, x) in zip(keys, pairs):
            if k in seen:
                continue
            seen.add(k)
            if not c:
                raise InputError("Cannot score a continuation without a prompt context.")
            groups.setdefault(tuple(int(t) for t in c), []).append((k, [int(t) for t in x]))
        for ctx, items in groups.items():
            for s in range(0, len(items), self.batch_size):
                self._score_group(list(ctx), items[s : s + self.batch_size])
        return [self._cache[k] for k in keys]

    def _score_group(self, ctx: list[int], items: list[tuple[str, list[int]]]) -> None:
        for (k, x), lp in zip(items, self.ref.score_continuations(ctx, [x for _, x in items])):
            self._cache[k] = np.asarray(lp, dtype=np.float64)
            self.tokens_scored += len(x)

    def score_texts(self, items: Sequence[tuple[GenRequest, str]]) -> list[np.ndarray]:
        """Per-token log-probabilities of each text (re-encoded) after the reference's rendering of its request."""
        ctx_cache: dict[GenRequest, list[int]] = {}
        pairs = []
        for req, text in items:
            base = _strip_sampling(req)
            if base not in ctx_cache:
                ctx_cache[base] = self.context_ids(req)
            pairs.append((ctx_cache[base], self.encode(text)))
        return self.score_ids(pairs)

    def _reverse_vocab(self) -> dict[str, list[int]]:
        if not hasattr(self, "_rev"):
            tok = self.ref.tokenizer
            rev: dict[str, list[int]] = {}
            for i in range(len(tok)):
                rev.setdefault(tok.decode([i]), []).append(i)
            self._rev = rev
        return self._rev

    def aligned_ids(self, comp: Completion) -> tuple[list[int] | None, str]:
        """Reference token ids of the endpoint's reported tokens, and how they were found.

        Returns ``(ids, "exact")`` when the endpoint's tokens map one to one onto reference tokens (through its
        token ids, or through the token strings), ``(canonical ids of the text, "foreign")`` when some reported
        token is not a reference token at all (a different tokenizer), and ``(None, "ambiguous")`` when a
        reported string matches several reference tokens (e.g. partial UTF-8 bytes) so the sampled ids are unknown.
        """
        tok = self.ref.tokenizer
        reported = [t.token for t in comp.logprobs or []]
        if (comp.token_ids and len(comp.token_ids) == len(reported)
                and all(tok.decode([int(i)]) == s for i, s in zip(comp.token_ids, reported))):
            return [int(i) for i in comp.token_ids], "exact"
        ids = self.encode(comp.text)
        if len(ids) == len(reported) and all(tok.decode([i]) == s for i, s in zip(ids, reported)):
            return ids, "exact"
        rev = self._reverse_vocab()
        cands = [rev.get(s) for s in reported]
        if any(c is None for c in cands):
            return ids, "foreign"
        if all(len(c) == 1 for c in cands):  # type: ignore[arg-type]
            return [c[0] for c in cands], "exact"  # type: ignore[index]
        return None, "ambiguous"


def _strip_sampling(req: GenRequest) -> GenRequest:
    # The context depends only on the prompt, not on sampling parameters or the seed.
    return GenRequest(messages=req.messages, prompt=req.prompt)
