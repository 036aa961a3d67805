"""Per-key request and token quotas with the ``limits`` library (in-memory by default, Redis when configured).

``limits`` has no token-bucket strategy; we use its moving-window limiter, which enforces the same contract
strictly ("at most N units in any window of length T", no boundary bursts) and works on memory and Redis storage.
Tokens are charged before generation as ``prompt estimate + n * max_tokens`` (the most the answer can use), so an
answer is never served beyond the quota; any prompt tokens beyond the estimate are charged afterwards.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from distillscope.errors import InputError
from distillscope.serve import RequestError


@dataclass
class QuotaDecision:
    remaining_requests: int
    remaining_tokens: int


class Quotas:
    """Moving-window quotas per key on requests and on tokens.

    Args:
        request_limit: default per-key request limit, e.g. ``"60/minute"``.
        token_limit: default per-key token limit, e.g. ``"100000/hour"``.
        storage_uri: ``memory://`` (default, one process) or ``redis://host:port`` (shared by replicas).
    """

    def __init__(self, request_limit: str = "60/minute", token_limit: str = "100000/hour",
                 storage_uri: str = "memory://") -> None:
        try:
            self.storage = storage_from_string(storage_uri)
        except Exception as e:
            raise InputError(f"Rate-limit storage {storage_uri!r} is not usable ({e}). Use memory:// or "
                             "redis://HOST:PORT (pip install 'distillscope[redis]').") from e
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.default_requests = _parse(request_limit)
        self.default_tokens = _parse(token_limit)
        self._cache: dict[str, RateLimitItem] = {}

    def _item(self, s: str | None, default: RateLimitItem) -> RateLimitItem:
        if s is None:
            return default
        if s not in self._cache:
            self._cache[s] = _parse(s)
        return self._cache[s]

    def _retry_after(self, item: RateLimitItem, *ids: str) -> int:
        # moving window: capacity frees up as the oldest entry in the window expires (its reset_time)
        stats = self.limiter.get_window_stats(item, *ids)
        return max(1, math.ceil(stats.reset_time - time.time()))

    def charge(self, key_id: str, tokens: int, request_limit: str | None = None,
               token_limit: str | None = None) -> QuotaDecision:
        """Charge one request and ``tokens`` tokens, or raise a 429 :class:`RequestError` with Retry-After."""
        ri = self._item(request_limit, self.default_requests)
        ti = self._item(token_limit, self.default_tokens)
        if tokens > ti.amount:
            raise RequestError(429, f"This request may use {tokens} tokens but the key's token quota is "
                                    f"{ti.amount} per {ti.get_expiry()} s: lower max_tokens.",
                               code="tokens_exceed_quota", headers={"Retry-After": str(ti.get_expiry())})
        if not self.limiter.hit(ri, "req", key_id):
            ra = self._retry_after(ri, "req", key_id)
            raise RequestError(429, f"Request quota exhausted ({ri.amount} per {ri.get_expiry()} s). "
                                    f"Retry after {ra} s.", code="rate_limit_exceeded",
                               headers={"Retry-After": str(ra)})
        if not self.limiter.hit(ti, "tok", key_id, cost=tokens):
            ra = self._retry_after(ti, "tok", key_id)
            raise RequestError(429, f"Token quota exhausted ({ti.amount} per {ti.get_expiry()} s). "
                                    f"Retry after {ra} s.", code="tokens_exceeded", headers={"Retry-After": str(ra)})
        return QuotaDecision(self.limiter.get_window_stats(ri, "req", key_id).remaining,
                             self.limiter.get_window_stats(ti, "tok", key_id).remaining)

    def charge_extra(self, key_id: str, tokens: int, token_limit: str | None = None) -> None:
        """Charge tokens used beyond the up-front estimate (best effort: it may push the key over quota)."""
        if tokens > 0:
            self.limiter.hit(self._item(token_limit, self.default_tokens), "tok", key_id, cost=tokens)


def _parse(s: str) -> RateLimitItem:
    try:
        return parse(s)
    except ValueError as e:
        raise InputError(f"Bad rate limit {s!r}: use the form '60/minute' or '100000 per hour'.") from e
