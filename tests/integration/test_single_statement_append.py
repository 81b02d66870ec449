"""The one-statement append on a real PostgreSQL: receipts claimed with the events, a row alongside, autocommit."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.events import AlertDispatched, Priority
from eventstore.chain import GENESIS_HASH, chain_hash
from eventstore.data_keys import WrappedKey, data_key_row, load_data_key
from eventstore.database import connect_raw, create_engine
from eventstore.errors import ConcurrencyConflict
from eventstore.store import (
    ANY_VERSION,
    NewEvent,
    append_events,
    appended_types,
    autocommit,
    envelope_from_row,
    read_all,
)
from services.common.transient import is_transient
from services.notifier.append_signal import AppendSignal
from tests.factories import received_event


def _dispatched(reference: str) -> NewEvent:
    event = AlertDispatched(
        reference=reference, alert_id=uuid.uuid4(), channel="high", priority=Priority.HIGH, subject="cpi.alerts.high"
    )
    return NewEvent(event, f"submission-{reference}", correlation_id=reference, actor="test")


async def _count(engine: AsyncEngine, table: str) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())  # nosec B608 # test constant


async def test_a_claimed_message_appends_once_and_a_repeat_appends_nothing(engine: AsyncEngine) -> None:
    message = uuid.uuid4()
    async with autocommit(engine) as conn:
        first = await append_events(conn, "submission-A", [received_event("A")], 0, claim=("grader", message))
        again = await append_events(conn, "submission-A", [received_event("A")], 1, claim=("grader", message))
        other = await append_events(conn, "submission-A", [received_event("A")], 1, claim=("notifier", message))
    assert [e.position for e in first] == [1]
    assert again == []  # the same handler and message: nothing recorded, no conflict raised
    assert [e.position for e in other] == [2]
    assert await _count(engine, "events") == 2
    assert await _count(engine, "handler_receipts") == 2


async def test_autocommit_append_is_visible_at_once_and_chains_like_python(engine: AsyncEngine) -> None:
    async with autocommit(engine) as conn:
        recorded = await append_events(conn, "submission-A", [received_event("A"), received_event("A", 1)], 0)
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT *, hash FROM events ORDER BY position"))).all()
    previous = GENESIS_HASH
    for row, envelope in zip(rows, recorded, strict=True):
        assert envelope_from_row(row) == envelope
        previous = chain_hash(previous, envelope)
        assert bytes(row.hash) == previous  # the database's link is the one verifiers recompute


async def test_a_row_alongside_commits_with_the_event_or_not_at_all(engine: AsyncEngine) -> None:
    key = WrappedKey(uuid.uuid4(), "test-1", b"wrapped")
    async with autocommit(engine) as conn:
        await append_events(conn, "submission-A", [received_event("A")], 0, alongside=data_key_row("CPI-A", key))
        assert await load_data_key(conn, key.key_id) == key
    other = WrappedKey(uuid.uuid4(), "test-1", b"other")
    with pytest.raises(ConcurrencyConflict, match="at version 1, expected 0"):
        async with autocommit(engine) as conn:
            await append_events(conn, "submission-A", [received_event("A")], 0, alongside=data_key_row("CPI-B", other))
    async with autocommit(engine) as conn:
        assert await load_data_key(conn, other.key_id) is None  # refused with the event
        assert len(await read_all(conn, 0)) == 1


async def test_append_notifications_name_the_types_appended(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        driver = (await conn.get_raw_connection()).driver_connection
        assert driver is not None
        heard: list[str] = []

        def listen(*args: object) -> None:
            heard.append(str(args[3]))

        await driver.add_listener("cpi_events", listen)
        async with autocommit(engine) as writer:
            await append_events(writer, "submission-A", [received_event("A"), received_event("A", 1)], 0)
        await driver.execute("SELECT 1")  # notifications arrive before the next reply
        await driver.remove_listener("cpi_events", listen)
    assert len(heard) == 1
    assert heard[0].split(" ")[0] == "2"
    assert appended_types(heard[0]) == {"SubmissionReceived"}
    assert appended_types("7") == frozenset()  # a bare position names no types


async def test_the_notifier_signal_wakes_only_for_the_types_it_follows(database_url: str, engine: AsyncEngine) -> None:
    signal = AppendSignal(database_url, wake_on=frozenset({"AlertDispatched"}))
    stopping = asyncio.Event()
    listening = asyncio.create_task(signal.run(stopping))
    try:
        await signal.wait(signal.current(), 5.0)  # the first wake-up, on listening
        token = signal.current()
        async with autocommit(engine) as conn:
            await append_events(conn, "submission-A", [received_event("A")], 0)
        assert not await signal.wait(token, 0.5)  # a SubmissionReceived is not followed
        async with autocommit(engine) as conn:
            await append_events(conn, "submission-A", [_dispatched("CPI-A")], ANY_VERSION)
        assert await signal.wait(token, 5.0)
    finally:
        stopping.set()
        await listening


async def test_a_lost_connection_is_replaced_not_reused(database_url: str) -> None:
    """The driver bypasses SQLAlchemy's disconnect handling; the pool must still drop a dead connection."""
    engine = create_engine(database_url, pool_size=1)
    try:
        async with autocommit(engine) as conn:
            pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        killer = await connect_raw(database_url)
        try:
            await killer.execute("SELECT pg_terminate_backend($1)", pid)
        finally:
            await killer.close()
        with pytest.raises(
            (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, asyncpg.InternalClientError)
        ) as lost:
            async with autocommit(engine) as conn:
                await append_events(conn, "submission-A", [received_event("A")], 0)
        assert is_transient(lost.value)  # a consumer retries it; it never counts towards dead-lettering
        async with autocommit(engine) as conn:  # the pool hands out a new connection
            recorded = await append_events(conn, "submission-A", [received_event("A")], 0)
        assert [e.position for e in recorded] == [1]
    finally:
        await engine.dispose()
