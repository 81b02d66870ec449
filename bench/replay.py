"""Replay rate of a projection rebuild: how fast the triage view is rebuilt from N stored events."""

from __future__ import annotations

import time

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from eventstore.database import asyncpg_dsn, create_engine, with_database
from eventstore.migrate import apply_migrations
from eventstore.projections import catch_up
from eventstore.rebuild import rebuild_projection
from eventstore.store import head_position
from services.triage.projection import TriageProjection
from tests.integration.audit_history_builder import append_history

TARGET_RATE = 50_000  # events/s, the target (1,000,000 events in under 60 s would need ~16,700/s)
BENCH_DATABASE = "cpi_bench_replay"


async def _fresh_database(database_url: str, name: str) -> None:
    raw = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        await raw.execute(f"DROP DATABASE IF EXISTS {name}")
        await raw.execute(f"CREATE DATABASE {name}")
    finally:
        await raw.close()


async def _filled_position(database_url: str, name: str) -> int:
    """The store's head in an existing bench database, or -1 when there is none to reuse."""
    raw = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        exists = await raw.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
    finally:
        await raw.close()
    if not exists:
        return -1
    engine = create_engine(with_database(database_url, name), pool_size=1)
    try:
        async with engine.connect() as conn:
            return await head_position(conn)
    except Exception:  # an unusable leftover is simply filled afresh
        return -1
    finally:
        await engine.dispose()


async def _reset_view(engine: AsyncEngine) -> None:
    """An empty live view and no checkpoint, so the live catch-up starts from position 0."""
    async with engine.begin() as conn:
        driver = await conn.get_raw_connection()
        assert driver.driver_connection is not None
        await driver.driver_connection.execute(
            "DROP SCHEMA IF EXISTS cpi_shadow CASCADE; DROP SCHEMA IF EXISTS cpi_retired CASCADE; "
            "TRUNCATE triage_submissions, linked_identifiers; DELETE FROM checkpoints WHERE name = 'triage'"
        )


async def bench_replay(database_url: str, events: int, *, reuse: bool = False, database: str = BENCH_DATABASE) -> None:
    """On a database of its own (created on the same server): fill N events, build live, rebuild, compare.

    With `reuse`, a bench database left by an earlier run with the same number of events is kept
    (filling a million events takes minutes) and only its view is emptied.
    """
    submissions = max(1, events // 3)
    url = with_database(database_url, database)
    print(f"\n== projection replay: triage view from {submissions * 3:,} events (received, sanitised, graded) ==")
    filled = reuse and await _filled_position(database_url, database) == submissions * 3
    if not filled:
        await _fresh_database(database_url, database)
    await apply_migrations(url)
    engine = create_engine(url, pool_size=2)
    try:
        if filled:
            await _reset_view(engine)
            recorded = submissions * 3
            print(f"  reused the filled store: {recorded:,} events")
        else:
            start = time.perf_counter()
            recorded = await append_history(engine, submissions, prefix="CPI-B", per_commit=500)
            print(f"  filled the store: {recorded:,} events in {time.perf_counter() - start:6.1f} s")
        start = time.perf_counter()
        await catch_up(engine, TriageProjection())
        live = time.perf_counter() - start
        print(f"  live catch-up (projection runner): {live:6.1f} s, {recorded / live:8,.0f} events/s")
        start = time.perf_counter()
        report = await rebuild_projection(engine, TriageProjection(), swap=True)
        rebuild = time.perf_counter() - start
        verdict = "identical" if report.identical else "MISMATCH"
        print(
            f"  rebuild into shadow + digest + swap: {rebuild:6.1f} s, {recorded / rebuild:8,.0f} events/s ({verdict})"
        )
        projected = 1_000_000 / (recorded / rebuild)
        met = "met" if recorded / rebuild >= TARGET_RATE else "NOT met"
        print(f"  target {TARGET_RATE:,} events/s: {met}; 1,000,000 events would take about {projected:,.0f} s")
    finally:
        await engine.dispose()
