"""Named positions of the store's followers, written in the follower's own transaction."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection


async def load_checkpoint(conn: AsyncConnection, name: str) -> int:
    value = (await conn.execute(text("SELECT position FROM checkpoints WHERE name = :n"), {"n": name})).scalar()
    return int(value) if value is not None else 0


async def save_checkpoint(conn: AsyncConnection, name: str, position: int) -> None:
    await conn.execute(
        text(
            "INSERT INTO checkpoints (name, position) VALUES (:n, :p) "
            "ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = now()"
        ),
        {"n": name, "p": position},
    )
