"""Replays stored events through a projection window by window of positions, reading the next window ahead."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.events import EventEnvelope
from eventstore.projections import BatchProjection, Projection
from eventstore.store import _COLUMNS, StoredEvent, driver_for, envelope_from_row, invalidating_on_loss

Progress = Callable[[int], None]
Events = Sequence[StoredEvent] | Sequence[EventEnvelope]


def position_windows(after: int, through: int, size: int) -> list[tuple[int, int]]:
    """(after, through] cut into windows of at most `size` positions, in order."""
    if size < 1:
        raise ValueError("a replay window holds at least one position")
    return [(start, min(start + size, through)) for start in range(after, through, size)]


def _window_query(columns: str, after: str, through: str, until: str | None) -> str:
    """Events in (after, through] (recorded by until), oldest first; the arguments are placeholders.

    Both bounds are given, so the planner never guesses how much of the table one read covers: a
    read with only a lower bound and a LIMIT was planned as a bitmap scan and a sort of every
    remaining row whenever the table's statistics were stale.
    """
    recorded = f" AND recorded_at <= {until}" if until is not None else ""
    return (
        f"SELECT {columns} FROM public.events "  # nosec B608 # constants and placeholders only, values bound
        f"WHERE position > {after} AND position <= {through}{recorded} ORDER BY position"
    )


async def read_window(
    conn: AsyncConnection,
    after: int,
    through: int,
    *,
    until: datetime | None = None,
    payload_types: Sequence[str] | None = None,
) -> list[StoredEvent]:
    """Events with after < position <= through (recorded by `until`), in position order, in one round trip.

    Reads through the driver in the caller's transaction, never the hash; a payload is sent only for
    `payload_types` (all when None), as JSON text for the reader to parse.
    """
    params: list[Any] = [after, through]
    payload = "payload::text"
    if payload_types is not None:
        params.append(list(payload_types))
        payload = f"CASE WHEN type = ANY(${len(params)}::text[]) THEN payload::text END"
    recorded = None
    if until is not None:
        params.append(until)
        recorded = f"${len(params)}"
    query = _window_query(f"position, type, correlation_id, recorded_at, {payload}", "$1", "$2", recorded)
    async with invalidating_on_loss(conn):
        driver = await driver_for(conn)
        return [StoredEvent(*row) for row in await driver.fetch(query, *params)]


async def read_envelope_window(
    conn: AsyncConnection, after: int, through: int, *, until: datetime | None = None
) -> list[EventEnvelope]:
    """Whole envelopes with after < position <= through (recorded by `until`), for one-by-one projections."""
    query = _window_query(_COLUMNS, ":after", ":through", ":until" if until is not None else None)
    params: dict[str, Any] = {"after": after, "through": through}
    if until is not None:
        params["until"] = until
    return [envelope_from_row(row) for row in await conn.execute(text(query), params)]


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while one window is applied.

    A window makes a few hundred thousand short-lived, acyclic objects that reference counting frees;
    left running, the collector walked them again and again in full collections (a quarter of a rebuild).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


async def _read(
    conn: AsyncConnection, projection: Projection, after: int, through: int, until: datetime | None
) -> Events:
    if isinstance(projection, BatchProjection):
        return await read_window(conn, after, through, until=until, payload_types=projection.payload_types)
    return await read_envelope_window(conn, after, through, until=until)


async def _apply(conn: AsyncConnection, projection: Projection, events: Events) -> None:
    if isinstance(projection, BatchProjection):
        await projection.apply_stored(conn, cast(Sequence[StoredEvent], events))
        return
    for envelope in cast(Sequence[EventEnvelope], events):
        await projection.apply(conn, envelope)


async def replay_windows(
    conn: AsyncConnection,
    reader: AsyncConnection,
    projection: Projection,
    *,
    after: int,
    through: int,
    until: datetime | None = None,
    batch: int,
    progress: Progress | None = None,
) -> None:
    """Apply the events in (after, through] (recorded by `until`) on `conn`, one window of `batch` positions at a time.

    With a `reader` other than `conn`, the next window is read there while this one is applied, so the
    database answers the read while this process folds.
    """
    windows = position_windows(after, through, batch)
    ahead: asyncio.Future[Events] | None = None
    try:
        for number, (start, stop) in enumerate(windows):
            if ahead is not None:
                events = await ahead
                ahead = None
            else:
                events = await _read(reader, projection, start, stop, until)
            if reader is not conn and number + 1 < len(windows):
                ahead = asyncio.ensure_future(_read(reader, projection, *windows[number + 1], until))
            with collector_paused():
                await _apply(conn, projection, events)
            if events and progress is not None:
                progress(len(events))
    finally:
        if ahead is not None:
            ahead.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await ahead
