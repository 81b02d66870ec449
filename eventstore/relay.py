"""The outbox relay: publishes every recorded event to JetStream, in order, from one active replica."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from typing import NamedTuple

import asyncpg
import nats
import nats.errors
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from opentelemetry import trace
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from contracts.subjects import event_subject
from eventstore.database import connect_raw
from eventstore.jetstream import ensure_streams
from eventstore.store import StoreWakeups

log = logging.getLogger("cpi.relay")

RELAY_LOCK = 0x43_50_49_52  # "CPIR"
RELAY_CHECKPOINT = "relay"
# A few milliseconds turn a burst of appends into one read, one publish batch and one checkpoint write.
RELAY_GATHER_SECONDS = 0.005
# The checkpoint and a look at the store's head, in one round trip.
_SAVE_CHECKPOINT = (
    "WITH saved AS (INSERT INTO checkpoints (name, position) VALUES ($1, $2) ON CONFLICT (name) "
    "DO UPDATE SET position = excluded.position, updated_at = now()) SELECT position FROM event_store_head"
)


TRACER = trace.get_tracer("cpi.relay")
_PROPAGATOR = TraceContextTextMapPropagator()


class Outgoing(NamedTuple):
    """A recorded event as the relay publishes it: the envelope's JSON, built by PostgreSQL."""

    position: int
    event_id: str
    type: str
    correlation_id: str
    trace_context: str
    body: str


# The envelope's JSON straight from the row (EventEnvelope's fields and spelling), so the relay parses
# and re-serialises nothing; consumers validate it with EventEnvelope.model_validate_json.
_OUTGOING = (
    "SELECT position, event_id::text, type, correlation_id, trace_context::text, json_build_object("
    "'event_id', event_id, 'type', type, 'schema_version', schema_version, 'stream_id', stream_id, "
    "'stream_version', stream_version, 'position', position, 'recorded_at', recorded_at, "
    "'causation_id', causation_id, 'correlation_id', correlation_id, 'actor', actor, "
    "'trace_context', trace_context, 'payload', payload)::text "
    "FROM events WHERE position > $1 ORDER BY position LIMIT $2"
)


def message_headers(event: Outgoing, span: trace.Span) -> dict[str, str]:
    """Nats-Msg-Id for de-duplication, and the relay span as the consumer's parent."""
    headers = {"Nats-Msg-Id": event.event_id, "Cpi-Event-Type": event.type}
    _PROPAGATOR.inject(headers, context=trace.set_span_in_context(span))
    return headers


async def connect_nats(nats_url: str, name: str) -> NatsClient:
    """A client that keeps reconnecting for ever: NATS being down only delays delivery."""
    return await nats.connect(
        nats_url,
        name=name,
        max_reconnect_attempts=-1,
        reconnect_time_wait=0.5,
        connect_timeout=2,
        allow_reconnect=True,
    )


class OutboxRelay:
    """Holds a PostgreSQL advisory lock while relaying; a standby takes over when the holder dies."""

    def __init__(self, database_url: str, nats_url: str, *, batch: int = 256) -> None:
        self._database_url = database_url
        self._nats_url = nats_url
        self._batch = batch
        self.is_leader = False
        self.relayed_position = 0
        self.head_position = 0

    @property
    def lag(self) -> int:
        """Events recorded but not yet relayed, as last seen by the leader (0 on a standby)."""
        return max(self.head_position - self.relayed_position, 0) if self.is_leader else 0

    async def run(self, stopping: asyncio.Event) -> None:
        backoff = 0.2
        while not stopping.is_set():
            try:
                await self._lead(stopping)
                backoff = 0.2
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, nats.errors.Error, TimeoutError) as exc:
                log.warning("relay interrupted, retrying", extra={"error": type(exc).__name__})
            finally:
                self.is_leader = False
            await _sleep_unless(stopping, backoff)
            backoff = min(backoff * 2, 5.0)

    async def _lead(self, stopping: asyncio.Event) -> None:
        lock_conn = await connect_raw(self._database_url)
        wakeups = StoreWakeups(self._database_url)
        client: NatsClient | None = None
        try:
            while not await lock_conn.fetchval("SELECT pg_try_advisory_lock($1)", RELAY_LOCK):
                if await _sleep_unless(stopping, 1.0):
                    return
            self.is_leader = True
            log.info("relay lock acquired")
            client = await connect_nats(self._nats_url, "cpi-relay")
            js = client.jetstream()
            await ensure_streams(js)
            await wakeups.start()
            position = int(
                await lock_conn.fetchval(
                    "SELECT coalesce((SELECT position FROM checkpoints WHERE name = $1), 0)", RELAY_CHECKPOINT
                )
            )
            while not stopping.is_set():
                events = [Outgoing(*row) for row in await lock_conn.fetch(_OUTGOING, position, self._batch)]
                if not events:
                    self.head_position = position
                    await wakeups.wait(0.5, gather=RELAY_GATHER_SECONDS)
                    continue
                await self._publish(js, events, stopping)
                position = events[-1].position
                # Written through the lock's own session: a replica that lost the lock cannot move it.
                head = await lock_conn.fetchval(_SAVE_CHECKPOINT, RELAY_CHECKPOINT, position)
                self.relayed_position = position
                self.head_position = int(head)
        finally:
            await wakeups.close()
            if client is not None:
                await client.close()
            await lock_conn.close()

    async def _publish(self, js: JetStreamContext, events: Sequence[Outgoing], stopping: asyncio.Event) -> None:
        """Publish a batch until JetStream acknowledges all of it; duplicates are dropped by Nats-Msg-Id."""
        backoff = 0.2
        spans = [
            TRACER.start_span(
                f"relay {event.type}",
                context=_PROPAGATOR.extract(json.loads(event.trace_context)),
                kind=trace.SpanKind.PRODUCER,
                attributes={"cpi.reference": event.correlation_id, "cpi.position": event.position},
            )
            for event in events
        ]
        while True:
            results = await asyncio.gather(
                *(
                    js.publish(
                        event_subject(event.type),
                        event.body.encode(),
                        timeout=5.0,
                        headers=message_headers(event, span),
                    )
                    for event, span in zip(events, spans, strict=True)
                ),
                return_exceptions=True,
            )
            failures = [r for r in results if isinstance(r, BaseException)]
            if not failures:
                for span in spans:
                    span.end()
                return
            log.warning("relay publish failed, will retry", extra={"failures": len(failures)})
            if await _sleep_unless(stopping, backoff):
                raise TimeoutError("stopping while JetStream is unreachable")
            backoff = min(backoff * 2, 5.0)


async def _sleep_unless(stopping: asyncio.Event, seconds: float) -> bool:
    """Sleep; True if asked to stop meanwhile."""
    try:
        await asyncio.wait_for(stopping.wait(), seconds)
    except TimeoutError:
        return False
    return True
