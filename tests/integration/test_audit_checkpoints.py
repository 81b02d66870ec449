"""Signed checkpoints on JetStream catch a consistently rewritten store; their stream refuses delete and purge."""

from __future__ import annotations

import asyncio
import base64
import contextlib
from collections.abc import AsyncIterator

import nats
import pytest
from nats.js import JetStreamContext
from nats.js.errors import APIError, NotFoundError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.subjects import AUDIT_STREAM, AUDIT_SUBJECT
from eventstore.chain import GENESIS_HASH, chain_hash
from eventstore.checkpoint_publication import (
    ensure_audit_stream,
    publish_pending_checkpoints,
    run_checkpointer,
    sign_due_checkpoints,
)
from eventstore.checkpoint_signing import generate_signing_key, load_signer, parse_public_keys
from eventstore.checkpoint_verification import published_checkpoints, verify_published_checkpoints
from eventstore.store import _COLUMNS, envelope_from_row
from eventstore.verify import verify_chain
from services.common.settings import PipelineSettings
from tests.integration.audit_history_builder import append_history

PRIVATE, PUBLIC = generate_signing_key()
SIGNER = load_signer(PRIVATE, "audit-test")
KEYS = parse_public_keys(f"audit-test:{PUBLIC}")


@pytest.fixture
async def js(nats_url: str) -> AsyncIterator[JetStreamContext]:
    client = await nats.connect(nats_url)
    context = client.jetstream()
    with contextlib.suppress(NotFoundError):
        await context.delete_stream(AUDIT_STREAM)  # the stream itself can be deleted only by an account admin
    await ensure_audit_stream(context)
    yield context
    await client.close()


async def _rewrite_consistently(engine: AsyncEngine, position: int) -> None:
    """Edit one row, then re-hash every row from there and the head, as an attacker with table rights would."""
    async with engine.begin() as conn:
        await conn.execute(text("ALTER TABLE events DISABLE TRIGGER USER"))
        await conn.execute(text("UPDATE events SET actor = 'mallory' WHERE position = :p"), {"p": position})
        previous = GENESIS_HASH
        for row in await conn.execute(text(f"SELECT {_COLUMNS} FROM events ORDER BY position")):
            previous = chain_hash(previous, envelope_from_row(row))
            await conn.execute(
                text("UPDATE events SET hash = :h WHERE position = :p"), {"h": previous, "p": row.position}
            )
        await conn.execute(text("UPDATE event_store_head SET hash = :h"), {"h": previous})
        await conn.execute(text("ALTER TABLE events ENABLE TRIGGER USER"))


async def test_published_checkpoints_verify_against_an_untouched_store(
    engine: AsyncEngine, js: JetStreamContext
) -> None:
    await append_history(engine, 100)
    assert await sign_due_checkpoints(engine, SIGNER, 100) == [100, 200, 300]
    assert await sign_due_checkpoints(engine, SIGNER, 100) == []
    assert await publish_pending_checkpoints(engine, js) == 3
    assert await publish_pending_checkpoints(engine, js) == 0
    checkpoints = await published_checkpoints(js)
    assert [c.position for c in checkpoints] == [100, 200, 300]
    async with engine.connect() as conn:
        report = await verify_published_checkpoints(conn, checkpoints, KEYS)
    assert report.ok and report.checked == 3


async def test_a_consistently_rewritten_table_passes_the_chain_but_fails_the_checkpoints(
    engine: AsyncEngine, js: JetStreamContext
) -> None:
    await append_history(engine, 100)
    await sign_due_checkpoints(engine, SIGNER, 100)
    await publish_pending_checkpoints(engine, js)
    await _rewrite_consistently(engine, 150)
    async with engine.connect() as conn:
        assert (await verify_chain(conn)).ok
        report = await verify_published_checkpoints(conn, await published_checkpoints(js), KEYS)
    assert not report.ok
    assert report.broken_at == 200 and report.checked == 1


async def test_a_truncated_tail_is_caught_by_the_last_checkpoint(engine: AsyncEngine, js: JetStreamContext) -> None:
    await append_history(engine, 100)
    await sign_due_checkpoints(engine, SIGNER, 100)
    await publish_pending_checkpoints(engine, js)
    async with engine.begin() as conn:
        await conn.execute(text("ALTER TABLE events DISABLE TRIGGER USER"))
        await conn.execute(text("DELETE FROM events WHERE position > 250"))
        tail = (await conn.execute(text("SELECT hash FROM events WHERE position = 250"))).scalar_one()
        await conn.execute(text("UPDATE event_store_head SET position = 250, hash = :h"), {"h": tail})
        await conn.execute(text("ALTER TABLE events ENABLE TRIGGER USER"))
    async with engine.connect() as conn:
        assert (await verify_chain(conn)).ok
        report = await verify_published_checkpoints(conn, await published_checkpoints(js), KEYS)
    assert report.broken_at == 300 and "no longer reaches" in (report.problem or "")


async def test_a_checkpoint_signed_by_an_unknown_or_wrong_key_fails(engine: AsyncEngine, js: JetStreamContext) -> None:
    await append_history(engine, 40)
    await sign_due_checkpoints(engine, load_signer(generate_signing_key()[0], "audit-test"), 100)
    await publish_pending_checkpoints(engine, js)
    async with engine.connect() as conn:
        report = await verify_published_checkpoints(conn, await published_checkpoints(js), KEYS)
    assert report.broken_at == 100 and "signature" in (report.problem or "")


async def test_the_audit_stream_refuses_message_delete_and_purge(js: JetStreamContext) -> None:
    await js.publish(AUDIT_SUBJECT, b'{"position": 1}', stream=AUDIT_STREAM)
    with pytest.raises(APIError):
        await js.delete_msg(AUDIT_STREAM, 1)
    with pytest.raises(APIError):
        await js.purge_stream(AUDIT_STREAM)
    info = await js.stream_info(AUDIT_STREAM)
    assert info.state.messages == 1
    assert info.config.deny_delete and info.config.deny_purge


async def test_the_background_checkpointer_signs_and_publishes_as_the_store_grows(
    engine: AsyncEngine, js: JetStreamContext, settings: PipelineSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CPI_AUDIT_SIGNING_KEY", PRIVATE)
    monkeypatch.setenv("CPI_AUDIT_SIGNING_KEY_ID", "audit-test")
    monkeypatch.setenv("CPI_CHECKPOINT_EVERY", "50")
    client = await nats.connect(settings.nats_url)
    stopping = asyncio.Event()
    task = asyncio.create_task(
        run_checkpointer(engine, settings.database_url, client.jetstream(), settings.stream_replicas, stopping)
    )
    try:
        await append_history(engine, 40)
        for _ in range(100):
            if len(await published_checkpoints(js)) >= 2:
                break
            await asyncio.sleep(0.1)
    finally:
        stopping.set()
        await asyncio.wait_for(task, 15)
        await client.close()
    checkpoints = await published_checkpoints(js)
    assert [c.position for c in checkpoints] == [50, 100]
    assert base64.b64decode(checkpoints[0].signature)
    async with engine.connect() as conn:
        assert (await verify_published_checkpoints(conn, checkpoints, KEYS)).ok
