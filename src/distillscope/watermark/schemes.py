"""Watermark schemes as thin adapters over transformers' processors (KGW ``WatermarkLogitsProcessor`` and
``SynthIDTextWatermarkLogitsProcessor``).

Each scheme answers four questions the rest of the package asks:

* ``processor()``: a fresh logits processor for one generation batch (SynthID's is stateful);
* ``ngram(prefix, token)``: the tuple the watermark's randomness depends on, used to deduplicate scored tokens
  (two scorings of the same tuple are the same coin flip, so they must count once);
* ``hits(prefix, token)``: the number of "successes" of a token (KGW: 1 if green; SynthID: sum of its g-values
  over the tournament layers) out of ``trials`` Bernoulli(``p0``) draws under the no-watermark null;
* ``token_scores(prefix)``: the expected success rate of every vocabulary item after ``prefix`` (KGW: the green
  mask; SynthID: mean g-value), to compute green-list mass of a whole next-token distribution.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from functools import lru_cache

import torch

from distillscope.errors import InputError
from distillscope.registry import registry
from distillscope.watermark.config import WatermarkConfig


class Scheme:
    """Base class; see the module docstring."""

    config: WatermarkConfig
    vocab_size: int
    context: int  # tokens of context before the scored token that the watermark depends on
    trials: int  # Bernoulli draws per scored token
    p0: float  # success probability of one draw under the null
    has_token_scores: bool = True  # whether token_scores(prefix) is defined (a next-token mass can be computed)

    def processor(self): ...

    def ngram(self, prefix: Sequence[int], token: int) -> tuple[int, ...]:
        ctx = tuple(int(t) for t in prefix[len(prefix) - self.context:]) if self.context else ()
        return (*ctx, int(token))

    def hits(self, prefix: Sequence[int], token: int) -> int:
        raise NotImplementedError

    def token_scores(self, prefix: Sequence[int]) -> torch.Tensor:
        raise NotImplementedError

    def transform_positions(self, windows: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
        """Watermarked scores at many independent positions (``windows``: [T, context] ids, ``scores``: [T, V])."""
        raise NotImplementedError


@lru_cache(maxsize=8)
def _kgw_prototype(vocab_size: int, gamma: float):
    from transformers import WatermarkLogitsProcessor

    return WatermarkLogitsProcessor(vocab_size=vocab_size, device="cpu", greenlist_ratio=gamma, bias=0.0,
                                    hashing_key=15485863, seeding_scheme="lefthash", context_width=1)


class KGWScheme(Scheme):
    """Kirchenbauer et al. green lists via ``transformers.WatermarkLogitsProcessor``."""

    def __init__(self, config: WatermarkConfig, vocab_size: int) -> None:
        self.config, self.vocab_size = config, int(vocab_size)
        self._proc = self.processor()
        self.selfhash = config.seeding_scheme == "selfhash"
        self.has_token_scores = not self.selfhash  # selfhash green lists depend on the candidate itself
        # lefthash: the green list is seeded by the previous token; selfhash: by the last context_width tokens
        # including the candidate itself.
        self.context = config.context_width - 1 if self.selfhash else 1
        self.trials = 1
        self.p0 = self._proc.greenlist_size / self.vocab_size
        self._mask = lru_cache(maxsize=65536)(self._mask_uncached)

    def processor(self):
        c = self.config
        if c.seeding_scheme == "lefthash":
            # lefthash green lists depend only on (hash_key, previous token); the processor's 1M-entry random
            # table is used by selfhash only, so a copy of a prototype with our key is the same processor
            # without paying for the table (0.2 s) per key.
            p = copy.copy(_kgw_prototype(self.vocab_size, c.gamma))
            p.hash_key, p.bias, p.rng = c.hashing_key, c.delta, torch.Generator(device="cpu")
            return p
        from transformers import WatermarkLogitsProcessor

        return WatermarkLogitsProcessor(vocab_size=self.vocab_size, device="cpu", greenlist_ratio=c.gamma,
                                        bias=c.delta, hashing_key=c.hashing_key, seeding_scheme=c.seeding_scheme,
                                        context_width=c.context_width)

    def _mask_uncached(self, last: int) -> torch.Tensor:
        m = torch.zeros(self.vocab_size, dtype=torch.float32)
        m[self._proc._get_greenlist_ids(torch.tensor([last]))] = 1.0
        return m

    def hits(self, prefix: Sequence[int], token: int) -> int:
        if not 0 <= token < self.vocab_size:
            return 0
        if self.selfhash:
            ng = torch.tensor(self.ngram(prefix, token))
            return int(bool((self._proc._get_greenlist_ids(ng) == token).any()))
        return int(self._mask(int(prefix[-1]))[token])

    def token_scores(self, prefix: Sequence[int]) -> torch.Tensor:
        if self.selfhash:
            raise InputError("Green-list mass needs lefthash seeding (selfhash green lists depend on the candidate).")
        return self._mask(int(prefix[-1]))

    def transform_positions(self, windows: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
        if self.selfhash:
            return self._proc(windows, scores)
        masks = torch.stack([self._mask(int(w[-1])) for w in windows])
        return scores + self.config.delta * masks


class SynthIDScheme(Scheme):
    """SynthID-Text tournament watermark via ``transformers.SynthIDTextWatermarkLogitsProcessor``."""

    def __init__(self, config: WatermarkConfig, vocab_size: int) -> None:
        self.config, self.vocab_size = config, int(vocab_size)
        self._proc = self.processor()
        self.context = config.ngram_len - 1
        self.trials = config.depth
        # g-values are read from a random 0/1 table at a hashed index: under the null a draw is 1 with
        # probability equal to the table's fraction of ones (0.5 up to sampling noise of the table itself).
        self.p0 = float(self._proc.sampling_table.float().mean())
        self._scores = lru_cache(maxsize=4096)(self._scores_uncached)

    def processor(self):
        from transformers import SynthIDTextWatermarkLogitsProcessor

        c = self.config
        return SynthIDTextWatermarkLogitsProcessor(
            ngram_len=c.ngram_len, keys=c.synthid_keys, sampling_table_size=c.sampling_table_size,
            sampling_table_seed=c.synthid_table_seed, context_history_size=c.context_history_size, device="cpu")

    def _g_all(self, context: tuple[int, ...]) -> torch.Tensor:
        ctx = torch.tensor([context], dtype=torch.long)
        idx = torch.arange(self.vocab_size).unsqueeze(0)
        keys, _ = self._proc._compute_keys(ctx, idx)
        return self._proc.sample_g_values(keys)[0]  # [V, depth]

    def _scores_uncached(self, context: tuple[int, ...]) -> torch.Tensor:
        return self._g_all(context).float().mean(-1)

    def _context(self, prefix: Sequence[int]) -> tuple[int, ...]:
        ctx = tuple(int(t) for t in prefix[len(prefix) - self.context:])
        return (0,) * (self.context - len(ctx)) + ctx  # generation starts from a zero context

    def hits(self, prefix: Sequence[int], token: int) -> int:
        ng = torch.tensor([[*self._context(prefix), int(token)]], dtype=torch.long)
        return int(self._proc.compute_g_values(ng).sum())

    def token_scores(self, prefix: Sequence[int]) -> torch.Tensor:
        return self._scores(self._context(prefix))

    def transform_positions(self, windows: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
        g = torch.stack([self._g_all(self._context(w.tolist())) for w in windows])
        return self._proc.update_scores(scores, g)


def make_scheme(config: WatermarkConfig, vocab_size: int) -> Scheme:
    """The scheme object for ``config`` over a vocabulary of ``vocab_size`` logits: the class registered under
    ``config.scheme`` in ``registry("watermark_scheme")``, called as ``cls(config, vocab_size)``."""
    if vocab_size < 2:
        raise InputError(f"vocab_size must be >= 2, got {vocab_size}.")
    return registry("watermark_scheme").load(config.scheme)(config, vocab_size)
