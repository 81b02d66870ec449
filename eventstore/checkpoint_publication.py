"""Signs the chain hash every N positions, records it in the store and publishes it to an undeletable stream."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import zlib

import asyncpg
import nats.errors
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.events import AuditCheckpointSigned
from contracts.subjects import AUDIT_STREAM, AUDIT_SUBJECT
from eventstore.checkpoint_signing import (
    CheckpointSigner,
    checkpoint_every,
    checkpoint_message,
    signer_from_environment,
)
from eventstore.store import ANY_VERSION, NewEvent, StoreWakeups, append_events

log = logging.getLogger("cpi.audit.checkpoints")
# Checked at most about once a second while appends flow: a checkpoint falls due only every N events.
CHECKPOINT_GATHER_SECONDS = 1.0

CHECKPOINT_STREAM_ID = "audit-checkpoints"
CHECKPOINT_ACTOR = "audit-checkpointer"
_SIGNER_LOCK = zlib.crc32(b"audit-checkpointer")


def audit_stream_config(replicas: int = 1) -> StreamConfig:
    """No age or size limit, and neither single messages nor the whole contents can be removed."""
    return StreamConfig(
        name=AUDIT_STREAM,
        subjects=[AUDIT_SUBJECT],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        discard=DiscardPolicy.NEW,
        num_replicas=replicas,
        deny_delete=True,
        deny_purge=True,
        duplicate_window=120.0,
    )


async def ensure_audit_stream(js: JetStreamContext, replicas: int = 1) -> None:
    try:
        await js.stream_info(AUDIT_STREAM)
    except NotFoundError:
        await js.add_stream(audit_stream_config(replicas))


def _checkpoint_event(signer: CheckpointSigner, position: int, chain_hash: bytes) -> AuditCheckpointSigned:
    signature = signer.sign(checkpoint_message(position, chain_hash))
    return AuditCheckpointSigned(
        position=position,
        chain_hash=chain_hash.hex(),
        signature=base64.b64encode(signature).decode(),
        signing_key_id=signer.key_id,
    )


async def sign_due_checkpoints(engine: AsyncEngine, signer: CheckpointSigner, every: int) -> list[int]:
    """Record a signed checkpoint at each multiple of `every` not yet signed; returns their positions."""
    async with engine.begin() as conn:
        await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _SIGNER_LOCK})
        last = (
            await conn.execute(
                text("SELECT max((payload->>'position')::bigint) FROM events WHERE stream_id = :s"),
                {"s": CHECKPOINT_STREAM_ID},
            )
        ).scalar()
        head = int((await conn.execute(text("SELECT position FROM event_store_head"))).scalar_one())
        due = list(range((int(last or 0) // every + 1) * every, head + 1, every))
        if not due:
            return []
        rows = await conn.execute(
            text("SELECT position, hash FROM events WHERE position = ANY(:p) ORDER BY position"), {"p": due}
        )
        events = [
            NewEvent(
                _checkpoint_event(signer, int(row.position), bytes(row.hash)),
                CHECKPOINT_STREAM_ID,
                correlation_id=CHECKPOINT_STREAM_ID,
                actor=CHECKPOINT_ACTOR,
            )
            for row in rows
        ]
        await append_events(conn, CHECKPOINT_STREAM_ID, events, ANY_VERSION)
    return due


async def last_published_position(js: JetStreamContext) -> int:
    try:
        message = await js.get_last_msg(AUDIT_STREAM, AUDIT_SUBJECT)
    except NotFoundError:
        return 0
    return int(json.loads(message.data or b"{}")["position"])


async def publish_pending_checkpoints(engine: AsyncEngine, js: JetStreamContext) -> int:
    """Publish every recorded checkpoint beyond the stream's last one, in order; returns how many."""
    after = await last_published_position(js)
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT event_id, payload FROM events WHERE stream_id = :s "
                    "AND (payload->>'position')::bigint > :after ORDER BY position"
                ),
                {"s": CHECKPOINT_STREAM_ID, "after": after},
            )
        ).all()
    for row in rows:
        payload = row.payload if isinstance(row.payload, dict) else json.loads(row.payload)
        body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
        await js.publish(AUDIT_SUBJECT, body, stream=AUDIT_STREAM, headers={"Nats-Msg-Id": str(row.event_id)})
    return len(rows)


async def run_checkpointer(
    engine: AsyncEngine, database_url: str, js: JetStreamContext, replicas: int, stopping: asyncio.Event
) -> None:
    """Background work: sign and publish checkpoints as the store grows (idle without a signing key)."""
    signer = signer_from_environment()
    if signer is None:
        log.info("no CPI_AUDIT_SIGNING_KEY: audit checkpoints are not signed by this process")
        await stopping.wait()
        return
    every = checkpoint_every()
    wakeups = StoreWakeups(database_url)
    while not stopping.is_set():
        try:
            await ensure_audit_stream(js, replicas)
            await wakeups.start()
            while not stopping.is_set():
                await sign_due_checkpoints(engine, signer, every)
                await publish_pending_checkpoints(engine, js)
                await wakeups.wait(5.0, gather=CHECKPOINT_GATHER_SECONDS)
        except (OSError, asyncpg.PostgresError, DBAPIError, nats.errors.Error, TimeoutError) as exc:
            log.warning("checkpointer interrupted", extra={"error": type(exc).__name__})
            await asyncio.sleep(1.0)
        finally:
            await wakeups.close()
