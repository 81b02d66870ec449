"""Intake's JSON API under its rate limits: per client and overall, 429 with Retry-After, proxies trusted only if named.

On loopback every request comes from 127.0.0.1, so other client addresses arrive through
X-Forwarded-For with 127.0.0.1 named as a trusted proxy; tiny limits make each case deterministic.
"""

from __future__ import annotations

import httpx
import pytest

from tests.servers import RunningServers
from tests.stack import stack_on

LOOPBACK_PROXY = "127.0.0.1"


def _post(client: httpx.Client, url: str, address: str | None = None) -> httpx.Response:
    headers = {"X-Forwarded-For": address} if address else {}
    return client.post(f"{url}/api/v1/submissions", json={}, headers=headers, timeout=30)  # 422 once admitted


def _assert_throttled(response: httpx.Response, at_least: int) -> None:
    assert response.status_code == 429
    assert response.headers["content-type"] == "application/json"
    retry_after = int(response.headers["retry-after"])
    assert retry_after >= at_least
    assert response.json() == {"detail": f"too many requests; retry after {retry_after} seconds"}


def test_a_client_over_its_burst_gets_429_while_another_client_goes_on(
    servers: RunningServers, tmp_path_factory: pytest.TempPathFactory
) -> None:
    env = {"CPI_API_RATE_BURST": "3", "CPI_API_RATE_PER_MINUTE": "1", "CPI_TRUSTED_PROXIES": LOOPBACK_PROXY}
    with stack_on(servers, tmp_path_factory.mktemp("per-client"), ("intake",), env) as stack, httpx.Client() as client:
        url = stack.url("intake")
        assert [_post(client, url, "198.51.100.7").status_code for _ in range(3)] == [422, 422, 422]
        _assert_throttled(_post(client, url, "198.51.100.7"), at_least=30)  # one token a minute
        assert _post(client, url, "1.2.3.4, 198.51.100.7").status_code == 429  # a forged left hop changes nothing
        assert _post(client, url, "203.0.113.9").status_code == 422
        assert client.get(f"{url}/", headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 200  # form: own limit


def test_the_global_limit_throttles_every_client_once_spent(
    servers: RunningServers, tmp_path_factory: pytest.TempPathFactory
) -> None:
    env = {"CPI_API_GLOBAL_RATE_PER_SECOND": "0.01", "CPI_TRUSTED_PROXIES": LOOPBACK_PROXY}  # one per 100 s
    with stack_on(servers, tmp_path_factory.mktemp("global"), ("intake",), env) as stack, httpx.Client() as client:
        url = stack.url("intake")
        assert _post(client, url, "198.51.100.7").status_code == 422
        _assert_throttled(_post(client, url, "203.0.113.9"), at_least=50)
        _assert_throttled(_post(client, url, "192.0.2.44"), at_least=50)


def test_without_a_trusted_proxy_x_forwarded_for_does_not_buy_a_fresh_bucket(
    servers: RunningServers, tmp_path_factory: pytest.TempPathFactory
) -> None:
    env = {"CPI_API_RATE_BURST": "2", "CPI_API_RATE_PER_MINUTE": "1"}
    with stack_on(servers, tmp_path_factory.mktemp("untrusted"), ("intake",), env) as stack, httpx.Client() as client:
        url = stack.url("intake")
        statuses = [_post(client, url, f"198.51.100.{n}").status_code for n in range(1, 5)]
        assert statuses == [422, 422, 429, 429]
