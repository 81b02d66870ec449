"""Pure notifier rules: which gradings become alerts, on which channel, carrying what."""

from __future__ import annotations

import uuid
from datetime import datetime

from contracts.alerts import ControlRoomAlert
from contracts.events import Graded, Priority, Sanitised, SubmissionReceived
from contracts.subjects import CRIME_CHANNEL, HIGH_CHANNEL

_ALERT_NAMESPACE = uuid.UUID("6f1b3c52-4f3e-4d59-9a57-3f4e0f7c2a10")


def channel_for(priority: Priority) -> str | None:
    """HIGH goes to the control room now; crime-not-intelligence on its own channel; NORMAL is not pushed."""
    return {Priority.HIGH: HIGH_CHANNEL, Priority.CRIME_NOT_INTEL: CRIME_CHANNEL}.get(priority)


def alert_id_for(cause: uuid.UUID, channel: str) -> uuid.UUID:
    """Derived from the grading event, so a redelivered grading yields the same alert id."""
    return uuid.uuid5(_ALERT_NAMESPACE, f"{cause}:{channel}")


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
