"""The event store on a real PostgreSQL: append, read, concurrency, ordering, immutability, the chain."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from eventstore.errors import ConcurrencyConflict
from eventstore.store import ANY_VERSION, append_events, read_all, read_stream, subscribe
from eventstore.verify import verify_chain
from tests.factories import received_event


async def test_append_then_read_stream_gives_versions_and_gap_free_positions(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        first = await append_events(conn, "submission-A", [received_event("A"), received_event("A", 1)], 0)
        second = await append_events(conn, "submission-B", [received_event("B")], 0)
    assert [e.stream_version for e in first] == [1, 2]
    assert [e.position for e in first + second] == [1, 2, 3]
    async with engine.connect() as conn:
        stream = await read_stream(conn, "submission-A")
        everything = await read_all(conn, 0)
    assert [e.event_id for e in stream] == [e.event_id for e in first]
    assert [e.position for e in everything] == [1, 2, 3]
    assert stream[0].payload == first[0].payload


async def test_append_at_wrong_expected_version_raises_and_writes_nothing(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await append_events(conn, "submission-A", [received_event("A")], 0)
    with pytest.raises(ConcurrencyConflict, match="at version 1, expected 0"):
        async with engine.begin() as conn:
            await append_events(conn, "submission-A", [received_event("A")], 0)
    async with engine.connect() as conn:
        assert len(await read_all(conn, 0)) == 1


async def test_rolled_back_append_leaves_no_gap(engine: AsyncEngine) -> None:
    async def append_then_fail() -> None:
        async with engine.begin() as conn:
            await append_events(conn, "submission-A", [received_event("A")], 0)
            raise RuntimeError("the handler failed after appending")

    with pytest.raises(RuntimeError):
        await append_then_fail()
    async with engine.begin() as conn:
        recorded = await append_events(conn, "submission-B", [received_event("B")], 0)
    assert recorded[0].position == 1


@pytest.mark.parametrize("statement", ["UPDATE events SET actor = 'mallory'", "DELETE FROM events", "TRUNCATE events"])
async def test_database_refuses_to_change_recorded_events(engine: AsyncEngine, statement: str) -> None:
    async with engine.begin() as conn:
        await append_events(conn, "submission-A", [received_event("A")], 0)
    with pytest.raises(DBAPIError, match="append-only"):
        async with engine.begin() as conn:
            await conn.execute(text(statement))


async def test_concurrent_writers_are_seen_by_a_subscriber_once_each_in_position_order(
    engine: AsyncEngine, database_url: str
) -> None:
    writers, per_writer = 16, 25
    total = writers * per_writer
    seen: list[int] = []

    async def follow() -> None:
        async for envelope in subscribe(engine, database_url, 0, batch=37, idle_wait=0.05):
            seen.append(envelope.position)
            if len(seen) == total:
                return

    async def write(w: int) -> None:
        for i in range(per_writer):
            async with engine.begin() as conn:
                await append_events(conn, f"submission-W{w}", [received_event(f"W{w}", i)], ANY_VERSION)
                await asyncio.sleep(0)  # let other writers interleave inside open transactions

    follower = asyncio.create_task(follow())
    await asyncio.gather(*(write(w) for w in range(writers)))
    await asyncio.wait_for(follower, 30)
    assert seen == list(range(1, total + 1))


async def test_verify_passes_on_an_untouched_store(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        for n in range(5):
            await append_events(conn, f"submission-{n}", [received_event(str(n))], 0)
    async with engine.connect() as conn:
        report = await verify_chain(conn)
    assert report.ok and report.verified == 5


async def _tamper(engine: AsyncEngine, statement: str) -> None:
    """As the table owner, behind the store's back: triggers disabled for one statement."""
    async with engine.begin() as conn:
        await conn.execute(text("ALTER TABLE events DISABLE TRIGGER USER"))
        for part in statement.split(";"):
            await conn.execute(text(part))
        await conn.execute(text("ALTER TABLE events ENABLE TRIGGER USER"))


@pytest.mark.parametrize(
    ("statement", "broken_at"),
    [
        ("UPDATE events SET payload = jsonb_set(payload, '{reference}', '\"X\"') WHERE position = 3", 3),
        ("UPDATE events SET actor = 'mallory' WHERE position = 2", 2),
        ("DELETE FROM events WHERE position = 4", 4),
        (
            "UPDATE events SET position = -2 WHERE position = 2;"
            "UPDATE events SET position = 2 WHERE position = 3;"
            "UPDATE events SET position = 3 WHERE position = -2",
            2,
        ),
        ("DELETE FROM events WHERE position = 5", 5),
    ],
    ids=["edited-payload", "edited-actor", "deleted-row", "reordered", "truncated-tail"],
)
async def test_verify_finds_the_first_tampered_position(engine: AsyncEngine, statement: str, broken_at: int) -> None:
    async with engine.begin() as conn:
        for n in range(5):
            await append_events(conn, f"submission-{n}", [received_event(str(n))], 0)
    await _tamper(engine, statement)
    async with engine.connect() as conn:
        report = await verify_chain(conn)
    assert not report.ok
    assert report.broken_at == broken_at


async def test_cpi_audit_verify_exits_nonzero_and_names_the_tampered_row(
    engine: AsyncEngine, database_url: str
) -> None:
    import os
    import subprocess
    import sys

    async with engine.begin() as conn:
        for n in range(3):
            await append_events(conn, f"submission-{n}", [received_event(str(n))], 0)

    def run_verify() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cpi", "audit", "verify"],
            env={**os.environ, "DATABASE_URL": database_url},
            capture_output=True,
            text=True,
            timeout=60,
        )

    clean = await asyncio.to_thread(run_verify)
    assert clean.returncode == 0, clean.stderr
    assert "verified 3 events" in clean.stdout
    await _tamper(engine, "UPDATE events SET actor = 'mallory' WHERE position = 2")
    tampered = await asyncio.to_thread(run_verify)
    assert tampered.returncode == 1
    assert "BROKEN at position 2" in tampered.stdout


async def test_writers_racing_on_one_stream_get_consecutive_versions(engine: AsyncEngine) -> None:
    async def write(n: int) -> None:
        async with engine.begin() as conn:
            await append_events(conn, "submission-RACE", [received_event("RACE", n)], ANY_VERSION)

    await asyncio.gather(*(write(n) for n in range(30)))
    async with engine.connect() as conn:
        versions = [e.stream_version for e in await read_stream(conn, "submission-RACE")]
    assert versions == list(range(1, 31))


async def test_a_writer_that_waited_for_the_lock_sees_the_version_committed_meanwhile(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await append_events(conn, "submission-W", [received_event("W")], 0)
    first = await engine.connect()
    await first.begin()
    await append_events(first, "submission-W", [received_event("W", 1)], 1)  # holds the head lock
    waiting = asyncio.create_task(_append_expecting(engine, 1))
    await asyncio.sleep(0.3)
    await first.commit()
    await first.close()
    with pytest.raises(ConcurrencyConflict, match="at version 2, expected 1"):
        await waiting


async def _append_expecting(engine: AsyncEngine, expected: int) -> None:
    async with engine.begin() as conn:
        await append_events(conn, "submission-W", [received_event("W", 2)], expected)
