"""The notifier's handlers on real PostgreSQL and JetStream: reviews alert once per channel, escalation races."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import nats
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.events import EventEnvelope, GradeReviewed, Priority
from contracts.subjects import submission_stream_id
from eventstore.database import create_engine
from eventstore.jetstream import ensure_streams
from eventstore.store import ANY_VERSION, NewEvent, append_events, read_stream
from services.notifier.escalation_worker import escalate_due_alerts
from services.notifier.handlers import PushRoutes, acknowledge_alert, dispatch_graded, dispatch_reviewed
from tests.notifier_support import append_graded


@pytest.fixture
async def push(nats_url: str) -> AsyncIterator[PushRoutes]:
    client = await nats.connect(nats_url)
    js = client.jetstream()
    await ensure_streams(js)
    yield PushRoutes(js, [], escalation_seconds=0.3)
    await client.close()


async def _review(engine: AsyncEngine, reference: str, priority: Priority, previous: Priority) -> EventEnvelope:
    review = GradeReviewed(
        reference=reference,
        reviewer="analyst-7",
        role="analyst",
        priority=priority,
        categories=["weapons"],
        source_evaluation="1",
        intelligence_assessment="A",
        handling_code="P",
        rationale="Reporter Harriet Quill rang back with more detail.",
        previous_priority=previous,
        changed=priority != previous,
    )
    stream = submission_stream_id(reference)
    async with engine.begin() as conn:
        (envelope,) = await append_events(
            conn, stream, [NewEvent(review, stream, correlation_id=reference, actor="analyst-7")], ANY_VERSION
        )
    return envelope


async def _graded_envelope(engine: AsyncEngine, reference: str) -> EventEnvelope:
    async with engine.connect() as conn:
        return next(e for e in await read_stream(conn, submission_stream_id(reference)) if e.type == "Graded")


async def _alert_types(engine: AsyncEngine, reference: str) -> list[tuple[str, str | None]]:
    async with engine.connect() as conn:
        found = await conn.execute(
            text(
                "SELECT type, payload->>'channel' AS channel FROM events "
                "WHERE correlation_id = :r AND type LIKE 'Alert%'"
            ),
            {"r": reference},
        )
        return [(row.type, row.channel) for row in found]


async def test_a_review_that_makes_a_submission_high_alerts_once_and_a_repeat_review_does_not(
    engine: AsyncEngine, database_url: str, push: PushRoutes
) -> None:
    (reference,) = await append_graded(database_url, [Priority.NORMAL])
    async with engine.begin() as conn:
        await dispatch_graded(conn, await _graded_envelope(engine, reference), push)
    assert await _alert_types(engine, reference) == []
    for _ in range(2):
        envelope = await _review(engine, reference, Priority.HIGH, Priority.NORMAL)
        async with engine.begin() as conn:
            await dispatch_reviewed(conn, envelope, push)
    assert await _alert_types(engine, reference) == [("AlertDispatched", "high")]
    async with engine.connect() as conn:
        alert = (
            await conn.execute(text("SELECT alert FROM notifier_alerts WHERE reference = :r"), {"r": reference})
        ).scalar_one()
    assert "Harriet" not in str(alert), "the reviewer's free-text rationale stays out of the alert"
    assert alert["reasons"][-1]["rule_id"] == "analyst-review"


async def test_a_review_keeping_an_alerted_priority_does_not_alert_twice_but_a_new_channel_does(
    engine: AsyncEngine, database_url: str, push: PushRoutes
) -> None:
    (reference,) = await append_graded(database_url, [Priority.HIGH])
    async with engine.begin() as conn:
        await dispatch_graded(conn, await _graded_envelope(engine, reference), push)
    kept = await _review(engine, reference, Priority.HIGH, Priority.HIGH)
    async with engine.begin() as conn:
        await dispatch_reviewed(conn, kept, push)
    assert await _alert_types(engine, reference) == [("AlertDispatched", "high")]
    crime = await _review(engine, reference, Priority.CRIME_NOT_INTEL, Priority.HIGH)
    async with engine.begin() as conn:
        await dispatch_reviewed(conn, crime, push)
    assert await _alert_types(engine, reference) == [("AlertDispatched", "high"), ("AlertDispatched", "crime")]


async def test_graded_and_review_racing_for_the_same_channel_record_one_alert(
    engine: AsyncEngine, database_url: str, push: PushRoutes
) -> None:
    (reference,) = await append_graded(database_url, [Priority.HIGH])
    graded = await _graded_envelope(engine, reference)
    review = await _review(engine, reference, Priority.HIGH, Priority.HIGH)

    async def run(handler: object, envelope: EventEnvelope) -> None:
        async with engine.begin() as conn:
            await handler(conn, envelope, push)  # type: ignore[operator]

    await asyncio.gather(run(dispatch_graded, graded), run(dispatch_reviewed, review))
    assert await _alert_types(engine, reference) == [("AlertDispatched", "high")]


async def test_two_replicas_escalating_at_once_record_each_escalation_once_and_none_after_the_ack(
    engine: AsyncEngine, database_url: str, push: PushRoutes
) -> None:
    (reference,) = await append_graded(database_url, [Priority.HIGH])
    async with engine.begin() as conn:
        await dispatch_graded(conn, await _graded_envelope(engine, reference), push)
    other = create_engine(database_url, pool_size=4)
    try:
        deadline = asyncio.get_running_loop().time() + 20
        while len([t for t, _ in await _alert_types(engine, reference) if t == "AlertEscalated"]) < 3:
            assert asyncio.get_running_loop().time() < deadline, "escalations did not come"
            await asyncio.gather(*(escalate_due_alerts(e, push) for e in (engine, other, engine, other)))
            await asyncio.sleep(0.05)
        async with engine.connect() as conn:
            alert_id = (
                await conn.execute(text("SELECT alert_id FROM notifier_alerts WHERE reference = :r"), {"r": reference})
            ).scalar_one()
        async with engine.begin() as conn:
            first = await acknowledge_alert(conn, alert_id, "room-1", datetime.now(UTC))
        async with engine.begin() as conn:
            second = await acknowledge_alert(conn, alert_id, "room-2", datetime.now(UTC))
        assert first is not None and second is not None
        assert first.recorded_now and not second.recorded_now and second.acknowledged_by == "room-1"
        await asyncio.sleep(1.0)
        await asyncio.gather(*(escalate_due_alerts(e, push) for e in (engine, other)))
    finally:
        await other.dispose()
    async with engine.connect() as conn:
        numbers = [
            row.n
            for row in await conn.execute(
                text(
                    "SELECT (payload->>'escalation_number')::int AS n FROM events "
                    "WHERE correlation_id = :r AND type = 'AlertEscalated' ORDER BY position"
                ),
                {"r": reference},
            )
        ]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 3
    assert [t for t, _ in await _alert_types(engine, reference)].count("AlertAcknowledged") == 1
