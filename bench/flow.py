"""N submissions through the running stack: throughput and HTTP-accept → Graded-committed latency."""

from __future__ import annotations

import asyncio
import statistics
import time
from datetime import datetime

import httpx
from sqlalchemy import text

from cpi.devstack import DevStack
from eventstore.database import create_engine
from tests.factories import submission_json

TEXTS = (
    "Older boys are carrying knives near the skate park and said they will fight tonight.",
    "Groups of youths are gathering in the underpass most evenings, drinking and shouting.",
    "My phone was stolen from the staff room yesterday afternoon.",
)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def bench_flow(stack: DevStack, submissions: int, concurrency: int) -> None:
    accepted: dict[str, float] = {}
    limiter = asyncio.Semaphore(concurrency)
    url = f"{stack.url('intake')}/api/v1/submissions"
    async with httpx.AsyncClient(timeout=30) as client:

        async def one(n: int) -> None:
            async with limiter:
                response = await client.post(url, json=submission_json(TEXTS[n % len(TEXTS)]))
                response.raise_for_status()
                accepted[response.json()["reference"]] = time.time()

        start = time.perf_counter()
        await asyncio.gather(*(one(n) for n in range(submissions)))
        accept_seconds = time.perf_counter() - start

    engine = create_engine(stack.database_url or "", pool_size=1)
    graded: dict[str, datetime] = {}
    while len(graded) < len(accepted):
        async with engine.connect() as conn:
            rows = (
                await conn.execute(text("SELECT correlation_id, recorded_at FROM events WHERE type = 'Graded'"))
            ).all()
        graded = {row.correlation_id: row.recorded_at for row in rows}
        await asyncio.sleep(0.2)
    total_seconds = time.perf_counter() - start
    await engine.dispose()
    latencies = [(graded[ref].timestamp() - at) * 1000 for ref, at in accepted.items()]
    print("\n== flow: HTTP accept → Graded committed, through every service ==")
    print(f"  submissions      : {submissions} at concurrency {concurrency}")
    print(f"  intake accepted  : {submissions / accept_seconds:8.1f} /s")
    print(f"  end to end       : {submissions / total_seconds:8.1f} graded/s")
    print(
        f"  latency ms       : p50 {percentile(latencies, 0.5):.0f}  p95 {percentile(latencies, 0.95):.0f}  "
        f"p99 {percentile(latencies, 0.99):.0f}  (mean {statistics.fmean(latencies):.0f})"
    )
