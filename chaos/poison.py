"""Poison messages on every consumed subject: each must be dead-lettered with its reason, nothing else stops."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass

import nats

from chaos.ledger import DeadLetter, read_ledger
from contracts.subjects import event_subject

# Every subject a service consumes, and the consumer that reads it.
POISONED_SUBJECTS = {
    "SubmissionReceived": "sanitiser",
    "Sanitised": "grader",
    "Graded": "notifier",
    "GradeReviewed": "notifier-reviews",
}


@dataclass(frozen=True)
class Poison:
    event_type: str
    consumer: str
    message_id: str
    kind: str  # "not json" or "wrong shape"


def poison_bodies(event_type: str) -> dict[str, bytes]:
    """Two poisons per subject: bytes that are not JSON, and an envelope of the right type with no payload."""
    wrong_shape = {"type": event_type, "event_id": str(uuid.uuid4()), "payload": {"unexpected": True}}
    return {"not json": b"\xff\xfe not an event {", "wrong shape": json.dumps(wrong_shape).encode()}


async def inject_poison(nats_url: str) -> list[Poison]:
    client = await nats.connect(nats_url)
    injected = []
    try:
        js = client.jetstream()
        for event_type, consumer in POISONED_SUBJECTS.items():
            for kind, body in poison_bodies(event_type).items():
                message_id = f"poison-{uuid.uuid4()}"
                await js.publish(event_subject(event_type), body, headers={"Nats-Msg-Id": message_id})
                injected.append(Poison(event_type, consumer, message_id, kind))
    finally:
        await client.close()
    return injected


def wait_dead_lettered(database_url: str, injected: list[Poison], timeout: float = 60.0) -> dict[str, DeadLetter]:
    """Message id → its dead letter, once every poison has one (or what there is at the timeout)."""
    wanted = {poison.message_id for poison in injected}
    deadline = time.monotonic() + timeout
    while True:
        letters = {
            letter.message_id: letter
            for letter in asyncio.run(read_ledger(database_url)).dead_letters
            if letter.message_id in wanted
        }
        if letters.keys() >= wanted or time.monotonic() > deadline:
            return letters
        time.sleep(0.5)


def describe_poison(injected: list[Poison], letters: dict[str, DeadLetter]) -> list[str]:
    """One line per poison: subject, kind, and the consumer and reason it was dead-lettered with."""
    lines = []
    for poison in injected:
        letter = letters.get(poison.message_id)
        if letter is None:
            lines.append(f"{poison.event_type:<20} {poison.kind:<12} NOT dead-lettered")
        else:
            lines.append(
                f"{poison.event_type:<20} {poison.kind:<12} dead-lettered by {letter.consumer}: "
                f"{letter.reason} ({letter.error[:60]})"
            )
    return lines


def all_dead_lettered(injected: list[Poison], letters: dict[str, DeadLetter]) -> bool:
    return all(
        poison.message_id in letters and letters[poison.message_id].consumer == poison.consumer for poison in injected
    )
