"""Limits that keep a flooding page from stalling the companion.

Every report a page sends costs Python work; a page (hostile, or a bug in a loop) can send
thousands a second. Reports beyond a per-frame and an overall rate are dropped and counted,
so a flood degrades to "dropped N reports" in the log and a real error after it still gets
its card at once.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Hashable
from typing import TYPE_CHECKING

from loguru import logger

if TYPE_CHECKING:
    from .eventlog import EventLog


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


class ReportLimits:
    """The limiter plus the count of what it refused, said in the log at most once a second
    as ``{"type": "dropped", "count": N, "frame_url": …}`` lines."""

    def __init__(self, limiter: RateLimiter, *, log: EventLog | None = None) -> None:
        self.limiter = limiter
        self.log = log
        self.dropped = 0
        self._unsaid: dict[str, int] = {}
        self._said = 0.0

    def allow(self, where: str) -> bool:
        if self.limiter.allow(where):
            return True
        self.lost(where, 1)
        return False

    def lost(self, where: str, count: int) -> None:
        """``count`` reports from ``where`` were refused (here, or by the watcher's own limit)."""
        self.dropped += count
        self._unsaid[where] = self._unsaid.get(where, 0) + count
        self.flush()

    def flush(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not self._unsaid or (not force and now - self._said < 1.0):
            return
        self._said = now
        for where, count in self._unsaid.items():
            logger.warning("interceptor: dropped {} reports from {} (too many too fast)", count, where)
            if self.log is not None:
                with contextlib.suppress(Exception):
                    self.log.write({"type": "dropped", "count": count, "frame_url": where, "time": time.time()})
        self._unsaid.clear()
