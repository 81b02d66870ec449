"""Hostile text (HTML, JavaScript, template and formula injection) stays inert everywhere it is shown.

One submission, sent through the form with its CSRF flow, carries a payload in every free-text
field; it must come back escaped on the check-answers page, as plain data from triage, escaped on
the control-room page, as JSON strings in the SSE stream, and only inside the JSON body of a webhook,
never in its headers. (The project has no CSV exports, so formula prefixes are only carried as data.)
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pytest
from markupsafe import escape

from cpi.devstack import DevStack, load_or_create_secrets
from cpi.embedded import free_port
from services.common.auth import issue_token
from tests.notifier_support import WebhookReceiver, read_sse
from tests.servers import RunningServers
from tests.stack import bearer, stack_on, wait_until

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE_BREAK = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(document.cookie)"
TEMPLATE = "{{7*7}} ${7*7} {% raw %}"
FORMULA = "=cmd|' /C calc'!A0"
PAYLOADS = (SCRIPT, ATTRIBUTE_BREAK, JS_URL, TEMPLATE, FORMULA)
HOSTILE = " ".join(PAYLOADS)  # 100 characters: fits every free-text field
# The reporter's and source's own answers are redacted wherever they recur, so they carry other payloads.
OWN_ANSWER_PAYLOADS = (
    "<b onmouseover=alert(2)>",
    "<svg onload=alert(3)>",
    "<a href=javascript:alert(4)>x</a>",
    "<q oncopy=prompt(5)>",
    "<s onfocus=confirm(6)>",
)
# Timestamps shown on a page (received, review due): "…T09:12:49.5+00:00" holds a "49" of its own.
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?")
LIVE_MARKUP = re.compile(r"<script>alert|<img src=x|\"><img|<(?:b|svg|q|s) on|<a href=javascript", re.IGNORECASE)
TEXT = f"Two older boys said they will bring a knife to the skate park tonight and stab him. {HOSTILE}"


def form_answers() -> dict[str, str]:
    """Every free-text field of the form holds the hostile payloads (names keep a readable part)."""
    return {
        "reporter-name": f"Harriet Quill {OWN_ANSWER_PAYLOADS[3]}",
        "reporter-organisation": f"Oakfield Academy {ATTRIBUTE_BREAK}",
        "reporter-role": f"Teacher {OWN_ANSWER_PAYLOADS[0]}",
        "reporter-telephone": "07700 900123",
        "reporter-email": "h.quill@oakfield.example.org",
        "information-text": TEXT,
        "information-when": f"Tonight {TEMPLATE}",
        "information-location": f"Skate park, Westbrook Road {HOSTILE}",
        "source-first-hand": "someone",
        "source-origin": f"A pupil {FORMULA}",
        "source-name": f"Tobias Wrenfield {OWN_ANSWER_PAYLOADS[4]}",
        "source-address": f"14 Larkspur Road {OWN_ANSWER_PAYLOADS[2]}",
        "source-can-recontact": "yes",
        "source-recontact-details": f"After 4pm {OWN_ANSWER_PAYLOADS[1]}",
        "source-how-known-choice": "told_by_person_involved",
        "source-how-known": HOSTILE,
        "source-when-known": f"This morning {TEMPLATE}",
        "shared-with": HOSTILE,
        "difficulties": HOSTILE,
        "mitigation": HOSTILE,
    }


def hidden_field(page: str, name: str) -> str:
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page)
    assert found, f"no hidden {name} on the page"
    return found.group(1)


def assert_inert_html(page: str) -> None:
    assert LIVE_MARKUP.search(page) is None, LIVE_MARKUP.search(page)
    # 7*7 evaluated anywhere but in a timestamp (the payload itself, escaped, is taken out first).
    shown = TIMESTAMP.sub("", page.replace(str(escape(TEMPLATE)), ""))
    assert "49" not in re.findall(r"\b49\b", shown), "a template was evaluated"


@pytest.fixture(scope="module")
def webhook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(free_port())
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="module")
def stack(
    servers: RunningServers, tmp_path_factory: pytest.TempPathFactory, webhook: WebhookReceiver
) -> Iterator[DevStack]:
    hooks = [{"name": "hostile", "url": webhook.url, "secret": "s" * 32, "max_attempts": 50}]
    env = {"CPI_NOTIFIER_WEBHOOKS": json.dumps(hooks), "CPI_NOTIFIER_SSE_KEEPALIVE_SECONDS": "1"}
    with stack_on(servers, tmp_path_factory.mktemp("hostile"), env=env) as devstack:
        yield devstack


@pytest.fixture(scope="module")
def secret(stack: DevStack) -> str:
    return load_or_create_secrets(stack.root)["CPI_JWT_SECRET"]


@pytest.fixture(scope="module")
def sent(stack: DevStack) -> dict[str, str]:
    """The form filled in and sent in one browser session: the check page, the confirmation, the reference."""
    with httpx.Client(base_url=stack.url("intake"), timeout=30) as client:
        start = client.get("/")
        fields = {**form_answers(), "csrf-token": hidden_field(start.text, "csrf-token")}
        fields["submission-token"] = hidden_field(start.text, "submission-token")
        check = client.post("/", data=fields)
        assert check.status_code == 200 and "Check your answers" in check.text, check.text[:2000]
        confirmation = client.post(
            "/submit",
            data={"csrf-token": hidden_field(check.text, "csrf-token"), "draft": hidden_field(check.text, "draft")},
        )
    assert confirmation.status_code == 200, confirmation.text[:2000]
    found = re.search(r"CPI-[0-9A-Z]{4}-[0-9A-Z]{4}", confirmation.text)
    assert found
    return {"check": check.text, "confirmation": confirmation.text, "reference": found.group(0)}


def test_the_check_answers_and_confirmation_pages_show_payloads_escaped(sent: dict[str, str]) -> None:
    check = sent["check"]
    assert_inert_html(check)
    for payload in PAYLOADS + OWN_ANSWER_PAYLOADS:
        assert str(escape(payload)) in check, payload
    assert_inert_html(sent["confirmation"])


def test_triage_returns_payloads_as_plain_json_data(stack: DevStack, secret: str, sent: dict[str, str]) -> None:
    url = f"{stack.url('triage')}/api/v1/triage/{sent['reference']}"

    def graded() -> bool:
        response = httpx.get(url, headers=bearer(secret, "analyst"), timeout=10)
        return response.status_code == 200 and response.json().get("status") == "graded"

    wait_until(graded, 60, "the hostile submission graded")
    response = httpx.get(url, headers=bearer(secret, "analyst"), timeout=10)
    assert response.headers["content-type"] == "application/json"
    log = response.json()["intelligence_log"]["text"]
    for payload in (SCRIPT, JS_URL, TEMPLATE, FORMULA):
        assert payload in log, payload  # kept as data, verbatim: not stripped, not evaluated


def test_the_control_room_page_and_stream_show_payloads_inert(
    stack: DevStack, secret: str, sent: dict[str, str]
) -> None:
    notifier = stack.url("notifier")
    token = issue_token(secret, "control_room")
    stream = read_sse(f"{notifier}/api/v1/control-room/stream?after=0", bearer(secret, "control_room"), until=1)
    alert = next(event for event in stream if event.data.get("reference") == sent["reference"])
    assert SCRIPT in alert.data["intelligence_text"] and SCRIPT in alert.data["location"]
    with httpx.Client(base_url=notifier, timeout=10) as client:
        client.post("/control-room/login", data={"token": token})
        page = client.get("/control-room")
    assert page.status_code == 200 and sent["reference"] in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert_inert_html(page.text)
    for payload in PAYLOADS:
        assert str(escape(payload)) in page.text, payload


def test_webhooks_carry_payloads_only_in_the_json_body(sent: dict[str, str], webhook: WebhookReceiver) -> None:
    def delivered() -> bool:
        return any(body.get("reference") == sent["reference"] for body in webhook.bodies())

    wait_until(delivered, 60, "the webhook delivery")
    for received in webhook.received:
        body = received.json()
        if body.get("reference") != sent["reference"]:
            continue
        assert SCRIPT in json.dumps(body, ensure_ascii=False)
        for name, value in received.headers.items():
            for payload in PAYLOADS:
                assert payload not in value, (name, payload)
            assert "<" not in value and "{{" not in value, name
