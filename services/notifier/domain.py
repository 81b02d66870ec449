"""Pure notifier rules: which gradings become alerts, on which channel, carrying what."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from contracts.alerts import ControlRoomAlert
from contracts.events import (
    AlertDispatched,
    EventEnvelope,
    EventModel,
    Graded,
    GradeReason,
    GradeReviewed,
    Priority,
    Sanitised,
    SubmissionReceived,
    UnknownEventType,
)
from contracts.subjects import CRIME_CHANNEL, HIGH_CHANNEL

_ALERT_NAMESPACE = uuid.UUID("6f1b3c52-4f3e-4d59-9a57-3f4e0f7c2a10")


REVIEW_REASON_ID = "analyst-review"

EventT = TypeVar("EventT", bound=EventModel)


class MissingHistory(Exception):
    """The submission's stream lacks an event the alert is built from."""


def decode(envelope: EventEnvelope) -> EventModel | None:
    """The envelope's event, or None for a type this code does not know."""
    try:
        return envelope.event()
    except UnknownEventType:
        return None


def channel_for(priority: Priority) -> str | None:
    """HIGH goes to the control room now; crime-not-intelligence on its own channel; NORMAL is not pushed."""
    return {Priority.HIGH: HIGH_CHANNEL, Priority.CRIME_NOT_INTEL: CRIME_CHANNEL}.get(priority)


def alert_id_for(reference: str | uuid.UUID, channel: str) -> uuid.UUID:
    """One alert per submission and channel, so a regrading to the same priority never alerts twice."""
    return uuid.uuid5(_ALERT_NAMESPACE, f"{reference}:{channel}")


def derived_event_id(alert_id: uuid.UUID, what: str) -> uuid.UUID:
    """A deterministic event id (e.g. "dispatched", "escalation:2", "ack"): the store's unique key stops a repeat."""
    return uuid.uuid5(alert_id, what)


def already_alerted(history: Sequence[EventModel], channel: str) -> bool:
    return any(isinstance(e, AlertDispatched) and e.channel == channel and not e.escalation for e in history)


def last_of(history: Sequence[EventModel], kind: type[EventT]) -> EventT:
    for event in reversed(history):
        if isinstance(event, kind):
            return event
    raise MissingHistory(f"the submission has no {kind.event_type} event")


def build_alert(
    alert_id: uuid.UUID,
    received: SubmissionReceived,
    sanitised: Sanitised,
    graded: Graded,
    graded_at: datetime,
) -> ControlRoomAlert:
    return ControlRoomAlert(
        alert_id=alert_id,
        reference=graded.reference,
        priority=graded.priority,
        categories=graded.categories,
        intelligence_text=sanitised.intelligence_log.text,
        location=sanitised.location,
        reasons=graded.reasons,
        review_due_at=received.review_due_at,
        graded_at=graded_at,
    )


def alert_from_review(
    alert_id: uuid.UUID, history: Sequence[EventModel], review: GradeReviewed, reviewed_at: datetime
) -> ControlRoomAlert:
    """The reviewer's priority and categories; the rationale (free text) stays out, a fixed reason goes in."""
    graded = last_of(history, Graded)
    previous = review.previous_priority.value if review.previous_priority else graded.priority.value
    reason = GradeReason(
        rule_id=REVIEW_REASON_ID,
        text=f"An analyst review set the priority to {review.priority.value} (was {previous}).",
    )
    return ControlRoomAlert(
        alert_id=alert_id,
        reference=review.reference,
        priority=review.priority,
        categories=review.categories,
        intelligence_text=last_of(history, Sanitised).intelligence_log.text,
        location=last_of(history, Sanitised).location,
        reasons=[*graded.reasons, reason],
        review_due_at=last_of(history, SubmissionReceived).review_due_at,
        graded_at=reviewed_at,
    )


_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")
_TRACESTATE = re.compile(r"^[A-Za-z0-9_\-*/@=,. ]{1,512}$")


def safe_trace_headers(trace_context: dict[str, str]) -> dict[str, str]:
    """W3C trace headers only when well formed: nothing that could break a header line goes out."""
    headers = {}
    if _TRACEPARENT.fullmatch(trace_context.get("traceparent", "")):
        headers["traceparent"] = trace_context["traceparent"]
        if _TRACESTATE.fullmatch(trace_context.get("tracestate", "")):
            headers["tracestate"] = trace_context["tracestate"]
    return headers
