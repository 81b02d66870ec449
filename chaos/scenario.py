"""One chaos phase: a paced run of submissions, a fault at a random moment, then drain and judge."""

from __future__ import annotations

import asyncio
import random
import threading
import time
from dataclasses import dataclass, field

from chaos.driver import DriveResult, drive
from chaos.faults import Fault
from chaos.ledger import Ledger, read_ledger
from chaos.stack import ChaosStack, cpi_command
from chaos.verdict import FaultWindow, PhaseVerdict, judge


@dataclass(frozen=True)
class OutageAnswers:
    """How intake answered while the store was down, and whether it accepted again afterwards."""

    refused_503: int
    with_retry_after: int
    server_errors: int
    accepted_after_recovery: bool

    @property
    def passed(self) -> bool:
        return (
            self.refused_503 > 0
            and self.refused_503 == self.with_retry_after
            and self.server_errors == 0
            and (self.accepted_after_recovery)
        )


@dataclass
class PhaseOutcome:
    verdict: PhaseVerdict
    drive: DriveResult
    window: FaultWindow
    ledger: Ledger
    outage: OutageAnswers | None = None
    notes: list[str] = field(default_factory=list)


def run_phase(
    stack: ChaosStack,
    fault: Fault | None,
    *,
    count: int,
    rate: float,
    key_prefix: str,
    drain_timeout: float = 240.0,
    verify: bool = True,
) -> PhaseOutcome:
    """Drive `count` submissions at `rate`/s; inject `fault` between 20 % and 60 % of the way through."""
    outcome: list[DriveResult] = []
    driver = threading.Thread(
        target=lambda: outcome.append(asyncio.run(drive(stack.urls("intake"), count, rate, key_prefix=key_prefix))),
        name=f"driver-{key_prefix}",
        daemon=True,  # an interrupted run does not wait for its retries
    )
    started = time.time()
    driver.start()
    if fault is None:
        window = FaultWindow("no fault", started, started)
    else:
        time.sleep(random.uniform(0.2, 0.6) * count / rate)  # noqa: S311 - a moment, not a secret
        window = fault.run(stack)
    driver.join()
    result = outcome[0]
    ledger = wait_drained(stack.database_url, result.references, drain_timeout)
    accepted = [(a.reference, a.accepted_at) for a in result.accepted]
    verdict = judge(window, accepted, ledger, _statuses(result), result.refused + result.given_up)
    if verify:
        verdict = _with_store_checks(stack, verdict)
    return PhaseOutcome(verdict, result, window, ledger, _outage_answers(result, window))


def _statuses(result: DriveResult) -> list[int]:
    return [answer.status for answer in result.answers]


def wait_drained(database_url: str, references: list[str], timeout: float) -> Ledger:
    """Poll the store until every reference is graded and every control-room grading pushed (or timeout)."""
    wanted = set(references)
    deadline = time.monotonic() + timeout
    while True:
        ledger = asyncio.run(read_ledger(database_url))
        graded = wanted <= ledger.graded_at.keys()
        pushed = {ref for ref in ledger.pushed_priorities() if ref in wanted} <= set(ledger.alerts)
        if (graded and pushed) or time.monotonic() > deadline:
            if graded and pushed:
                time.sleep(1.0)  # a late duplicate would show up now
                ledger = asyncio.run(read_ledger(database_url))
            return ledger
        time.sleep(0.5)


def _with_store_checks(stack: ChaosStack, verdict: PhaseVerdict) -> PhaseVerdict:
    """`cpi audit verify` and `cpi projections rebuild triage` on the drained store."""
    from dataclasses import replace

    audit_code, _ = cpi_command(stack.database_url, "audit", "verify")
    time.sleep(1.0)  # let the triage projection apply the last events
    rebuild_code, output = cpi_command(stack.database_url, "projections", "rebuild", "triage")
    return replace(
        verdict, audit_clean=audit_code == 0, projection_identical=rebuild_code == 0 and "identical" in output
    )


def _outage_answers(result: DriveResult, window: FaultWindow) -> OutageAnswers | None:
    if not window.name.startswith("PostgreSQL"):
        return None
    during = [a for a in result.answers if window.started_at <= a.at <= window.recovered_at + 1.0]
    return OutageAnswers(
        refused_503=sum(1 for a in during if a.status == 503),
        with_retry_after=sum(1 for a in during if a.status == 503 and a.retry_after),
        server_errors=sum(1 for a in result.answers if a.status >= 500 and a.status != 503),
        accepted_after_recovery=any(a.accepted_at > window.recovered_at for a in result.accepted),
    )
