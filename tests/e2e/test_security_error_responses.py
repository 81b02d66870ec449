"""Error answers name fields and rules, never what was sent nor any setting: 4xx pages and JSON, on real services."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from cpi.devstack import DevStack, load_or_create_secrets
from services.common.auth import issue_token
from tests.factories import submission_json
from tests.servers import RunningServers
from tests.stack import stack_on

SERVICES = ("intake", "sanitiser", "notifier", "triage")
MARK = "QzxMarker"


@pytest.fixture(scope="module")
def stack(servers: RunningServers, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    with stack_on(servers, tmp_path_factory.mktemp("error-echo"), names=SERVICES) as devstack:
        yield devstack


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30, follow_redirects=False) as http:
        yield http


def _marked(document: Any, path: str = "") -> Any:
    """Every string leaf replaced by a distinctive value naming its own place, so any echo is found."""
    if isinstance(document, dict):
        return {key: _marked(value, f"{path}.{key}") for key, value in document.items()}
    if isinstance(document, str):
        return f"{MARK}{path}"
    return document


def _settings_values(stack: DevStack) -> list[str]:
    secrets = load_or_create_secrets(stack.root)
    values = [value for value in secrets.values() if len(value) >= 16]
    for composite in (secrets["CPI_MASTER_KEYS"], secrets["CPI_AUDIT_PUBLIC_KEYS"]):
        values.extend(part.split(":", 1)[1] for part in composite.split(","))
    return [*values, stack.database_url or "", stack.nats_url or ""]


def _assert_echoes_nothing(response: httpx.Response, stack: DevStack, *also: str) -> None:
    seen = response.text + json.dumps(dict(response.headers))
    assert MARK not in seen, f"{response.request.method} {response.request.url.path} echoed a submitted value"
    for value in [*_settings_values(stack), *also]:
        assert value not in seen, f"{response.request.method} {response.request.url.path} echoed a setting"


def test_a_refused_submission_names_its_fields_and_echoes_none_of_the_values(
    stack: DevStack, client: httpx.Client
) -> None:
    document = _marked(submission_json())
    document["reporter"]["email"] = f"{MARK}-not-an-address"
    document["unexpected"] = f"{MARK}-unexpected"
    response = client.post(f"{stack.url('intake')}/api/v1/submissions", json=document)
    assert response.status_code == 422
    located = {tuple(error["loc"]) for error in response.json()["detail"]}
    assert ("body", "reporter", "email") in located
    assert ("body", "unexpected") in located
    _assert_echoes_nothing(response, stack)


@pytest.mark.parametrize(
    ("content_type", "body", "extra_headers"),
    [
        ("application/json", f'{{"reporter": "{MARK}", ', {}),  # malformed JSON
        ("text/plain", MARK, {}),  # not JSON at all
        ("application/json", json.dumps({"shared_with": MARK * 10_000}), {}),  # over the size limit
        ("application/json", json.dumps(submission_json()), {"Idempotency-Key": MARK * 50}),  # key too long
    ],
    ids=["malformed JSON", "wrong content type", "too large", "idempotency key too long"],
)
def test_intake_refusals_echo_nothing(
    stack: DevStack, client: httpx.Client, content_type: str, body: str, extra_headers: dict[str, str]
) -> None:
    headers = {"Content-Type": content_type, **extra_headers}
    response = client.post(f"{stack.url('intake')}/api/v1/submissions", content=body, headers=headers)
    assert 400 <= response.status_code < 500
    _assert_echoes_nothing(response, stack)


@pytest.mark.parametrize("service", SERVICES)
def test_an_unknown_path_is_404_without_echoing_it(stack: DevStack, client: httpx.Client, service: str) -> None:
    response = client.get(f"{stack.url(service)}/api/v1/{MARK}/{MARK}?{MARK}={MARK}")
    assert response.status_code == 404
    _assert_echoes_nothing(response, stack)


def test_police_api_refusals_echo_neither_query_path_nor_body_values(stack: DevStack, client: httpx.Client) -> None:
    secret = load_or_create_secrets(stack.root)["CPI_JWT_SECRET"]

    def as_role(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(secret, role)}"}

    triage, sanitiser = stack.url("triage"), stack.url("sanitiser")
    refusals = [
        client.get(f"{triage}/api/v1/triage", params={"priority": MARK, "cursor": MARK}, headers=as_role("analyst")),
        client.get(f"{triage}/api/v1/triage/stats/daily", params={"since": MARK}, headers=as_role("analyst")),
        client.get(f"{triage}/api/v1/triage/CPI-{MARK}", headers=as_role("analyst")),
        client.post(
            f"{triage}/api/v1/triage/CPI-0000-0000/review",
            json={"priority": MARK, "rationale": MARK, "categories": [MARK]},
            headers=as_role("supervisor"),
        ),
        client.get(f"{triage}/api/v1/audit/verify", params={"from": MARK}, headers=as_role("auditor")),
        client.get(f"{sanitiser}/api/v1/sources/CPI-{MARK}", headers=as_role("source_handler")),
        client.get(f"{triage}/api/v1/triage", headers={"Authorization": f"Bearer {MARK}.{MARK}.{MARK}"}),
    ]
    assert all(400 <= response.status_code < 500 for response in refusals), [r.status_code for r in refusals]
    for response in refusals:
        _assert_echoes_nothing(response, stack)


def test_form_refusal_pages_echo_nothing_that_was_posted(stack: DevStack, client: httpx.Client) -> None:
    posted = {name: f"{MARK}-{name}" for name in ("reporter-name", "information-text", "csrf-token")}
    no_session = client.post(stack.url("intake") + "/", data=posted)  # no session cookie: refused as a page
    wrong_type = client.post(stack.url("intake") + "/", content=MARK, headers={"Content-Type": "text/plain"})
    for response in (no_session, wrong_type):
        assert 400 <= response.status_code < 500
        _assert_echoes_nothing(response, stack)
