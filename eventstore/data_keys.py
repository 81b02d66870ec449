"""The data-key table: one wrapped key per submission; deleting it crypto-shreds that submission."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from eventstore.store import Alongside


@dataclass(frozen=True)
class WrappedKey:
    """A data key as stored: encrypted under the named master key."""

    key_id: uuid.UUID
    master_key_id: str
    wrapped: bytes


def data_key_row(reference: str, key: WrappedKey) -> Alongside:
    """The key's row, to be written by the same statement as the submission's first event."""
    return Alongside(
        "INSERT INTO data_keys (key_id, reference, master_key_id, wrapped_key) VALUES ($1, $2, $3, $4)",
        (key.key_id, reference, key.master_key_id, key.wrapped),
    )


async def store_data_key(conn: AsyncConnection, reference: str, key: WrappedKey) -> None:
    await conn.execute(
        text(
            "INSERT INTO data_keys (key_id, reference, master_key_id, wrapped_key) "
            "VALUES (:key_id, :reference, :master, :wrapped)"
        ),
        {"key_id": key.key_id, "reference": reference, "master": key.master_key_id, "wrapped": key.wrapped},
    )


async def load_data_key(conn: AsyncConnection, key_id: uuid.UUID) -> WrappedKey | None:
    row = (
        await conn.execute(
            text("SELECT key_id, master_key_id, wrapped_key FROM data_keys WHERE key_id = :k"), {"k": key_id}
        )
    ).first()
    if row is None:
        return None
    return WrappedKey(uuid.UUID(str(row.key_id)), row.master_key_id, bytes(row.wrapped_key))
