"""The analysts' pages in headless Chromium: sign in by token, find a graded submission, review it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from contracts.events import Priority
from cpi.devstack import DevStack, load_or_create_secrets
from services.common.auth import issue_token
from tests.browser.conftest import screenshot
from tests.notifier_support import append_graded
from tests.servers import RunningServers
from tests.stack import stack_on

T = TypeVar("T")


def off_loop(work: Callable[[], T]) -> T:
    """Playwright's sync API keeps an event loop in this thread, so asyncio.run goes to another one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(work).result()


@pytest.fixture(scope="module")
def stack(servers: RunningServers, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    running = stack_on(servers, tmp_path_factory.mktemp("analyst-pages"), ("triage",))
    devstack = off_loop(running.__enter__)
    try:
        yield devstack
    finally:
        off_loop(lambda: running.__exit__(None, None, None))


@pytest.fixture(scope="module")
def reference(stack: DevStack) -> str:
    (graded,) = off_loop(lambda: asyncio.run(append_graded(stack.database_url or "", [Priority.HIGH])))
    return graded


@pytest.fixture
def signed_in(stack: DevStack, reference: str, browser: Browser, page: Page) -> Page:
    """The stack and submission come before the browser is first used (their fixtures need asyncio.run)."""
    secret = load_or_create_secrets(stack.root)["CPI_JWT_SECRET"]
    page.goto(f"{stack.url('triage')}/analyst")
    expect(page).to_have_url(f"{stack.url('triage')}/analyst/login")
    page.get_by_label("Bearer token").fill(issue_token(secret, "analyst"))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Submissions to review")).to_be_visible()
    return page


def _reload_until(page: Page, check: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the page never showed the change"
        time.sleep(0.3)
        page.reload()


def test_an_analyst_finds_a_graded_submission_and_reviews_it(signed_in: Page, reference: str) -> None:
    page = signed_in
    _reload_until(page, lambda: page.get_by_role("link", name=reference).count() == 1)
    screenshot(page, "analyst-queue")
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", name=reference, exact=True)).to_be_visible()
    expect(page.locator("#timeline li").filter(has_text="Graded")).to_have_count(1)
    page.get_by_label("Source evaluation").select_option("2")
    page.get_by_label("Intelligence assessment").select_option("B")
    page.get_by_label("Handling code").select_option("P")
    page.get_by_label("Rationale").fill("Confirmed: the report describes an immediate risk.")
    page.get_by_role("button", name="Record review").click()
    _reload_until(page, lambda: page.locator("#status").inner_text() == "reviewed")
    expect(page.locator("#timeline li").filter(has_text="GradeReviewed")).to_have_count(1)
    screenshot(page, "analyst-reviewed")
    cookie = next(c for c in page.context.cookies() if c["name"] == "cpi_analyst")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"


def test_an_empty_rationale_is_shown_as_a_field_error(signed_in: Page, stack: DevStack, reference: str) -> None:
    page = signed_in
    page.goto(f"{stack.url('triage')}/analyst/{reference}")
    page.get_by_role("button", name="Record review").click()
    expect(page.locator("#rationale-error")).to_have_text("Error: Enter a rationale of at least 5 characters")
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    screenshot(page, "analyst-review-error")


def test_the_pages_send_security_headers_and_the_team_queue_lists_it(stack: DevStack, reference: str) -> None:
    secret = load_or_create_secrets(stack.root)["CPI_JWT_SECRET"]
    headers = {"Authorization": f"Bearer {issue_token(secret, 'auditor')}"}
    with httpx.Client(base_url=stack.url("triage"), timeout=30) as client:
        login = client.get("/analyst/login")
        assert "frame-ancestors 'none'" in login.headers["content-security-policy"]
        assert "'unsafe-inline'" not in login.headers["content-security-policy"]
        teams = client.get("/api/v1/triage/teams", headers=headers).json()["teams"]
        assert {"id": "mappa", "name": "MAPPA Unit", "categories": ["mappa"]} in teams
        assert client.get("/api/v1/triage/teams/nobody", headers=headers).status_code == 404
        queues = [client.get(f"/api/v1/triage/teams/{t['id']}", headers=headers).json() for t in teams]
        found = [q["team"]["id"] for q in queues if any(i["reference"] == reference for i in q["items"])]
        assert found, "the graded submission is in no team's queue"
