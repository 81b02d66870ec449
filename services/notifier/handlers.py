"""One function per consumed event or route: Graded and GradeReviewed become alerts; acknowledgement; escalation."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.alerts import ControlRoomAlert
from contracts.events import (
    AlertAcknowledged,
    AlertDispatched,
    AlertEscalated,
    EventEnvelope,
    EventModel,
    Graded,
    GradeReviewed,
    Priority,
    Sanitised,
    SubmissionReceived,
)
from contracts.subjects import control_room_subject
from eventstore.store import read_stream
from services.common.consumer import HandlerFailed, Outcome
from services.notifier import alert_store
from services.notifier.alert_store import AlertRow
from services.notifier.domain import (
    MissingHistory,
    alert_from_review,
    alert_id_for,
    build_alert,
    channel_for,
    decode,
    derived_event_id,
    last_of,
    safe_trace_headers,
)
from services.notifier.escalation import escalation_key, first_escalation_at, next_escalation_at
from services.notifier.settings import WebhookTarget


@dataclass(frozen=True)
class PushRoutes:
    """Where an alert goes besides the store: the JetStream subject and the webhook outbox."""

    js: JetStreamContext
    targets: Sequence[WebhookTarget]
    escalation_seconds: float


async def _claim_alert(conn: AsyncConnection, reference: str, priority: Priority) -> tuple[str, uuid.UUID] | None:
    """The channel and alert id to push on, or None: NORMAL, or this channel already alerted (row-locked)."""
    channel = channel_for(priority)
    if channel is None:
        return None
    alert_id = alert_id_for(reference, channel)
    await alert_store.lock_alert_key(conn, alert_id)
    if await alert_store.alert_exists(conn, alert_id):
        return None
    return channel, alert_id


async def dispatch_graded(conn: AsyncConnection, envelope: EventEnvelope, push: PushRoutes) -> Outcome | None:
    graded = decode(envelope)
    assert isinstance(graded, Graded)  # nosec B101 # type narrowing for mypy
    claimed = await _claim_alert(conn, graded.reference, graded.priority)
    if claimed is None:
        return None
    channel, alert_id = claimed
    history = await _history(conn, envelope)
    try:
        alert = build_alert(
            alert_id, last_of(history, SubmissionReceived), last_of(history, Sanitised), graded, envelope.recorded_at
        )
    except MissingHistory as exc:
        raise HandlerFailed(str(exc)) from None
    await _push_new_alert(conn, envelope, alert, channel, push)
    return None


async def dispatch_reviewed(conn: AsyncConnection, envelope: EventEnvelope, push: PushRoutes) -> Outcome | None:
    """A review that makes a submission HIGH (or crime) alerts, unless that channel already alerted for it."""
    review = decode(envelope)
    assert isinstance(review, GradeReviewed)  # nosec B101 # type narrowing for mypy
    claimed = await _claim_alert(conn, review.reference, review.priority)
    if claimed is None:
        return None
    channel, alert_id = claimed
    history = await _history(conn, envelope)
    try:
        alert = alert_from_review(alert_id, history, review, envelope.recorded_at)
    except MissingHistory as exc:
        raise HandlerFailed(str(exc)) from None
    await _push_new_alert(conn, envelope, alert, channel, push)
    return None


@dataclass(frozen=True)
class Acknowledgement:
    alert_id: uuid.UUID
    reference: str
    acknowledged_by: str
    acknowledged_at: datetime
    recorded_now: bool


async def acknowledge_alert(
    conn: AsyncConnection, alert_id: uuid.UUID, who: str, now: datetime
) -> Acknowledgement | None:
    """None for an unknown alert; a second acknowledgement returns the first one and records nothing."""
    row = await alert_store.get_alert(conn, alert_id, lock="FOR UPDATE")
    if row is None:
        return None
    if row.acknowledged_at is not None:
        return Acknowledgement(alert_id, row.reference, row.acknowledged_by or "", row.acknowledged_at, False)
    event = AlertAcknowledged(reference=row.reference, alert_id=alert_id, acknowledged_by=who, acknowledged_at=now)
    envelope = await alert_store.append_alert_event(
        conn, row.reference, event, derived_event_id(alert_id, "ack"), actor=who
    )
    await alert_store.mark_acknowledged(conn, alert_id, who, now, envelope.position)
    return Acknowledgement(alert_id, row.reference, who, now, True)


async def escalate_alert(conn: AsyncConnection, alert_id: uuid.UUID, push: PushRoutes, now: datetime) -> int | None:
    """The next escalation of a due, unacknowledged alert, or None if another replica has it or it is not due."""
    row = await alert_store.get_alert(conn, alert_id, lock="FOR UPDATE SKIP LOCKED")
    if row is None or not _is_due(row, now):
        return None
    number = row.escalations + 1
    event_id = derived_event_id(alert_id, escalation_key(number))
    alert = ControlRoomAlert.model_validate(row.alert).model_copy(update={"escalation": True})
    subject = control_room_subject(row.channel)
    await push.js.publish(
        subject, alert.model_dump_json().encode(), timeout=5.0, headers={"Nats-Msg-Id": str(event_id)}
    )
    escalated = AlertEscalated(
        reference=row.reference, alert_id=alert_id, escalation_number=number, unacknowledged_since=row.dispatched_at
    )
    envelope = await alert_store.append_alert_event(conn, row.reference, escalated, event_id)
    await alert_store.mark_escalated(
        conn, alert_id, number, next_escalation_at(envelope.recorded_at, push.escalation_seconds), envelope.position
    )
    alert_json = alert.model_dump(mode="json")
    await alert_store.enqueue_deliveries(
        conn, push.targets, alert_json, row.channel, envelope.position, escalation_key(number)
    )
    return number


def _is_due(row: AlertRow, now: datetime) -> bool:
    return row.acknowledged_at is None and row.next_escalation_at is not None and row.next_escalation_at <= now


async def _history(conn: AsyncConnection, envelope: EventEnvelope) -> list[EventModel]:
    events = (decode(e) for e in await read_stream(conn, envelope.stream_id))
    return [e for e in events if e is not None]


async def _push_new_alert(
    conn: AsyncConnection, cause: EventEnvelope, alert: ControlRoomAlert, channel: str, push: PushRoutes
) -> None:
    subject = control_room_subject(channel)
    trace = safe_trace_headers(cause.trace_context)
    # Published before our commit; a redelivery republishes the same Nats-Msg-Id, which JetStream drops.
    await push.js.publish(
        subject, alert.model_dump_json().encode(), timeout=5.0, headers={"Nats-Msg-Id": str(alert.alert_id), **trace}
    )
    alert_json = alert.model_dump(mode="json")
    # Everything that does not need the event's position goes before the append, which takes the head lock.
    await alert_store.enqueue_deliveries(conn, push.targets, alert_json, channel, cause.position, "dispatched")
    dispatched = AlertDispatched(
        reference=alert.reference, alert_id=alert.alert_id, channel=channel, priority=alert.priority, subject=subject
    )
    envelope = await alert_store.append_alert_event(
        conn,
        alert.reference,
        dispatched,
        derived_event_id(alert.alert_id, "dispatched"),
        causation_id=cause.event_id,
        trace_context=trace,
    )
    first = first_escalation_at(alert.priority, envelope.recorded_at, push.escalation_seconds)
    await alert_store.insert_alert(conn, alert_json, channel, envelope, first)
