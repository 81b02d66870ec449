"""Two replicas of every service, poison on every consumed subject and the relay leader killed, all at once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from chaos.faults import kill_relay_leader
from chaos.ledger import read_ledger
from chaos.poison import POISONED_SUBJECTS, all_dead_lettered, inject_poison, wait_dead_lettered
from chaos.replicas import every_replica_worked, work_by_replica
from chaos.scenario import run_phase
from chaos.stack import ChaosStack


@pytest.fixture
def two_of_everything(tmp_path: Path) -> Iterator[ChaosStack]:
    stack = ChaosStack.start(tmp_path / "stack", replicas=2)
    try:
        yield stack
    finally:
        stack.stop()


def test_two_replicas_share_the_work_poison_is_dead_lettered_and_a_relay_leader_kill_loses_nothing(
    two_of_everything: ChaosStack,
) -> None:
    stack = two_of_everything
    assert stack.devstack.nats is not None
    injected = asyncio.run(inject_poison(stack.devstack.nats.url))

    outcome = run_phase(stack, kill_relay_leader(), count=150, rate=20, key_prefix="replicas")

    verdict = outcome.verdict
    assert verdict.accepted == 150 and verdict.server_errors == 0
    assert (verdict.lost, verdict.duplicates) == (0, 0)
    assert (verdict.alerts_missing, verdict.alert_duplicates) == (0, 0)
    assert verdict.audit_clean and verdict.projection_identical
    letters = wait_dead_lettered(stack.database_url, injected)
    assert all_dead_lettered(injected, letters), letters
    assert {poison.event_type for poison in injected} == set(POISONED_SUBJECTS)
    assert all(letter.reason == "undecodable" for letter in letters.values())
    dead_letters = asyncio.run(read_ledger(stack.database_url)).dead_letters
    assert len(dead_letters) == len(injected), "a real message was dead-lettered"
    work = work_by_replica(stack)
    assert every_replica_worked(work), work
