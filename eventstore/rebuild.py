"""Replays the store through a projection into a separate schema, digests both views and swaps on request."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from eventstore.checkpoints import load_checkpoint
from eventstore.projections import Projection
from eventstore.replay import Progress as Progress  # re-exported: callers pass a progress callback through here
from eventstore.replay import replay_windows
from eventstore.store import head_position

SHADOW_SCHEMA = "cpi_shadow"
RETIRED_SCHEMA = "cpi_retired"
DEFAULT_TABLES = ("triage_submissions",)
REPLAY_BATCH = 10_000  # positions per read window
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


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


@dataclass(frozen=True)
class LoadedCopy:
    """A schema the store was replayed into, still without the indexes no write needed."""

    position: int
    deferred_indexes: tuple[str, ...]  # CREATE INDEX statements for the copy's own non-unique indexes


async def prepare_schema(conn: AsyncConnection, schema: str, tables: Sequence[str]) -> None:
    """An empty copy of each live table (columns, defaults, constraints, indexes) in its own schema."""
    await conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    await conn.execute(text(f"CREATE SCHEMA {schema}"))
    for table in tables:
        await conn.execute(text(f"CREATE TABLE {schema}.{table} (LIKE public.{table} INCLUDING ALL)"))


async def defer_secondary_indexes(conn: AsyncConnection, schema: str, tables: Sequence[str]) -> tuple[str, ...]:
    """Drop the copies' non-unique indexes and return their definitions, to build each once after the load.

    Unique indexes stay: the projection's lookups and ON CONFLICT clauses need them while it writes.
    """
    rows = await conn.execute(
        text(
            "SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition "
            "FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = :s AND c.relname = ANY(:t) AND NOT i.indisunique ORDER BY 1"
        ),
        {"s": schema, "t": list(tables)},
    )
    deferred = [(str(row.name), str(row.definition)) for row in rows]
    for name, _ in deferred:
        await conn.execute(text(f"DROP INDEX {name}"))
    return tuple(definition for _, definition in deferred)


async def build_indexes(conn: AsyncConnection, definitions: Sequence[str]) -> None:
    for definition in definitions:
        await conn.execute(text(definition))


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
    """Apply events after `after` (to `upto`, else the store's head; recorded by `until`) into `schema`
    on this connection's transaction. Returns the position replayed through.
    """
    through = max(after, upto if upto is not None else await head_position(conn))
    original = (await conn.execute(text("SELECT current_setting('search_path')"))).scalar_one()
    # Only the copy's schema: a table the projection writes but does not declare fails instead of touching live.
    await conn.execute(text(f"SET LOCAL search_path = {schema}"))
    try:
        await replay_windows(
            conn, conn, projection, after=after, through=through, until=until, batch=batch, progress=progress
        )
    finally:
        await conn.execute(text("SELECT set_config('search_path', :p, true)"), {"p": original})
    return through


async def load_copy(
    engine: AsyncEngine,
    projection: Projection,
    schema: str,
    *,
    upto: int | None = None,
    until: datetime | None = None,
    batch: int = REPLAY_BATCH,
    progress: Progress | None = None,
) -> LoadedCopy:
    """Create `schema` afresh and replay the store into it (to `upto`, else the head when it starts).

    One transaction writes the copy while a second connection reads the next window ahead; the copy's
    non-unique indexes are left for the caller to build once, after the load.
    """
    tables = projection_tables(projection)
    async with engine.begin() as conn:
        await prepare_schema(conn, schema, tables)
        deferred = await defer_secondary_indexes(conn, schema, tables)
        through = max(0, upto if upto is not None else await head_position(conn))
    async with engine.begin() as reader, engine.begin() as conn:
        # Only the copy's schema: a table the projection writes but does not declare fails instead of touching live.
        await conn.execute(text(f"SET LOCAL search_path = {schema}"))
        await replay_windows(
            conn, reader, projection, after=0, through=through, until=until, batch=batch, progress=progress
        )
    return LoadedCopy(through, deferred)


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
    """Create `schema` afresh, replay the store into it and index it; returns the position replayed through."""
    copy = await load_copy(engine, projection, schema, upto=upto, until=until, batch=batch, progress=progress)
    async with engine.begin() as conn:
        await build_indexes(conn, copy.deferred_indexes)
    return copy.position


async def table_digests(conn: AsyncConnection, schema: str, tables: Sequence[str]) -> dict[str, TableDigest]:
    """Row count and an order-independent MD5 per table: the MD5 of every row's MD5, rows in key order.

    A row is hashed in its binary form (record_send: column types and values, JSON as its text), which
    is cheaper to produce than its text. The primary key is unique, so the same rows always come in the
    same order, and PostgreSQL reads them through the key's index; a table without a key is ordered by
    the rows' own hashes.
    """
    digests: dict[str, TableDigest] = {}
    for table in tables:
        key = await _primary_key(conn, schema, table)
        order = ", ".join(f't."{column}"' for column in key) if key else "md5(record_send(t))"
        hashes = f"string_agg(md5(record_send(t)), '' ORDER BY {order})"
        row = (
            await conn.execute(
                text(
                    f"SELECT count(*) AS n, md5(coalesce({hashes}, '')) AS d FROM {schema}.{table} t"  # nosec B608 # names from the projection's constants and the catalogue
                )
            )
        ).one()
        digests[table] = TableDigest(int(row.n), str(row.d))
    return digests


async def _primary_key(conn: AsyncConnection, schema: str, table: str) -> list[str]:
    rows = await conn.execute(
        text(
            "SELECT a.attname FROM pg_index i "
            "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey::int2[]) "
            "WHERE i.indrelid = to_regclass(:t) AND i.indisprimary "
            "ORDER BY array_position(i.indkey::int2[], a.attnum)"
        ),
        {"t": f"{schema}.{table}"},
    )
    return [str(row.attname) for row in rows]


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


async def _digest_and_index(
    engine: AsyncEngine, schema: str, tables: Sequence[str], indexes: Sequence[str]
) -> dict[str, TableDigest]:
    """On a connection of its own: the committed copy's digests, then its deferred indexes."""
    async with engine.begin() as conn:
        digests = await table_digests(conn, schema, tables)
        await build_indexes(conn, indexes)
    return digests


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
    copy = await load_copy(engine, projection, SHADOW_SCHEMA, upto=target, batch=batch, progress=progress)
    position = copy.position
    async with engine.begin() as conn:
        mode = "ACCESS EXCLUSIVE" if swap else "EXCLUSIVE"
        for table in tables:
            await conn.execute(text(f"LOCK TABLE public.{table} IN {mode} MODE"))
        live_position = await load_checkpoint(conn, projection.name)
        if live_position > position:
            position = await apply_range(
                conn, projection, SHADOW_SCHEMA, after=position, upto=live_position, batch=batch, progress=progress
            )
            await build_indexes(conn, copy.deferred_indexes)
            live = await table_digests(conn, "public", tables)
            rebuilt = await table_digests(conn, SHADOW_SCHEMA, tables)
        else:
            # The copy is committed and final: a second connection digests and indexes it while this one digests live.
            async with asyncio.TaskGroup() as group:
                copied = group.create_task(_digest_and_index(engine, SHADOW_SCHEMA, tables, copy.deferred_indexes))
                live = await table_digests(conn, "public", tables)
            rebuilt = copied.result()
        do_swap = swap and (live == rebuilt or force)
        if do_swap:
            await swap_into_public(conn, SHADOW_SCHEMA, tables)
        elif live == rebuilt:
            await conn.execute(text(f"DROP SCHEMA {SHADOW_SCHEMA} CASCADE"))
    return RebuildReport(position, live, rebuilt, do_swap)
