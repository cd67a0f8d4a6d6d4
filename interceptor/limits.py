"""Limits that keep a flooding page from stalling the companion.

Every report a page sends costs Python work; a page (hostile, or a bug in a loop) can send
thousands a second. Reports beyond a per-frame and an overall rate are dropped and counted,
so a flood degrades to "dropped N reports" in the log and a real error after it still gets
its card at once.
"""

from __future__ import annotations

import time
from collections.abc import Hashable


class TokenBucket:
    """``rate`` tokens a second, at most ``burst`` saved up."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.stamp = time.monotonic()

    def take(self, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class RateLimiter:
    """A bucket per key (a frame) plus one for everything; forgets idle keys past ``max_keys``."""

    def __init__(self, *, rate: float, burst: float, total_rate: float, total_burst: float,
                 max_keys: int = 256) -> None:
        self.rate = rate
        self.burst = burst
        self.total = TokenBucket(total_rate, total_burst)
        self.max_keys = max_keys
        self._buckets: dict[Hashable, TokenBucket] = {}

    def allow(self, key: Hashable) -> bool:
        now = time.monotonic()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.max_keys:
                # Keep the buckets that are still short of tokens (the flooders).
                full = [k for k, b in self._buckets.items() if b.tokens >= b.burst - 1]
                for k in full or list(self._buckets)[: self.max_keys // 2]:
                    del self._buckets[k]
            bucket = self._buckets[key] = TokenBucket(self.rate, self.burst)
        # The frame's own bucket first: a flooding frame must not use up the shared one.
        return bucket.take(now) and self.total.take(now)
