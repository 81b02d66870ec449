"""The triage view: one row per submission, moved forward by each event, never backward."""

from __future__ import annotations

import json

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.events import AlertDispatched, EventEnvelope, Graded, Sanitised, SubmissionReceived, UnknownEventType

STATUS_ORDER = ("received", "sanitised", "graded", "reviewed", "actioned", "closed")

# Moves status forward only: a late or replayed event never takes a submission back.
_ADVANCE = (
    "CASE WHEN array_position(:order, status) < array_position(:order, CAST(:status AS text)) "
    "THEN :status ELSE status END"
)


class TriageProjection:
    name = "triage"

    async def apply(self, conn: AsyncConnection, envelope: EventEnvelope) -> None:
        try:
            event = envelope.event()
        except UnknownEventType:
            return
        at = envelope.recorded_at
        if isinstance(event, SubmissionReceived):
            await conn.execute(
                text(
                    "INSERT INTO triage_submissions (reference, status, received_at, review_due_at, last_position) "
                    "VALUES (:r, 'received', :received, :due, :p) ON CONFLICT (reference) DO NOTHING"
                ),
                {
                    "r": event.reference,
                    "received": event.received_at,
                    "due": event.review_due_at,
                    "p": envelope.position,
                },
            )
        elif isinstance(event, Sanitised):
            await self._update(
                conn,
                envelope,
                "sanitised",
                "sanitised_at = :at, intelligence_log = CAST(:log AS jsonb), "
                "partnership_summary = CAST(:summary AS jsonb), redaction_counts = CAST(:counts AS jsonb)",
                {
                    "at": at,
                    "log": event.intelligence_log.model_dump_json(),
                    "summary": event.partnership_summary.model_dump_json(),
                    "counts": json.dumps(event.redaction_counts),
                },
            )
        elif isinstance(event, Graded):
            grade = event.model_dump(mode="json", exclude={"reference"})
            await self._update(
                conn,
                envelope,
                "graded",
                "graded_at = :at, priority = :priority, "
                "categories = CAST(:categories AS jsonb), grade = CAST(:grade AS jsonb)",
                {
                    "at": at,
                    "priority": event.priority.value,
                    "categories": json.dumps(event.categories),
                    "grade": json.dumps(grade),
                },
            )
        elif isinstance(event, AlertDispatched):
            await self._update(conn, envelope, None, "alert_state = 'dispatched'", {})

    async def _update(
        self,
        conn: AsyncConnection,
        envelope: EventEnvelope,
        status: str | None,
        assignments: str,
        params: dict[str, object],
    ) -> None:
        status_sql = f"status = {_ADVANCE}, " if status else ""
        await conn.execute(
            text(f"UPDATE triage_submissions SET {status_sql}{assignments}, last_position = :p WHERE reference = :r"),
            {
                **params,
                "order": list(STATUS_ORDER),
                "status": status,
                "p": envelope.position,
                "r": envelope.correlation_id,
            },
        )
