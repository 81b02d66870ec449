"""Delivery on real JetStream: redelivery is idempotent, poison and failing messages are dead-lettered."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import nats

from contracts.events import EventEnvelope, SealedPayload, SubmissionReceived
from contracts.subjects import event_subject
from cpi.devstack import DevStack
from tests.factories import submission_json
from tests.stack import event_counts, submit, wait_until


async def _publish(nats_url: str, subject: str, body: bytes, msg_id: str) -> None:
    client = await nats.connect(nats_url)
    try:
        await client.jetstream().publish(subject, body, headers={"Nats-Msg-Id": msg_id})
    finally:
        await client.close()


async def _recorded_envelope(database_url: str, reference: str) -> EventEnvelope:
    from eventstore.database import create_engine
    from eventstore.store import read_stream

    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return (await read_stream(conn, f"submission-{reference}"))[0]
    finally:
        await engine.dispose()


def _dead_letters(stack: DevStack) -> int:
    return sum(event_counts(stack.database_url or "").get("MessageDeadLettered", {}).values())


def test_redelivered_message_records_no_second_event(stack: DevStack) -> None:
    with httpx.Client() as client:
        reference = submit(client, stack.url("intake"), submission_json()).json()["reference"]
    wait_until(lambda: event_counts(stack.database_url or "")["Graded"][reference] == 1, 30, "Graded")
    envelope = asyncio.run(_recorded_envelope(stack.database_url or "", reference))
    # The same event again under a new Nats-Msg-Id, as after JetStream's duplicate window has passed.
    asyncio.run(
        _publish(stack.nats_url or "", event_subject(envelope.type), envelope.model_dump_json().encode(), "again")
    )
    with httpx.Client() as client:
        later = submit(client, stack.url("intake"), submission_json()).json()["reference"]
    wait_until(lambda: event_counts(stack.database_url or "")["Graded"][later] == 1, 30, "a later submission graded")
    counts = event_counts(stack.database_url or "")
    assert counts["Sanitised"][reference] == 1
    assert counts["Graded"][reference] == 1


def test_undecodable_message_is_dead_lettered_and_the_flow_goes_on(stack: DevStack) -> None:
    before = _dead_letters(stack)
    asyncio.run(_publish(stack.nats_url or "", event_subject("SubmissionReceived"), b"{not json", "poison-1"))
    wait_until(lambda: _dead_letters(stack) == before + 1, 30, "the poison message to be dead-lettered")
    with httpx.Client() as client:
        reference = submit(client, stack.url("intake"), submission_json()).json()["reference"]
    wait_until(lambda: event_counts(stack.database_url or "")["Graded"][reference] == 1, 30, "the flow to go on")


def test_message_that_keeps_failing_is_dead_lettered_after_its_attempts(stack: DevStack) -> None:
    before = _dead_letters(stack)
    reference = "CPI-TEST-0001"
    event = SubmissionReceived(
        reference=reference,
        received_at="2026-11-24T10:00:00Z",
        review_due_at="2026-11-24T12:00:00Z",
        sealed=SealedPayload(key_id=uuid.uuid4(), nonce="AAAAAAAAAAAAAAAA", ciphertext="AAAA"),
    )
    envelope = EventEnvelope(
        event_id=uuid.uuid4(),
        type=event.event_type,
        schema_version=1,
        stream_id=f"submission-{reference}",
        stream_version=1,
        position=999_999,
        recorded_at="2026-11-24T10:00:00Z",
        correlation_id=reference,
        actor="test",
        payload=event.model_dump(mode="json"),
    )
    # Well-formed, but its data key does not exist: the sanitiser fails on every attempt.
    asyncio.run(
        _publish(stack.nats_url or "", event_subject(event.event_type), envelope.model_dump_json().encode(), "x")
    )
    wait_until(lambda: _dead_letters(stack) == before + 1, 60, "the failing message to be dead-lettered")
    assert "Sanitised" not in event_counts(stack.database_url or "") or (
        reference not in event_counts(stack.database_url or "")["Sanitised"]
    )
