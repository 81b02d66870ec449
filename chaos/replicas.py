"""Work done by each replica, read from its own /metrics (handler receipts do not record the replica)."""

from __future__ import annotations

from chaos.stack import ChaosStack, metric_total

# The counter each service moves once per unit of work; the relay and triage have one writer by design.
WORK_COUNTERS = {
    "intake": "cpi_submissions_received_total",
    "sanitiser": "cpi_messages_handled_total",
    "grader": "cpi_messages_handled_total",
    "notifier": "cpi_messages_handled_total",
}


def work_by_replica(stack: ChaosStack) -> dict[str, dict[str, float]]:
    """Service → replica key → its counter since that process started."""
    return {
        name: {key: metric_total(stack.devstack.services[key].url, counter) for key in stack.keys(name)}
        for name, counter in WORK_COUNTERS.items()
    }


def describe_work(work: dict[str, dict[str, float]]) -> list[str]:
    return [
        f"{name:<10} " + "  ".join(f"{key}: {count:.0f}" for key, count in replicas.items())
        for name, replicas in work.items()
    ]


def every_replica_worked(work: dict[str, dict[str, float]]) -> bool:
    return all(count > 0 for replicas in work.values() for count in replicas.values())
