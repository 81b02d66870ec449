"""The hash chain: each row's SHA-256 covers the previous row's hash and its own canonical content."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from contracts.events import EventEnvelope

GENESIS_HASH = bytes(32)


def canonical_content(envelope: EventEnvelope) -> bytes:
    """The bytes the hash covers: every envelope field, in one unambiguous spelling."""
    content: dict[str, Any] = {
        "event_id": str(envelope.event_id),
        "type": envelope.type,
        "schema_version": envelope.schema_version,
        "stream_id": envelope.stream_id,
        "stream_version": envelope.stream_version,
        "position": envelope.position,
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


def chain_hash(previous: bytes, envelope: EventEnvelope) -> bytes:
    return hashlib.sha256(previous + canonical_content(envelope)).digest()
