"""Pure escalation timing: a HIGH alert unacknowledged for an interval is escalated, then again each interval."""

from __future__ import annotations

from datetime import datetime, timedelta

from contracts.events import Priority


def first_escalation_at(priority: Priority, dispatched_at: datetime, interval_seconds: float) -> datetime | None:
    """Only HIGH alerts escalate."""
    return dispatched_at + timedelta(seconds=interval_seconds) if priority == Priority.HIGH else None


def next_escalation_at(escalated_at: datetime, interval_seconds: float) -> datetime:
    """Counted from the last push, so an outage does not release a burst of escalations at once."""
    return escalated_at + timedelta(seconds=interval_seconds)


def escalation_key(escalation_number: int) -> str:
    """Part of the deterministic event id of the n-th escalation."""
    return f"escalation:{escalation_number}"
