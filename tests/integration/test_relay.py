"""The outbox relay on real PostgreSQL and JetStream: everything published once, one leader, takeover."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import nats
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.subjects import EVENTS_STREAM
from cpi.embedded import EmbeddedNats, free_port
from eventstore.checkpoints import load_checkpoint
from eventstore.relay import RELAY_CHECKPOINT, OutboxRelay
from eventstore.store import append_events
from tests.factories import received_event


async def _append(engine: AsyncEngine, count: int, prefix: str) -> None:
    async with engine.begin() as conn:
        for n in range(count):
            await append_events(conn, f"submission-{prefix}{n}", [received_event(f"{prefix}{n}")], 0)


async def _eventually(check: Callable[[], Awaitable[bool]], timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def _stream_messages(nats_url: str) -> int:
    client = await nats.connect(nats_url)
    try:
        info = await client.jetstream().stream_info(EVENTS_STREAM)
        return int(info.state.messages)
    except nats.js.errors.NotFoundError:
        return 0
    finally:
        await client.close()


async def test_relay_publishes_every_event_once_with_its_id_as_msg_id(
    engine: AsyncEngine, database_url: str, nats_url: str
) -> None:
    await _append(engine, 30, "A")
    stopping = asyncio.Event()
    relay = OutboxRelay(database_url, nats_url, batch=7)
    task = asyncio.create_task(relay.run(stopping))

    async def relayed() -> bool:
        return await _stream_messages(nats_url) == 30

    await _eventually(relayed)
    client = await nats.connect(nats_url)
    sub = await client.jetstream().pull_subscribe("cpi.events.>", durable="check")
    messages = await sub.fetch(30, timeout=5)
    await client.close()
    stopping.set()
    await task
    async with engine.connect() as conn:
        assert await load_checkpoint(conn, RELAY_CHECKPOINT) == 30
    ids = [m.headers["Nats-Msg-Id"] for m in messages if m.headers]
    assert len(set(ids)) == 30


async def test_only_one_relay_leads_and_a_standby_takes_over_when_it_dies(
    engine: AsyncEngine, database_url: str, nats_url: str
) -> None:
    stop_first, stop_second = asyncio.Event(), asyncio.Event()
    first = OutboxRelay(database_url, nats_url)
    second = OutboxRelay(database_url, nats_url)
    first_task = asyncio.create_task(first.run(stop_first))
    await _eventually(lambda: _true(first.is_leader))
    second_task = asyncio.create_task(second.run(stop_second))
    await _append(engine, 10, "B")

    async def ten() -> bool:
        return await _stream_messages(nats_url) == 10

    await _eventually(ten)
    assert first.is_leader and not second.is_leader
    first_task.cancel()  # dies without a goodbye: its lock goes with its connection
    await asyncio.gather(first_task, return_exceptions=True)
    await _eventually(lambda: _true(second.is_leader))
    await _append(engine, 10, "C")

    async def twenty() -> bool:
        return await _stream_messages(nats_url) == 20

    await _eventually(twenty)
    stop_second.set()
    await second_task


async def test_relay_waits_out_nats_being_down_and_loses_nothing(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    broker = EmbeddedNats(tmp_path / "js", free_port())
    broker.start()
    stopping = asyncio.Event()
    relay = OutboxRelay(database_url, broker.url)
    task = asyncio.create_task(relay.run(stopping))
    try:
        await _append(engine, 10, "D")

        async def ten() -> bool:
            return await _stream_messages(broker.url) == 10

        await _eventually(ten)
        broker.kill()
        await _append(engine, 15, "E")
        await asyncio.sleep(1.0)
        broker.start()

        async def twenty_five() -> bool:
            return await _stream_messages(broker.url) == 25

        await _eventually(twenty_five, timeout=40)
    finally:
        stopping.set()
        await asyncio.wait_for(task, 15)
        broker.stop()


async def _true(value: bool) -> bool:
    return value
