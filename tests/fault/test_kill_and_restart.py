"""Processes killed with SIGKILL and NATS stopped mid-flow: every accepted submission graded exactly once."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from cpi.devstack import DevStack
from tests.factories import submission_json
from tests.servers import RunningServers, fresh_database
from tests.stack import event_counts, graded_priorities, submit, wait_until

TEXTS = (
    "An older man in a grey van is giving cigarettes to girls aged about 13 behind the youth centre.",
    "Two boys said they will bring a knife to the fight at the skate park tonight.",
    "My bicycle was stolen from the staff shed yesterday; the lock was cut.",
)


@pytest.fixture
def own_stack(servers: RunningServers, tmp_path: Path) -> Iterator[DevStack]:
    """A stack with its own nats-server, so a test may kill it."""
    database_url = asyncio.run(fresh_database(servers.database_url))
    devstack = DevStack(tmp_path / "stack", database_url=database_url)
    try:
        devstack.start()
        yield devstack
    finally:
        devstack.stop()


def _flow(stack: DevStack, total: int, faults: dict[int, Callable[[], None]]) -> list[str]:
    """Submit `total` submissions, 8 at a time, running each fault once that many have been accepted."""
    accepted: list[str] = []
    lock = threading.Lock()
    fired: set[int] = set()

    def one(n: int) -> None:
        with httpx.Client() as client:
            response = submit(client, stack.url("intake"), submission_json(TEXTS[n % len(TEXTS)]))
        assert response.status_code == 202, response.text
        with lock:
            accepted.append(response.json()["reference"])
            due = [at for at in faults if at <= len(accepted) and at not in fired]
            fired.update(due)
        for at in due:
            faults[at]()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, range(total)))
    return accepted


def _assert_exactly_once(stack: DevStack, accepted: list[str]) -> None:
    def all_graded() -> bool:
        return len(event_counts(stack.database_url or "").get("Graded", {})) >= len(accepted)

    wait_until(all_graded, 180, "every accepted submission to be graded")
    counts = event_counts(stack.database_url or "")
    assert len(set(accepted)) == len(accepted)
    for event_type in ("SubmissionReceived", "Sanitised", "Graded"):
        assert set(counts[event_type]) == set(accepted), event_type
        assert max(counts[event_type].values()) == 1, f"a duplicate {event_type}"
    pushed = {ref for ref, priority in graded_priorities(stack.database_url or "").items() if priority != "NORMAL"}
    wait_until(
        lambda: set(event_counts(stack.database_url or "").get("AlertDispatched", {})) >= pushed, 60, "every alert"
    )
    dispatched: dict[str, int] = event_counts(stack.database_url or "").get("AlertDispatched", {})
    assert set(dispatched) == pushed, "every HIGH and crime grading pushed, nothing else"
    assert max(dispatched.values(), default=1) == 1, "an alert dispatched twice"
    assert "MessageDeadLettered" not in counts


def _restart(stack: DevStack, name: str) -> Callable[[], None]:
    def fault() -> None:
        stack.kill(name)
        stack.start_service(name)

    return fault


def test_sigkill_of_each_worker_and_the_relay_mid_flow_loses_and_duplicates_nothing(own_stack: DevStack) -> None:
    faults = {
        30: _restart(own_stack, "sanitiser"),
        80: _restart(own_stack, "grader"),
        120: _restart(own_stack, "relay"),
        160: _restart(own_stack, "notifier"),
    }
    accepted = _flow(own_stack, 200, faults)
    _assert_exactly_once(own_stack, accepted)


def test_nats_stopped_and_started_mid_flow_loses_nothing(own_stack: DevStack) -> None:
    nats_server = own_stack.nats
    assert nats_server is not None

    def outage() -> None:
        nats_server.kill()
        threading.Timer(2.0, nats_server.start).start()

    accepted = _flow(own_stack, 120, {40: outage})
    _assert_exactly_once(own_stack, accepted)
