"""Writes the published contracts: JSON Schema of every model and an AsyncAPI document from FastStream."""

from __future__ import annotations

import json
from pathlib import Path

from faststream.nats import NatsBroker
from faststream.specification import AsyncAPI
from pydantic import BaseModel

from contracts.alerts import ControlRoomAlert
from contracts.events import EVENT_TYPES, EventEnvelope
from contracts.subjects import CRIME_CHANNEL, HIGH_CHANNEL, control_room_subject, event_subject
from contracts.submission import Submission

CONSUMERS = {"sanitiser": "SubmissionReceived", "grader": "Sanitised", "notifier": "Graded"}


def asyncapi_document() -> str:
    """The event flow as AsyncAPI 3: who publishes and consumes which subject, with payload schemas."""
    broker = NatsBroker()
    for event_type in EVENT_TYPES:
        broker.publisher(
            event_subject(event_type),
            title=f"relay:{event_type}",
            schema=EventEnvelope,
            description=f"{event_type} events relayed from the store, payload schema "
            f"v{EVENT_TYPES[event_type].schema_version}",
        )
    for channel in (HIGH_CHANNEL, CRIME_CHANNEL):
        broker.publisher(control_room_subject(channel), title=f"notifier:{channel}", schema=ControlRoomAlert)
    for consumer, event_type in CONSUMERS.items():

        async def consume(envelope: EventEnvelope) -> None:
            """Consumes envelopes; the store records the effect once."""

        broker.subscriber(event_subject(event_type), title=f"{consumer}:{event_type}")(consume)
    spec = AsyncAPI(broker, title="CPI pipeline events", version="1.0.0").to_specification()
    return str(spec.to_json())


def export_contracts(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    models: dict[str, type[BaseModel]] = {
        "Submission": Submission,
        "EventEnvelope": EventEnvelope,
        "ControlRoomAlert": ControlRoomAlert,
        **EVENT_TYPES,
    }
    written = []
    for name, model in models.items():
        path = folder / f"{name}.schema.json"
        path.write_text(json.dumps(model.model_json_schema(), indent=2) + "\n")
        written.append(path)
    asyncapi = folder / "asyncapi.json"
    asyncapi.write_text(json.dumps(json.loads(asyncapi_document()), indent=2) + "\n")
    written.append(asyncapi)
    return written
