"""Sanitised → Graded, under the policy loaded at start-up."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.events import EventEnvelope, Graded, Sanitised
from services.common.consumer import Outcome, follow_on
from services.grader.domain import grade
from services.grader.policy import Policy


async def grade_submission(conn: AsyncConnection, envelope: EventEnvelope, policy: Policy) -> Outcome:
    sanitised = envelope.event()
    assert isinstance(sanitised, Sanitised)
    decision = grade(sanitised, policy)
    return follow_on(envelope, "grader", Graded(reference=sanitised.reference, **asdict(decision)))
