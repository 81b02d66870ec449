"""The whole stack as separate processes, for end-to-end and fault tests, and what they check."""

from __future__ import annotations

import asyncio
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import text

from cpi.devstack import SERVICES, DevStack
from eventstore.database import create_engine
from services.common.auth import issue_token
from tests.servers import RunningServers, empty_jetstream, fresh_database


def bearer(secret: str, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(secret, role)}"}


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def event_counts(database_url: str) -> dict[str, Counter[str]]:
    """For each event type, how many times each submission has it."""

    async def read() -> dict[str, Counter[str]]:
        engine = create_engine(database_url, pool_size=1)
        try:
            async with engine.connect() as conn:
                rows = (await conn.execute(text("SELECT type, correlation_id FROM events"))).all()
        finally:
            await engine.dispose()
        counts: defaultdict[str, Counter[str]] = defaultdict(Counter)
        for row in rows:
            counts[row.type][row.correlation_id] += 1
        return counts

    return asyncio.run(read())


def submit(client: httpx.Client, intake_url: str, document: dict[str, object], **headers: str) -> httpx.Response:
    return client.post(f"{intake_url}/api/v1/submissions", json=document, headers=headers, timeout=30)


def graded_priorities(database_url: str) -> dict[str, str]:
    """Each submission's latest graded priority."""

    async def read() -> dict[str, str]:
        engine = create_engine(database_url, pool_size=1)
        try:
            async with engine.connect() as conn:
                rows = (
                    await conn.execute(
                        text(
                            "SELECT correlation_id, payload->>'priority' AS p FROM events "
                            "WHERE type = 'Graded' ORDER BY position"
                        )
                    )
                ).all()
        finally:
            await engine.dispose()
        return {row.correlation_id: row.p for row in rows}

    return asyncio.run(read())


@contextmanager
def stack_on(
    servers: RunningServers, root: Path, names: tuple[str, ...] = SERVICES, env: dict[str, str] | None = None
) -> Iterator[DevStack]:
    """Services as processes on the session's servers, with a fresh database and empty streams."""
    database_url = asyncio.run(fresh_database(servers.database_url))
    asyncio.run(empty_jetstream(servers.nats_url))
    devstack = DevStack(root, database_url=database_url, nats_url=servers.nats_url, extra_env=env or {})
    try:
        devstack.start(names)
        yield devstack
    finally:
        devstack.stop()
