"""A paced submission driver: N submissions at a steady rate, each retried until intake answers 202.

Every submission carries its own Idempotency-Key, so a retry after a lost answer (intake killed
mid-request) gets the same reference instead of a second submission. A 503 or 429 is retried
after its Retry-After; a refused connection (intake restarting) after half a second. Only a 202 counts as
accepted. Every answer is kept (time, status, Retry-After) so a run can show it never saw a 500.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

from tests.factories import submission_json

TEXTS = (
    "Two older boys said they will bring a knife to the fight at the skate park tonight.",
    "Groups of youths are gathering in the underpass most evenings, drinking and shouting.",
    "An older man in a grey van is giving cigarettes to girls aged about 13 behind the youth centre.",
    "My phone was stolen from the staff room yesterday afternoon.",
)
CONNECTION_RETRY_SECONDS = 0.5
MAX_RETRY_AFTER_SECONDS = 10.0


@dataclass(frozen=True)
class Answer:
    at: float  # wall clock, seconds
    status: int  # 0 for no answer (connection refused or reset)
    retry_after: str | None


@dataclass(frozen=True)
class Accepted:
    index: int
    reference: str
    first_sent_at: float
    accepted_at: float
    attempts: int


@dataclass
class DriveResult:
    accepted: list[Accepted] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    given_up: int = 0
    refused: int = 0  # answered with a status other than 202/503 (never retried)

    def statuses(self) -> Counter[int]:
        return Counter(answer.status for answer in self.answers)

    @property
    def references(self) -> list[str]:
        return [item.reference for item in self.accepted]


async def drive(
    intake_urls: list[str],
    count: int,
    rate: float,
    *,
    key_prefix: str,
    give_up_after: float = 180.0,
) -> DriveResult:
    """Send `count` submissions, one every 1/`rate` s across `intake_urls`, retrying each until 202."""
    result = DriveResult()
    targets = itertools.cycle(intake_urls)
    # No pool cap: a capped pool behind a stalled intake turned every later request into a PoolTimeout.
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=64)
    async with httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=5.0), limits=limits) as client:

        async def one(index: int) -> None:
            document = submission_json(TEXTS[index % len(TEXTS)])
            headers = {"Idempotency-Key": f"{key_prefix}-{index}"}
            first_sent_at = time.time()
            attempts = 0
            while time.time() - first_sent_at < give_up_after:
                attempts += 1
                try:
                    response = await client.post(f"{next(targets)}/api/v1/submissions", json=document, headers=headers)
                except httpx.TransportError:
                    result.answers.append(Answer(time.time(), 0, None))
                    await asyncio.sleep(CONNECTION_RETRY_SECONDS)
                    continue
                retry_after = response.headers.get("retry-after")
                result.answers.append(Answer(time.time(), response.status_code, retry_after))
                if response.status_code == 202:
                    reference = response.json()["reference"]
                    result.accepted.append(Accepted(index, reference, first_sent_at, time.time(), attempts))
                    return
                if response.status_code in (429, 503):
                    await asyncio.sleep(_retry_after_seconds(retry_after))
                    continue
                result.refused += 1
                return
            result.given_up += 1

        start = time.monotonic()
        tasks = []
        for index in range(count):
            delay = start + index / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(index)))
        await asyncio.gather(*tasks)
    return result


def _retry_after_seconds(value: str | None) -> float:
    """Retry-After in seconds (capped), or one second when absent or not a number."""
    try:
        return min(max(float(value or "1"), 0.1), MAX_RETRY_AFTER_SECONDS)
    except ValueError:
        return 1.0
