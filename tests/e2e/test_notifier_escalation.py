"""Escalation with a shortened interval and two notifier replicas: each escalation once, none after the ack."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from datetime import datetime

import httpx
import nats
import pytest

from contracts.events import Priority
from contracts.subjects import CONTROL_ROOM_STREAM
from cpi.devstack import DevStack, load_or_create_secrets
from tests.notifier_support import append_graded, read_sse, rows
from tests.servers import RunningServers, empty_jetstream, fresh_database
from tests.stack import bearer, wait_until

INTERVAL = 2.0


@pytest.fixture(scope="module")
def stack(servers: RunningServers, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    database_url = asyncio.run(fresh_database(servers.database_url))
    asyncio.run(empty_jetstream(servers.nats_url))
    devstack = DevStack(
        tmp_path_factory.mktemp("escalation-stack"),
        database_url=database_url,
        nats_url=servers.nats_url,
        extra_env={
            "CPI_NOTIFIER_ESCALATION_SECONDS": str(INTERVAL),
            "CPI_NOTIFIER_ESCALATION_CHECK_SECONDS": "0.2",
            "CPI_NOTIFIER_SSE_KEEPALIVE_SECONDS": "1",
        },
    )
    try:
        devstack.start(("relay", "notifier"))
        devstack.start_service("notifier", replica=1)
        yield devstack
    finally:
        devstack.stop()


def _alert_events(stack: DevStack, reference: str) -> list[tuple[str, dict[str, object], datetime]]:
    found = rows(
        stack.database_url or "",
        "SELECT type, payload, recorded_at FROM events WHERE correlation_id = :r AND type LIKE 'Alert%' "
        "ORDER BY position",
        r=reference,
    )
    return [(row.type, row.payload, row.recorded_at) for row in found]


def _escalation_numbers(stack: DevStack, reference: str) -> list[int]:
    return [int(str(p["escalation_number"])) for t, p, _ in _alert_events(stack, reference) if t == "AlertEscalated"]


async def _escalations_on_subject(nats_url: str, reference: str) -> list[dict[str, object]]:
    client = await nats.connect(nats_url)
    try:
        sub = await client.jetstream().pull_subscribe(
            "cpi.control_room.high", durable="esc", stream=CONTROL_ROOM_STREAM
        )
        try:
            messages = await sub.fetch(200, timeout=3)
        except nats.errors.TimeoutError:
            return []
        alerts = [json.loads(m.data) for m in messages]
        return [a for a in alerts if a["reference"] == reference and a["escalation"]]
    finally:
        await client.close()


def test_an_unacknowledged_high_alert_escalates_once_per_interval_until_acknowledged(stack: DevStack) -> None:
    secret = load_or_create_secrets(stack.root)["CPI_JWT_SECRET"]
    high, crime = asyncio.run(append_graded(stack.database_url or "", [Priority.HIGH, Priority.CRIME_NOT_INTEL]))
    wait_until(lambda: len(_escalation_numbers(stack, high)) >= 2, 30, "two escalations")
    events = _alert_events(stack, high)
    alert_id = next(p["alert_id"] for t, p, _ in events if t == "AlertDispatched")
    response = httpx.post(
        f"{stack.url('notifier')}/api/v1/control-room/alerts/{alert_id}/ack", headers=bearer(secret, "control_room")
    )
    assert response.status_code == 200
    at_ack = _escalation_numbers(stack, high)
    time.sleep(3 * INTERVAL)
    numbers = _escalation_numbers(stack, high)
    assert numbers == at_ack, "nothing escalates after the acknowledgement"
    assert numbers == list(range(1, len(numbers) + 1)), "each escalation number once, in order"

    events = _alert_events(stack, high)
    dispatched_at = next(at for t, _, at in events if t == "AlertDispatched")
    escalated_at = [at for t, _, at in events if t == "AlertEscalated"]
    gaps = [(b - a).total_seconds() for a, b in zip([dispatched_at, *escalated_at], escalated_at, strict=False)]
    assert all(gap >= INTERVAL - 0.05 for gap in gaps), gaps
    assert [t for t, _, _ in events].count("AlertAcknowledged") == 1

    pushed = asyncio.run(_escalations_on_subject(stack.nats_url or "", high))
    assert len(pushed) == len(numbers)
    stream = read_sse(f"{stack.url('notifier')}/api/v1/control-room/stream", bearer(secret, "control_room"), 100, 5)
    assert [e.data["escalation_number"] for e in stream if e.event == "escalation" and e.data["reference"] == high] == (
        numbers
    )
    assert _escalation_numbers(stack, crime) == [], "only HIGH alerts escalate"
