"""The control-room page in headless Chromium: sign in with a token, an alert arrives live, acknowledge it.

The page takes the bearer token once through its login form, which keeps it in an HttpOnly cookie
(EventSource cannot send an Authorization header).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest
from playwright.sync_api import Page, expect

from contracts.events import Priority
from cpi.devstack import DevStack, load_or_create_secrets
from services.common.auth import issue_token
from tests.browser.conftest import screenshot
from tests.notifier_support import append_graded, rows
from tests.servers import RunningServers
from tests.stack import stack_on, wait_until

T = TypeVar("T")


def off_loop(work: Callable[[], T]) -> T:
    """Playwright's sync API keeps an event loop in this thread, so asyncio.run goes to another one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(work).result()


@pytest.fixture(scope="module")
def stack(servers: RunningServers, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    running = stack_on(servers, tmp_path_factory.mktemp("control-room"), ("relay", "notifier"))
    devstack = off_loop(running.__enter__)
    try:
        yield devstack
    finally:
        off_loop(lambda: running.__exit__(None, None, None))


def _sign_in(page: Page, stack: DevStack, role: str) -> None:
    secret = load_or_create_secrets(stack.root)["CPI_JWT_SECRET"]
    page.goto(f"{stack.url('notifier')}/control-room")
    expect(page).to_have_url(f"{stack.url('notifier')}/control-room/login")
    page.get_by_label("Bearer token (control_room role)").fill(issue_token(secret, role))
    page.get_by_role("button", name="Sign in").click()


def test_an_alert_appears_without_a_reload_and_can_be_acknowledged(page: Page, stack: DevStack) -> None:
    _sign_in(page, stack, "control_room")
    expect(page.get_by_role("heading", name="Open alerts")).to_be_visible()
    expect(page.locator("#stream-status")).to_have_text("Live updates: on")
    page.evaluate("window.notReloaded = true")
    (reference,) = off_loop(lambda: asyncio.run(append_graded(stack.database_url or "", [Priority.HIGH])))
    alert = page.locator("li.alert", has=page.get_by_role("heading", name=reference))
    expect(alert).to_be_visible(timeout=20_000)
    expect(alert.locator(".badge")).to_have_text("HIGH PRIORITY")
    assert page.evaluate("window.notReloaded") is True
    screenshot(page, "control-room-alert")
    alert.get_by_role("button", name=f"Acknowledge {reference}").click()
    expect(page.get_by_role("heading", name=reference)).to_have_count(0)
    wait_until(
        lambda: bool(
            off_loop(
                lambda: rows(
                    stack.database_url or "",
                    "SELECT 1 FROM events WHERE type = 'AlertAcknowledged' AND correlation_id = :r",
                    r=reference,
                )
            )
        ),
        10,
        "AlertAcknowledged",
    )
    cookie = next(c for c in page.context.cookies() if c["name"] == "cpi_control_room")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"


def test_a_token_without_the_control_room_role_cannot_sign_in(page: Page, stack: DevStack) -> None:
    _sign_in(page, stack, "analyst")
    expect(page.locator("#login-error")).to_contain_text("control_room")
    assert not [c for c in page.context.cookies() if c["name"] == "cpi_control_room"]
