"""Every event of one submission, in order, with its personal data shown only as [encrypted] or [erased]."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.subjects import submission_stream_id
from eventstore.store import _COLUMNS, envelope_from_row

ENCRYPTED = "[encrypted]"
ERASED = "[erased]"
# Payload fields that hold personal data, by event type: never shown, only whether they can still be read.
SEALED_FIELDS = {"SubmissionReceived": ("sealed",)}


def redacted_payload(event_type: str, payload: dict[str, Any], erased: bool) -> dict[str, Any]:
    """The payload with each personal-data field replaced by a marker."""
    fields = SEALED_FIELDS.get(event_type, ())
    return {key: (ERASED if erased else ENCRYPTED) if key in fields else value for key, value in payload.items()}


def sealed_key_ids(rows: Iterable[dict[str, Any]]) -> set[str]:
    """The data-key ids the submission's sealed payloads were encrypted under."""
    found: set[str] = set()
    for row in rows:
        sealed = row["payload"].get("sealed") if row["type"] in SEALED_FIELDS else None
        if isinstance(sealed, dict) and sealed.get("key_id"):
            found.add(str(sealed["key_id"]))
    return found


async def submission_history(conn: AsyncConnection, reference: str) -> list[dict[str, Any]] | None:
    """The submission's stream plus every event correlated with it, by position; None if there is none."""
    result = await conn.execute(
        text(f"SELECT {_COLUMNS}, hash FROM events WHERE stream_id = :s OR correlation_id = :r ORDER BY position"),  # nosec B608 # constants only, values bound
        {"s": submission_stream_id(reference), "r": reference},
    )
    rows = result.all()
    if not rows:
        return None
    envelopes = [(envelope_from_row(row).model_dump(mode="json"), bytes(row.hash).hex()) for row in rows]
    key_ids = sealed_key_ids(envelope for envelope, _ in envelopes)
    present = set()
    if key_ids:
        found = await conn.execute(
            text("SELECT key_id::text FROM data_keys WHERE key_id = ANY(CAST(:k AS uuid[]))"), {"k": sorted(key_ids)}
        )
        present = {str(row[0]) for row in found}
    erased = any(envelope["type"] == "SubmissionErased" for envelope, _ in envelopes) or not key_ids <= present
    history = []
    for envelope, digest in envelopes:
        envelope["payload"] = redacted_payload(envelope["type"], envelope["payload"], erased)
        envelope["hash"] = digest
        history.append(envelope)
    return history
