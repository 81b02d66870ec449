"""How events change a submission's triage row: a pure fold with the view's rules (status only moves forward)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, NamedTuple

from contracts.events import (
    AlertAcknowledged,
    AlertDispatched,
    AlertEscalated,
    EventModel,
    Graded,
    GradeReviewed,
    ReviewDeadlineBreached,
    Sanitised,
    SubmissionErased,
    SubmissionReceived,
    SubmissionStatusChanged,
)

STATUS_ORDER = ("received", "sanitised", "graded", "reviewed", "actioned", "closed")
_RANK = {status: rank for rank, status in enumerate(STATUS_ORDER)}
GRADE_FIELDS = ("priority", "categories", "source_evaluation", "intelligence_assessment", "handling_code")
_REVIEW_FIELDS = (*GRADE_FIELDS, "reviewer", "rationale", "changed", "previous_priority")


class TriageRow(NamedTuple):
    """One row of triage_submissions, fields in the table's column order; jsonb columns are held as JSON text."""

    reference: str
    status: str
    received_at: datetime
    review_due_at: datetime
    sanitised_at: datetime | None = None
    graded_at: datetime | None = None
    priority: str | None = None
    categories: str = "[]"
    grade: str | None = None
    intelligence_log: str | None = None
    partnership_summary: str | None = None
    redaction_counts: str | None = None
    alert_state: str = "none"
    last_position: int = 0
    reviewed_at: datetime | None = None
    breached: bool = False
    assigned_team: str | None = None
    outcome: str | None = None
    erased: bool = False


COLUMNS = TriageRow._fields
JSON_COLUMNS = ("categories", "grade", "intelligence_log", "partnership_summary", "redaction_counts")


class Recorded(NamedTuple):
    """A parsed event with the envelope facts the view needs."""

    event: EventModel
    position: int
    recorded_at: datetime
    correlation_id: str


LinkedRow = tuple[str, str, str]  # digest, type, reference


def advance(current: str, proposed: str) -> str:
    """The later of two statuses in STATUS_ORDER; an unknown current status is left alone."""
    rank = _RANK.get(current)
    return proposed if rank is not None and rank < _RANK[proposed] else current


def row_reference(recorded: Recorded) -> str:
    """The row an event touches: a receipt creates its own reference, every later event follows its correlation."""
    event = recorded.event
    return event.reference if isinstance(event, SubmissionReceived) else recorded.correlation_id


def _sanitised(row: TriageRow, event: Any, at: datetime) -> TriageRow:
    assert isinstance(event, Sanitised)  # nosec B101 # type narrowing for mypy
    return row._replace(
        status=advance(row.status, "sanitised"),
        sanitised_at=at,
        intelligence_log=event.intelligence_log.model_dump_json(),
        partnership_summary=event.partnership_summary.model_dump_json(),
        redaction_counts=json.dumps(event.redaction_counts),
    )


def _graded(row: TriageRow, event: Any, at: datetime) -> TriageRow:
    assert isinstance(event, Graded)  # nosec B101 # type narrowing for mypy
    return row._replace(
        status=advance(row.status, "graded"),
        graded_at=at,
        priority=event.priority.value,
        categories=json.dumps(event.categories),
        grade=event.model_dump_json(exclude={"reference"}),
    )


def _reviewed(row: TriageRow, event: Any, at: datetime) -> TriageRow:
    """A review replaces the proposal's grading fields and keeps its reasons, with the rationale added."""
    assert isinstance(event, GradeReviewed)  # nosec B101 # type narrowing for mypy
    reviewed = event.model_dump(mode="json")
    grade = json.loads(row.grade) if row.grade is not None else {}
    grade.update({key: reviewed[key] for key in GRADE_FIELDS})
    grade["review"] = {key: reviewed[key] for key in _REVIEW_FIELDS}
    return row._replace(
        status=advance(row.status, "reviewed"),
        reviewed_at=at,
        priority=event.priority.value,
        categories=json.dumps(event.categories),
        grade=json.dumps(grade),
    )


def _status_changed(row: TriageRow, event: Any, at: datetime) -> TriageRow:
    assert isinstance(event, SubmissionStatusChanged)  # nosec B101 # type narrowing for mypy
    if event.action == "closed":
        return row._replace(status=advance(row.status, "closed"), outcome=event.outcome)
    if event.action == "assigned":
        return row._replace(status=advance(row.status, "actioned"), assigned_team=event.team)
    return row._replace(priority=event.priority.value if event.priority else row.priority)


def _alert(state: str) -> Callable[[TriageRow, Any, datetime], TriageRow]:
    def change(row: TriageRow, event: Any, at: datetime) -> TriageRow:
        return row._replace(alert_state=state)

    return change


_CHANGES: dict[type[EventModel], Callable[[TriageRow, Any, datetime], TriageRow]] = {
    Sanitised: _sanitised,
    Graded: _graded,
    GradeReviewed: _reviewed,
    ReviewDeadlineBreached: lambda row, event, at: row._replace(breached=True),
    SubmissionStatusChanged: _status_changed,
    AlertDispatched: _alert("dispatched"),
    AlertEscalated: _alert("escalated"),
    AlertAcknowledged: _alert("acknowledged"),
    SubmissionErased: lambda row, event, at: row._replace(erased=True),
}
VIEW_EVENTS: tuple[type[EventModel], ...] = (SubmissionReceived, *_CHANGES)


def fold(row: TriageRow | None, recorded: Recorded) -> TriageRow | None:
    """The row after one event. A receipt creates a missing row and leaves an existing one as it is;
    any other event changes an existing row (and moves last_position) and does nothing without one."""
    event = recorded.event
    if isinstance(event, SubmissionReceived):
        if row is not None:
            return row
        return TriageRow(
            reference=event.reference,
            status="received",
            received_at=event.received_at,
            review_due_at=event.review_due_at,
            last_position=recorded.position,
        )
    change = _CHANGES.get(type(event))
    if row is None or change is None:
        return row
    return change(row, event, recorded.recorded_at)._replace(last_position=recorded.position)


def fold_all(rows: dict[str, TriageRow], events: Iterable[Recorded]) -> set[str]:
    """Fold events in order into `rows` (reference → row, changed in place); returns the references changed."""
    changed: set[str] = set()
    for recorded in events:
        reference = row_reference(recorded)
        before = rows.get(reference)
        after = fold(before, recorded)
        if after is not before and after is not None:
            rows[reference] = after
            changed.add(reference)
    return changed


def linked_rows(events: Iterable[Recorded]) -> list[LinkedRow]:
    """The linked_identifiers rows the events add, first occurrence of each (digest, reference) kept."""
    found: dict[tuple[str, str], LinkedRow] = {}
    for recorded in events:
        event = recorded.event
        if isinstance(event, Sanitised):
            for identifier in event.linked_identifiers:
                found.setdefault(
                    (identifier.digest, event.reference), (identifier.digest, identifier.type, event.reference)
                )
    return list(found.values())
