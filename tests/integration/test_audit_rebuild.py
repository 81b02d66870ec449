"""Projection rebuilds and as-of replays against a real PostgreSQL store."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from contracts.events import (
    AlertDispatched,
    EventEnvelope,
    EventModel,
    GradeReviewed,
    LinkedIdentifier,
    Priority,
    ReviewDeadlineBreached,
    SubmissionStatusChanged,
)
from eventstore.as_of import queue_as_of
from eventstore.projections import catch_up
from eventstore.rebuild import projection_tables, rebuild_projection, replay_into_schema, table_digests
from eventstore.store import ANY_VERSION, NewEvent, StoredEvent, append_events
from services.triage.projection import TriageProjection
from tests.integration.audit_history_builder import append_history, sanitised_event


async def test_rebuild_from_scratch_equals_the_live_view_of_thousands_of_events(engine: AsyncEngine) -> None:
    events = await append_history(engine, 1_500)
    await catch_up(engine, TriageProjection())
    applied: list[int] = []
    report = await rebuild_projection(engine, TriageProjection(), swap=True, progress=applied.append)
    assert report.position == events == sum(applied)
    assert report.identical and report.swapped
    assert report.live["triage_submissions"].rows == 1_500
    async with engine.connect() as conn:
        after = await table_digests(conn, "public", projection_tables(TriageProjection()))
        indexes = {r[0] for r in await conn.execute(text("SELECT indexname FROM pg_indexes WHERE schemaname='public'"))}
        checkpoint = (await conn.execute(text("SELECT position FROM checkpoints WHERE name='triage'"))).scalar_one()
    assert after == report.live
    assert "triage_by_deadline" in indexes
    assert checkpoint == events


async def test_rebuild_reports_a_tampered_live_view_and_swaps_only_when_forced(engine: AsyncEngine) -> None:
    await append_history(engine, 30)
    await catch_up(engine, TriageProjection())
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE triage_submissions SET priority = 'NORMAL' WHERE priority = 'HIGH'"))
    refused = await rebuild_projection(engine, TriageProjection(), swap=True)
    assert not refused.identical and not refused.swapped
    async with engine.connect() as conn:
        high = (await conn.execute(text("SELECT count(*) FROM triage_submissions WHERE priority='HIGH'"))).scalar()
    assert high == 0
    forced = await rebuild_projection(engine, TriageProjection(), swap=True, force=True)
    assert not forced.identical and forced.swapped
    async with engine.connect() as conn:
        high = (await conn.execute(text("SELECT count(*) FROM triage_submissions WHERE priority='HIGH'"))).scalar()
    assert high == 10


async def test_rebuild_leaves_the_live_runner_checkpoint_where_it_was(engine: AsyncEngine) -> None:
    await append_history(engine, 20)
    await catch_up(engine, TriageProjection())
    await append_history(engine, 5, prefix="CPI-LATE")
    report = await rebuild_projection(engine, TriageProjection())
    assert report.position == 60 and report.identical and not report.swapped
    async with engine.connect() as conn:
        checkpoint = (await conn.execute(text("SELECT position FROM checkpoints WHERE name='triage'"))).scalar_one()
    assert checkpoint == 60


async def test_as_of_matches_a_snapshot_of_the_queue_taken_at_that_moment(engine: AsyncEngine) -> None:
    await append_history(engine, 12)
    await catch_up(engine, TriageProjection())
    async with engine.connect() as conn:
        snapshot = [
            tuple(row)
            for row in await conn.execute(
                text(
                    "SELECT reference, status, priority, review_due_at FROM triage_submissions "
                    "ORDER BY review_due_at, reference"
                )
            )
        ]
    await asyncio.sleep(0.05)
    moment = datetime.now(UTC)
    await asyncio.sleep(0.05)
    await append_history(engine, 4, prefix="CPI-AFTER")
    async with engine.begin() as conn:
        await conn.execute(text("DELETE FROM triage_submissions"))
    queue = await queue_as_of(engine, TriageProjection(), moment)
    assert [(e.reference, e.status, e.priority, e.review_due_at) for e in queue] == snapshot
    assert len(queue) == 12
    async with engine.connect() as conn:
        leftovers = (
            await conn.execute(text("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'cpi_asof_%'"))
        ).scalar()
    assert leftovers == 0


async def _append_reviews_and_actions(engine: AsyncEngine, references: list[str]) -> None:
    """Reviews, assignments, closures, alerts and breaches, some late or for unknown submissions."""
    alert = uuid.uuid4()
    async with engine.begin() as conn:
        for n, reference in enumerate(references):
            review = GradeReviewed(
                reference=reference,
                reviewer="analyst-1",
                role="analyst",
                priority=Priority.HIGH,
                categories=["weapons"],
                source_evaluation="B",
                intelligence_assessment="2",
                handling_code="P",
                rationale="knife mentioned",
                changed=n % 2 == 0,
            )
            later: list[EventModel] = [
                review,
                SubmissionStatusChanged(
                    reference=reference, action="closed", outcome="nfa", reason="r", changed_by="a"
                ),
                SubmissionStatusChanged(reference=reference, action="assigned", team="cid", reason="r", changed_by="a"),
                AlertDispatched(reference=reference, alert_id=alert, channel="c", priority=Priority.HIGH, subject="s"),
                ReviewDeadlineBreached(
                    reference=reference, review_due_at=datetime.now(UTC), detected_at=datetime.now(UTC)
                ),
            ]
            chosen = [NewEvent(e, f"submission-{reference}", reference, "test") for e in later[: 1 + n % 5]]
            if n % 4 == 0:  # sanitised again, naming identifiers: one shared by many submissions, one of its own
                links = [
                    LinkedIdentifier(type="phone", digest="d-shared"),
                    LinkedIdentifier(type="vehicle", digest=f"d-{n}"),
                ]
                again = sanitised_event(reference).event.model_copy(update={"linked_identifiers": links})
                chosen.append(NewEvent(again, f"submission-{reference}", reference, "test"))
            await append_events(conn, f"submission-{reference}", chosen, ANY_VERSION)


class _OneEventAtATime:
    """The triage projection driven through apply(), one envelope per call, as any other projection is."""

    name = "triage"
    tables = TriageProjection.tables

    async def apply(self, conn: AsyncConnection, envelope: EventEnvelope) -> None:
        await TriageProjection().apply(conn, envelope)


async def test_a_batched_replay_builds_the_same_view_as_applying_one_event_at_a_time(engine: AsyncEngine) -> None:
    await append_history(engine, 120)
    await _append_reviews_and_actions(engine, [f"CPI-T{n:06d}" for n in range(0, 130, 3)])
    await append_history(engine, 40, prefix="CPI-LATE")
    tables = projection_tables(TriageProjection())
    await replay_into_schema(engine, _OneEventAtATime(), "one_by_one", batch=250)
    for batch in (7, 10_000):
        await replay_into_schema(engine, TriageProjection(), f"batched_{batch}", batch=batch)
    async with engine.connect() as conn:
        expected = await table_digests(conn, "one_by_one", tables)
        assert expected["triage_submissions"].rows == 160
        for batch in (7, 10_000):
            assert await table_digests(conn, f"batched_{batch}", tables) == expected
        statuses: dict[str, int] = dict(
            (await conn.execute(text("SELECT status, count(*) FROM batched_7.triage_submissions GROUP BY 1"))).all()
        )
    assert statuses["closed"] > 0 and statuses["reviewed"] > 0 and statuses["graded"] > 0
    assert expected["linked_identifiers"].rows == 2 * 11  # every fourth of the 44 reviewed submissions names two


async def _index_shapes(conn: AsyncConnection, schema: str) -> set[str]:
    """The projection's indexes in a schema, each definition without its name and schema."""
    rows = await conn.execute(
        text("SELECT indexdef FROM pg_indexes WHERE schemaname = :s AND tablename = ANY(:t)"),
        {"s": schema, "t": list(TriageProjection.tables)},
    )
    return {re.sub(r"INDEX \S+ ON \S+\.", "INDEX ON ", str(row.indexdef)) for row in rows}


async def test_a_replayed_copy_has_every_index_of_the_live_tables(engine: AsyncEngine) -> None:
    await append_history(engine, 30)
    await replay_into_schema(engine, TriageProjection(), "copied", batch=20)
    async with engine.connect() as conn:
        live = await _index_shapes(conn, "public")
        assert len(live) == 7
        assert await _index_shapes(conn, "copied") == live


class _LiveMovesOnDuringTheReplay:
    """The triage projection; before its first window is applied, more events arrive and the live view takes them."""

    name = "triage"
    tables = TriageProjection.tables
    payload_types = TriageProjection.payload_types

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._moved = False

    async def apply(self, conn: AsyncConnection, envelope: EventEnvelope) -> None:
        await TriageProjection().apply(conn, envelope)

    async def apply_stored(self, conn: AsyncConnection, events: Sequence[StoredEvent]) -> None:
        if not self._moved:
            self._moved = True
            await append_history(self._engine, 7, prefix="CPI-DURING")
            await catch_up(self._engine, TriageProjection())
        await TriageProjection().apply_stored(conn, events)


async def test_a_rebuild_catches_up_with_what_the_live_view_applied_while_it_replayed(engine: AsyncEngine) -> None:
    await append_history(engine, 50)
    await catch_up(engine, TriageProjection())
    report = await rebuild_projection(engine, _LiveMovesOnDuringTheReplay(engine), swap=True, batch=40)
    assert report.position == 171
    assert report.identical and report.swapped
    assert report.live["triage_submissions"].rows == 57
    async with engine.connect() as conn:
        indexes = {r[0] for r in await conn.execute(text("SELECT indexname FROM pg_indexes WHERE schemaname='public'"))}
        during = (
            await conn.execute(text("SELECT count(*) FROM triage_submissions WHERE reference LIKE 'CPI-DURING%'"))
        ).scalar()
    assert {"triage_by_deadline", "triage_by_priority", "triage_by_categories", "linked_identifiers_by_reference"} <= (
        indexes
    )
    assert during == 7
