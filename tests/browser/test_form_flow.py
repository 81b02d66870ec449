"""The AD 362 form in headless Chromium against the whole stack: fill in, check, send, graded; errors; no JS."""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from playwright.sync_api import Browser, Page, expect

from cpi.devstack import DevStack, load_or_create_secrets
from tests.browser.conftest import screenshot
from tests.servers import RunningServers
from tests.stack import bearer, stack_on, wait_until

DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "form.png"
REFERENCE = re.compile(r"^CPI-[0-9A-Z]{4}-[0-9A-Z]{4}$")


@pytest.fixture(scope="module")
def stack(servers: RunningServers, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    # Playwright's sync API already runs an event loop in this thread; stack_on uses asyncio.run.
    starting = stack_on(servers, tmp_path_factory.mktemp("form-stack"))
    with ThreadPoolExecutor(1) as worker:
        devstack = worker.submit(starting.__enter__).result()
        try:
            yield devstack
        finally:
            worker.submit(starting.__exit__, None, None, None).result()


def is_govuk_conditional_radio(violation: dict[str, Any]) -> bool:
    """govuk-frontend's own JS puts aria-expanded on radios that reveal content, on purpose (tested with
    screen-reader users; a documented known axe finding, alphagov/govuk-frontend#979): that and only that."""
    return violation["id"] == "aria-allowed-attr" and all(
        'type="radio"' in node["html"] and 'aria-controls="conditional-' in node["html"] for node in violation["nodes"]
    )


def assert_accessible(page: Page) -> None:
    """axe-core (bundled with axe-playwright-python): no serious or critical violations."""
    results = Axe().run(page)
    serious = [
        (violation["id"], violation["help"], [node["target"] for node in violation["nodes"]])
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"} and not is_govuk_conditional_radio(violation)
    ]
    assert serious == [], serious


def fill_reporter(page: Page) -> None:
    page.get_by_label("Full name").first.fill("Harriet Quill")
    page.get_by_label("Organisation you work for").fill("Oakfield Academy")
    page.get_by_label("Your role (optional)").fill("Head of Year 9")
    page.get_by_label("Telephone", exact=True).fill("07700 900123")
    page.get_by_label("Email address", exact=True).fill("h.quill@oakfield.example.org")
    page.get_by_label("What is happening, and who is involved?").fill(
        "Two older boys told a Year 9 pupil they will bring a knife to the skate park tonight and stab him."
    )
    page.get_by_label("When did it happen, or when will it happen? (optional)").fill("Tonight after 6pm")
    page.get_by_label("Where is it happening?").fill("Skate park, Westbrook Road, Southampton SO15 2AA")


def fill_the_rest(page: Page) -> None:
    page.get_by_label("When did they find this information out?").fill("This morning")
    page.get_by_label("Who else have you shared this information with?").fill("Our designated safeguarding lead")


def triage_view(stack: DevStack, reference: str) -> dict[str, object]:
    secret = load_or_create_secrets(stack.root)["CPI_JWT_SECRET"]
    response = httpx.get(
        f"{stack.url('triage')}/api/v1/triage/{reference}", headers=bearer(secret, "analyst"), timeout=10
    )
    return dict(response.json()) if response.status_code == 200 else {}


def test_a_professional_fills_in_checks_changes_and_sends_the_form_and_it_is_graded(
    stack: DevStack, page: Page
) -> None:
    intake = stack.url("intake")
    response = page.goto(intake + "/")
    assert response is not None and response.status == 200
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    assert response.headers["x-frame-options"] == "DENY"
    expect(page.get_by_role("heading", name="Share information with the police")).to_be_visible()
    # With JavaScript the source's fields stay hidden until "Someone told me" is chosen.
    expect(page.get_by_label("Who told you?")).to_be_hidden()
    assert_accessible(page)
    screenshot(page, "form-empty")
    page.set_viewport_size({"width": 960, "height": 1100})
    DOCS_SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS_SCREENSHOT))  # the README's picture of the form

    fill_reporter(page)
    page.get_by_label("Someone told me").check()
    expect(page.get_by_label("Who told you?")).to_be_visible()
    page.get_by_label("Who told you?").fill("A pupil in Year 9")
    page.get_by_label("Their full name (optional)").fill("Sam Example")
    page.get_by_label("Day").fill("27")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2011")
    expect(page.get_by_label("Their telephone (optional)")).to_be_hidden()
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("Their email address (optional)").fill("parent@example.org")
    page.get_by_label("They were told by the person involved").check()
    page.get_by_label("Tell us more about how they found out (optional)").fill("He was in the group chat")
    fill_the_rest(page)
    screenshot(page, "form-filled")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Check your answers before sending")).to_be_visible()
    expect(page.get_by_text("Harriet Quill")).to_be_visible()
    expect(page.get_by_text("They were told by the person involved")).to_be_visible()
    assert "Harriet" not in page.url and "?" not in page.url, "answers never travel in the URL"
    assert_accessible(page)
    screenshot(page, "form-check-answers")

    page.get_by_role("button", name="Change full name").click()
    expect(page.get_by_label("Full name").first).to_have_value("Harriet Quill")
    expect(page.get_by_label("Who told you?")).to_have_value("A pupil in Year 9")
    page.get_by_label("Full name").first.fill("Harriet J Quill")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Harriet J Quill")).to_be_visible()

    sent_fields: dict[str, str | float | bool] = {
        name: page.locator(f"input[name={name}]").input_value() for name in ("csrf-token", "draft")
    }
    page.get_by_role("button", name="Send information").click()
    expect(page.get_by_role("heading", name="Information sent")).to_be_visible()
    reference = page.locator("#reference").inner_text().strip()
    digest = page.locator("#digest").inner_text().strip()
    assert REFERENCE.match(reference), reference
    assert re.fullmatch(r"[0-9A-F]{4}( [0-9A-F]{4}){3}", digest), digest
    expect(page.get_by_text("within 2 hours (usually within 15 to 30 minutes)")).to_be_visible()
    expect(page.get_by_role("link", name="24/7-Intel@hampshire.police.uk").first).to_be_visible()
    assert_accessible(page)
    screenshot(page, "form-confirmation")

    # The same answers posted again from this browser (back and resend, or a double click): same reference.
    again = page.request.post(intake + "/submit", form=sent_fields)
    assert again.status == 200 and reference in again.text() and digest in again.text()

    wait_until(lambda: triage_view(stack, reference).get("status") == "graded", 60, "the form's submission graded")
    view = triage_view(stack, reference)
    assert view["grade"], view
    assert "Harriet" not in str(view.get("intelligence_log")), "the reporter never reaches the intelligence log"


def test_an_empty_form_lists_every_error_in_the_summary_linked_to_its_field(stack: DevStack, page: Page) -> None:
    page.goto(stack.url("intake") + "/")
    page.get_by_label("Full name").first.fill("Harriet Quill")
    page.get_by_role("button", name="Continue").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()  # govuk-frontend moves focus to the summary
    expect(page).to_have_title(re.compile(r"^Error: "))
    links = summary.get_by_role("link")
    messages = links.all_inner_texts()
    assert messages == [
        "Enter the organisation you work for",
        "Enter your telephone number",
        "Enter your email address",
        "Enter what is happening and who is involved",
        "Enter where it is happening",
        "Select where this information came from",
        "Select how they found this information out, or describe it",
        "Enter when they found this information out",
        "Enter who else you have shared this information with, or 'Nobody'",
    ]
    for index in range(links.count()):
        target = links.nth(index).get_attribute("href")
        assert target is not None and target.startswith("#")
        expect(page.locator(target)).to_have_count(1)
    expect(page.get_by_label("Full name").first).to_have_value("Harriet Quill")  # input kept
    assert_accessible(page)
    screenshot(page, "form-errors")

    links.first.click()
    expect(page.locator("#reporter-organisation")).to_be_focused()

    page.get_by_label("Organisation you work for").fill("Oakfield Academy")
    page.get_by_label("Email address", exact=True).fill("not an email")
    page.get_by_role("button", name="Continue").click()
    expect(summary.get_by_role("link", name=re.compile("Enter an email address in the correct format"))).to_be_visible()


def test_the_form_can_be_completed_without_javascript(stack: DevStack, browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(stack.url("intake") + "/")
        # Without JavaScript every conditional field simply shows.
        expect(page.get_by_label("Who told you?")).to_be_visible()
        expect(page.get_by_label("Their telephone (optional)")).to_be_visible()
        fill_reporter(page)
        page.get_by_label("I saw or heard it myself").check()
        page.get_by_label("Who told you?").fill("ignored: I saw it myself")
        fill_the_rest(page)
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", name="Check your answers before sending")).to_be_visible()
        expect(page.get_by_text("ignored: I saw it myself")).to_have_count(0)
        page.get_by_role("button", name="Send information").click()
        expect(page.get_by_role("heading", name="Information sent")).to_be_visible()
        reference = page.locator("#reference").inner_text().strip()
        assert REFERENCE.match(reference), reference
        screenshot(page, "form-confirmation-no-javascript")
    finally:
        context.close()
    wait_until(lambda: triage_view(stack, reference).get("status") == "graded", 60, "the no-JS submission graded")
