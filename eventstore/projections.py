"""Runs a projection: applies events in position order, the view and its checkpoint in one transaction."""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

import asyncpg
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from contracts.events import EventEnvelope
from eventstore.checkpoints import load_checkpoint, save_checkpoint
from eventstore.database import connect_raw
from eventstore.store import _COLUMNS, StoredEvent, StoreWakeups, envelope_from_row, read_for_replay

log = logging.getLogger("cpi.projections")
# A read view may trail by a fraction of a second; reading bursts as one batch costs far less CPU.
PROJECTION_GATHER_SECONDS = 0.1


class Projection(Protocol):
    name: str

    async def apply(self, conn: AsyncConnection, envelope: EventEnvelope) -> None: ...


@runtime_checkable
class BatchProjection(Protocol):
    """A projection that applies many stored events at once, reading payloads only of the types it names."""

    name: str
    payload_types: Sequence[str]

    async def apply_stored(self, conn: AsyncConnection, events: Sequence[StoredEvent]) -> None: ...


async def apply_next(
    conn: AsyncConnection,
    projection: Projection,
    after: int,
    limit: int,
    *,
    upto: int | None = None,
    until: datetime | None = None,
) -> tuple[int, int]:
    """Apply up to `limit` events after `after` in this transaction; returns (events read, last position read).

    A batch projection gets them in one call from the bulk reader; any other one event by event.
    """
    if isinstance(projection, BatchProjection):
        stored = await read_for_replay(
            conn, after, limit, upto=upto, until=until, payload_types=projection.payload_types
        )
        await projection.apply_stored(conn, stored)
        return len(stored), stored[-1].position if stored else after
    envelopes = await _read_envelopes(conn, after, limit, upto, until)
    for envelope in envelopes:
        await projection.apply(conn, envelope)
    return len(envelopes), envelopes[-1].position if envelopes else after


async def _read_envelopes(
    conn: AsyncConnection, after: int, limit: int, upto: int | None, until: datetime | None
) -> list[EventEnvelope]:
    conditions = ["position > :after"]
    params: dict[str, Any] = {"after": after, "limit": limit}
    if upto is not None:
        conditions.append("position <= :upto")
        params["upto"] = upto
    if until is not None:
        conditions.append("recorded_at <= :until")
        params["until"] = until
    query = f"SELECT {_COLUMNS} FROM public.events WHERE {' AND '.join(conditions)} ORDER BY position LIMIT :limit"  # nosec B608 # fixed conditions, values bound
    return [envelope_from_row(row) for row in await conn.execute(text(query), params)]


async def catch_up(engine: AsyncEngine, projection: Projection, *, batch: int = 10_000) -> int:
    """Apply everything recorded since the checkpoint; returns how many events were applied."""
    applied = 0
    while True:
        async with engine.begin() as conn:
            position = await load_checkpoint(conn, projection.name)
            count, reached = await apply_next(conn, projection, position, batch)
            if count:
                await save_checkpoint(conn, projection.name, reached)
        applied += count
        if count < batch:
            return applied


class ProjectionRunner:
    """Keeps one projection current; an advisory lock makes one replica the writer."""

    def __init__(self, engine: AsyncEngine, database_url: str, projection: Projection) -> None:
        self._engine = engine
        self._database_url = database_url
        self._projection = projection
        self._lock_key = zlib.crc32(f"projection:{projection.name}".encode())

    async def run(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            try:
                await self._follow(stopping)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, DBAPIError, TimeoutError) as exc:
                log.warning(
                    "projection interrupted", extra={"projection": self._projection.name, "error": type(exc).__name__}
                )
                await asyncio.sleep(1.0)

    async def _follow(self, stopping: asyncio.Event) -> None:
        lock_conn = await connect_raw(self._database_url)
        wakeups = StoreWakeups(self._database_url)
        try:
            while not await lock_conn.fetchval("SELECT pg_try_advisory_lock($1)", self._lock_key):
                await asyncio.sleep(1.0)
                if stopping.is_set():
                    return
            await wakeups.start()
            while not stopping.is_set():
                await catch_up(self._engine, self._projection)
                await wakeups.wait(1.0, gather=PROJECTION_GATHER_SECONDS)
        finally:
            await wakeups.close()
            await lock_conn.close()
