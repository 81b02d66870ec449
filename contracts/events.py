"""Every event the pipeline records, each with a stable type name and schema version."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.submission import HowKnown


class EventModel(BaseModel):
    """Base of every event payload: frozen, strict about unknown fields, typed by name not path."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1


class SealedPayload(BaseModel):
    """Personal data encrypted by intake: AES-256-GCM under the submission's own data key."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    algorithm: str = "AES-256-GCM"
    key_id: UUID
    nonce: str = Field(description="base64")
    ciphertext: str = Field(description="base64, tag appended")


class SubmissionReceived(EventModel):
    event_type: ClassVar[str] = "SubmissionReceived"
    reference: str
    received_at: datetime
    review_due_at: datetime
    sealed: SealedPayload


class Redaction(BaseModel):
    """One span of the original text that a product does not carry, and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    type: str
    start: int
    end: int


class SanitisedText(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    text: str
    redactions: list[Redaction] = Field(default_factory=list)


class LinkedIdentifier(BaseModel):
    """An identifier found in the text (vehicle, phone, handle, name), as a keyed digest only."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    type: str
    digest: str


class SourceContext(BaseModel):
    """What grading needs to know about how the source knows, with identifiers removed."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    how_known: str
    how_known_choice: HowKnown | None = None
    when_known: str
    shared_with: str
    can_recontact: bool | None = None
    source_is_reporter: bool = False


class Sanitised(EventModel):
    event_type: ClassVar[str] = "Sanitised"
    reference: str
    source_ref: str
    intelligence_log: SanitisedText
    partnership_summary: SanitisedText
    redaction_counts: dict[str, int]
    location: str
    occurred_at: datetime | None = None
    occurred_text: str | None = None
    source_context: SourceContext
    sanitiser_version: str
    linked_identifiers: list[LinkedIdentifier] = Field(default_factory=list)
    received_at: datetime | None = None  # when intake accepted it (absent from events recorded before it was added)


class Priority(StrEnum):
    HIGH = "HIGH"
    NORMAL = "NORMAL"
    CRIME_NOT_INTEL = "CRIME_NOT_INTEL"


class GradeReason(BaseModel):
    """A rule that fired, in words an analyst can check, with the text it matched."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    rule_id: str
    text: str
    evidence: list[str] = Field(default_factory=list)


class Graded(EventModel):
    event_type: ClassVar[str] = "Graded"
    reference: str
    priority: Priority
    categories: list[str]
    source_evaluation: str | None = None
    intelligence_assessment: str | None = None
    handling_code: str | None = None
    reasons: list[GradeReason]
    policy_version: str


class AlertDispatched(EventModel):
    event_type: ClassVar[str] = "AlertDispatched"
    reference: str
    alert_id: UUID
    channel: str
    priority: Priority
    subject: str
    escalation: bool = False


class MessageDeadLettered(EventModel):
    """A message a consumer could not process; its payload is kept only as a digest."""

    event_type: ClassVar[str] = "MessageDeadLettered"
    consumer: str
    subject: str
    message_id: str | None = None
    stream_sequence: int | None = None
    deliveries: int
    reason: str
    error: str
    payload_sha256: str
    payload_size: int


class GradeReviewed(EventModel):
    """An analyst or supervisor confirmed or changed the proposed grading, with a rationale."""

    event_type: ClassVar[str] = "GradeReviewed"
    reference: str
    reviewer: str
    role: str
    priority: Priority
    categories: list[str]
    source_evaluation: str
    intelligence_assessment: str
    handling_code: str
    rationale: str
    previous_priority: Priority | None = None
    changed: bool


class ReviewDeadlineBreached(EventModel):
    """No review was recorded by review_due_at; recorded once per submission."""

    event_type: ClassVar[str] = "ReviewDeadlineBreached"
    reference: str
    review_due_at: datetime
    detected_at: datetime


class SubmissionStatusChanged(EventModel):
    """An analyst's change of a submission's handling: assigned to a team, closed, or reclassified."""

    event_type: ClassVar[str] = "SubmissionStatusChanged"
    reference: str
    action: str = Field(description="assigned | closed | reclassified")
    team: str | None = None
    outcome: str | None = None
    priority: Priority | None = None
    reason: str
    changed_by: str


class AlertDelivered(EventModel):
    event_type: ClassVar[str] = "AlertDelivered"
    reference: str
    alert_id: UUID
    endpoint: str
    status_code: int
    latency_ms: int
    attempts: int


class AlertDeliveryFailed(EventModel):
    event_type: ClassVar[str] = "AlertDeliveryFailed"
    reference: str
    alert_id: UUID
    endpoint: str
    attempts: int
    error: str


class AlertAcknowledged(EventModel):
    event_type: ClassVar[str] = "AlertAcknowledged"
    reference: str
    alert_id: UUID
    acknowledged_by: str
    acknowledged_at: datetime


class AlertEscalated(EventModel):
    """A HIGH alert not acknowledged in time: pushed again, flagged as an escalation."""

    event_type: ClassVar[str] = "AlertEscalated"
    reference: str
    alert_id: UUID
    escalation_number: int
    unacknowledged_since: datetime


class SourceDetailsAccessed(EventModel):
    """Someone with the source_handler role read the reporter's and source's details, and why."""

    event_type: ClassVar[str] = "SourceDetailsAccessed"
    reference: str
    accessed_by: str
    role: str
    reason: str


class SubmissionErased(EventModel):
    """The submission's data key was destroyed: its raw personal data is unreadable everywhere."""

    event_type: ClassVar[str] = "SubmissionErased"
    reference: str
    key_id: UUID
    reason: str
    erased_by: str


class AuditCheckpointSigned(EventModel):
    """An Ed25519 signature over a position and the chain hash there, also published to JetStream."""

    event_type: ClassVar[str] = "AuditCheckpointSigned"
    position: int
    chain_hash: str
    signature: str
    signing_key_id: str


EVENT_TYPES: dict[str, type[EventModel]] = {
    model.event_type: model
    for model in (
        SubmissionReceived,
        Sanitised,
        Graded,
        GradeReviewed,
        ReviewDeadlineBreached,
        SubmissionStatusChanged,
        AlertDispatched,
        AlertDelivered,
        AlertDeliveryFailed,
        AlertAcknowledged,
        AlertEscalated,
        SourceDetailsAccessed,
        SubmissionErased,
        AuditCheckpointSigned,
        MessageDeadLettered,
    )
}


class UnknownEventType(ValueError):
    """A stored or received event names a type this code does not know."""


def parse_payload(event_type: str, payload: dict[str, Any]) -> EventModel:
    """Turn a stored payload back into its model."""
    try:
        model = EVENT_TYPES[event_type]
    except KeyError:
        raise UnknownEventType(event_type) from None
    return model.model_validate(payload)


class EventEnvelope(BaseModel):
    """A recorded event: where it stands in the store, what caused it and who did it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    event_id: UUID
    type: str
    schema_version: int
    stream_id: str
    stream_version: int
    position: int
    recorded_at: datetime
    causation_id: UUID | None = None
    correlation_id: str
    actor: str
    trace_context: dict[str, str] = Field(default_factory=dict)
    payload: dict[str, Any]

    def event(self) -> EventModel:
        return parse_payload(self.type, self.payload)
