"""The notifier's tables: the alerts view and the webhook outbox, always written in the caller's transaction."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.events import EventEnvelope, EventModel
from contracts.subjects import submission_stream_id
from eventstore.store import ANY_VERSION, NewEvent, append_events
from services.notifier.settings import WebhookTarget

ACTOR = "notifier"


@dataclass(frozen=True)
class AlertRow:
    alert_id: uuid.UUID
    reference: str
    channel: str
    priority: str
    alert: dict[str, Any]
    dispatched_at: datetime
    dispatched_position: int
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    escalations: int
    next_escalation_at: datetime | None


_ROW_COLUMNS = (
    "alert_id, reference, channel, priority, alert, dispatched_at, dispatched_position, "
    "acknowledged_at, acknowledged_by, escalations, next_escalation_at"
)


def _alert_row(row: Any) -> AlertRow:
    alert = row.alert if isinstance(row.alert, dict) else json.loads(row.alert)
    return AlertRow(
        uuid.UUID(str(row.alert_id)),
        row.reference,
        row.channel,
        row.priority,
        alert,
        row.dispatched_at,
        row.dispatched_position,
        row.acknowledged_at,
        row.acknowledged_by,
        row.escalations,
        row.next_escalation_at,
    )


async def append_alert_event(
    conn: AsyncConnection,
    reference: str,
    event: EventModel,
    event_id: uuid.UUID,
    *,
    causation_id: uuid.UUID | None = None,
    actor: str = ACTOR,
    trace_context: dict[str, str] | None = None,
) -> EventEnvelope:
    """On the submission's own stream; a repeated deterministic event id is refused by the store's unique key."""
    stream_id = submission_stream_id(reference)
    new = NewEvent(
        event,
        stream_id,
        correlation_id=reference,
        actor=actor,
        causation_id=causation_id,
        event_id=event_id,
        trace_context=trace_context or {},
    )
    (envelope,) = await append_events(conn, stream_id, [new], ANY_VERSION)
    return envelope


async def lock_alert_key(conn: AsyncConnection, alert_id: uuid.UUID) -> None:
    """Serialises the Graded and GradeReviewed consumers deciding about the same alert."""
    await conn.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": f"alert:{alert_id}"})


async def alert_exists(conn: AsyncConnection, alert_id: uuid.UUID) -> bool:
    found = await conn.execute(text("SELECT 1 FROM notifier_alerts WHERE alert_id = :a"), {"a": alert_id})
    return found.first() is not None


async def insert_alert(
    conn: AsyncConnection,
    alert: dict[str, Any],
    channel: str,
    dispatched: EventEnvelope,
    next_escalation_at: datetime | None,
) -> None:
    await conn.execute(
        text(
            "INSERT INTO notifier_alerts (alert_id, reference, channel, priority, alert, dispatched_at, "
            "dispatched_position, next_escalation_at, last_position) "
            "VALUES (:a, :r, :c, :p, CAST(:alert AS jsonb), :at, :pos, :next, :pos) ON CONFLICT DO NOTHING"
        ),
        {
            "a": alert["alert_id"],
            "r": alert["reference"],
            "c": channel,
            "p": alert["priority"],
            "alert": json.dumps(alert),
            "at": dispatched.recorded_at,
            "pos": dispatched.position,
            "next": next_escalation_at,
        },
    )


async def get_alert(conn: AsyncConnection, alert_id: uuid.UUID, *, lock: str = "") -> AlertRow | None:
    """lock: "" (read), "FOR UPDATE" (wait for it) or "FOR UPDATE SKIP LOCKED" (leave it to whoever holds it)."""
    if lock not in ("", "FOR UPDATE", "FOR UPDATE SKIP LOCKED"):  # it goes into the SQL: a real check, not an assert
        raise ValueError(f"unknown lock clause {lock!r}")
    row = (
        await conn.execute(
            text(f"SELECT {_ROW_COLUMNS} FROM notifier_alerts WHERE alert_id = :a {lock}"),  # nosec B608 # lock checked above
            {"a": alert_id},
        )
    ).first()
    return _alert_row(row) if row else None


async def alerts_by_id(conn: AsyncConnection, alert_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, AlertRow]:
    if not alert_ids:
        return {}
    rows = await conn.execute(
        text(f"SELECT {_ROW_COLUMNS} FROM notifier_alerts WHERE alert_id = ANY(:ids)"),  # nosec B608 # constants only
        {"ids": list(alert_ids)},
    )
    return {r.alert_id: r for r in map(_alert_row, rows)}


async def open_alerts(conn: AsyncConnection, limit: int = 200) -> list[AlertRow]:
    """Unacknowledged alerts, newest first."""
    rows = await conn.execute(
        text(
            f"SELECT {_ROW_COLUMNS} FROM notifier_alerts WHERE acknowledged_at IS NULL "  # nosec B608 # constants only, values bound
            "ORDER BY dispatched_position DESC LIMIT :n"
        ),
        {"n": limit},
    )
    return [_alert_row(row) for row in rows]


async def due_escalations(conn: AsyncConnection, now: datetime, limit: int = 50) -> list[uuid.UUID]:
    rows = await conn.execute(
        text(
            "SELECT alert_id FROM notifier_alerts WHERE acknowledged_at IS NULL AND next_escalation_at <= :now "
            "ORDER BY next_escalation_at LIMIT :n"
        ),
        {"now": now, "n": limit},
    )
    return [uuid.UUID(str(row.alert_id)) for row in rows]


async def mark_acknowledged(conn: AsyncConnection, alert_id: uuid.UUID, who: str, at: datetime, position: int) -> None:
    await conn.execute(
        text(
            "UPDATE notifier_alerts SET acknowledged_at = :at, acknowledged_by = :who, next_escalation_at = NULL, "
            "last_position = :p WHERE alert_id = :a"
        ),
        {"a": alert_id, "who": who, "at": at, "p": position},
    )


async def mark_escalated(
    conn: AsyncConnection, alert_id: uuid.UUID, number: int, next_at: datetime, position: int
) -> None:
    await conn.execute(
        text(
            "UPDATE notifier_alerts SET escalations = :n, next_escalation_at = :next, last_position = :p "
            "WHERE alert_id = :a"
        ),
        {"a": alert_id, "n": number, "next": next_at, "p": position},
    )


async def enqueue_deliveries(
    conn: AsyncConnection,
    targets: Sequence[WebhookTarget],
    alert: dict[str, Any],
    channel: str,
    order_position: int,
    key: str,
) -> int:
    """One outbox row per endpoint that takes this channel; the delivery id makes a repeat a no-op."""
    chosen = [t for t in targets if channel in t.channels]
    body = json.dumps(alert, separators=(",", ":"))
    alert_id = uuid.UUID(str(alert["alert_id"]))
    for target in chosen:
        await conn.execute(
            text(
                "INSERT INTO notifier_webhook_deliveries "
                "(delivery_id, endpoint, alert_id, reference, order_position, body) "
                "VALUES (:d, :e, :a, :r, :o, :b) ON CONFLICT DO NOTHING"
            ),
            {
                "d": uuid.uuid5(alert_id, f"webhook:{target.name}:{key}"),
                "e": target.name,
                "a": alert_id,
                "r": alert["reference"],
                "o": order_position,
                "b": body,
            },
        )
    return len(chosen)
