"""What-if: re-grade recorded submissions under another policy, recording nothing, and say what would change."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from contracts.events import EventModel, Graded, Priority, Sanitised
from services.grader.domain import grade
from services.grader.policy import Policy


@dataclass
class ReplayReport:
    policy_version: str
    regraded: int = 0
    unchanged: int = 0
    moves: Counter[tuple[Priority, Priority]] = field(default_factory=Counter)
    changed: dict[str, tuple[Priority, Priority]] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = [
            f"policy {self.policy_version}: {self.regraded} submissions re-graded, "
            f"{self.unchanged} unchanged, {len(self.changed)} would change priority"
        ]
        for (before, after), count in sorted(self.moves.items()):
            out.append(f"  {before.value:>15} → {after.value:<15} {count}")
        for reference, (before, after) in sorted(self.changed.items()):
            out.append(f"  {reference}: {before.value} → {after.value}")
        return out


def replay(history: Iterable[EventModel], policy: Policy) -> ReplayReport:
    """`history` in store order; each submission's latest Sanitised is re-graded against its latest Graded."""
    sanitised: dict[str, Sanitised] = {}
    recorded: dict[str, Priority] = {}
    for event in history:
        if isinstance(event, Sanitised):
            sanitised[event.reference] = event
        elif isinstance(event, Graded):
            recorded[event.reference] = event.priority
    report = ReplayReport(policy.version)
    for reference, event in sanitised.items():
        if reference not in recorded:
            continue
        after = grade(event, policy).priority
        report.regraded += 1
        if after == recorded[reference]:
            report.unchanged += 1
        else:
            report.moves[(recorded[reference], after)] += 1
            report.changed[reference] = (recorded[reference], after)
    return report
