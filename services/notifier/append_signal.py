"""One LISTEN connection per process that wakes every waiter (SSE streams, the webhook worker) on each append."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import asyncpg

from eventstore.database import connect_raw
from eventstore.store import NOTIFY_CHANNEL, appended_types

log = logging.getLogger("cpi.notifier.signal")


class AppendSignal:
    """Take `current()` before reading the store, then `wait(token)`: an append in between is never missed."""

    def __init__(self, database_url: str, wake_on: frozenset[str] | None = None) -> None:
        """`wake_on`: the event types worth waking for (None: every append)."""
        self._url = database_url
        self._wake_on = wake_on
        self._event = asyncio.Event()

    def current(self) -> asyncio.Event:
        return self._event

    def _notified(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        if self._wake_on is None or appended_types(payload) & self._wake_on:
            self._wake()

    def _wake(self) -> None:
        woken, self._event = self._event, asyncio.Event()
        woken.set()

    async def wait(self, token: asyncio.Event, timeout: float) -> bool:
        """True if something was appended since the token was taken; False after the timeout."""
        try:
            await asyncio.wait_for(token.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def run(self, stopping: asyncio.Event) -> None:
        """Keeps the LISTEN connection up; while it is down, waiters still wake on their timeouts."""
        while not stopping.is_set():
            try:
                await self._listen(stopping)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
                log.warning("store listener interrupted", extra={"error": type(exc).__name__})
                await asyncio.sleep(1.0)

    async def _listen(self, stopping: asyncio.Event) -> None:
        conn: Any = await connect_raw(self._url)
        lost = asyncio.Event()
        try:
            conn.add_termination_listener(lambda *_: lost.set())
            await conn.add_listener(NOTIFY_CHANNEL, self._notified)
            self._wake()  # whatever was appended while not listening
            waits = {asyncio.create_task(stopping.wait()), asyncio.create_task(lost.wait())}
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            for task in waits:
                task.cancel()
        finally:
            with contextlib.suppress(Exception):
                await conn.close()
