"""The shared rate limit: buckets with the clock passed in, the client behind proxies, the 429 answer."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from services.common.rate_limit import (
    ApiRateLimiter,
    ApiRateSettings,
    TokenBuckets,
    client_address,
    limit_api_rate,
    parse_trusted_proxies,
)

PROXY = parse_trusted_proxies("10.0.0.1, 10.1.0.0/16")


def test_a_client_gets_its_burst_then_waits_for_the_refill() -> None:
    buckets = TokenBuckets(burst=2, per_minute=30)  # one token every 2 s
    assert [buckets.take("a", 100.0).allowed for _ in range(3)] == [True, True, False]
    assert buckets.take("a", 100.0).retry_after_seconds == 2
    assert buckets.take("a", 102.0).allowed
    assert not buckets.take("a", 102.5).allowed


def test_retry_after_is_whole_seconds_rounded_up_and_at_least_one() -> None:
    buckets = TokenBuckets(burst=1, per_minute=7)
    buckets.take("a", 0.0)
    assert buckets.take("a", 0.0).retry_after_seconds == 9  # 60/7 = 8.57 s
    fast = TokenBuckets(burst=1, per_minute=6000)
    fast.take("a", 0.0)
    assert fast.take("a", 0.0).retry_after_seconds == 1


def test_one_clients_burst_leaves_another_clients_bucket_full() -> None:
    buckets = TokenBuckets(burst=1, per_minute=1)
    assert buckets.take("a", 0.0).allowed
    assert not buckets.take("a", 0.0).allowed
    assert buckets.take("b", 0.0).allowed


def test_the_global_bucket_refuses_every_client_once_spent() -> None:
    limiter = ApiRateLimiter.from_settings(
        ApiRateSettings(api_rate_burst=10, api_rate_per_minute=60, api_global_rate_per_second=2)
    )
    assert limiter.take("a", 0.0).allowed
    assert limiter.take("b", 0.0).allowed
    refused = limiter.take("c", 0.0)
    assert not refused.allowed
    assert refused.retry_after_seconds == 1
    assert limiter.take("c", 0.5).allowed


def test_a_client_over_its_own_limit_spends_nothing_of_the_global_share() -> None:
    limiter = ApiRateLimiter.from_settings(
        ApiRateSettings(api_rate_burst=1, api_rate_per_minute=1, api_global_rate_per_second=2)
    )
    assert limiter.take("a", 0.0).allowed
    for _ in range(5):
        assert not limiter.take("a", 0.0).allowed
    assert limiter.take("b", 0.0).allowed


def test_the_defaults_let_a_bench_run_of_seven_hundred_from_one_address_through() -> None:
    limiter = ApiRateLimiter.from_settings(ApiRateSettings())
    # 700 at 200 per second, as `make bench --submissions 700` can post them.
    assert all(limiter.take("bench", n / 200).allowed for n in range(700))


def test_the_peer_is_the_client_unless_it_is_a_trusted_proxy() -> None:
    assert client_address("203.0.113.9", "198.51.100.7", PROXY) == "203.0.113.9"
    assert client_address("203.0.113.9", "198.51.100.7", ()) == "203.0.113.9"
    assert client_address("10.0.0.1", "198.51.100.7", PROXY) == "198.51.100.7"
    assert client_address(None, None, PROXY) == "unknown"


def test_behind_a_trusted_proxy_only_the_hops_it_appended_count() -> None:
    forged_then_real = "1.2.3.4, 198.51.100.7"
    assert client_address("10.0.0.1", forged_then_real, PROXY) == "198.51.100.7"
    through_two_proxies = "1.2.3.4, 198.51.100.7, 10.1.4.4"
    assert client_address("10.0.0.1", through_two_proxies, PROXY) == "198.51.100.7"
    assert client_address("10.0.0.1", "", PROXY) == "10.0.0.1"


def test_a_malformed_trusted_proxy_setting_is_refused() -> None:
    with pytest.raises(ValueError, match="does not appear to be"):
        parse_trusted_proxies("10.0.0.1, proxy.internal")


def _app(settings: ApiRateSettings) -> Starlette:
    async def echo_client(request: Request) -> JSONResponse:
        return JSONResponse({"client": request.client.host if request.client else None})

    app = Starlette(routes=[Route("/api/v1/echo", echo_client), Route("/page", echo_client)])
    return limit_api_rate(app, settings)


async def test_over_the_limit_the_api_answers_429_with_retry_after_and_json() -> None:
    settings = ApiRateSettings(api_rate_burst=1, api_rate_per_minute=2, api_global_rate_per_second=100)
    transport = httpx.ASGITransport(app=_app(settings), client=("198.51.100.7", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
        assert (await client.get("/api/v1/echo")).status_code == 200
        refused = await client.get("/api/v1/echo")
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "30"
        assert refused.json() == {"detail": "too many requests; retry after 30 seconds"}
        assert (await client.get("/page")).status_code == 200  # only the JSON API is limited here


async def test_the_forwarded_client_is_seen_by_every_route_only_through_a_trusted_proxy() -> None:
    trusted = ApiRateSettings(trusted_proxies="10.0.0.1")
    forwarded = {"X-Forwarded-For": "198.51.100.7"}
    via_proxy = httpx.ASGITransport(app=_app(trusted), client=("10.0.0.1", 5000))
    async with httpx.AsyncClient(transport=via_proxy, base_url="http://intake") as client:
        assert (await client.get("/page", headers=forwarded)).json() == {"client": "198.51.100.7"}
    direct = httpx.ASGITransport(app=_app(trusted), client=("203.0.113.9", 5000))
    async with httpx.AsyncClient(transport=direct, base_url="http://intake") as client:
        assert (await client.get("/api/v1/echo", headers=forwarded)).json() == {"client": "203.0.113.9"}
