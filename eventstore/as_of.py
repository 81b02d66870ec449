"""The triage queue as it stood at a past moment, replayed from the store into a throwaway schema."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from eventstore.projections import Projection
from eventstore.rebuild import Progress, replay_into_schema


@dataclass(frozen=True)
class QueueEntry:
    reference: str
    status: str
    priority: str | None
    review_due_at: datetime


async def queue_as_of(
    engine: AsyncEngine, projection: Projection, moment: datetime, *, progress: Progress | None = None
) -> list[QueueEntry]:
    """Replay every event recorded at or before `moment`, read the queue deadline first, drop the schema."""
    schema = f"cpi_asof_{uuid.uuid4().hex[:12]}"
    try:
        await replay_into_schema(engine, projection, schema, until=moment, progress=progress)
        async with engine.connect() as conn:
            rows = await conn.execute(
                text(
                    f"SELECT reference, status, priority, review_due_at FROM {schema}.triage_submissions "  # nosec B608 # schema name made here from a UUID
                    "ORDER BY review_due_at, reference"
                )
            )
            return [QueueEntry(r.reference, r.status, r.priority, r.review_due_at) for r in rows]
    finally:
        async with engine.begin() as conn:
            await conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
