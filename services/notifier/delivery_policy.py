"""Pure rules of webhook delivery: what counts as delivered, how long to wait, what a failure is called."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class AttemptResult:
    """One POST's outcome: a status code, or the kind of error that stopped it (never a body)."""

    status_code: int | None
    error_kind: str | None
    latency_ms: int

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    def describe(self) -> str:
        if self.status_code is not None:
            return f"HTTPStatus {self.status_code}"
        return self.error_kind or "unknown"


def backoff_delay(attempts: int, base: float, cap: float, rand: random.Random | None = None) -> float:
    """Back-off after `attempts` failures, with jitter: uniform in [d/2, d], d = min(cap, base·2^(n-1))."""
    ceiling = float(min(cap, base * 2 ** max(attempts - 1, 0)))
    source = rand or random.Random()  # noqa: S311  # nosec B311 # back-off jitter, not a secret
    return ceiling / 2 + source.random() * ceiling / 2


def exhausted(attempts: int, max_attempts: int) -> bool:
    return attempts >= max_attempts
