"""Works the webhook outbox: one replica per endpoint at a time (row lock), in order, with back-off and dead letters."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from contracts.events import AlertDelivered, AlertDeliveryFailed
from services.common.transient import is_transient
from services.notifier.alert_store import append_alert_event
from services.notifier.append_signal import AppendSignal
from services.notifier.delivery_policy import AttemptResult, backoff_delay, exhausted
from services.notifier.settings import NotifierSettings, WebhookTarget
from services.notifier.signatures import SIGNATURE_HEADER, signature_header

log = logging.getLogger("cpi.notifier.webhooks")

IDLE_SECONDS = 1.0
# Deliveries attempted under one hold of the endpoint's lock.
BATCH = 32

_NEXT_PENDING = text(
    "SELECT delivery_id, alert_id, reference, body, attempts, next_attempt_at FROM notifier_webhook_deliveries "
    "WHERE endpoint = :e AND state = 'pending' ORDER BY order_position, created_at LIMIT :n"
)
_FINISH = text(
    "UPDATE notifier_webhook_deliveries SET state = :state, attempts = :n, last_status = :status, "
    "last_error = :error, finished_at = now() WHERE delivery_id = :d"
)
_RETRY_LATER = text(
    "UPDATE notifier_webhook_deliveries SET attempts = :n, last_status = :status, last_error = :error, "
    "next_attempt_at = :next WHERE delivery_id = :d"
)


class WebhookWorker:
    def __init__(
        self, engine: AsyncEngine, targets: Sequence[WebhookTarget], settings: NotifierSettings, signal: AppendSignal
    ) -> None:
        self._engine = engine
        self._targets = list(targets)
        self._settings = settings
        self._signal = signal

    async def run(self, stopping: asyncio.Event) -> None:
        if not self._targets:
            return
        await self._register_endpoints()
        timeout = httpx.Timeout(self._settings.webhook_timeout_seconds)
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False) as client:
            await asyncio.gather(*(self._work(target, client, stopping) for target in self._targets))

    async def _register_endpoints(self) -> None:
        async with self._engine.begin() as conn:
            for target in self._targets:
                await conn.execute(
                    text("INSERT INTO notifier_webhook_endpoints (name) VALUES (:n) ON CONFLICT DO NOTHING"),
                    {"n": target.name},
                )

    async def _work(self, target: WebhookTarget, client: httpx.AsyncClient, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            token = self._signal.current()
            try:
                wait = await self.deliver_next(target, client)
            except Exception as exc:
                if not is_transient(exc):
                    log.exception("webhook delivery step failed", extra={"error": type(exc).__name__})
                wait = IDLE_SECONDS
            if wait is not None:
                await self._signal.wait(token, min(wait, IDLE_SECONDS))

    async def deliver_next(self, target: WebhookTarget, client: httpx.AsyncClient) -> float | None:
        """Attempt the endpoint's oldest pending deliveries, in order; None if it did, else seconds to wait.

        Every POST of a batch happens before anything is recorded, so the store's head lock is taken
        only for the final appends; a failing head of the queue stops the batch (order is kept).
        """
        async with self._engine.begin() as conn:
            locked = await conn.execute(
                text("SELECT name FROM notifier_webhook_endpoints WHERE name = :n FOR UPDATE SKIP LOCKED"),
                {"n": target.name},
            )
            if locked.first() is None:
                return IDLE_SECONDS  # another replica is delivering to this endpoint
            pending = (await conn.execute(_NEXT_PENDING, {"e": target.name, "n": BATCH})).all()
            now = datetime.now(UTC)
            if not pending:
                return IDLE_SECONDS
            if pending[0].next_attempt_at > now:
                return float((pending[0].next_attempt_at - now).total_seconds())
            outcomes = []
            for row in pending:
                if row.next_attempt_at > now:
                    break
                result = await post_signed(client, target, row.body.encode(), row.delivery_id, row.alert_id)
                outcomes.append((row, result))
                if not result.delivered and not exhausted(row.attempts + 1, target.max_attempts):
                    break
            finished = [await self._record(conn, target, row, result, now) for row, result in outcomes]
            # The events last, just before the commit: the store's head lock is held for the least time.
            for row, event in zip((row for row, _ in outcomes), finished, strict=True):
                if event is not None:
                    delivery_id = uuid.UUID(str(row.delivery_id))
                    await append_alert_event(conn, row.reference, event, uuid.uuid5(delivery_id, event.event_type))
        return None

    async def _record(
        self, conn: AsyncConnection, target: WebhookTarget, row: Any, result: AttemptResult, now: datetime
    ) -> AlertDelivered | AlertDeliveryFailed | None:
        """The attempt's state in the outbox, and the event to record if it ended (delivered or failed)."""
        attempts = row.attempts + 1
        delivery_id = uuid.UUID(str(row.delivery_id))
        values: dict[str, Any] = {"d": delivery_id, "n": attempts, "status": result.status_code}
        if result.delivered:
            await conn.execute(_FINISH, {**values, "state": "delivered", "error": None})
            event: AlertDelivered | AlertDeliveryFailed = AlertDelivered(
                reference=row.reference,
                alert_id=row.alert_id,
                endpoint=target.name,
                status_code=result.status_code or 0,
                latency_ms=result.latency_ms,
                attempts=attempts,
            )
        elif exhausted(attempts, target.max_attempts):
            await conn.execute(_FINISH, {**values, "state": "failed", "error": result.describe()})
            event = AlertDeliveryFailed(
                reference=row.reference,
                alert_id=row.alert_id,
                endpoint=target.name,
                attempts=attempts,
                error=result.describe(),
            )
            log.warning(
                "webhook delivery dead-lettered", extra={"reference": row.reference, "error": result.describe()}
            )
        else:
            delay = backoff_delay(
                attempts, self._settings.webhook_backoff_seconds, self._settings.webhook_backoff_cap_seconds
            )
            next_at = now + timedelta(seconds=delay)
            await conn.execute(_RETRY_LATER, {**values, "error": result.describe(), "next": next_at})
            return None
        return event


async def post_signed(
    client: httpx.AsyncClient, target: WebhookTarget, body: bytes, delivery_id: uuid.UUID, alert_id: uuid.UUID
) -> AttemptResult:
    """One signed POST. Headers carry only ids and the signature, never alert text."""
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature_header(target.secret, int(time.time()), body),
        "X-CPI-Delivery-Id": str(delivery_id),
        "X-CPI-Alert-Id": str(alert_id),
    }
    started = time.perf_counter()
    try:
        response = await client.post(target.url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return AttemptResult(None, type(exc).__name__, _elapsed_ms(started))
    return AttemptResult(response.status_code, None, _elapsed_ms(started))


def _elapsed_ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
