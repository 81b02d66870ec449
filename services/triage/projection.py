"""The triage view: one row per submission, moved forward by each event, never backward, written in batches."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.events import EventEnvelope, EventModel
from eventstore.store import StoredEvent, driver_connection
from services.triage.view_fold import (
    COLUMNS,
    JSON_COLUMNS,
    STATUS_ORDER,
    VIEW_EVENTS,
    Recorded,
    TriageRow,
    fold_all,
    linked_rows,
    row_reference,
)

__all__ = ["STATUS_ORDER", "TriageProjection"]

_MODELS: dict[str, type[EventModel]] = {model.event_type: model for model in VIEW_EVENTS}
# Each model's own validator, called straight for JSON text: the same checks as model_validate_json, less overhead.
_FROM_JSON = {name: model.__pydantic_validator__.validate_json for name, model in _MODELS.items()}
_SELECT_ROWS = (
    "SELECT "  # nosec B608 # constants only, values bound
    + ", ".join(f"{column}::text" if column in JSON_COLUMNS else column for column in COLUMNS)
    + " FROM triage_submissions WHERE reference = ANY($1::text[])"
)
_UPDATE_ROW = (
    "UPDATE triage_submissions SET "  # nosec B608 # constants only, values bound
    + ", ".join(
        f"{column} = ${n}::jsonb" if column in JSON_COLUMNS else f"{column} = ${n}"
        for n, column in enumerate(COLUMNS, start=1)
        if column != "reference"
    )
    + " WHERE reference = $1"
)
_INSERT_LINKED = (
    "INSERT INTO linked_identifiers (digest, type, reference) "
    "SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING"
)


def parse_for_view(stored: Sequence[StoredEvent]) -> list[Recorded]:
    """The events that change the view, parsed; every other type is skipped without reading its payload."""
    recorded: list[Recorded] = []
    for position, kind, correlation_id, recorded_at, payload in stored:
        if payload is None:
            continue
        if isinstance(payload, str):
            from_json = _FROM_JSON.get(kind)
            if from_json is None:
                continue
            event = from_json(payload)
        else:
            model = _MODELS.get(kind)
            if model is None:
                continue
            event = model.model_validate(payload)
        recorded.append(Recorded(event, position, recorded_at, correlation_id))
    return recorded


async def _driver(conn: AsyncConnection) -> Any:
    """The asyncpg connection in this transaction, beginning SQLAlchemy's transaction first when needed."""
    try:
        return await driver_connection(conn)
    except RuntimeError:
        await conn.execute(text("SELECT 1"))
        return await driver_connection(conn)


class TriageProjection:
    name = "triage"
    tables = ("triage_submissions", "linked_identifiers")
    payload_types: tuple[str, ...] = tuple(_MODELS)

    async def apply(self, conn: AsyncConnection, envelope: EventEnvelope) -> None:
        await self.apply_batch(conn, [envelope])

    async def apply_batch(self, conn: AsyncConnection, envelopes: Sequence[EventEnvelope]) -> None:
        stored = [StoredEvent(e.position, e.type, e.correlation_id, e.recorded_at, e.payload) for e in envelopes]
        await self.apply_stored(conn, stored)

    async def apply_stored(self, conn: AsyncConnection, events: Sequence[StoredEvent]) -> None:
        """Apply events in order: read their rows in one query, fold in memory, write back in bulk."""
        recorded = parse_for_view(events)
        if not recorded:
            return
        driver = await _driver(conn)
        # Plan the row lookup afresh each time: a cached generic plan made while a (shadow) table was empty
        # keeps scanning it whole as it grows, turning a rebuild quadratic.
        await driver.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        references = list({row_reference(r) for r in recorded})
        rows = {record[0]: TriageRow(*record) for record in await driver.fetch(_SELECT_ROWS, references)}
        existing = set(rows)
        changed = fold_all(rows, recorded)
        created = [rows[reference] for reference in changed if reference not in existing]
        updated = [rows[reference] for reference in changed if reference in existing]
        if created:
            await driver.copy_records_to_table("triage_submissions", records=created, columns=COLUMNS)
        if updated:
            await driver.executemany(_UPDATE_ROW, updated)
        linked = linked_rows(recorded)
        if linked:
            digests, types, owners = (list(column) for column in zip(*linked, strict=True))
            await driver.execute(_INSERT_LINKED, digests, types, owners)
