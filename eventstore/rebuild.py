"""Replays the store through a projection into a separate schema, digests both views and swaps on request."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from eventstore.checkpoints import load_checkpoint
from eventstore.projections import Projection, apply_next

SHADOW_SCHEMA = "cpi_shadow"
RETIRED_SCHEMA = "cpi_retired"
DEFAULT_TABLES = ("triage_submissions",)
REPLAY_BATCH = 10_000  # events per read and per transaction
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")

Progress = Callable[[int], None]


def projection_tables(projection: Projection) -> tuple[str, ...]:
    """The tables a projection owns (its `tables` attribute), checked to be plain identifiers."""
    tables = tuple(getattr(projection, "tables", DEFAULT_TABLES))
    for name in tables:
        if not _IDENTIFIER.match(name):
            raise ValueError(f"not a plain table name: {name!r}")
    return tables


@dataclass(frozen=True)
class TableDigest:
    rows: int
    md5: str


@dataclass(frozen=True)
class RebuildReport:
    position: int  # positions are gap-free, so this is also how many events were replayed
    live: dict[str, TableDigest]
    rebuilt: dict[str, TableDigest]
    swapped: bool

    @property
    def identical(self) -> bool:
        return self.live == self.rebuilt


async def prepare_schema(conn: AsyncConnection, schema: str, tables: Sequence[str]) -> None:
    """An empty copy of each live table (columns, defaults, constraints, indexes) in its own schema."""
    await conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    await conn.execute(text(f"CREATE SCHEMA {schema}"))
    for table in tables:
        await conn.execute(text(f"CREATE TABLE {schema}.{table} (LIKE public.{table} INCLUDING ALL)"))


async def apply_range(
    conn: AsyncConnection,
    projection: Projection,
    schema: str,
    *,
    after: int,
    upto: int | None = None,
    until: datetime | None = None,
    batch: int = REPLAY_BATCH,
    progress: Progress | None = None,
) -> int:
    """Apply events after `after` (to `upto` / recorded by `until`) into `schema` on this connection's transaction.

    Returns the last position applied (or `after` when there was nothing).
    """
    original = (await conn.execute(text("SELECT current_setting('search_path')"))).scalar_one()
    # Only the copy's schema: a table the projection writes but does not declare fails instead of touching live.
    await conn.execute(text(f"SET LOCAL search_path = {schema}"))
    try:
        while True:
            count, after = await apply_next(conn, projection, after, batch, upto=upto, until=until)
            if count and progress is not None:
                progress(count)
            if count < batch:
                return after
    finally:
        await conn.execute(text("SELECT set_config('search_path', :p, true)"), {"p": original})


async def replay_into_schema(
    engine: AsyncEngine,
    projection: Projection,
    schema: str,
    *,
    upto: int | None = None,
    until: datetime | None = None,
    batch: int = REPLAY_BATCH,
    progress: Progress | None = None,
) -> int:
    """Create `schema` afresh and replay the store into it, one transaction per batch; returns the position."""
    async with engine.begin() as conn:
        await prepare_schema(conn, schema, projection_tables(projection))
    position = 0
    while True:
        async with engine.begin() as conn:
            reached = await apply_range(
                conn, projection, schema, after=position, upto=upto, until=until, batch=batch, progress=progress
            )
            # One batch per transaction keeps each transaction short; apply_range stops after a short batch.
        if reached == position:
            return position
        position = reached


async def table_digests(conn: AsyncConnection, schema: str, tables: Sequence[str]) -> dict[str, TableDigest]:
    """Row count and an order-independent MD5 of every row's text, per table."""
    digests: dict[str, TableDigest] = {}
    for table in tables:
        row = (
            await conn.execute(
                text(
                    f"SELECT count(*) AS n, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS d "  # nosec B608 # names from the projection's constants
                    f"FROM {schema}.{table} t"
                )
            )
        ).one()
        digests[table] = TableDigest(int(row.n), str(row.d))
    return digests


async def _index_names(conn: AsyncConnection, schema: str, table: str) -> dict[str, str]:
    """Index name by its definition with the name and schema taken out, to match copies to originals."""
    rows = await conn.execute(
        text("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = :s AND tablename = :t"),
        {"s": schema, "t": table},
    )
    found: dict[str, str] = {}
    for row in rows:
        shape = re.sub(r"INDEX \S+ ON \S+\.", "INDEX ON ", str(row.indexdef))
        found[shape] = str(row.indexname)
    return found


async def swap_into_public(conn: AsyncConnection, schema: str, tables: Sequence[str]) -> None:
    """Move the live tables to the retired schema and the rebuilt ones into public, keeping index names."""
    await conn.execute(text(f"DROP SCHEMA IF EXISTS {RETIRED_SCHEMA} CASCADE"))
    await conn.execute(text(f"CREATE SCHEMA {RETIRED_SCHEMA}"))
    for table in tables:
        original = await _index_names(conn, "public", table)
        await conn.execute(text(f"ALTER TABLE public.{table} SET SCHEMA {RETIRED_SCHEMA}"))
        await conn.execute(text(f"ALTER TABLE {schema}.{table} SET SCHEMA public"))
        for shape, name in (await _index_names(conn, "public", table)).items():
            wanted = original.get(shape)
            if wanted and wanted != name:
                await conn.execute(text(f'ALTER INDEX public."{name}" RENAME TO "{wanted}"'))
    await conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))


async def rebuild_projection(
    engine: AsyncEngine,
    projection: Projection,
    *,
    swap: bool = False,
    force: bool = False,
    batch: int = REPLAY_BATCH,
    progress: Progress | None = None,
) -> RebuildReport:
    """Rebuild into the shadow schema up to the live checkpoint, compare digests, and swap when asked.

    The live runner's checkpoint never moves here: the final catch-up and the comparison run with the
    live tables locked against writes, at the exact position the live view has reached.
    """
    tables = projection_tables(projection)
    async with engine.connect() as conn:
        target = await load_checkpoint(conn, projection.name)
    position = await replay_into_schema(engine, projection, SHADOW_SCHEMA, upto=target, batch=batch, progress=progress)
    async with engine.begin() as conn:
        mode = "ACCESS EXCLUSIVE" if swap else "EXCLUSIVE"
        for table in tables:
            await conn.execute(text(f"LOCK TABLE public.{table} IN {mode} MODE"))
        live_position = await load_checkpoint(conn, projection.name)
        if live_position > position:
            position = await apply_range(
                conn, projection, SHADOW_SCHEMA, after=position, upto=live_position, batch=batch, progress=progress
            )
        live = await table_digests(conn, "public", tables)
        rebuilt = await table_digests(conn, SHADOW_SCHEMA, tables)
        do_swap = swap and (live == rebuilt or force)
        if do_swap:
            await swap_into_public(conn, SHADOW_SCHEMA, tables)
        elif live == rebuilt:
            await conn.execute(text(f"DROP SCHEMA {SHADOW_SCHEMA} CASCADE"))
    return RebuildReport(position, live, rebuilt, do_swap)
