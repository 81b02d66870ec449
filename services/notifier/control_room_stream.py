"""The control room's event stream: replay from the store after a position, then follow live, with keep-alives."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from contracts.events import AlertAcknowledged, AlertDispatched, AlertEscalated
from eventstore.store import autocommit, read_all
from services.notifier.alert_store import alerts_by_id
from services.notifier.append_signal import AppendSignal
from services.notifier.domain import decode
from services.notifier.sse import KEEP_ALIVE, SSE_EVENT_NAMES, sse_message, stream_preamble

BATCH = 200
STREAMED_TYPES = tuple(SSE_EVENT_NAMES)


@dataclass(frozen=True)
class StreamItem:
    position: int
    event: str
    data: dict[str, Any]


async def stream_items_after(conn: AsyncConnection, after: int, limit: int = BATCH) -> list[StreamItem]:
    """Alert, escalation and acknowledgement events after a store position, with each alert's content."""
    envelopes = await read_all(conn, after, limit, STREAMED_TYPES)
    events = [(envelope.position, decode(envelope)) for envelope in envelopes]
    ids = [e.alert_id for _, e in events if isinstance(e, (AlertDispatched, AlertEscalated))]
    rows = await alerts_by_id(conn, ids)
    items = []
    for position, event in events:
        if isinstance(event, AlertDispatched) and not event.escalation:
            row = rows.get(event.alert_id)
            content = row.alert if row else event.model_dump(mode="json")
            items.append(StreamItem(position, "alert", {**content, "escalation": False}))
        elif isinstance(event, AlertEscalated):
            row = rows.get(event.alert_id)
            content = row.alert if row else {"alert_id": str(event.alert_id), "reference": event.reference}
            data = {**content, "escalation": True, "escalation_number": event.escalation_number}
            items.append(StreamItem(position, "escalation", data))
        elif isinstance(event, AlertAcknowledged):
            items.append(StreamItem(position, "acknowledged", _acknowledged(event)))
    return items


def _acknowledged(event: AlertAcknowledged) -> dict[str, Any]:
    return {
        "alert_id": str(event.alert_id),
        "reference": event.reference,
        "acknowledged_by": event.acknowledged_by,
        "acknowledged_at": event.acknowledged_at.isoformat(),
    }


async def follow_alerts(
    engine: AsyncEngine, signal: AppendSignal, after: int, keepalive_seconds: float
) -> AsyncIterator[str]:
    """SSE text: every item after `after` in position order, each once, then live; a comment when idle."""
    yield stream_preamble()
    position = after
    last_sent = time.monotonic()
    while True:
        token = signal.current()
        async with autocommit(engine) as conn:
            items = await stream_items_after(conn, position)
        for item in items:
            yield sse_message(item.position, item.event, item.data)
            position = item.position
        if items:
            last_sent = time.monotonic()
            if len(items) == BATCH:
                continue
        idle = time.monotonic() - last_sent
        woken = await signal.wait(token, max(min(keepalive_seconds - idle, 1.0), 0.0))
        if not woken and time.monotonic() - last_sent >= keepalive_seconds:
            yield KEEP_ALIVE
            last_sent = time.monotonic()
