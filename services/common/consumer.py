"""The consumer runtime: decode, record the effect once in one transaction, ack after commit, dead-letter the rest."""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from faststream import AckPolicy
from faststream.nats import JStream, NatsBroker, NatsMessage, PullSub
from nats.js.api import ConsumerConfig
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from contracts.events import EventEnvelope, EventModel, MessageDeadLettered, UnknownEventType
from contracts.subjects import EVENTS_STREAM, event_subject
from eventstore.store import ANY_VERSION, NewEvent, append_events, autocommit
from services.common.telemetry import current_trace_context, meter
from services.common.transient import is_transient

log = logging.getLogger("cpi.consumer")

ACK_WAIT_SECONDS = 30.0
REDELIVERIES = meter("cpi.consumer").create_counter("cpi_consumer_redeliveries", description="Messages delivered again")
DEAD_LETTERS = meter("cpi.consumer").create_counter("cpi_dead_letters", description="Messages dead-lettered")
HANDLED = meter("cpi.consumer").create_counter("cpi_messages_handled", description="Messages handled and acked")
# Messages fetched at once and handled concurrently; kept below the engine's pool size.
PULL_BATCH = 8


@dataclass(frozen=True)
class Outcome:
    """What a handler wants recorded: events for one stream."""

    stream_id: str
    events: Sequence[NewEvent]
    expected_version: int = ANY_VERSION


def follow_on(envelope: EventEnvelope, actor: str, *events: EventModel) -> Outcome:
    """Events a handler records on the same submission's stream, caused by the message it handled."""
    return Outcome(
        envelope.stream_id,
        [
            NewEvent(
                event,
                envelope.stream_id,
                correlation_id=envelope.correlation_id,
                actor=actor,
                causation_id=envelope.event_id,
                trace_context=current_trace_context() or envelope.trace_context,
            )
            for event in events
        ],
    )


Handler = Callable[[AsyncConnection, EventEnvelope], Awaitable[Outcome | None]]


class HandlerFailed(Exception):
    """A handler could not process a well-formed message; retried, then dead-lettered."""


def retry_delay(deliveries: int) -> float:
    """Exponential back-off between redeliveries, capped at 30 s."""
    return float(min(0.5 * 2 ** max(deliveries - 1, 0), 30.0))


async def claim_message(conn: AsyncConnection, handler: str, message_id: uuid.UUID) -> bool:
    """True the first time this handler sees this message; the row commits with the handler's events."""
    result = await conn.execute(
        text(
            "INSERT INTO handler_receipts (handler, message_id) VALUES (:h, :m) "
            "ON CONFLICT DO NOTHING RETURNING message_id"
        ),
        {"h": handler, "m": message_id},
    )
    return result.first() is not None


class EventConsumer:
    """One durable JetStream consumer of one event type, shared by every replica of a service."""

    def __init__(
        self,
        name: str,
        event_type: str,
        handler: Handler,
        engine: AsyncEngine,
        max_attempts: int,
        *,
        reads_only: bool = False,
    ) -> None:
        """`reads_only`: the handler writes nothing itself, so its outcome is its only effect.

        Such a handler runs in autocommit and its events are appended with the message's receipt in one
        statement (no BEGIN, claim or COMMIT round trips, and the store's lock never waits on this
        process); any other handler runs inside one transaction that claims the message first.
        """
        self.name = name
        self.event_type = event_type
        self._handler = handler
        self._engine = engine
        self._max_attempts = max_attempts
        self._reads_only = reads_only

    def register(self, broker: NatsBroker) -> None:
        broker.subscriber(
            event_subject(self.event_type),
            stream=JStream(EVENTS_STREAM, declare=False),
            durable=self.name,
            pull_sub=PullSub(batch_size=PULL_BATCH, timeout=1.0),
            config=ConsumerConfig(max_deliver=-1, ack_wait=ACK_WAIT_SECONDS),
            ack_policy=AckPolicy.MANUAL,
            title=f"{self.name}:{self.event_type}",
            decoder=_the_message_itself,
        )(self.on_message)

    async def on_message(self, msg: NatsMessage) -> None:
        body: bytes = msg.body
        deliveries = int(msg.raw_message.metadata.num_delivered or 1)
        if deliveries > 1:
            REDELIVERIES.add(1, {"consumer": self.name})
        try:
            envelope = EventEnvelope.model_validate_json(body)
            if envelope.type != self.event_type:
                raise UnknownEventType(f"{envelope.type} on the subject of {self.event_type}")
            envelope.event()
        except (ValidationError, UnknownEventType, ValueError) as exc:
            await self._dead_letter(msg, body, deliveries, "undecodable", exc)
            return
        try:
            await self._process(envelope)
        except Exception as exc:
            if not is_transient(exc) and deliveries >= self._max_attempts:
                await self._dead_letter(msg, body, deliveries, "exhausted", exc)
                return
            log.warning(
                "handler failed; will retry",
                extra={"consumer": self.name, "reference": envelope.correlation_id, "error": type(exc).__name__},
            )
            await msg.nack(delay=retry_delay(deliveries))
            return
        await msg.ack()
        HANDLED.add(1, {"consumer": self.name})

    async def _process(self, envelope: EventEnvelope) -> None:
        if self._reads_only:
            async with autocommit(self._engine) as conn:
                outcome = await self._handler(conn, envelope)
                if outcome is not None and outcome.events:
                    await append_events(
                        conn,
                        outcome.stream_id,
                        outcome.events,
                        outcome.expected_version,
                        claim=(self.name, envelope.event_id),
                    )
            return
        async with self._engine.begin() as conn:
            if not await claim_message(conn, self.name, envelope.event_id):
                return
            outcome = await self._handler(conn, envelope)
            if outcome is not None and outcome.events:
                await append_events(conn, outcome.stream_id, outcome.events, outcome.expected_version)

    async def _dead_letter(
        self, msg: NatsMessage, body: bytes, deliveries: int, reason: str, exc: BaseException
    ) -> None:
        headers = msg.headers or {}
        message_id = headers.get("Nats-Msg-Id")
        metadata = msg.raw_message.metadata
        dead_id = uuid.uuid5(
            uuid.NAMESPACE_URL, f"cpi-dead-letter:{self.name}:{metadata.stream}:{metadata.sequence.stream}"
        )
        event = MessageDeadLettered(
            consumer=self.name,
            subject=msg.raw_message.subject,
            message_id=message_id,
            stream_sequence=metadata.sequence.stream,
            deliveries=deliveries,
            reason=reason,
            error=_describe(exc),
            payload_sha256=hashlib.sha256(body).hexdigest(),
            payload_size=len(body),
        )
        try:
            async with self._engine.begin() as conn:
                if await claim_message(conn, self.name, dead_id):
                    await append_events(
                        conn,
                        f"deadletter-{self.name}",
                        [
                            NewEvent(
                                event,
                                f"deadletter-{self.name}",
                                correlation_id=message_id or "unknown",
                                actor=self.name,
                                event_id=dead_id,
                            )
                        ],
                        ANY_VERSION,
                    )
        except Exception as store_exc:
            log.warning("could not record a dead letter; will retry", extra={"error": type(store_exc).__name__})
            await msg.nack(delay=retry_delay(deliveries))
            return
        DEAD_LETTERS.add(1, {"consumer": self.name, "reason": reason})
        log.error(
            "message dead-lettered",
            extra={"consumer": self.name, "reason": reason, "sequence": metadata.sequence.stream},
        )
        await msg.ack()


async def _the_message_itself(msg: NatsMessage) -> NatsMessage:
    """The handler takes the whole message (headers, delivery count, ack) and decodes the body itself.

    With the broker's `apply_types=False` this replaces FastStream's dependency injection, which ran a
    synchronous resolver in a worker thread for every message.
    """
    return msg


def _describe(exc: BaseException) -> str:
    """The error's kind and, for validation errors, the failing locations only (never input values)."""
    if isinstance(exc, ValidationError):
        fields = sorted({".".join(str(p) for p in err["loc"]) + f": {err['type']}" for err in exc.errors()})
        return f"ValidationError: {'; '.join(fields)}"[:2000]
    if isinstance(exc, (UnknownEventType, HandlerFailed)):
        return f"{type(exc).__name__}: {exc}"[:500]
    return type(exc).__name__
