"""Applies the SQL migrations in order, once each, under an advisory lock so replicas may race."""

from __future__ import annotations

from importlib import resources

import asyncpg

from eventstore.database import connect_raw

MIGRATION_LOCK = 0x43_50_49_4D  # "CPIM"


def migration_scripts() -> list[tuple[str, str]]:
    """(name, sql) of every migration shipped with the package, in name order."""
    folder = resources.files("eventstore") / "migrations"
    scripts = [(item.name, item.read_text()) for item in folder.iterdir() if item.name.endswith(".sql")]
    return sorted(scripts)


async def apply_migrations(database_url: str) -> list[str]:
    """Apply what is missing; return the names applied now."""
    conn = await connect_raw(database_url)
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {row["name"] for row in await conn.fetch("SELECT name FROM schema_migrations")}
        applied = []
        for name, sql in migration_scripts():
            if name in done:
                continue
            async with conn.transaction():
                await conn.execute(sql)
                await conn.execute("INSERT INTO schema_migrations (name) VALUES ($1)", name)
            applied.append(name)
        return applied
    finally:
        await conn.close()


async def pending_migrations(conn: asyncpg.Connection) -> list[str]:
    """Names not yet applied (used by readiness checks)."""
    exists = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    done = set()
    if exists:
        done = {row["name"] for row in await conn.fetch("SELECT name FROM schema_migrations")}
    return [name for name, _ in migration_scripts() if name not in done]
