"""NATS subject and stream names: the one place they are spelt."""

EVENTS_STREAM = "CPI_EVENTS"
EVENTS_SUBJECT_PREFIX = "cpi.events"
CONTROL_ROOM_STREAM = "CPI_CONTROL_ROOM"
CONTROL_ROOM_SUBJECT_PREFIX = "cpi.control_room"

AUDIT_STREAM = "CPI_AUDIT"
AUDIT_SUBJECT = "cpi.audit.checkpoints"

HIGH_CHANNEL = "high"
CRIME_CHANNEL = "crime"


def event_subject(event_type: str) -> str:
    return f"{EVENTS_SUBJECT_PREFIX}.{event_type}"


def control_room_subject(channel: str) -> str:
    return f"{CONTROL_ROOM_SUBJECT_PREFIX}.{channel}"


def submission_stream_id(reference: str) -> str:
    return f"submission-{reference}"
