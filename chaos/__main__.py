"""`make chaos`: each fault during its own paced run, then two replicas of everything with poison and a relay kill."""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from chaos.faults import all_faults, kill_relay_leader
from chaos.ledger import read_ledger
from chaos.poison import all_dead_lettered, describe_poison, inject_poison, wait_dead_lettered
from chaos.replicas import describe_work, every_replica_worked, work_by_replica
from chaos.scenario import PhaseOutcome, run_phase
from chaos.stack import ChaosStack
from chaos.verdict import render_table, unaccounted
from cpi.devstack import SERVICES


def main() -> None:
    parser = argparse.ArgumentParser(prog="make chaos")
    parser.add_argument("--submissions", type=int, default=2_000, help="submissions in each fault's run")
    parser.add_argument("--rate", type=float, default=40.0, help="submissions per second, paced")
    parser.add_argument("--postgres-seconds", type=float, default=10.0, help="how long PostgreSQL stays down")
    parser.add_argument("--keep", type=Path, default=None, help="run in this folder and keep its logs")
    parser.add_argument("--only", nargs="*", default=None, help="run only faults whose name contains these words")
    args = parser.parse_args()
    started = time.monotonic()
    outcomes: list[PhaseOutcome] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="cpi-chaos-") as scratch:
        stack = ChaosStack.start(args.keep or Path(scratch))
        try:
            for number, fault in enumerate(all_faults(args.postgres_seconds)):
                if args.only and not any(word.lower() in fault.name.lower() for word in args.only):
                    continue
                if fault.name == "SIGKILL relay leader":
                    _add_replica(stack, "relay")  # the leader is killed, the standby takes over
                print(f"-- {fault.name}", flush=True)
                outcome = run_phase(stack, fault, count=args.submissions, rate=args.rate, key_prefix=f"fault{number}")
                _progress(outcome)
                outcomes.append(outcome)
                if outcome.outage is not None:
                    notes.append(f"PostgreSQL outage, intake's answers: {outcome.outage}")
            notes.extend(_replicas_and_poison(stack, args.submissions, args.rate, outcomes))
            notes.extend(_global_checks(stack, outcomes))
        finally:
            stack.stop()
    print()
    verdicts = [outcome.verdict for outcome in outcomes]
    print(render_table(verdicts))
    print()
    print("\n".join(notes))
    print(f"\nchaos run took {time.monotonic() - started:.0f} s")
    sys.exit(0 if all(v.passed for v in verdicts) and not any(n.startswith("FAIL") for n in notes) else 1)


def _progress(outcome: PhaseOutcome) -> None:
    verdict = outcome.verdict
    print(
        f"   accepted {verdict.accepted}, graded {verdict.graded}, lost {verdict.lost}, "
        f"duplicates {verdict.duplicates}, 503s {verdict.refused_503}, 5xx {verdict.server_errors}, "
        f"first graded {verdict.first_graded_after}, drained {verdict.drained_after}, "
        f"audit {verdict.audit_clean}, rebuild {verdict.projection_identical}; "
        f"answers {dict(outcome.drive.statuses())}, refused {outcome.drive.refused}, gave up {outcome.drive.given_up}",
        flush=True,
    )


def _add_replica(stack: ChaosStack, name: str) -> None:
    if f"{name}-1" not in stack.devstack.services:
        stack.devstack.start_service(name, replica=1)


def _replicas_and_poison(stack: ChaosStack, count: int, rate: float, outcomes: list[PhaseOutcome]) -> list[str]:
    """Two replicas of every service; poison on every subject; the relay leader killed mid-run."""
    for name in SERVICES:
        _add_replica(stack, name)
    assert stack.devstack.nats is not None
    injected = asyncio.run(inject_poison(stack.devstack.nats.url))
    print("-- two replicas of every service, poison on every subject, relay leader killed", flush=True)
    outcome = run_phase(stack, kill_relay_leader(), count=count, rate=rate, key_prefix="replicas")
    outcome.verdict = replace(outcome.verdict, fault="2 replicas+poison+relay")
    _progress(outcome)
    outcomes.append(outcome)
    letters = wait_dead_lettered(stack.database_url, injected)
    work = work_by_replica(stack)
    lines = ["work by replica (each process's /metrics):", *describe_work(work)]
    lines.append(("" if every_replica_worked(work) else "FAIL: ") + "every replica did some work")
    lines.append("poison messages:")
    lines.extend(describe_poison(injected, letters))
    lines.append(("" if all_dead_lettered(injected, letters) else "FAIL: ") + "every poison dead-lettered")
    return lines


def _global_checks(stack: ChaosStack, outcomes: list[PhaseOutcome]) -> list[str]:
    """Across every run: nothing recorded that no client was told was accepted, no real message dead-lettered."""
    ledger = asyncio.run(read_ledger(stack.database_url))
    accepted = [reference for outcome in outcomes for reference in outcome.drive.references]
    strays = unaccounted(accepted, ledger)
    dead = [letter for letter in ledger.dead_letters if not (letter.message_id or "").startswith("poison-")]
    return [
        f"{len(accepted)} submissions accepted over {len(outcomes)} runs; "
        f"{len(ledger.count('SubmissionReceived'))} recorded by intake",
        ("FAIL: " if strays else "") + f"recorded but never acknowledged to a client: {len(strays)}",
        ("FAIL: " if dead else "") + f"dead letters other than the poison: {len(dead)}",
    ]


if __name__ == "__main__":
    main()
