"""The event store's append rate beside a plain asyncpg insert of the same rows, as a ratio."""

from __future__ import annotations

import time
import uuid

import asyncpg

from eventstore.database import asyncpg_dsn, create_engine, with_database
from eventstore.migrate import apply_migrations
from eventstore.store import NewEvent, append_events
from tests.factories import received_event


async def _store_rate(database_url: str, events: list[NewEvent], per_append: int) -> float:
    engine = create_engine(database_url, pool_size=2)
    start = time.perf_counter()
    for n in range(0, len(events), per_append):
        chunk = events[n : n + per_append]
        async with engine.begin() as conn:
            await append_events(conn, f"bench-{uuid.uuid4()}", chunk, 0)
    seconds = time.perf_counter() - start
    await engine.dispose()
    return len(events) / seconds


async def _plain_rate(database_url: str, events: list[NewEvent], per_commit: int) -> float:
    raw = await asyncpg.connect(asyncpg_dsn(database_url))
    await raw.execute("CREATE TEMP TABLE plain (id uuid PRIMARY KEY, stream_id text, payload jsonb)")
    rows = [(new.event_id, new.stream_id, new.event.model_dump_json()) for new in events]
    start = time.perf_counter()
    for n in range(0, len(rows), per_commit):
        async with raw.transaction():
            await raw.executemany("INSERT INTO plain VALUES ($1, $2, $3::jsonb)", rows[n : n + per_commit])
    seconds = time.perf_counter() - start
    await raw.close()
    return len(rows) / seconds


async def bench_store(server_url: str, rows: int) -> None:
    """On a database of its own, which no relay or projection follows: the store's own cost."""
    raw = await asyncpg.connect(asyncpg_dsn(server_url))
    await raw.execute("DROP DATABASE IF EXISTS cpi_bench_store")
    await raw.execute("CREATE DATABASE cpi_bench_store")
    await raw.close()
    database_url = with_database(server_url, "cpi_bench_store")
    await apply_migrations(database_url)
    print("\n== event store: append_events (hash chain, head lock, notify) vs a plain asyncpg INSERT ==")
    for per_commit in (1, 100):
        store = await _store_rate(database_url, [received_event(f"S{n}", n) for n in range(rows)], per_commit)
        plain = await _plain_rate(database_url, [received_event(f"P{n}", n) for n in range(rows)], per_commit)
        print(
            f"  {per_commit:>3} event(s) per commit: store {store:8.0f} events/s, plain {plain:8.0f} rows/s, "
            f"ratio {plain / store:5.2f}x ({rows} rows)"
        )
