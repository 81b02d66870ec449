"""Runs a projection: applies events in position order, the view and its checkpoint in one transaction."""

from __future__ import annotations

import asyncio
import logging
import zlib
from typing import Protocol

import asyncpg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from contracts.events import EventEnvelope
from eventstore.checkpoints import load_checkpoint, save_checkpoint
from eventstore.database import connect_raw
from eventstore.store import StoreWakeups, read_all

log = logging.getLogger("cpi.projections")


class Projection(Protocol):
    name: str

    async def apply(self, conn: AsyncConnection, envelope: EventEnvelope) -> None: ...


async def catch_up(engine: AsyncEngine, projection: Projection, *, batch: int = 1_000) -> int:
    """Apply everything recorded since the checkpoint; returns how many events were applied."""
    applied = 0
    while True:
        async with engine.begin() as conn:
            position = await load_checkpoint(conn, projection.name)
            events = await read_all(conn, position, batch)
            for envelope in events:
                await projection.apply(conn, envelope)
            if events:
                await save_checkpoint(conn, projection.name, events[-1].position)
        applied += len(events)
        if len(events) < batch:
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
                await wakeups.wait(1.0)
        finally:
            await wakeups.close()
            await lock_conn.close()
