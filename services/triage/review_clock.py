"""The leaflet's 2-hour review clock: an unreviewed submission past its deadline records one breach."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.events import GradeReviewed, ReviewDeadlineBreached, SubmissionReceived
from contracts.subjects import submission_stream_id
from eventstore.store import ANY_VERSION, NewEvent, append_events, read_stream
from services.common.telemetry import meter
from services.common.transient import is_transient

log = logging.getLogger("cpi.review_clock")
BREACHES = meter("cpi.triage").create_counter("cpi_review_deadline_breaches", description="Reviews not done in time")
_BREACH_NAMESPACE = uuid.UUID("0b7f3f0e-5d1c-4c2b-9a43-2d1b6f7c9e21")


def breach_event_id(reference: str) -> uuid.UUID:
    """One id per submission: the events table's unique event_id makes a second breach impossible."""
    return uuid.uuid5(_BREACH_NAMESPACE, reference)


async def overdue_references(engine: AsyncEngine, now: datetime, limit: int = 500) -> list[str]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT reference FROM triage_submissions WHERE reviewed_at IS NULL AND NOT breached "
                "AND status <> 'closed' AND review_due_at < :now ORDER BY review_due_at LIMIT :limit"
            ),
            {"now": now, "limit": limit},
        )
        return [row.reference for row in rows]


async def record_breach(engine: AsyncEngine, reference: str, now: datetime) -> bool:
    """True if this call recorded the breach; the stream itself is checked, not only the view."""
    stream_id = submission_stream_id(reference)
    try:
        async with engine.begin() as conn:
            events = [envelope.event() for envelope in await read_stream(conn, stream_id)]
            received = next((e for e in events if isinstance(e, SubmissionReceived)), None)
            settled = any(isinstance(e, GradeReviewed | ReviewDeadlineBreached) for e in events)
            if received is None or settled or received.review_due_at >= now:
                return False
            breach = ReviewDeadlineBreached(reference=reference, review_due_at=received.review_due_at, detected_at=now)
            new = NewEvent(
                breach, stream_id, correlation_id=reference, actor="review-clock", event_id=breach_event_id(reference)
            )
            await append_events(conn, stream_id, [new], ANY_VERSION)
    except IntegrityError:
        return False  # another replica recorded it first
    BREACHES.add(1)
    log.warning("review deadline breached", extra={"reference": reference})
    return True


async def watch_review_deadlines(engine: AsyncEngine, stopping: asyncio.Event, interval: float) -> None:
    while not stopping.is_set():
        try:
            now = datetime.now(UTC)
            for reference in await overdue_references(engine, now):
                await record_breach(engine, reference, now)
        except Exception as exc:
            if not is_transient(exc):
                raise
            log.warning("review clock could not reach the store", extra={"error": type(exc).__name__})
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), interval)
