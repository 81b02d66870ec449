"""PostgreSQL stopped mid-flow: intake answers 503 with Retry-After, never 500, and accepts again by itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from chaos.faults import stop_postgres
from chaos.scenario import run_phase
from chaos.stack import ChaosStack


@pytest.fixture
def chaos_stack(tmp_path: Path) -> Iterator[ChaosStack]:
    """A stack with its own PostgreSQL and nats-server, so the test may stop them."""
    stack = ChaosStack.start(tmp_path / "stack")
    try:
        yield stack
    finally:
        stack.stop()


def test_postgres_down_for_five_seconds_gives_503s_then_every_accepted_submission_graded_once(
    chaos_stack: ChaosStack,
) -> None:
    outcome = run_phase(chaos_stack, stop_postgres(5.0), count=150, rate=20, key_prefix="pg")

    assert outcome.outage is not None
    assert outcome.outage.refused_503 > 0, "intake accepted while PostgreSQL was down"
    assert outcome.outage.with_retry_after == outcome.outage.refused_503, "a 503 without Retry-After"
    assert outcome.outage.server_errors == 0, "intake answered 500"
    assert outcome.outage.accepted_after_recovery, "intake did not accept again without a restart"
    verdict = outcome.verdict
    assert verdict.accepted == 150 and outcome.drive.given_up == 0 and outcome.drive.refused == 0
    assert (verdict.lost, verdict.duplicates) == (0, 0)
    assert (verdict.alerts_missing, verdict.alert_duplicates) == (0, 0)
    assert verdict.audit_clean, "cpi audit verify failed"
    assert verdict.projection_identical, "the triage view differs from a fresh rebuild"
    assert not outcome.ledger.dead_letters
