"""Graded → an alert on the control room's JetStream subject, then AlertDispatched."""

from __future__ import annotations

from typing import TypeVar

from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.events import AlertDispatched, EventEnvelope, EventModel, Graded, Sanitised, SubmissionReceived
from contracts.subjects import control_room_subject
from eventstore.store import read_stream
from services.common.consumer import HandlerFailed, Outcome, follow_on
from services.notifier.domain import alert_id_for, build_alert, channel_for

EventT = TypeVar("EventT", bound=EventModel)


async def dispatch_alert(conn: AsyncConnection, envelope: EventEnvelope, js: JetStreamContext) -> Outcome | None:
    graded = envelope.event()
    assert isinstance(graded, Graded)
    channel = channel_for(graded.priority)
    if channel is None:
        return None
    history = [e.event() for e in await read_stream(conn, envelope.stream_id)]
    received = _last(history, SubmissionReceived)
    sanitised = _last(history, Sanitised)
    alert = build_alert(alert_id_for(envelope.event_id, channel), received, sanitised, graded, envelope.recorded_at)
    subject = control_room_subject(channel)
    # Published before our commit; a redelivery republishes the same Nats-Msg-Id, which JetStream drops.
    await js.publish(
        subject,
        alert.model_dump_json().encode(),
        timeout=5.0,
        headers={"Nats-Msg-Id": str(alert.alert_id), **_trace_headers(envelope)},
    )
    dispatched = AlertDispatched(
        reference=graded.reference, alert_id=alert.alert_id, channel=channel, priority=graded.priority, subject=subject
    )
    return follow_on(envelope, "notifier", dispatched)


def _last(history: list[EventModel], kind: type[EventT]) -> EventT:
    for event in reversed(history):
        if isinstance(event, kind):
            return event
    raise HandlerFailed(f"the submission has no {kind.event_type} event")


def _trace_headers(envelope: EventEnvelope) -> dict[str, str]:
    return {k: v for k, v in envelope.trace_context.items() if k in ("traceparent", "tracestate")}
