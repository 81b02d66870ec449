"""Intake's one command: accept a submission, exactly once per Idempotency-Key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from contracts.events import SubmissionReceived
from contracts.subjects import submission_stream_id
from contracts.submission import Submission
from eventstore.data_keys import data_key_row
from eventstore.errors import ConcurrencyConflict
from eventstore.store import NewEvent, append_events, autocommit
from services.common.sealing import MasterKeyring, new_data_key, seal
from services.intake.domain import (
    IdempotencyConflict,
    canonical_submission,
    keyed_digest,
    new_reference,
    review_due_at,
)


@dataclass(frozen=True)
class Accepted:
    reference: str
    received_at: datetime
    replayed: bool = False


@dataclass(frozen=True)
class IntakeKeys:
    keyring: MasterKeyring
    hmac_key: bytes


async def accept_submission(
    engine: AsyncEngine,
    submission: Submission,
    keys: IntakeKeys,
    *,
    review_window_minutes: float,
    idempotency_key: str | None = None,
    actor: str = "partner",
    trace_context: dict[str, str] | None = None,
) -> Accepted:
    """Seal the personal data and record SubmissionReceived in one transaction, or nothing at all."""
    body = canonical_submission(submission)
    for _ in range(3):  # a fresh reference on the (40-bit) chance of a collision
        reference = new_reference()
        received_at = datetime.now(UTC)
        key_id, data_key = new_data_key()
        event = SubmissionReceived(
            reference=reference,
            received_at=received_at,
            review_due_at=review_due_at(received_at, review_window_minutes),
            sealed=seal(body, key_id, data_key, reference),
        )
        stream_id = submission_stream_id(reference)
        try:
            # Without an Idempotency-Key the key row and the event are one statement in autocommit.
            async with engine.begin() if idempotency_key is not None else autocommit(engine) as conn:
                if idempotency_key is not None:
                    earlier = await _claim_idempotency_key(
                        conn, keys.hmac_key, idempotency_key, body, reference, received_at
                    )
                    if earlier is not None:
                        return earlier
                await append_events(
                    conn,
                    stream_id,
                    [
                        NewEvent(
                            event, stream_id, correlation_id=reference, actor=actor, trace_context=trace_context or {}
                        )
                    ],
                    expected_version=0,
                    alongside=data_key_row(reference, keys.keyring.wrap(key_id, data_key)),
                )
            return Accepted(reference, received_at)
        except (ConcurrencyConflict, asyncpg.UniqueViolationError):  # that reference is taken
            continue
    raise RuntimeError("could not allocate a unique reference")


async def _claim_idempotency_key(
    conn: AsyncConnection, hmac_key: bytes, idempotency_key: str, body: bytes, reference: str, received_at: datetime
) -> Accepted | None:
    """None if this key is new (and now claimed); the earlier acceptance if the same body came before."""
    key_digest = keyed_digest(hmac_key, "idempotency-key", idempotency_key.encode())
    request_digest = keyed_digest(hmac_key, "request-body", body)
    inserted = await conn.execute(
        text(
            "INSERT INTO idempotency_keys (key_digest, request_digest, reference, received_at) "
            "VALUES (:k, :d, :r, :t) ON CONFLICT DO NOTHING RETURNING reference"
        ),
        {"k": key_digest, "d": request_digest, "r": reference, "t": received_at},
    )
    if inserted.first() is not None:
        return None
    row = (
        await conn.execute(
            text("SELECT request_digest, reference, received_at FROM idempotency_keys WHERE key_digest = :k"),
            {"k": key_digest},
        )
    ).one()
    if bytes(row.request_digest) != request_digest:
        raise IdempotencyConflict("this Idempotency-Key was already used with a different submission")
    return Accepted(row.reference, row.received_at, replayed=True)
