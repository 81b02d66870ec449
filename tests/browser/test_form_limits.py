"""The form's rate limit in a real browser: a clear GOV.UK-style 429 page with Retry-After, accessible."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from playwright.sync_api import Page, expect

from cpi.devstack import DevStack
from tests.browser.conftest import screenshot
from tests.servers import RunningServers, empty_jetstream, fresh_database


def _start(servers: RunningServers, root_dir: str) -> DevStack:
    database_url = asyncio.run(fresh_database(servers.database_url))
    asyncio.run(empty_jetstream(servers.nats_url))
    devstack = DevStack(
        Path(root_dir),
        database_url=database_url,
        nats_url=servers.nats_url,
        extra_env={"CPI_FORM_RATE_BURST": "2", "CPI_FORM_RATE_PER_MINUTE": "1"},
    )
    devstack.start(("intake",))
    return devstack


@pytest.fixture(scope="module")
def strict_intake(servers: RunningServers, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    """Intake alone, allowing two form requests a client then one a minute (Playwright owns this thread's loop)."""
    with ThreadPoolExecutor(1) as worker:
        devstack = worker.submit(_start, servers, str(tmp_path_factory.mktemp("strict-intake"))).result()
        try:
            yield devstack
        finally:
            worker.submit(devstack.stop).result()


def test_too_many_requests_from_one_client_get_a_429_page_with_retry_after(strict_intake: DevStack, page: Page) -> None:
    url = strict_intake.url("intake") + "/"
    for _ in range(2):
        allowed = page.goto(url)
        assert allowed is not None and allowed.status == 200
    refused = page.goto(url)
    assert refused is not None and refused.status == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.headers["content-security-policy"].startswith("default-src 'self'")
    expect(
        page.get_by_role("heading", name="Sorry, there have been too many attempts from your connection")
    ).to_be_visible()
    expect(page.get_by_text("Your answers have not been sent.")).to_be_visible()
    violations = [v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in {"serious", "critical"}]
    assert violations == []
    screenshot(page, "form-too-many-requests")
    # The JSON API is not limited by the form's bucket.
    assert page.request.get(strict_intake.url("intake") + "/healthz").status == 200
