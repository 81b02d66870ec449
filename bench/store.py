"""The event store's append rate beside a plain asyncpg insert of the same rows."""

from __future__ import annotations

import time
import uuid

import asyncpg

from eventstore.database import asyncpg_dsn, create_engine
from eventstore.store import append_events
from tests.factories import received_event


async def bench_store(database_url: str, rows: int) -> None:
    engine = create_engine(database_url, pool_size=2)
    events = [received_event(f"BENCH{n}", n) for n in range(rows)]
    start = time.perf_counter()
    async with engine.begin() as conn:
        for new in events:
            await append_events(conn, new.stream_id, [new], -1)
    store_seconds = time.perf_counter() - start
    single = events[:500]
    start = time.perf_counter()
    for new in single:
        async with engine.begin() as conn:
            await append_events(conn, new.stream_id, [new], -1)
    single_seconds = time.perf_counter() - start
    await engine.dispose()

    raw = await asyncpg.connect(asyncpg_dsn(database_url))
    await raw.execute("CREATE TEMP TABLE plain (id uuid, stream_id text, payload jsonb)")
    start = time.perf_counter()
    async with raw.transaction():
        for new in events:
            await raw.execute(
                "INSERT INTO plain VALUES ($1, $2, $3::jsonb)", uuid.uuid4(), new.stream_id, new.event.model_dump_json()
            )
    plain_seconds = time.perf_counter() - start
    await raw.close()
    print("\n== event store (one transaction, one row per append) ==")
    print(f"  append_events : {rows / store_seconds:10.0f} events/s  ({rows} rows)")
    print(f"  plain asyncpg : {rows / plain_seconds:10.0f} rows/s")
    print(f"  ratio         : {store_seconds / plain_seconds:10.2f}x the time of a plain insert")
    print(f"  one append per transaction (commit each): {len(single) / single_seconds:.0f} events/s")
