"""Pure judgement of one chaos phase: what was accepted against what the store recorded, and the table."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from chaos.ledger import FLOW_TYPES, Ledger


@dataclass(frozen=True)
class FaultWindow:
    name: str
    started_at: float  # wall clock, when the fault was injected
    recovered_at: float  # wall clock, when the recovery action (restart) returned


@dataclass(frozen=True)
class PhaseVerdict:
    fault: str
    accepted: int
    graded: int
    duplicates: int
    lost: int
    alerts_expected: int
    alerts_missing: int
    alert_duplicates: int
    server_errors: int  # 5xx other than 503
    refused_503: int
    not_accepted: int  # submissions the driver never got a 202 for (refused, or given up after retrying)
    first_graded_after: float | None  # seconds from the fault to the first Graded recorded once it was undone
    drained_after: float | None  # seconds from the fault until all accepted before recovery were graded
    audit_clean: bool | None = None
    projection_identical: bool | None = None

    @property
    def passed(self) -> bool:
        return (
            self.duplicates == 0
            and self.lost == 0
            and self.alerts_missing == 0
            and self.alert_duplicates == 0
            and self.server_errors == 0
            and self.not_accepted == 0
            and self.audit_clean is not False
            and self.projection_identical is not False
        )


def judge(
    window: FaultWindow,
    accepted: Sequence[tuple[str, float]],
    ledger: Ledger,
    statuses: Iterable[int],
    not_accepted: int = 0,
) -> PhaseVerdict:
    """`accepted` is (reference, accepted_at) for every 202 of the phase; `statuses` every answer it got."""
    references = [reference for reference, _ in accepted]
    graded = [reference for reference in references if reference in ledger.graded_at]
    duplicated = {
        reference for event_type in FLOW_TYPES for reference in references if ledger.count(event_type)[reference] > 1
    }
    pushed = {reference for reference in graded if ledger.priorities.get(reference) != "NORMAL"}
    after_fault = [at for at in ledger.graded_at.values() if at >= window.recovered_at]
    before_recovery = [ledger.graded_at.get(reference) for reference, at in accepted if at <= window.recovered_at]
    drained = None
    if before_recovery and all(at is not None for at in before_recovery):
        drained = max(max(at for at in before_recovery if at is not None) - window.started_at, 0.0)
    status_list = list(statuses)
    return PhaseVerdict(
        fault=window.name,
        accepted=len(references),
        graded=len(graded),
        duplicates=len(duplicated) + sum(1 for reference in pushed if ledger.alerts[reference] > 1),
        lost=len(references) - len(graded),
        alerts_expected=len(pushed),
        alerts_missing=sum(1 for reference in pushed if ledger.alerts[reference] == 0),
        alert_duplicates=sum(1 for reference in pushed if ledger.alerts[reference] > 1),
        server_errors=sum(1 for status in status_list if status >= 500 and status != 503),
        refused_503=sum(1 for status in status_list if status == 503),
        not_accepted=not_accepted,
        first_graded_after=(min(after_fault) - window.started_at) if after_fault else None,
        drained_after=drained,
    )


def unaccounted(all_accepted: Iterable[str], ledger: Ledger) -> set[str]:
    """Submissions recorded by intake that no client was ever told were accepted."""
    return set(ledger.count("SubmissionReceived")) - set(all_accepted)


COLUMNS = (
    ("fault", 26),
    ("accepted", 8),
    ("no 202", 6),
    ("graded", 7),
    ("dupes", 5),
    ("lost", 4),
    ("alerts", 7),
    ("503s", 5),
    ("5xx", 4),
    ("1st graded", 10),
    ("drained", 8),
    ("audit", 5),
    ("rebuild", 7),
    ("ok", 4),
)


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} s"


def _flag(value: bool | None) -> str:
    return "-" if value is None else ("ok" if value else "FAIL")


def render_table(verdicts: Sequence[PhaseVerdict]) -> str:
    """A fixed-width table, one row per phase."""
    header = " ".join(name.ljust(width) for name, width in COLUMNS)
    lines = [header, "-" * len(header)]
    for verdict in verdicts:
        cells = (
            verdict.fault,
            str(verdict.accepted),
            str(verdict.not_accepted),
            str(verdict.graded),
            str(verdict.duplicates),
            str(verdict.lost),
            f"{verdict.alerts_expected - verdict.alerts_missing}/{verdict.alerts_expected}",
            str(verdict.refused_503),
            str(verdict.server_errors),
            _seconds(verdict.first_graded_after),
            _seconds(verdict.drained_after),
            _flag(verdict.audit_clean),
            _flag(verdict.projection_identical),
            "yes" if verdict.passed else "NO",
        )
        lines.append(" ".join(cell.ljust(width) for cell, (_, width) in zip(cells, COLUMNS, strict=True)))
    return "\n".join(lines)
