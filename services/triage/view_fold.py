"""How events change a submission's triage row: a pure fold with the view's rules (status only moves forward)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, NamedTuple

from pydantic import BaseModel
from pydantic_core import to_json

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


# Where each column sits in a row's values: a batch changes one list per row in place, not a tuple per event.
_AT = {column: index for index, column in enumerate(COLUMNS)}
_STATUS, _LAST_POSITION, _PRIORITY, _CATEGORIES, _GRADE = (
    _AT[column] for column in ("status", "last_position", "priority", "categories", "grade")
)
Change = Callable[[list[Any], Any, datetime], None]


def _json(value: Any) -> str:
    """JSON text for a jsonb column (several times faster than json.dumps; jsonb keeps no formatting anyway)."""
    return to_json(value).decode()


def _dump(model: BaseModel, exclude: set[str] | None = None) -> str:
    """What model_dump_json gives, from the model's own serializer without the wrapper's per-call cost."""
    return type(model).__pydantic_serializer__.to_json(model, exclude=exclude).decode()


def _sanitised(values: list[Any], event: Any, at: datetime) -> None:
    assert isinstance(event, Sanitised)  # nosec B101 # type narrowing for mypy
    values[_STATUS] = advance(values[_STATUS], "sanitised")
    values[_AT["sanitised_at"]] = at
    values[_AT["intelligence_log"]] = _dump(event.intelligence_log)
    values[_AT["partnership_summary"]] = _dump(event.partnership_summary)
    values[_AT["redaction_counts"]] = _json(event.redaction_counts)


def _graded(values: list[Any], event: Any, at: datetime) -> None:
    assert isinstance(event, Graded)  # nosec B101 # type narrowing for mypy
    values[_STATUS] = advance(values[_STATUS], "graded")
    values[_AT["graded_at"]] = at
    values[_PRIORITY] = event.priority.value
    values[_CATEGORIES] = _json(event.categories)
    values[_GRADE] = _dump(event, exclude={"reference"})


def _reviewed(values: list[Any], event: Any, at: datetime) -> None:
    """A review replaces the proposal's grading fields and keeps its reasons, with the rationale added."""
    assert isinstance(event, GradeReviewed)  # nosec B101 # type narrowing for mypy
    reviewed = event.model_dump(mode="json")
    grade = json.loads(values[_GRADE]) if values[_GRADE] is not None else {}
    grade.update({key: reviewed[key] for key in GRADE_FIELDS})
    grade["review"] = {key: reviewed[key] for key in _REVIEW_FIELDS}
    values[_STATUS] = advance(values[_STATUS], "reviewed")
    values[_AT["reviewed_at"]] = at
    values[_PRIORITY] = event.priority.value
    values[_CATEGORIES] = _json(event.categories)
    values[_GRADE] = _json(grade)


def _status_changed(values: list[Any], event: Any, at: datetime) -> None:
    assert isinstance(event, SubmissionStatusChanged)  # nosec B101 # type narrowing for mypy
    if event.action == "closed":
        values[_STATUS] = advance(values[_STATUS], "closed")
        values[_AT["outcome"]] = event.outcome
    elif event.action == "assigned":
        values[_STATUS] = advance(values[_STATUS], "actioned")
        values[_AT["assigned_team"]] = event.team
    elif event.priority:
        values[_PRIORITY] = event.priority.value


def _set(column: str, value: object) -> Change:
    index = _AT[column]

    def change(values: list[Any], event: Any, at: datetime) -> None:
        values[index] = value

    return change


_CHANGES: dict[type[EventModel], Change] = {
    Sanitised: _sanitised,
    Graded: _graded,
    GradeReviewed: _reviewed,
    ReviewDeadlineBreached: _set("breached", True),
    SubmissionStatusChanged: _status_changed,
    AlertDispatched: _set("alert_state", "dispatched"),
    AlertEscalated: _set("alert_state", "escalated"),
    AlertAcknowledged: _set("alert_state", "acknowledged"),
    SubmissionErased: _set("erased", True),
}
VIEW_EVENTS: tuple[type[EventModel], ...] = (SubmissionReceived, *_CHANGES)


def _created(event: SubmissionReceived, position: int) -> TriageRow:
    return TriageRow(
        reference=event.reference,
        status="received",
        received_at=event.received_at,
        review_due_at=event.review_due_at,
        last_position=position,
    )


def fold(row: TriageRow | None, recorded: Recorded) -> TriageRow | None:
    """The row after one event. A receipt creates a missing row and leaves an existing one as it is;
    any other event changes an existing row (and moves last_position) and does nothing without one."""
    event = recorded.event
    if isinstance(event, SubmissionReceived):
        return row if row is not None else _created(event, recorded.position)
    change = _CHANGES.get(type(event))
    if row is None or change is None:
        return row
    values = list(row)
    change(values, event, recorded.recorded_at)
    values[_LAST_POSITION] = recorded.position
    return TriageRow._make(values)


def fold_all(rows: dict[str, TriageRow], events: Iterable[Recorded]) -> set[str]:
    """Fold events in order into `rows` (reference → row, changed in place); returns the references changed.

    The same steps as `fold`, each row's values kept as one list for the whole batch.
    """
    working: dict[str, list[Any]] = {}
    for recorded in events:
        event = recorded.event
        if isinstance(event, SubmissionReceived):
            if event.reference not in working and event.reference not in rows:
                working[event.reference] = list(_created(event, recorded.position))
            continue
        change = _CHANGES.get(type(event))
        if change is None:
            continue
        values = working.get(recorded.correlation_id)
        if values is None:
            row = rows.get(recorded.correlation_id)
            if row is None:
                continue
            values = working[recorded.correlation_id] = list(row)
        change(values, event, recorded.recorded_at)
        values[_LAST_POSITION] = recorded.position
    for reference, values in working.items():
        rows[reference] = TriageRow._make(values)
    return set(working)


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
