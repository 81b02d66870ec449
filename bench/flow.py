"""Submissions through the running stack: saturation throughput, then latency at steady rates.

Latency is from the moment intake answered 202 to the moment `Graded` was committed (the
`recorded_at` the grader wrote), both read on this machine's clock.
"""

from __future__ import annotations

import asyncio
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


async def _submit_all(url: str, count: int, rate: float | None, concurrency: int) -> dict[str, float]:
    """Submit `count` forms, paced at `rate` per second (or as fast as `concurrency` allows)."""
    accepted: dict[str, float] = {}
    limiter = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(timeout=60) as client:

        async def one(n: int) -> None:
            if rate:
                await asyncio.sleep(n / rate)
            async with limiter:
                response = await client.post(url, json=submission_json(TEXTS[n % len(TEXTS)]))
                response.raise_for_status()
                accepted[response.json()["reference"]] = time.time()

        await asyncio.gather(*(one(n) for n in range(count)))
    return accepted


async def _graded_times(database_url: str, references: set[str]) -> dict[str, datetime]:
    engine = create_engine(database_url, pool_size=1)
    graded: dict[str, datetime] = {}
    try:
        while not references <= graded.keys():
            async with engine.connect() as conn:
                rows = (
                    await conn.execute(text("SELECT correlation_id, recorded_at FROM events WHERE type = 'Graded'"))
                ).all()
            graded = {row.correlation_id: row.recorded_at for row in rows}
            await asyncio.sleep(0.1)
    finally:
        await engine.dispose()
    return graded


async def bench_flow(stack: DevStack, submissions: int, concurrency: int, rates: tuple[float, ...] = (25, 50)) -> None:
    url = f"{stack.url('intake')}/api/v1/submissions"
    database_url = stack.database_url or ""
    print("\n== flow: HTTP accept → Graded committed, through every service (each its own process) ==")
    start = time.perf_counter()
    accepted = await _submit_all(url, submissions, None, concurrency)
    accept_seconds = time.perf_counter() - start
    await _graded_times(database_url, set(accepted))
    total_seconds = time.perf_counter() - start
    print(f"  saturation, {submissions} at concurrency {concurrency}:")
    print(
        f"    intake accepted {submissions / accept_seconds:7.1f} /s, "
        f"graded end to end {submissions / total_seconds:7.1f} /s"
    )
    for rate in rates:
        count = int(rate * 10)
        accepted = await _submit_all(url, count, rate, concurrency)
        graded = await _graded_times(database_url, set(accepted))
        latencies = [(graded[ref].timestamp() - at) * 1000 for ref, at in accepted.items()]
        print(
            f"  steady {rate:4.0f}/s for 10 s: latency ms p50 {percentile(latencies, 0.5):6.0f}  "
            f"p95 {percentile(latencies, 0.95):6.0f}  p99 {percentile(latencies, 0.99):6.0f}"
        )
