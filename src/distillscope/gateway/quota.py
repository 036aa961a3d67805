"""Per-key request and token quotas with the ``limits`` library (in-memory by default, Redis when configured).

``limits`` has no token-bucket strategy; we use its moving-window limiter, which enforces the same contract
strictly ("at most N units in any window of length T", no boundary bursts) and works on memory and Redis storage.
Tokens are reserved before generation as ``prompt tokens + n * max_tokens``, the most the request can use: prompt
tokens are counted with the upstream's own tokenizer where it is a white-box model, else bounded by the prompt's
UTF-8 bytes (:meth:`~distillscope.gateway.upstream.Upstreams.prompt_token_bound`). A request whose reservation
does not fit gets 429 (400 when it can never fit), so no answer is ever served beyond the quota, for any script or
emoji. The reservation is kept (the moving window cannot refund), so the quota caps what requests may use.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, storage_from_string
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
        """Reserve one request and ``tokens`` tokens (the most the request can use), or raise.

        Raises:
            RequestError: 400 when ``tokens`` exceeds the key's whole token quota (waiting cannot help), 429 with
                Retry-After when the quota has not enough room now.
        """
        ri = self._item(request_limit, self.default_requests)
        ti = self._item(token_limit, self.default_tokens)
        if tokens > ti.amount:
            raise RequestError(400, f"This request may use {tokens} tokens (prompt + n * max_tokens) but the key's "
                                    f"token quota is {ti.amount} per {ti.get_expiry()} s: shorten the prompt or "
                                    "lower max_tokens or n.", param="max_tokens", code="tokens_exceed_quota")
        # tokens first, then the request; a refusal by either leaves the other quota as it was
        if not self.limiter.hit(ti, "tok", key_id, cost=tokens):
            ra = self._retry_after(ti, "tok", key_id)
            raise RequestError(429, f"Token quota exhausted ({ti.amount} per {ti.get_expiry()} s). "
                                    f"Retry after {ra} s.", code="tokens_exceeded", headers={"Retry-After": str(ra)})
        if not self.limiter.hit(ri, "req", key_id):
            self._give_back(ti, ("tok", key_id), tokens)
            ra = self._retry_after(ri, "req", key_id)
            raise RequestError(429, f"Request quota exhausted ({ri.amount} per {ri.get_expiry()} s). "
                                    f"Retry after {ra} s.", code="rate_limit_exceeded",
                               headers={"Retry-After": str(ra)})
        return QuotaDecision(self.limiter.get_window_stats(ri, "req", key_id).remaining,
                             self.limiter.get_window_stats(ti, "tok", key_id).remaining)

    def refund(self, key_id: str, tokens: int, request_limit: str | None = None,
               token_limit: str | None = None) -> None:
        """Give back a reservation whose request failed upstream (the client got no answer: nothing is owed)."""
        self._give_back(self._item(request_limit, self.default_requests), ("req", key_id), 1)
        self._give_back(self._item(token_limit, self.default_tokens), ("tok", key_id), tokens)

    def _give_back(self, item: RateLimitItem, ids: tuple[str, ...], amount: int) -> None:
        """Remove ``amount`` of the newest entries of a moving window.

        ``limits`` has no refund, so this works on its two storages' moving-window layout: a list of entry
        times, newest first (MemoryStorage: ``events[key]`` under the key's lock; Redis: a list, LPOP). Removing
        the newest entries (rather than exactly ours) can only make the window expire later: never over quota.
        Other storages keep the charge (a failed request then counts, the safe side).
        """
        if amount <= 0:
            return
        key = item.key_for(*ids)
        st = self.storage
        if isinstance(st, MemoryStorage):
            with st.locks[key]:
                events = st.events.get(key)
                if events:
                    del events[:amount]
        elif type(st).__name__ == "RedisStorage":
            st.get_connection().lpop(st.prefixed_key(key), amount)

    def settle(self, key_id: str, reserved: int, used: int, token_limit: str | None = None) -> int:
        """Settle a reservation once the answer is known; returns the tokens used beyond it that found no room.

        The reservation stays charged in full: ``limits``' moving window cannot give units back, so the quota
        counts what a request could use (as documented in the module docstring), which keeps it a hard cap.
        Usage beyond the reservation (only an upstream whose reported usage exceeds the prompt bound) is charged
        as far as the quota has room; what finds none is returned so the caller can log it.
        """
        extra = used - reserved
        if extra <= 0:
            return 0
        ti = self._item(token_limit, self.default_tokens)
        if self.limiter.hit(ti, "tok", key_id, cost=extra):
            return 0
        room = self.limiter.get_window_stats(ti, "tok", key_id).remaining
        if room > 0 and self.limiter.hit(ti, "tok", key_id, cost=room):
            return extra - room
        return extra


def _parse(s: str) -> RateLimitItem:
    try:
        return parse(s)
    except ValueError as e:
        raise InputError(f"Bad rate limit {s!r}: use the form '60/minute' or '100000 per hour'.") from e
