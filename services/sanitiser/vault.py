"""The source vault: need-to-know reading of source details, crypto-shredding, retention and key rotation."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from contracts.events import EventModel, SourceDetailsAccessed, SubmissionErased, SubmissionReceived
from contracts.subjects import submission_stream_id
from contracts.submission import Submission
from eventstore.data_keys import WrappedKey, load_data_key
from eventstore.store import ANY_VERSION, NewEvent, append_events, read_stream
from services.common.auth import Principal
from services.common.sealing import MasterKeyring, unseal

log = logging.getLogger("cpi.vault")


class VaultError(Exception):
    """A vault request that cannot be served; `status` is the HTTP status it maps to."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class SubmissionRecord:
    received: SubmissionReceived
    erased: SubmissionErased | None
    version: int


async def _record(conn: AsyncConnection, reference: str) -> SubmissionRecord:
    history = await read_stream(conn, submission_stream_id(reference))
    events: list[EventModel] = [envelope.event() for envelope in history]
    received = next((e for e in events if isinstance(e, SubmissionReceived)), None)
    if received is None:
        raise VaultError(404, "no submission with that reference")
    erased = next((e for e in events if isinstance(e, SubmissionErased)), None)
    return SubmissionRecord(received, erased, history[-1].stream_version)


async def read_source_details(
    engine: AsyncEngine, keyring: MasterKeyring, reference: str, who: Principal, reason: str
) -> dict[str, Any]:
    """The reporter's and source's details; the access is recorded, with its reason, before they are shown."""
    stream_id = submission_stream_id(reference)
    async with engine.begin() as conn:
        record = await _record(conn, reference)
        wrapped = await load_data_key(conn, record.received.sealed.key_id)
        if record.erased is not None or wrapped is None:
            raise VaultError(410, "this submission's personal data has been erased")
        submission = Submission.model_validate_json(
            unseal(record.received.sealed, keyring.unwrap(wrapped), record.received.reference)
        )
        access = SourceDetailsAccessed(
            reference=reference, accessed_by=who.subject, role="source_handler", reason=reason
        )
        await append_events(
            conn, stream_id, [NewEvent(access, stream_id, correlation_id=reference, actor=who.subject)], ANY_VERSION
        )
    log.info("source details read", extra={"reference": reference})
    return {
        "reference": reference,
        "reporter": submission.reporter.model_dump(mode="json"),
        "source": submission.source.model_dump(mode="json"),
    }


async def erase_submission(engine: AsyncEngine, reference: str, reason: str, by: str) -> SubmissionErased:
    """Destroy the data key and record it; erasing twice records nothing more."""
    stream_id = submission_stream_id(reference)
    async with engine.begin() as conn:
        record = await _record(conn, reference)
        if record.erased is not None:
            return record.erased
        await conn.execute(text("DELETE FROM data_keys WHERE key_id = :k"), {"k": record.received.sealed.key_id})
        erased = SubmissionErased(
            reference=reference, key_id=record.received.sealed.key_id, reason=reason, erased_by=by
        )
        new = NewEvent(erased, stream_id, correlation_id=reference, actor=by)
        await append_events(conn, stream_id, [new], record.version)
    log.warning(
        "submission erased", extra={"reference": reference, "reason": "requested" if by != "retention" else "retention"}
    )
    return erased


async def erase_expired(engine: AsyncEngine, retention_days: float, now: datetime) -> list[str]:
    """Erase every submission whose data key is older than the retention period."""
    cutoff = now - timedelta(days=retention_days)
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT reference FROM data_keys WHERE created_at < :cutoff ORDER BY created_at LIMIT 1000"),
            {"cutoff": cutoff},
        )
        references = [row.reference for row in rows]
    for reference in references:
        await erase_submission(engine, reference, f"retention period of {retention_days:g} days ended", "retention")
    return references


async def rotate_master_key(engine: AsyncEngine, keyring: MasterKeyring, batch: int = 500) -> int:
    """Re-wrap every data key not yet under the active master key; returns how many were re-wrapped."""
    rewrapped = 0
    while True:
        async with engine.begin() as conn:
            rows = (
                await conn.execute(
                    text(
                        "SELECT key_id, master_key_id, wrapped_key FROM data_keys WHERE master_key_id <> :active "
                        "LIMIT :n FOR UPDATE SKIP LOCKED"
                    ),
                    {"active": keyring.active_id, "n": batch},
                )
            ).all()
            for row in rows:
                old = WrappedKey(row.key_id, row.master_key_id, bytes(row.wrapped_key))
                new = keyring.wrap(old.key_id, keyring.unwrap(old))
                await conn.execute(
                    text("UPDATE data_keys SET master_key_id = :m, wrapped_key = :w WHERE key_id = :k"),
                    {"m": new.master_key_id, "w": new.wrapped, "k": new.key_id},
                )
        rewrapped += len(rows)
        if len(rows) < batch:
            return rewrapped
