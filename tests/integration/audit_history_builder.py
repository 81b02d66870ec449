"""Appends a realistic history (received, sanitised, graded) for the audit tests, in few transactions."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.events import Graded, GradeReason, Priority, Sanitised, SanitisedText, SourceContext
from eventstore.store import NewEvent, append_events
from tests.factories import received_event

PRIORITIES = (Priority.HIGH, Priority.NORMAL, Priority.CRIME_NOT_INTEL)


def sanitised_event(reference: str) -> NewEvent:
    event = Sanitised(
        reference=reference,
        source_ref="src-0001",
        intelligence_log=SanitisedText(text="Youths meet pupils at the park gates after school."),
        partnership_summary=SanitisedText(text="Concern about older youths near a school."),
        redaction_counts={"person": 1},
        location="Park gates, Southampton",
        source_context=SourceContext(how_known="saw it", when_known="yesterday", shared_with="nobody"),
        sanitiser_version="test",
    )
    return NewEvent(event, f"submission-{reference}", correlation_id=reference, actor="sanitiser")


def graded_event(reference: str, n: int) -> NewEvent:
    event = Graded(
        reference=reference,
        priority=PRIORITIES[n % 3],
        categories=["exploitation"],
        reasons=[GradeReason(rule_id="r1", text="exploitation words")],
        policy_version="test",
    )
    return NewEvent(event, f"submission-{reference}", correlation_id=reference, actor="grader")


async def append_history(engine: AsyncEngine, submissions: int, *, prefix: str = "CPI-T", per_commit: int = 200) -> int:
    """Each submission is received, sanitised and graded (3 events); returns the number of events."""
    references = [f"{prefix}{n:06d}" for n in range(submissions)]
    for start in range(0, submissions, per_commit):
        async with engine.begin() as conn:
            for n, reference in enumerate(references[start : start + per_commit], start=start):
                events = [received_event(reference, n), sanitised_event(reference), graded_event(reference, n)]
                await append_events(conn, f"submission-{reference}", events, 0)
    return submissions * 3
