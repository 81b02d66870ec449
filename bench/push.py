"""Grading-to-push latency: from `Graded.recorded_at` to receipt over the SSE stream and over a signed webhook.

Runs on the stack it is given: restarts its notifier with one webhook pointed at a local receiver
(keep-alive, as a control-room system would be), submits HIGH-priority forms through intake at a
steady rate from a separate process, and reads both ways out at once in this one.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from dataclasses import dataclass
from datetime import datetime

import httpx
from sqlalchemy import text

from bench.flow import percentile
from bench.submitter import submit_from_process
from cpi.devstack import ONE_CLIENT_FOR_MANY, DevStack, load_or_create_secrets
from cpi.embedded import free_port
from eventstore.database import create_engine
from services.common.auth import issue_token
from tests.notifier_support import WebhookReceiver

HIGH_TEXT = "Two older boys are carrying knives and said they will stab a Year 9 pupil at the park gates tonight."
WEBHOOK_ENV = ("CPI_NOTIFIER_WEBHOOKS",)


async def _head(database_url: str) -> int:
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(text("SELECT position FROM event_store_head"))).scalar_one())
    finally:
        await engine.dispose()


async def _first_recorded(database_url: str, event_type: str, references: set[str]) -> dict[str, datetime]:
    """When each submission first recorded an event of this type."""
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            found = await conn.execute(
                text(
                    "SELECT correlation_id, min(recorded_at) AS at FROM events "
                    "WHERE type = :t AND correlation_id = ANY(:r) GROUP BY correlation_id"
                ),
                {"t": event_type, "r": list(references)},
            )
            return {row.correlation_id: row.at for row in found}
    finally:
        await engine.dispose()


async def _follow_stream(url: str, token: str, after: int, seen: dict[str, float]) -> None:
    headers = {"Authorization": f"Bearer {token}", "Last-Event-ID": str(after)}
    async with (
        httpx.AsyncClient(timeout=httpx.Timeout(30.0, read=None)) as client,
        client.stream("GET", url, headers=headers) as response,
    ):
        event = ""
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "alert":
                seen.setdefault(json.loads(line[6:])["reference"], time.time())


def _restart_notifier(stack: DevStack, env: dict[str, str]) -> None:
    for key in WEBHOOK_ENV:
        stack.extra_env.pop(key, None)
    stack.extra_env.update(env)
    stack.services["notifier"].stop()
    stack.start_service("notifier")


@dataclass(frozen=True)
class PushRig:
    """The stack's notifier pointed at a local receiver, and a control-room token for the stream."""

    stack: DevStack
    receiver: WebhookReceiver
    token: str


async def bench_push(stack: DevStack, rate: float, seconds: float, runs: int = 3) -> None:
    """A short warm-up, then `runs` measured runs, each printed: the spread between runs is part of the figure."""
    receiver = WebhookReceiver(free_port(), keep_alive=True)
    receiver.start()
    hook = {"name": "bench", "url": receiver.url, "secret": secrets.token_urlsafe(24)}
    await asyncio.to_thread(_restart_notifier, stack, {"CPI_NOTIFIER_WEBHOOKS": json.dumps([hook])})
    rig = PushRig(stack, receiver, issue_token(load_or_create_secrets(stack.root)["CPI_JWT_SECRET"], "control_room"))
    try:
        await _measure(rig, rate, min(seconds, 3.0), "warm-up")
        for run in range(1, runs + 1):
            await _measure(rig, rate, seconds, f"run {run} of {runs}")
    finally:
        receiver.stop()
        await asyncio.to_thread(_restart_notifier, stack, {})


async def _measure(rig: PushRig, rate: float, seconds: float, label: str) -> None:
    database_url = rig.stack.database_url or ""
    seen: dict[str, float] = {}
    stream_url = f"{rig.stack.url('notifier')}/api/v1/control-room/stream"
    follower = asyncio.create_task(_follow_stream(stream_url, rig.token, await _head(database_url), seen))
    try:
        count = int(rate * seconds)
        references = await submit_from_process(f"{rig.stack.url('intake')}/api/v1/submissions", count, rate, HIGH_TEXT)
        await _wait_for_arrivals(rig.receiver, database_url, references, seen)
        graded = await _first_recorded(database_url, "Graded", references)
        webhook_at: dict[str, float] = {}
        for received in rig.receiver.received:
            webhook_at.setdefault(json.loads(received.body)["reference"], received.at)
        print(f"\n== push ({label}): Graded committed → control room, {count} HIGH submissions at {rate:.0f}/s ==")
        dispatched = {
            r: at.timestamp() for r, at in (await _first_recorded(database_url, "AlertDispatched", references)).items()
        }
        for name, arrived in (("dispatched", dispatched), ("SSE stream", seen), ("webhook", webhook_at)):
            latencies = [(arrived[r] - at.timestamp()) * 1000 for r, at in graded.items() if r in arrived]
            if not latencies:
                print(f"  {name:10}: nothing received")
                continue
            print(
                f"  {name:10}: {len(latencies)}/{len(graded)} received, "
                f"latency ms p50 {percentile(latencies, 0.5):6.1f}"
                f"  p95 {percentile(latencies, 0.95):6.1f}  p99 {percentile(latencies, 0.99):6.1f}"
                f"  max {max(latencies):6.1f}"
            )
    finally:
        follower.cancel()
        await asyncio.gather(follower, return_exceptions=True)


async def _wait_for_arrivals(
    receiver: WebhookReceiver, database_url: str, references: set[str], seen: dict[str, float]
) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        hooked = {json.loads(r.body)["reference"] for r in receiver.received}
        graded = await _first_recorded(database_url, "Graded", references)
        if graded.keys() <= seen.keys() and graded.keys() <= hooked and len(graded) == len(references):
            return
        await asyncio.sleep(0.2)


if __name__ == "__main__":
    import sys
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="cpi-bench-push-") as root:
        dev = DevStack(Path(root), extra_env=dict(ONE_CLIENT_FOR_MANY))
        try:
            dev.start()
            asyncio.run(bench_push(dev, float(sys.argv[1]) if len(sys.argv) > 1 else 50.0, 10.0))
        finally:
            dev.stop()
