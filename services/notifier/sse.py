"""Server-Sent Events framing: id (the store position), event name, one JSON data line; keep-alive comments."""

from __future__ import annotations

import json
from typing import Any

KEEP_ALIVE = ": keep-alive\n\n"
RETRY_MILLISECONDS = 2000

SSE_EVENT_NAMES = {"AlertDispatched": "alert", "AlertEscalated": "escalation", "AlertAcknowledged": "acknowledged"}


class BadLastEventId(ValueError):
    """Last-Event-ID is not a store position."""


def sse_message(position: int, event: str, data: dict[str, Any]) -> str:
    # json.dumps never emits a raw newline, so the data stays on one line.
    return f"id: {position}\nevent: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def stream_preamble() -> str:
    return f"retry: {RETRY_MILLISECONDS}\n: connected\n\n"


def resume_position(last_event_id: str | None, after: int | None) -> int:
    """Where to resume: Last-Event-ID (a reconnecting client) wins over ?after= (a page's first connect)."""
    if last_event_id is not None and last_event_id.strip():
        value = last_event_id.strip()
        if not value.isdigit() or len(value) > 18:
            raise BadLastEventId("Last-Event-ID must be a store position (a non-negative integer)")
        return int(value)
    return after or 0
