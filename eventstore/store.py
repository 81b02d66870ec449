"""Append to and read from the event store; every append runs inside the caller's transaction."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

import asyncpg
from opentelemetry import trace
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from contracts.events import EventEnvelope, EventModel
from eventstore.chain import content_digest
from eventstore.database import connect_raw
from eventstore.errors import ConcurrencyConflict

NOTIFY_CHANNEL = "cpi_events"  # payload: "<head position> <Type,Type…>" (see migration 0007)
TRACER = trace.get_tracer("cpi.eventstore")
ANY_VERSION = -1


@dataclass(frozen=True)
class NewEvent:
    """An event a handler wants recorded; the store gives it its position and hash."""

    event: EventModel
    stream_id: str
    correlation_id: str
    actor: str
    causation_id: uuid.UUID | None = None
    event_id: uuid.UUID = field(default_factory=uuid.uuid4)
    trace_context: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Alongside:
    """A row another table must get in the same statement as the events: an INSERT with $1, $2, … bound to params."""

    sql: str
    params: Sequence[Any]


_COLUMNS = (
    "position, event_id, stream_id, stream_version, type, schema_version, recorded_at, "
    "causation_id, correlation_id, actor, trace_context, payload"
)
# The database function (migration 0007) takes the head row lock, checks the version, chains, inserts,
# moves the head and notifies, all in this one statement; the lock is then held only until the commit.
_APPEND = (
    "SELECT first_position, first_version FROM cpi_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
)
AUTOCOMMIT = "AUTOCOMMIT"
_APPEND_PARAMS = 14
_CONFLICT_SQLSTATE = "CPI01"
_PLACEHOLDER = re.compile(r"\$(\d+)")


def _append_statement(alongside: Alongside | None) -> str:
    """The append, with the other row's INSERT as a data-modifying CTE (its placeholders moved past ours)."""
    if alongside is None:
        return _APPEND
    shifted = _PLACEHOLDER.sub(lambda m: f"${int(m.group(1)) + _APPEND_PARAMS}", alongside.sql)
    return f"WITH alongside AS ({shifted}) {_APPEND}"


async def driver_connection(conn: AsyncConnection) -> Any:
    """The asyncpg connection under a SQLAlchemy one: same session, same transaction, less overhead."""
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    if driver is None or not driver.is_in_transaction():
        raise RuntimeError("use the driver connection only once SQLAlchemy's transaction has begun")
    return driver


def appended_types(payload: str) -> frozenset[str]:
    """The event types an append notification names."""
    _, _, types = payload.partition(" ")
    return frozenset(types.split(",")) if types else frozenset()


@contextlib.asynccontextmanager
async def autocommit(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A pooled connection with no transaction around its statements: reads without BEGIN and ROLLBACK."""
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level=AUTOCOMMIT)
        yield conn


# Errors after which the connection under the driver is gone (the server went away or is going).
_CONNECTION_LOST = (
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    asyncpg.OperatorInterventionError,
    OSError,
)


@contextlib.asynccontextmanager
async def invalidating_on_loss(conn: AsyncConnection) -> AsyncIterator[None]:
    """Statements sent through the driver bypass SQLAlchemy's disconnect handling: when the connection is
    lost, tell the pool, so the next checkout gets a new connection instead of the dead one for ever."""
    try:
        yield
    except _CONNECTION_LOST as exc:
        with contextlib.suppress(Exception):
            await conn.invalidate(exc)
        raise


def is_autocommit(conn: AsyncConnection) -> bool:
    sync = conn.sync_connection
    return sync is not None and sync.get_execution_options().get("isolation_level") == AUTOCOMMIT


async def driver_for(conn: AsyncConnection) -> Any:
    """The asyncpg connection: as it is in autocommit, else inside SQLAlchemy's (lazily begun) transaction."""
    raw = await conn.get_raw_connection()
    if raw.driver_connection is not None and is_autocommit(conn):
        return raw.driver_connection
    if raw.driver_connection is None or not raw.driver_connection.is_in_transaction():
        await conn.execute(text("SELECT 1"))
    return await driver_connection(conn)


async def append_events(
    conn: AsyncConnection,
    stream_id: str,
    events: Sequence[NewEvent],
    expected_version: int,
    *,
    claim: tuple[str, uuid.UUID] | None = None,
    alongside: Alongside | None = None,
) -> list[EventEnvelope]:
    """Record events at the end of a stream; ConcurrencyConflict if it is not at expected_version.

    The head row lock is held until the caller commits, so positions become visible in order;
    everything but the position, the stream version and the link hash is prepared before it is taken.
    With `claim` (handler, message id), the handler's receipt is recorded in the same statement and
    nothing is appended (an empty list) if that handler already recorded that message. `alongside` is
    one more row, in another table, written by the same statement. On a connection in autocommit the
    statement commits by itself: everything together, the lock released with no further round trip.
    """
    with TRACER.start_as_current_span("eventstore.append", attributes={"cpi.events": len(events)}):
        return await _append(conn, stream_id, events, expected_version, claim, alongside)


async def _append(
    conn: AsyncConnection,
    stream_id: str,
    events: Sequence[NewEvent],
    expected_version: int,
    claim: tuple[str, uuid.UUID] | None,
    alongside: Alongside | None,
) -> list[EventEnvelope]:
    recorded_at = datetime.now(UTC)
    drafts = [
        EventEnvelope(
            event_id=new.event_id,
            type=new.event.event_type,
            schema_version=new.event.schema_version,
            stream_id=stream_id,
            stream_version=1,  # placeholders until the store places the events
            position=1,
            recorded_at=recorded_at,
            causation_id=new.causation_id,
            correlation_id=new.correlation_id,
            actor=new.actor,
            trace_context=dict(new.trace_context),
            payload=json.loads(new.event.model_dump_json()),
        )
        for new in events
    ]
    params = (
        stream_id,
        expected_version,
        [d.event_id for d in drafts],
        [d.type for d in drafts],
        [d.schema_version for d in drafts],
        recorded_at,
        [d.causation_id for d in drafts],
        [d.correlation_id for d in drafts],
        [d.actor for d in drafts],
        [json.dumps(d.trace_context) for d in drafts],
        [json.dumps(d.payload) for d in drafts],
        [content_digest(d) for d in drafts],
        claim[0] if claim else None,
        claim[1] if claim else None,
        *(alongside.params if alongside else ()),
    )
    try:
        async with invalidating_on_loss(conn):
            driver = await driver_for(conn)
            placed = await driver.fetchrow(_append_statement(alongside), *params)
    except asyncpg.PostgresError as exc:
        if getattr(exc, "sqlstate", None) == _CONFLICT_SQLSTATE:
            raise ConcurrencyConflict(stream_id, expected_version, int(getattr(exc, "detail", "0") or 0)) from None
        raise
    if placed is None:  # the claim was taken already: this message was recorded before
        return []
    position, version = int(placed["first_position"]), int(placed["first_version"])
    return [
        draft.model_copy(update={"position": position + n, "stream_version": version + n})
        for n, draft in enumerate(drafts)
    ]


def envelope_from_row(row: Any) -> EventEnvelope:
    def as_json(value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    return EventEnvelope(
        event_id=uuid.UUID(str(row.event_id)),
        type=row.type,
        schema_version=row.schema_version,
        stream_id=row.stream_id,
        stream_version=row.stream_version,
        position=row.position,
        recorded_at=row.recorded_at,
        causation_id=uuid.UUID(str(row.causation_id)) if row.causation_id else None,
        correlation_id=row.correlation_id,
        actor=row.actor,
        trace_context=as_json(row.trace_context),
        payload=as_json(row.payload),
    )


async def first_recorded_at(conn: AsyncConnection, stream_id: str) -> datetime:
    """When the stream's first event was recorded (one small row, not the whole stream)."""
    async with invalidating_on_loss(conn):
        driver = await driver_for(conn)
        return await driver.fetchval(  # type: ignore[no-any-return]
            "SELECT recorded_at FROM events WHERE stream_id = $1 AND stream_version = 1", stream_id
        )


async def read_stream(conn: AsyncConnection, stream_id: str) -> list[EventEnvelope]:
    result = await conn.execute(
        text(f"SELECT {_COLUMNS} FROM events WHERE stream_id = :s ORDER BY stream_version"),  # nosec B608 # constants only
        {"s": stream_id},
    )
    return [envelope_from_row(row) for row in result]


async def read_all(
    conn: AsyncConnection, after: int, limit: int = 500, types: Sequence[str] | None = None
) -> list[EventEnvelope]:
    """Events with position > after, in position order."""
    if types:
        query = text(
            f"SELECT {_COLUMNS} FROM events WHERE position > :after AND type = ANY(:types) "  # nosec B608 # constants only, values bound
            "ORDER BY position LIMIT :limit"
        )
        params: dict[str, Any] = {"after": after, "limit": limit, "types": list(types)}
    else:
        query = text(f"SELECT {_COLUMNS} FROM events WHERE position > :after ORDER BY position LIMIT :limit")  # nosec B608 # constants only, values bound
        params = {"after": after, "limit": limit}
    return [envelope_from_row(row) for row in await conn.execute(query, params)]


class StoredEvent(NamedTuple):
    """An event as a projection replays it: no envelope model, and the payload only where it is wanted."""

    position: int
    type: str
    correlation_id: str
    recorded_at: datetime
    payload: str | dict[str, Any] | None  # JSON text from the bulk reader, a dict from an envelope


async def read_for_replay(
    conn: AsyncConnection,
    after: int,
    limit: int,
    *,
    upto: int | None = None,
    until: datetime | None = None,
    payload_types: Sequence[str] | None = None,
) -> list[StoredEvent]:
    """Events with position > after (and <= upto, recorded by until), in position order, in one round trip.

    Reads through the driver in the caller's transaction, never the hash; a payload is sent only for
    `payload_types` (all when None), as JSON text for the reader to parse.
    """
    params: list[Any] = [after, limit]

    def placeholder(value: Any) -> str:
        params.append(value)
        return f"${len(params)}"

    payload = "payload::text"
    if payload_types is not None:
        payload = f"CASE WHEN type = ANY({placeholder(list(payload_types))}::text[]) THEN payload::text END"
    conditions = ["position > $1"]
    if upto is not None:
        conditions.append(f"position <= {placeholder(upto)}")
    if until is not None:
        conditions.append(f"recorded_at <= {placeholder(until)}")
    query = (
        f"SELECT position, type, correlation_id, recorded_at, {payload} FROM public.events "  # nosec B608 # constants only, values bound
        f"WHERE {' AND '.join(conditions)} ORDER BY position LIMIT $2"
    )
    driver = await driver_connection(conn)
    return [StoredEvent(*row) for row in await driver.fetch(query, *params)]


async def head_position(conn: AsyncConnection) -> int:
    return int((await conn.execute(text("SELECT position FROM event_store_head"))).scalar_one())


class StoreWakeups:
    """LISTENs for appends so followers wake at once; a timeout covers a missed notification."""

    def __init__(self, database_url: str) -> None:
        self._url = database_url
        self._event = asyncio.Event()
        self._conn: Any = None

    async def start(self) -> None:
        self._conn = await connect_raw(self._url)
        await self._conn.add_listener(NOTIFY_CHANNEL, self._wake)

    def _wake(self, *_: object) -> None:
        self._event.set()

    async def wait(self, timeout: float, gather: float = 0.0) -> None:
        """Until an append is notified or `timeout` passes; then `gather` more seconds, to read a burst at once."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout)
        if gather and self._event.is_set():
            await asyncio.sleep(gather)
        self._event.clear()

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None


async def subscribe(
    engine: AsyncEngine, database_url: str, after: int, *, batch: int = 500, idle_wait: float = 1.0
) -> AsyncIterator[EventEnvelope]:
    """Every event after a position: catch up, then follow live, woken by LISTEN/NOTIFY."""
    wakeups = StoreWakeups(database_url)
    await wakeups.start()
    try:
        while True:
            async with engine.connect() as conn:
                events = await read_all(conn, after, batch)
            for envelope in events:
                yield envelope
                after = envelope.position
            if len(events) < batch:
                await wakeups.wait(idle_wait)
    finally:
        await wakeups.close()
