"""Wires a service process: engine, NATS, streams, consumers, the optional relay, health; nothing at import."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.exceptions import RequestValidationError
from faststream.nats import NatsBroker
from faststream.nats.opentelemetry import NatsTelemetryMiddleware
from nats.aio.client import Client as NatsClient
from opentelemetry.metrics import Observation
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from eventstore.database import create_engine
from eventstore.jetstream import ensure_streams
from eventstore.migrate import migration_scripts
from eventstore.relay import OutboxRelay, connect_nats
from services.common.auth import TokenVerifier
from services.common.consumer import EventConsumer
from services.common.health import ReadinessCheck, health_router
from services.common.json_body import RequestRefused, answer_invalid_request, answer_refusal
from services.common.settings import PipelineSettings
from services.common.telemetry import meter

log = logging.getLogger("cpi.runtime")


@dataclass
class ServiceContext:
    """What a running service holds; handed to the service's own wiring."""

    name: str
    settings: PipelineSettings
    engine: AsyncEngine
    nats: NatsClient
    consumers: list[EventConsumer] = field(default_factory=list)
    relay: OutboxRelay | None = None


ConsumerFactory = Callable[[ServiceContext], Sequence[EventConsumer]]
BackgroundWork = Callable[[ServiceContext, asyncio.Event], Coroutine[Any, Any, None]]


async def run_relay(context: ServiceContext, stopping: asyncio.Event) -> None:
    relay = context.relay = OutboxRelay(context.settings.database_url, context.settings.nats_url)
    meter("cpi.relay").create_observable_gauge(
        "cpi_relay_lag_events",
        callbacks=[lambda _: [Observation(relay.lag)]],
        description="Events recorded in the store and not yet published to JetStream",
    )
    await relay.run(stopping)


async def _supervised(work: BackgroundWork, context: ServiceContext, stopping: asyncio.Event) -> None:
    """Background work that fails is logged (its kind only) and started again, never silently lost."""
    while not stopping.is_set():
        try:
            await work(context, stopping)
            return
        except Exception as exc:
            log.error(
                "background work failed; restarting", extra={"service": context.name, "error": type(exc).__name__}
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), 2.0)


def create_service_app(
    name: str,
    settings: PipelineSettings,
    *,
    consumers: ConsumerFactory | None = None,
    routers: Sequence[APIRouter] = (),
    background: Sequence[BackgroundWork] = (),
    title: str | None = None,
) -> FastAPI:
    """A FastAPI app whose lifespan starts the service's consumers and background work, and stops them."""
    work = [*background, run_relay] if settings.run_relay else list(background)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url)
        client = await connect_nats(settings.nats_url, f"cpi-{name}")
        await ensure_streams(client.jetstream(), settings.stream_replicas)
        context = ServiceContext(name, settings, engine, client)
        app.state.context = context
        app.state.engine = engine
        stopping = asyncio.Event()
        broker: NatsBroker | None = None
        if consumers is not None:
            context.consumers = list(consumers(context))
            broker = NatsBroker(
                settings.nats_url,
                middlewares=[NatsTelemetryMiddleware()],
                apply_types=False,  # consumers take the message itself (see consumer._the_message_itself)
                name=f"cpi-{name}",
                max_reconnect_attempts=-1,
                reconnect_time_wait=1,
                log_level=logging.DEBUG,
            )
            for consumer in context.consumers:
                consumer.register(broker)
            await broker.start()
        tasks = [asyncio.create_task(_supervised(run, context, stopping)) for run in work]
        app.state.readiness_checks = readiness_checks(context)
        # What start-up built (policy, regexes, models, pools) lives as long as the process: keep it out of
        # the collector's full passes, which otherwise pause every handler now and then.
        gc.freeze()
        log.info("service started", extra={"service": name})
        try:
            yield
        finally:
            stopping.set()
            if broker is not None:
                await broker.stop()
            for task in tasks:
                await asyncio.wait_for(task, 10)
            await client.close()
            await engine.dispose()

    app = FastAPI(title=title or f"CPI {name}", lifespan=lifespan)
    if settings.jwt_secret is not None:
        app.state.token_verifier = TokenVerifier(settings.jwt_secret.get_secret_value(), settings.jwt_audience)
    app.add_exception_handler(RequestRefused, answer_refusal)
    app.add_exception_handler(RequestValidationError, answer_invalid_request)  # never echo the input
    app.include_router(health_router())
    for router in routers:
        app.include_router(router)
    return app


def readiness_checks(context: ServiceContext) -> dict[str, ReadinessCheck]:
    expected = {name for name, _ in migration_scripts()}

    async def store() -> str | None:
        async with context.engine.connect() as conn:
            applied = {row[0] for row in await conn.execute(text("SELECT name FROM schema_migrations"))}
        missing = expected - applied
        return f"migrations not applied: {', '.join(sorted(missing))}" if missing else None

    async def broker() -> str | None:
        return None if context.nats.is_connected else "NATS is not connected"

    async def relay_lag() -> str | None:
        lag = context.relay.lag if context.relay is not None else 0
        return f"relay lag {lag} events" if lag > context.settings.relay_lag_threshold else None

    return {"store": store, "nats": broker, "relay_lag": relay_lag}
