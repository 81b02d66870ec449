"""Analysts review gradings and change status, with reasons; the review clock records one breach."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from cpi.devstack import DevStack, load_or_create_secrets
from tests.factories import submission_json
from tests.servers import RunningServers
from tests.stack import bearer, event_counts, stack_on, submit, wait_until

NORMAL_TEXT = "Groups of youths gather in the underpass most evenings, drinking and shouting at passers-by."
REVIEW = {
    "priority": "HIGH",
    "categories": ["anti_social_behaviour", "weapons"],
    "source_evaluation": "2",
    "intelligence_assessment": "B",
    "handling_code": "P",
    "rationale": "A second school reported a knife seen in the same group this morning.",
}


@pytest.fixture(scope="module")
def clocked(servers: RunningServers, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    """A review window of 3 s, checked every half second."""
    env = {"CPI_REVIEW_WINDOW_MINUTES": "0.05", "CPI_REVIEW_CHECK_SECONDS": "0.5"}
    with stack_on(servers, tmp_path_factory.mktemp("review"), env=env) as devstack:
        yield devstack


def _view(stack: DevStack, reference: str) -> dict[str, Any]:
    secret = load_or_create_secrets(stack.root)["CPI_JWT_SECRET"]
    response = httpx.get(f"{stack.url('triage')}/api/v1/triage/{reference}", headers=bearer(secret, "analyst"))
    return dict(response.json()) if response.status_code == 200 else {}


def _graded(stack: DevStack, text: str = NORMAL_TEXT) -> str:
    with httpx.Client() as client:
        reference = str(submit(client, stack.url("intake"), submission_json(text)).json()["reference"])
    wait_until(lambda: _view(stack, reference).get("status") == "graded", 30, "Graded")
    return reference


def _post(stack: DevStack, path: str, body: dict[str, Any], role: str = "analyst") -> httpx.Response:
    secret = load_or_create_secrets(stack.root)["CPI_JWT_SECRET"]
    return httpx.post(f"{stack.url('triage')}{path}", json=body, headers=bearer(secret, role), timeout=30)


def test_a_review_changes_the_grading_and_records_who_and_why(clocked: DevStack) -> None:
    reference = _graded(clocked)
    response = _post(clocked, f"/api/v1/triage/{reference}/review", REVIEW)
    assert response.status_code == 201, response.text
    recorded = response.json()
    assert recorded["changed"] is True
    assert recorded["previous_priority"] == "NORMAL"
    assert recorded["reviewer"] == "dev-analyst"
    wait_until(lambda: _view(clocked, reference).get("status") == "reviewed", 30, "the view to show the review")
    grade = _view(clocked, reference)["grade"]
    assert grade["priority"] == "HIGH"
    assert grade["intelligence_assessment"] == "B"
    assert grade["review"]["rationale"] == REVIEW["rationale"]
    assert grade["reasons"], "the proposal's reasons stay beside the review"
    assert event_counts(clocked.database_url or "")["GradeReviewed"][reference] == 1


def test_a_review_needs_a_rationale_an_allowed_role_and_a_graded_submission(clocked: DevStack) -> None:
    reference = _graded(clocked)
    path = f"/api/v1/triage/{reference}/review"
    missing = _post(clocked, path, {**REVIEW, "rationale": " "})
    assert missing.status_code == 422
    assert ["body", "rationale"] in [error["loc"] for error in missing.json()["detail"]]
    bad = _post(clocked, path, {**REVIEW, "intelligence_assessment": "Z", "categories": []})
    assert {("body", "intelligence_assessment"), ("body", "categories")} <= {
        tuple(error["loc"]) for error in bad.json()["detail"]
    }
    for role in ("auditor", "control_room", "source_handler"):
        assert _post(clocked, path, REVIEW, role).status_code == 403, role
    assert httpx.post(f"{clocked.url('triage')}{path}", json=REVIEW).status_code == 401
    assert _post(clocked, "/api/v1/triage/CPI-0000-0000/review", REVIEW).status_code == 404


def test_an_unreviewed_submission_past_its_deadline_is_breached_exactly_once(clocked: DevStack) -> None:
    overdue = _graded(clocked)
    on_time = _graded(clocked)
    assert _post(clocked, f"/api/v1/triage/{on_time}/review", {**REVIEW, "priority": "NORMAL"}).status_code == 201
    wait_until(lambda: _view(clocked, overdue).get("breached") is True, 30, "the breach to show")
    wait_until(lambda: _view(clocked, on_time).get("status") == "reviewed", 30, "the review to show")
    import time

    time.sleep(2)  # several more checks of the clock
    counts = event_counts(clocked.database_url or "")["ReviewDeadlineBreached"]
    assert counts[overdue] == 1
    assert counts[on_time] == 0
    assert _view(clocked, on_time)["breached"] is False


def test_status_changes_need_their_details_and_a_reason(clocked: DevStack) -> None:
    reference = _graded(clocked)
    path = f"/api/v1/triage/{reference}/status"
    no_team = _post(clocked, path, {"action": "assigned", "reason": "Neighbourhood team owns this area"})
    assert no_team.status_code == 422
    no_reason = _post(clocked, path, {"action": "assigned", "team": "Neighbourhood West"})
    assert no_reason.status_code == 422
    assigned = _post(clocked, path, {"action": "assigned", "team": "Neighbourhood West", "reason": "Their beat area"})
    assert assigned.status_code == 201, assigned.text
    wait_until(lambda: _view(clocked, reference).get("status") == "actioned", 30, "actioned")
    assert _view(clocked, reference)["assigned_team"] == "Neighbourhood West"
    closed = _post(
        clocked, path, {"action": "closed", "outcome": "Patrols increased for a week", "reason": "Actioned by team"}
    )
    assert closed.status_code == 201
    wait_until(lambda: _view(clocked, reference).get("status") == "closed", 30, "closed")
