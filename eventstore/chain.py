"""The hash chain: each row's SHA-256 covers the previous row's hash, its place and its own canonical content.

A link is `sha256(previous ‖ position ‖ stream_version ‖ sha256(content))`, the two numbers as 8-byte
big-endian integers and `content` every other envelope field in one unambiguous spelling. The content
digest is computed by the writer before it takes the store's lock; the database forms the link (see
`cpi_append` in the migrations) once the position is known, and every verifier recomputes it here.
"""

from __future__ import annotations

import hashlib
import json
import struct
from datetime import UTC, datetime
from typing import Any

from contracts.events import EventEnvelope

GENESIS_HASH = bytes(32)
_PLACE = struct.Struct(">qq")


def canonical_content(envelope: EventEnvelope) -> bytes:
    """The bytes the content digest covers: every envelope field except its position and stream version."""
    content: dict[str, Any] = {
        "event_id": str(envelope.event_id),
        "type": envelope.type,
        "schema_version": envelope.schema_version,
        "stream_id": envelope.stream_id,
        "recorded_at": canonical_time(envelope.recorded_at),
        "causation_id": str(envelope.causation_id) if envelope.causation_id else None,
        "correlation_id": envelope.correlation_id,
        "actor": envelope.actor,
        "trace_context": envelope.trace_context,
        "payload": envelope.payload,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def canonical_time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def content_digest(envelope: EventEnvelope) -> bytes:
    return hashlib.sha256(canonical_content(envelope)).digest()


def link_hash(previous: bytes, position: int, stream_version: int, digest: bytes) -> bytes:
    """One link of the chain, as the database computes it."""
    return hashlib.sha256(previous + _PLACE.pack(position, stream_version) + digest).digest()


def chain_hash(previous: bytes, envelope: EventEnvelope) -> bytes:
    return link_hash(previous, envelope.position, envelope.stream_version, content_digest(envelope))
