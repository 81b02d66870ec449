"""The control room's three ways out (JetStream, signed webhooks, SSE), acknowledgement and access, as processes."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Iterator

import httpx
import nats
import pytest

from contracts.events import Priority
from contracts.subjects import CONTROL_ROOM_STREAM
from cpi.devstack import DevStack, load_or_create_secrets
from cpi.embedded import free_port
from services.notifier.signatures import SIGNATURE_HEADER, verify_signature
from tests.notifier_support import REPORTER_DETAILS, WebhookReceiver, append_graded, read_sse, rows
from tests.servers import RunningServers, empty_jetstream, fresh_database
from tests.stack import bearer, wait_until

PRIMARY_SECRET = secrets.token_urlsafe(24)
BROKEN_SECRET = secrets.token_urlsafe(24)


@pytest.fixture(scope="module")
def primary() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(free_port())
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="module")
def broken() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(free_port(), status=503)
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="module")
def stack(
    servers: RunningServers, tmp_path_factory: pytest.TempPathFactory, primary: WebhookReceiver, broken: WebhookReceiver
) -> Iterator[DevStack]:
    webhooks = [
        {"name": "primary", "url": primary.url, "secret_env": "CPI_TEST_PRIMARY_SECRET", "max_attempts": 1000},
        {"name": "broken", "url": broken.url, "secret": BROKEN_SECRET, "channels": ["crime"], "max_attempts": 3},
    ]
    database_url = asyncio.run(fresh_database(servers.database_url))
    asyncio.run(empty_jetstream(servers.nats_url))
    devstack = DevStack(
        tmp_path_factory.mktemp("notifier-stack"),
        database_url=database_url,
        nats_url=servers.nats_url,
        extra_env={
            "CPI_NOTIFIER_WEBHOOKS": json.dumps(webhooks),
            "CPI_TEST_PRIMARY_SECRET": PRIMARY_SECRET,
            "CPI_NOTIFIER_WEBHOOK_BACKOFF_SECONDS": "0.1",
            "CPI_NOTIFIER_WEBHOOK_BACKOFF_CAP_SECONDS": "1",
            "CPI_NOTIFIER_SSE_KEEPALIVE_SECONDS": "1",
            "CPI_NOTIFIER_ESCALATION_SECONDS": "3600",
        },
    )
    try:
        devstack.start(("relay", "notifier"))
        yield devstack
    finally:
        devstack.stop()


@pytest.fixture(scope="module")
def jwt_secret(stack: DevStack) -> str:
    return load_or_create_secrets(stack.root)["CPI_JWT_SECRET"]


def _db(stack: DevStack) -> str:
    return stack.database_url or ""


def _events(stack: DevStack, event_type: str, reference: str) -> list[dict[str, object]]:
    found = rows(
        _db(stack),
        "SELECT payload FROM events WHERE type = :t AND correlation_id = :r ORDER BY position",
        t=event_type,
        r=reference,
    )
    return [row.payload for row in found]


def _dispatched(stack: DevStack, references: list[str]) -> bool:
    return all(_events(stack, "AlertDispatched", r) for r in references)


def _webhook_alerts(receiver: WebhookReceiver, references: list[str]) -> list[dict[str, object]]:
    return [b for b in receiver.bodies() if b["reference"] in references and not b["escalation"]]


async def _subject_alerts(nats_url: str, durable: str) -> list[dict[str, object]]:
    client = await nats.connect(nats_url)
    try:
        sub = await client.jetstream().pull_subscribe("cpi.control_room.>", durable=durable, stream=CONTROL_ROOM_STREAM)
        try:
            return [json.loads(m.data) for m in await sub.fetch(500, timeout=3)]
        except nats.errors.TimeoutError:
            return []
    finally:
        await client.close()


def test_an_alert_goes_out_once_on_every_way_carrying_no_reporter_details(
    stack: DevStack, jwt_secret: str, primary: WebhookReceiver
) -> None:
    (reference,) = asyncio.run(append_graded(_db(stack), [Priority.HIGH]))
    wait_until(lambda: len(_webhook_alerts(primary, [reference])) == 1, 30, "the webhook delivery")
    (delivery,) = [r for r in primary.received if json.loads(r.body)["reference"] == reference]
    assert verify_signature(PRIMARY_SECRET, delivery.headers[SIGNATURE_HEADER], delivery.body, time.time(), 300)
    assert not verify_signature(PRIMARY_SECRET, delivery.headers[SIGNATURE_HEADER], delivery.body + b" ", time.time())
    assert not verify_signature("other", delivery.headers[SIGNATURE_HEADER], delivery.body, time.time())
    alert = delivery.json()
    assert alert["priority"] == "HIGH" and alert["categories"] == ["weapons"] and alert["reasons"]
    assert alert["location"] and alert["review_due_at"] and "knife" in alert["intelligence_text"]
    for header, value in delivery.headers.items():
        assert reference not in value and "knife" not in value, header
    wait_until(lambda: bool(_events(stack, "AlertDelivered", reference)), 30, "AlertDelivered")
    (delivered,) = _events(stack, "AlertDelivered", reference)
    assert delivered["endpoint"] == "primary" and delivered["status_code"] == 200 and delivered["attempts"] == 1
    assert isinstance(delivered["latency_ms"], int)

    on_subject = [a for a in asyncio.run(_subject_alerts(stack.nats_url or "", "once")) if a["reference"] == reference]
    assert len(on_subject) == 1 and on_subject[0]["alert_id"] == alert["alert_id"]
    stream = read_sse(f"{stack.url('notifier')}/api/v1/control-room/stream", bearer(jwt_secret, "control_room"), 50, 5)
    mine = [e for e in stream if e.data["reference"] == reference]
    assert [e.event for e in mine] == ["alert"] and mine[0].data["alert_id"] == alert["alert_id"]
    for text in (json.dumps(alert), json.dumps(on_subject[0]), json.dumps(mine[0].data)):
        for detail in REPORTER_DETAILS:
            assert detail not in text
        assert "source_ref" not in text and "sealed" not in text


def test_deliveries_wait_out_a_receiver_outage_and_a_restart_then_arrive_once_in_grading_order(
    stack: DevStack, primary: WebhookReceiver
) -> None:
    primary.stop()
    priorities = [Priority.HIGH, Priority.CRIME_NOT_INTEL, Priority.HIGH, Priority.HIGH, Priority.CRIME_NOT_INTEL]
    references = asyncio.run(append_graded(_db(stack), priorities))
    wait_until(lambda: _dispatched(stack, references), 30, "every alert dispatched")
    wait_until(
        lambda: bool(rows(_db(stack), "SELECT 1 FROM notifier_webhook_deliveries WHERE attempts >= 2")),
        30,
        "failed attempts while the receiver is down",
    )
    stack.services["notifier"].stop()  # the outbox is in PostgreSQL: a restart loses nothing
    stack.start_service("notifier")
    primary.start()
    wait_until(lambda: len(_webhook_alerts(primary, references)) >= 5, 60, "the queued deliveries")
    time.sleep(1.0)
    delivered = _webhook_alerts(primary, references)
    assert [a["reference"] for a in delivered] == references
    attempts = []
    for reference in references:
        wait_until(lambda r=reference: len(_events(stack, "AlertDelivered", r)) >= 1, 30, "AlertDelivered")  # type: ignore[misc]
        (event,) = [e for e in _events(stack, "AlertDelivered", reference) if e["endpoint"] == "primary"]
        attempts.append(int(str(event["attempts"])))
    assert attempts[0] >= 2, "the head of the queue was retried; the rest waited behind it"


def test_a_receiver_that_always_fails_is_dead_lettered_with_the_error_after_its_attempts(
    stack: DevStack, broken: WebhookReceiver
) -> None:
    (reference,) = asyncio.run(append_graded(_db(stack), [Priority.CRIME_NOT_INTEL]))
    wait_until(lambda: bool(_events(stack, "AlertDeliveryFailed", reference)), 60, "AlertDeliveryFailed")
    (failed,) = _events(stack, "AlertDeliveryFailed", reference)
    assert failed == {
        "reference": reference,
        "alert_id": failed["alert_id"],
        "endpoint": "broken",
        "attempts": 3,
        "error": "HTTPStatus 503",
    }
    time.sleep(1.0)
    assert len([b for b in broken.bodies() if b["reference"] == reference]) == 3
    assert not [e for e in _events(stack, "AlertDelivered", reference) if e["endpoint"] == "broken"]


def test_a_stream_client_reconnecting_with_last_event_id_misses_nothing_and_sees_nothing_twice(
    stack: DevStack, jwt_secret: str
) -> None:
    url = f"{stack.url('notifier')}/api/v1/control-room/stream"
    headers = bearer(jwt_secret, "control_room")
    head = int(rows(_db(stack), "SELECT position FROM event_store_head")[0].position)
    first_refs = asyncio.run(append_graded(_db(stack), [Priority.HIGH] * 4))
    wait_until(lambda: _dispatched(stack, first_refs), 30, "the first alerts")
    first = read_sse(url, headers, 2, 10, last_event_id=head)
    assert len(first) == 2
    later_refs = asyncio.run(append_graded(_db(stack), [Priority.CRIME_NOT_INTEL] * 3))
    wait_until(lambda: _dispatched(stack, later_refs), 30, "the later alerts")
    rest = read_sse(url, headers, 5, 10, last_event_id=first[-1].id)
    seen = first + rest
    ids = [e.id for e in seen]
    assert ids == sorted(set(ids)), "in order, none twice"
    # In store order (dispatch commits), which concurrent handling may make differ from grading order.
    assert sorted(str(e.data["reference"]) for e in seen if e.event == "alert") == sorted(first_refs + later_refs)
    replay = read_sse(url, headers, 7, 10, last_event_id=head)
    assert [e.id for e in replay] == ids


def test_acknowledging_twice_records_one_acknowledgement_and_returns_the_first(
    stack: DevStack, jwt_secret: str
) -> None:
    (reference,) = asyncio.run(append_graded(_db(stack), [Priority.HIGH]))
    wait_until(lambda: _dispatched(stack, [reference]), 30, "the alert")
    alert_id = _events(stack, "AlertDispatched", reference)[0]["alert_id"]
    url = f"{stack.url('notifier')}/api/v1/control-room/alerts/{alert_id}/ack"
    headers = bearer(jwt_secret, "control_room")
    first = httpx.post(url, headers=headers)
    second = httpx.post(url, headers=headers)
    assert first.status_code == 200 and second.status_code == 200
    assert first.json() == second.json()
    assert first.json()["acknowledged_by"] == "dev-control_room"
    assert len(_events(stack, "AlertAcknowledged", reference)) == 1
    unknown = f"{stack.url('notifier')}/api/v1/control-room/alerts/00000000-0000-0000-0000-000000000000/ack"
    assert httpx.post(unknown, headers=headers).status_code == 404
    open_ids = [
        a["alert_id"]
        for a in httpx.get(f"{stack.url('notifier')}/api/v1/control-room/alerts", headers=headers).json()["items"]
    ]
    assert alert_id not in open_ids


def test_every_control_room_endpoint_needs_the_control_room_role(stack: DevStack, jwt_secret: str) -> None:
    base = f"{stack.url('notifier')}/api/v1/control-room"
    calls = [
        ("GET", f"{base}/alerts"),
        ("GET", f"{base}/stream"),
        ("POST", f"{base}/alerts/00000000-0000-0000-0000-000000000000/ack"),
    ]
    with httpx.Client(timeout=10) as client:
        for method, url in calls:
            assert client.request(method, url).status_code == 401, url
            assert client.request(method, url, headers={"Authorization": "Bearer nonsense"}).status_code == 401, url
            for role in ("analyst", "supervisor", "auditor", "source_handler", "admin"):
                assert client.request(method, url, headers=bearer(jwt_secret, role)).status_code == 403, (url, role)
        page = client.get(f"{stack.url('notifier')}/control-room")
        assert page.status_code == 303 and page.headers["location"] == "/control-room/login"
        login = client.post(f"{stack.url('notifier')}/control-room/login", data={"token": issue(jwt_secret, "analyst")})
        assert login.status_code == 403 and "set-cookie" not in login.headers


def test_two_notifier_replicas_push_each_alert_once(stack: DevStack, primary: WebhookReceiver) -> None:
    stack.start_service("notifier", replica=1)
    references = asyncio.run(append_graded(_db(stack), [Priority.HIGH, Priority.CRIME_NOT_INTEL] * 6))
    wait_until(lambda: len(_webhook_alerts(primary, references)) >= len(references), 60, "every webhook")
    time.sleep(2.0)
    for reference in references:
        assert len(_events(stack, "AlertDispatched", reference)) == 1
        assert len([e for e in _events(stack, "AlertDelivered", reference) if e["endpoint"] == "primary"]) == 1
    assert sorted(str(a["reference"]) for a in _webhook_alerts(primary, references)) == sorted(references)
    on_subject = asyncio.run(_subject_alerts(stack.nats_url or "", "replicas"))
    assert sorted(str(a["reference"]) for a in on_subject if a["reference"] in references) == sorted(references)


def test_a_review_that_makes_a_submission_high_reaches_the_review_consumer_and_alerts_once(
    stack: DevStack, primary: WebhookReceiver
) -> None:
    (reference,) = asyncio.run(append_graded(_db(stack), [Priority.NORMAL]))
    for _ in range(2):
        asyncio.run(_append_review(_db(stack), reference))
    wait_until(lambda: _dispatched(stack, [reference]), 30, "the review's alert")
    wait_until(lambda: len(_webhook_alerts(primary, [reference])) == 1, 30, "its webhook")
    time.sleep(1.0)
    assert len(_events(stack, "AlertDispatched", reference)) == 1
    assert len(_webhook_alerts(primary, [reference])) == 1


async def _append_review(database_url: str, reference: str) -> None:
    from contracts.events import GradeReviewed
    from contracts.subjects import submission_stream_id
    from eventstore.database import create_engine
    from eventstore.store import ANY_VERSION, NewEvent, append_events

    review = GradeReviewed(
        reference=reference,
        reviewer="analyst-7",
        role="analyst",
        priority=Priority.HIGH,
        categories=["weapons"],
        source_evaluation="1",
        intelligence_assessment="A",
        handling_code="P",
        rationale="More detail came in.",
        previous_priority=Priority.NORMAL,
        changed=True,
    )
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.begin() as conn:
            stream = submission_stream_id(reference)
            new = NewEvent(review, stream, correlation_id=reference, actor="analyst-7")
            await append_events(conn, stream, [new], ANY_VERSION)
    finally:
        await engine.dispose()


def issue(secret: str, role: str) -> str:
    from services.common.auth import issue_token

    return issue_token(secret, role)
