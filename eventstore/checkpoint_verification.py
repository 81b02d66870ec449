"""Checks published checkpoints against a chain recomputed from the rows, so a consistent rewrite is caught."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.subjects import AUDIT_STREAM
from eventstore.chain import GENESIS_HASH, chain_hash
from eventstore.checkpoint_signing import checkpoint_message, signature_is_valid
from eventstore.store import _COLUMNS, envelope_from_row


@dataclass(frozen=True)
class PublishedCheckpoint:
    position: int
    chain_hash: str
    signature: str
    signing_key_id: str


@dataclass(frozen=True)
class CheckpointReport:
    checked: int
    broken_at: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


async def published_checkpoints(js: JetStreamContext) -> list[PublishedCheckpoint]:
    """Every message of the audit stream, in order (the stream refuses deletes, so there are no gaps)."""
    try:
        info = await js.stream_info(AUDIT_STREAM)
    except NotFoundError:
        return []
    found: list[PublishedCheckpoint] = []
    if info.state.messages == 0:
        return found
    for sequence in range(info.state.first_seq, info.state.last_seq + 1):
        message = await js.get_msg(AUDIT_STREAM, sequence)
        body = json.loads(message.data or b"{}")
        found.append(
            PublishedCheckpoint(
                int(body["position"]), str(body["chain_hash"]), str(body["signature"]), str(body["signing_key_id"])
            )
        )
    return found


async def recomputed_chain_hashes(
    conn: AsyncConnection, positions: Sequence[int], batch: int = 5_000
) -> dict[int, bytes]:
    """The chain hash at each wanted position, from the rows' content alone (stored hashes are ignored)."""
    wanted = set(positions)
    if not wanted:
        return {}
    last = max(wanted)
    hashes: dict[int, bytes] = {}
    previous = GENESIS_HASH
    after = 0
    while after < last:
        rows = (
            await conn.execute(
                text(
                    f"SELECT {_COLUMNS} FROM events WHERE position > :after AND position <= :last "  # nosec B608 # constants only, values bound
                    "ORDER BY position LIMIT :n"
                ),
                {"after": after, "last": last, "n": batch},
            )
        ).all()
        if not rows:
            break
        for row in rows:
            previous = chain_hash(previous, envelope_from_row(row))
            if row.position in wanted:
                hashes[int(row.position)] = previous
        after = int(rows[-1].position)
    return hashes


def _signature_bytes(checkpoint: PublishedCheckpoint) -> tuple[bytes, bytes] | None:
    try:
        return bytes.fromhex(checkpoint.chain_hash), base64.b64decode(checkpoint.signature, validate=True)
    except (ValueError, binascii.Error):
        return None


async def verify_published_checkpoints(
    conn: AsyncConnection, checkpoints: Sequence[PublishedCheckpoint], public_keys: Mapping[str, Ed25519PublicKey]
) -> CheckpointReport:
    """Each checkpoint's signature must verify and its hash equal the chain recomputed at its position."""
    recomputed = await recomputed_chain_hashes(conn, [c.position for c in checkpoints])
    checked = 0
    for checkpoint in sorted(checkpoints, key=lambda c: c.position):
        decoded = _signature_bytes(checkpoint)
        if decoded is None:
            return CheckpointReport(checked, checkpoint.position, "the checkpoint is malformed")
        published_hash, signature = decoded
        message = checkpoint_message(checkpoint.position, published_hash)
        if checkpoint.signing_key_id not in public_keys:
            return CheckpointReport(checked, checkpoint.position, f"unknown signing key {checkpoint.signing_key_id!r}")
        if not signature_is_valid(public_keys, checkpoint.signing_key_id, message, signature):
            return CheckpointReport(checked, checkpoint.position, "the checkpoint's signature does not verify")
        actual = recomputed.get(checkpoint.position)
        if actual is None:
            return CheckpointReport(checked, checkpoint.position, "the store no longer reaches this checkpoint")
        if actual != published_hash:
            return CheckpointReport(
                checked, checkpoint.position, "the recomputed chain differs from the signed checkpoint"
            )
        checked += 1
    return CheckpointReport(checked)
