"""Declares the JetStream streams the pipeline publishes to; safe to run on every start."""

from __future__ import annotations

from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from contracts.subjects import (
    CONTROL_ROOM_STREAM,
    CONTROL_ROOM_SUBJECT_PREFIX,
    EVENTS_STREAM,
    EVENTS_SUBJECT_PREFIX,
)

DUPLICATE_WINDOW_SECONDS = 120.0


def stream_configs(replicas: int = 1) -> list[StreamConfig]:
    common = {
        "retention": RetentionPolicy.LIMITS,
        "storage": StorageType.FILE,
        "discard": DiscardPolicy.OLD,
        "duplicate_window": DUPLICATE_WINDOW_SECONDS,
        "num_replicas": replicas,
        "max_age": 30 * 24 * 3600.0,
    }
    return [
        StreamConfig(name=EVENTS_STREAM, subjects=[f"{EVENTS_SUBJECT_PREFIX}.>"], **common),  # type: ignore[arg-type]
        StreamConfig(name=CONTROL_ROOM_STREAM, subjects=[f"{CONTROL_ROOM_SUBJECT_PREFIX}.>"], **common),  # type: ignore[arg-type]
    ]


async def ensure_streams(js: JetStreamContext, replicas: int = 1) -> None:
    """Create each stream, or bring an existing one to this configuration."""
    for config in stream_configs(replicas):
        try:
            await js.stream_info(config.name or "")
        except NotFoundError:
            await js.add_stream(config)
        else:
            await js.update_stream(config)
