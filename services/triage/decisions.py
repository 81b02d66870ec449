"""Analysts' decisions on a submission — reviews and status changes — as events with a reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.events import EventModel, Graded, GradeReviewed, Priority, SubmissionStatusChanged
from contracts.subjects import submission_stream_id
from contracts.submission import refuse_control_characters
from eventstore.store import NewEvent, append_events, read_stream
from services.common.auth import Principal

# NUL and other control characters are refused per field (PostgreSQL's jsonb cannot even hold a NUL).
NoControl = AfterValidator(refuse_control_characters)
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=2_000), NoControl]
Category = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]{1,39}$")]
TeamName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=80), NoControl]


class DecisionError(Exception):
    """A decision that cannot be recorded; `status` is the HTTP status it maps to."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class ReviewRequest(BaseModel):
    """Confirm or change the proposed grading; the rationale is mandatory."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    priority: Priority
    categories: list[Category] = Field(min_length=1, max_length=12)
    source_evaluation: Literal["1", "2", "3"]
    intelligence_assessment: Literal["A", "B", "C", "D", "E"]
    handling_code: Literal["P", "C"]
    rationale: Reason


class StatusChangeRequest(BaseModel):
    """Assign to a team, close with an outcome, or reclassify crime ↔ intelligence; always with a reason."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    action: Literal["assigned", "closed", "reclassified"]
    team: TeamName | None = None
    outcome: Reason | None = None
    priority: Literal[Priority.NORMAL, Priority.CRIME_NOT_INTEL] | None = None
    reason: Reason

    @model_validator(mode="after")
    def needs_what_the_action_needs(self) -> StatusChangeRequest:
        required = {"assigned": "team", "closed": "outcome", "reclassified": "priority"}[self.action]
        if getattr(self, required) is None:
            raise ValueError(f"'{self.action}' needs '{required}'")
        return self


def _latest_grading(events: list[EventModel]) -> Graded | GradeReviewed | None:
    for event in reversed(events):
        if isinstance(event, Graded | GradeReviewed):
            return event
    return None


def review_event(
    reference: str, request: ReviewRequest, latest: Graded | GradeReviewed, by: Principal
) -> GradeReviewed:
    """Pure: the GradeReviewed a request makes, marked `changed` when anything differs from the latest grading."""
    fields = ("priority", "categories", "source_evaluation", "intelligence_assessment", "handling_code")
    changed = any(getattr(request, name) != getattr(latest, name) for name in fields)
    return GradeReviewed(
        reference=reference,
        reviewer=by.subject,
        role=sorted(by.roles)[0],
        priority=request.priority,
        categories=list(request.categories),
        source_evaluation=request.source_evaluation,
        intelligence_assessment=request.intelligence_assessment,
        handling_code=request.handling_code,
        rationale=request.rationale,
        previous_priority=latest.priority,
        changed=changed,
    )


DecideFn = Callable[[list[EventModel]], EventModel]


async def _record(engine: AsyncEngine, reference: str, by: Principal, decide: DecideFn) -> EventModel:
    stream_id = submission_stream_id(reference)
    async with engine.begin() as conn:
        history = await read_stream(conn, stream_id)
        if not history:
            raise DecisionError(404, "no submission with that reference")
        event = decide([envelope.event() for envelope in history])
        # Appended at the version just read: a decision made on a stale view is refused, not merged.
        await append_events(
            conn,
            stream_id,
            [NewEvent(event, stream_id, correlation_id=reference, actor=by.subject)],
            expected_version=history[-1].stream_version,
        )
    return event


async def record_review(engine: AsyncEngine, reference: str, request: ReviewRequest, by: Principal) -> EventModel:
    def decide(events: list[EventModel]) -> EventModel:
        latest = _latest_grading(events)
        if latest is None:
            raise DecisionError(409, "this submission has not been graded yet")
        return review_event(reference, request, latest, by)

    return await _record(engine, reference, by, decide)


async def record_status_change(
    engine: AsyncEngine, reference: str, request: StatusChangeRequest, by: Principal
) -> EventModel:
    def decide(events: list[EventModel]) -> EventModel:
        return SubmissionStatusChanged(
            reference=reference,
            action=request.action,
            team=request.team,
            outcome=request.outcome,
            priority=request.priority,
            reason=request.reason,
            changed_by=by.subject,
        )

    return await _record(engine, reference, by, decide)
