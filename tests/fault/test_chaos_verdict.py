"""The chaos run's judgement and the load run's step rule, on values alone."""

from __future__ import annotations

from collections import Counter

from chaos.driver import _retry_after_seconds
from chaos.ledger import Ledger
from chaos.load import StepResult, percentile
from chaos.verdict import FaultWindow, judge, render_table, unaccounted


def _ledger() -> Ledger:
    return Ledger(
        counts={
            "SubmissionReceived": Counter({"A": 1, "B": 1, "C": 1, "X": 1}),
            "Sanitised": Counter({"A": 1, "B": 2}),
            "Graded": Counter({"A": 1, "B": 1}),
        },
        graded_at={"A": 105.0, "B": 112.0},
        priorities={"A": "HIGH", "B": "NORMAL"},
        alerts=Counter({"A": 2}),
    )


def test_a_phase_counts_lost_duplicated_and_twice_pushed_submissions() -> None:
    verdict = judge(
        FaultWindow("SIGKILL grader", 100.0, 104.0),
        [("A", 99.0), ("B", 101.0), ("C", 103.0)],
        _ledger(),
        [202, 503, 500],
    )

    assert (verdict.accepted, verdict.graded, verdict.lost) == (3, 2, 1)
    assert verdict.duplicates == 2  # B sanitised twice, A pushed twice
    assert (verdict.alerts_expected, verdict.alerts_missing, verdict.alert_duplicates) == (1, 0, 1)
    assert (verdict.refused_503, verdict.server_errors) == (1, 1)
    assert verdict.first_graded_after == 5.0
    assert verdict.drained_after is None  # C, accepted before recovery, was never graded
    assert not verdict.passed
    assert "NO" in render_table([verdict])


def test_a_clean_phase_passes_and_reports_when_the_backlog_drained() -> None:
    verdict = judge(FaultWindow("SIGKILL sanitiser", 100.0, 101.0), [("A", 99.0), ("B", 100.5)], _ledger(), [202, 202])

    assert verdict.drained_after == 12.0
    assert verdict.lost == 0 and verdict.server_errors == 0


def test_submissions_recorded_but_never_acknowledged_are_found() -> None:
    assert unaccounted(["A", "B", "C"], _ledger()) == {"X"}


def test_a_load_step_breaks_down_on_latency_errors_loss_or_falling_behind() -> None:
    good = StepResult(rate=40, sent=600, accepted=600, achieved_rate=39.8, errors=0, lost=0, p50_ms=300, p99_ms=900)
    assert good.holds(2_000)
    assert not StepResult(40, 600, 600, 39.8, 0, 0, 300, 2_500).holds(2_000)
    assert not StepResult(40, 600, 600, 39.8, 3, 0, 300, 900).holds(2_000)
    assert not StepResult(40, 600, 600, 39.8, 0, 1, 300, 900).holds(2_000)
    assert not StepResult(40, 600, 600, 30.0, 0, 0, 300, 900).holds(2_000)


def test_percentiles_and_retry_after_are_read_sensibly() -> None:
    assert percentile([], 0.99) == 0.0
    assert percentile([float(n) for n in range(1, 101)], 0.5) == 51.0
    assert _retry_after_seconds("5") == 5.0
    assert _retry_after_seconds(None) == 1.0
    assert _retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 1.0
    assert _retry_after_seconds("3600") == 10.0
