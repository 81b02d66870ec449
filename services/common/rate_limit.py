"""Rate limits at the HTTP edge: token buckets per client and overall, and who the client is behind a proxy."""

from __future__ import annotations

import ipaddress
import json
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

GLOBAL_CLIENT = "*"
UNKNOWN_CLIENT = "unknown"
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


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


def parse_trusted_proxies(value: str) -> tuple[IpNetwork, ...]:
    """`10.0.0.1, 10.1.0.0/16` into networks; a malformed entry is refused at start-up, not ignored."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in value.split(",") if part.strip())


def _is_trusted(address: str, trusted: Iterable[IpNetwork]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(peer: str | None, forwarded_for: str | None, trusted: tuple[IpNetwork, ...]) -> str:
    """The direct peer, unless it is a trusted proxy: then the nearest X-Forwarded-For hop that is not one.

    Hops are read right to left because only the rightmost ones were appended by proxies we trust;
    anything further left was written by the client and may be forged.
    """
    address = peer or UNKNOWN_CLIENT
    if not forwarded_for or not _is_trusted(address, trusted):
        return address
    for hop in reversed([part.strip() for part in forwarded_for.split(",")]):
        if not hop:
            break
        address = hop
        if not _is_trusted(hop, trusted):
            break
    return address


class ApiRateSettings(BaseSettings):
    """CPI_API_RATE_PER_MINUTE, CPI_API_RATE_BURST, CPI_API_GLOBAL_RATE_PER_SECOND, CPI_TRUSTED_PROXIES."""

    model_config = SettingsConfigDict(env_prefix="CPI_", extra="ignore")

    # Generous: `make bench` posts 500 at once from one address, then paced runs at 25 and 50 per second.
    api_rate_burst: int = Field(default=1000, ge=1)
    api_rate_per_minute: float = Field(default=1200.0, gt=0)
    api_global_rate_per_second: float = Field(default=500.0, gt=0)
    trusted_proxies: str = ""

    def trusted_networks(self) -> tuple[IpNetwork, ...]:
        return parse_trusted_proxies(self.trusted_proxies)


@dataclass
class ApiRateLimiter:
    """Per-client buckets, then one shared bucket holding a second's worth of the global rate."""

    per_client: TokenBuckets
    overall: TokenBuckets

    @classmethod
    def from_settings(cls, settings: ApiRateSettings) -> ApiRateLimiter:
        global_burst = max(1, math.ceil(settings.api_global_rate_per_second))
        return cls(
            TokenBuckets(settings.api_rate_burst, settings.api_rate_per_minute),
            TokenBuckets(global_burst, settings.api_global_rate_per_second * 60.0, max_clients=1),
        )

    def take(self, client: str, now: float) -> RateDecision:
        # The client's own bucket first, so a client already over its limit spends nobody else's share.
        decision = self.per_client.take(client, now)
        return self.overall.take(GLOBAL_CLIENT, now) if decision.allowed else decision


class TrustedProxyClient:
    """ASGI middleware: `scope["client"]` becomes the real client when the peer is a trusted proxy."""

    def __init__(self, app: ASGIApp, trusted: tuple[IpNetwork, ...]) -> None:
        self.app = app
        self.trusted = trusted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self.trusted:
            peer = scope.get("client")
            forwarded = _header(scope, b"x-forwarded-for")
            address = client_address(peer[0] if peer else None, forwarded, self.trusted)
            if peer is None or address != peer[0]:
                scope = {**scope, "client": (address, 0)}
        await self.app(scope, receive, send)


class ApiRateLimit:
    """ASGI middleware: requests under `prefix` beyond the limiter's rate are answered 429 with Retry-After."""

    def __init__(
        self, app: ASGIApp, limiter: ApiRateLimiter, prefix: str = "/api/", clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.prefix = prefix
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        peer = scope.get("client")
        decision = self.limiter.take(peer[0] if peer else UNKNOWN_CLIENT, self.clock())
        if decision.allowed:
            await self.app(scope, receive, send)
            return
        body = json.dumps({"detail": f"too many requests; retry after {decision.retry_after_seconds} seconds"}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(decision.retry_after_seconds).encode()),
        ]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    values = [value.decode("latin-1") for key, value in scope.get("headers", []) if key.lower() == name]
    return ",".join(values) if values else None


def limit_api_rate(app: Starlette, settings: ApiRateSettings | None = None) -> Starlette:
    """Rate-limit `app`'s JSON API, resolving the client through trusted proxies for every route first."""
    settings = settings or ApiRateSettings()
    app.add_middleware(ApiRateLimit, limiter=ApiRateLimiter.from_settings(settings))
    app.add_middleware(TrustedProxyClient, trusted=settings.trusted_networks())  # added last: runs first
    return app
