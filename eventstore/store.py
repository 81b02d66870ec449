"""Append to and read from the event store; every append runs inside the caller's transaction."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from opentelemetry import trace
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from contracts.events import EventEnvelope, EventModel
from eventstore.chain import chain_hash
from eventstore.database import connect_raw
from eventstore.errors import ConcurrencyConflict

NOTIFY_CHANNEL = "cpi_events"
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


# One round trip takes the head row lock (serialising appends) and reads the stream's version.
# Sent through SQLAlchemy, so it also opens SQLAlchemy's (lazily begun) transaction.
_LOCK_HEAD = text("SELECT position, hash FROM event_store_head FOR UPDATE")
# A statement of its own, after the lock: in READ COMMITTED it then sees every append committed before
# the lock was granted (a subquery in the locking statement would keep that statement's older snapshot).
_STREAM_VERSION = "SELECT coalesce(max(stream_version), 0) FROM events WHERE stream_id = $1"
_ROW = "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}::jsonb, ${}::jsonb, ${})"
_ROW_FIELDS = 13
_COLUMNS = (
    "position, event_id, stream_id, stream_version, type, schema_version, recorded_at, "
    "causation_id, correlation_id, actor, trace_context, payload"
)


def _insert_statement(rows: int) -> str:
    """A second round trip inserts the rows, moves the head and notifies followers (data-modifying CTEs)."""
    values = ", ".join(_ROW.format(*range(1 + n * _ROW_FIELDS, 1 + (n + 1) * _ROW_FIELDS)) for n in range(rows))
    tail = rows * _ROW_FIELDS
    return (
        f"WITH inserted AS (INSERT INTO events ({_COLUMNS}, hash) VALUES {values} RETURNING 1), "  # nosec B608 # constants only, values bound
        f"moved AS (UPDATE event_store_head SET position = ${tail + 1}, hash = ${tail + 2} RETURNING 1) "
        f"SELECT pg_notify('{NOTIFY_CHANNEL}', ${tail + 1}::text)"
    )


async def driver_connection(conn: AsyncConnection) -> Any:
    """The asyncpg connection under a SQLAlchemy one: same session, same transaction, less overhead."""
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    if driver is None or not driver.is_in_transaction():
        raise RuntimeError("use the driver connection only once SQLAlchemy's transaction has begun")
    return driver


async def append_events(
    conn: AsyncConnection, stream_id: str, events: Sequence[NewEvent], expected_version: int
) -> list[EventEnvelope]:
    """Record events at the end of a stream; ConcurrencyConflict if it is not at expected_version.

    The head row lock is held until the caller commits, so positions become visible in order;
    everything that can be prepared is prepared before the lock is taken.
    """
    with TRACER.start_as_current_span("eventstore.append", attributes={"cpi.events": len(events)}):
        return await _append(conn, stream_id, events, expected_version)


async def _append(
    conn: AsyncConnection, stream_id: str, events: Sequence[NewEvent], expected_version: int
) -> list[EventEnvelope]:
    payloads = [json.loads(new.event.model_dump_json()) for new in events]
    recorded_at = datetime.now(UTC)
    head = (await conn.execute(_LOCK_HEAD)).one()
    driver = await driver_connection(conn)
    position, previous = int(head.position), bytes(head.hash)
    version = int(await driver.fetchval(_STREAM_VERSION, stream_id))
    if expected_version != ANY_VERSION and version != expected_version:
        raise ConcurrencyConflict(stream_id, expected_version, version)
    envelopes: list[EventEnvelope] = []
    params: list[Any] = []
    for new, payload in zip(events, payloads, strict=True):
        position += 1
        version += 1
        envelope = EventEnvelope(
            event_id=new.event_id,
            type=new.event.event_type,
            schema_version=new.event.schema_version,
            stream_id=stream_id,
            stream_version=version,
            position=position,
            recorded_at=recorded_at,
            causation_id=new.causation_id,
            correlation_id=new.correlation_id,
            actor=new.actor,
            trace_context=dict(new.trace_context),
            payload=payload,
        )
        previous = chain_hash(previous, envelope)
        params.extend(_row_values(envelope, previous))
        envelopes.append(envelope)
    await driver.execute(_insert_statement(len(envelopes)), *params, position, previous)
    return envelopes


def _row_values(envelope: EventEnvelope, digest: bytes) -> list[Any]:
    return [
        envelope.position,
        envelope.event_id,
        envelope.stream_id,
        envelope.stream_version,
        envelope.type,
        envelope.schema_version,
        envelope.recorded_at,
        envelope.causation_id,
        envelope.correlation_id,
        envelope.actor,
        json.dumps(envelope.trace_context),
        json.dumps(envelope.payload),
        digest,
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
