"""What the store recorded, read once: per submission how often each step happened and when it was graded."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import text

from eventstore.database import create_engine

FLOW_TYPES = ("SubmissionReceived", "Sanitised", "Graded")


@dataclass(frozen=True)
class DeadLetter:
    consumer: str
    subject: str
    message_id: str | None
    reason: str
    error: str


@dataclass
class Ledger:
    counts: dict[str, Counter[str]] = field(default_factory=dict)  # event type → reference → how many
    graded_at: dict[str, float] = field(default_factory=dict)  # reference → first Graded, wall clock seconds
    priorities: dict[str, str] = field(default_factory=dict)  # reference → first graded priority
    alerts: Counter[str] = field(default_factory=Counter)  # reference → AlertDispatched (not escalations)
    dead_letters: list[DeadLetter] = field(default_factory=list)

    def count(self, event_type: str) -> Counter[str]:
        return self.counts.get(event_type, Counter())

    def pushed_priorities(self) -> set[str]:
        """References whose grading goes to the control room (HIGH and crime)."""
        return {reference for reference, priority in self.priorities.items() if priority != "NORMAL"}


async def read_ledger(database_url: str) -> Ledger:
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    text(
                        "SELECT type, correlation_id, recorded_at, payload->>'priority' AS priority, "
                        "coalesce((payload->>'escalation')::boolean, false) AS escalation, "
                        "payload->>'consumer' AS consumer, payload->>'subject' AS subject, "
                        "payload->>'message_id' AS message_id, payload->>'reason' AS reason, "
                        "payload->>'error' AS error "
                        "FROM events WHERE type IN ('SubmissionReceived', 'Sanitised', 'Graded', "
                        "'AlertDispatched', 'MessageDeadLettered') ORDER BY position"
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    ledger = Ledger()
    counts: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        if row.type == "MessageDeadLettered":
            ledger.dead_letters.append(DeadLetter(row.consumer, row.subject, row.message_id, row.reason, row.error))
            continue
        if row.type == "AlertDispatched":
            if not row.escalation:
                ledger.alerts[row.correlation_id] += 1
            continue
        counts[row.type][row.correlation_id] += 1
        if row.type == "Graded" and row.correlation_id not in ledger.graded_at:
            ledger.graded_at[row.correlation_id] = row.recorded_at.timestamp()
            ledger.priorities[row.correlation_id] = row.priority
    ledger.counts = dict(counts)
    return ledger
