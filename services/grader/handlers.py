"""Sanitised → Graded, under the policy loaded at start-up."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.events import EventEnvelope, Graded, Sanitised
from eventstore.store import first_recorded_at
from services.common.consumer import Outcome, follow_on
from services.common.telemetry import meter
from services.grader.domain import grade
from services.grader.policy import Policy

GRADED = meter("cpi.grader").create_counter("cpi_submissions_graded", description="Gradings by priority and category")
RECEIPT_TO_GRADED = meter("cpi.grader").create_histogram(
    "cpi_receipt_to_graded_seconds", unit="s", description="From intake accepting the submission to its grading"
)


async def grade_submission(conn: AsyncConnection, envelope: EventEnvelope, policy: Policy) -> Outcome:
    sanitised = envelope.event()
    assert isinstance(sanitised, Sanitised)  # nosec B101 # type narrowing for mypy
    decision = grade(sanitised, policy)
    for category in decision.categories:
        GRADED.add(1, {"priority": decision.priority.value, "category": category})
    received = sanitised.received_at or await first_recorded_at(conn, envelope.stream_id)
    RECEIPT_TO_GRADED.record((datetime.now(UTC) - received).total_seconds())
    return follow_on(envelope, "grader", Graded(reference=sanitised.reference, **asdict(decision)))
