"""A small in-process token bucket per client address: values in (address, now), a decision out."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after_seconds: int = 0


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class TokenBuckets:
    """`burst` requests at once, refilled at `per_minute`; idle full buckets are forgotten to bound memory."""

    burst: int
    per_minute: float
    max_clients: int = 10_000
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.burst < 1 or self.per_minute <= 0:
            raise ValueError("burst must be at least 1 and per_minute above 0")

    @property
    def refill_per_second(self) -> float:
        return self.per_minute / 60.0

    def take(self, client: str, now: float) -> RateDecision:
        bucket = self._buckets.get(client)
        if bucket is None:
            if len(self._buckets) >= self.max_clients:
                self.forget_idle(now)
            bucket = self._buckets[client] = _Bucket(float(self.burst), now)
        elapsed = max(0.0, now - bucket.updated)
        bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.refill_per_second)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return RateDecision(True)
        wait = (1.0 - bucket.tokens) / self.refill_per_second
        return RateDecision(False, max(1, math.ceil(wait)))

    def forget_idle(self, now: float) -> None:
        """Drop buckets that would be full again by now: forgetting them changes no decision."""
        full_after = self.burst / self.refill_per_second
        for client in [key for key, bucket in self._buckets.items() if now - bucket.updated >= full_after]:
            del self._buckets[client]
        if len(self._buckets) >= self.max_clients:  # under a flood of addresses, start the oldest afresh
            oldest = sorted(self._buckets, key=lambda key: self._buckets[key].updated)
            for client in oldest[: len(oldest) // 2]:
                del self._buckets[client]

    def __len__(self) -> int:
        return len(self._buckets)
