"""Notifier's wiring: consumers of Graded and GradeReviewed, the webhook and escalation workers, the control room."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from functools import partial
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from contracts.events import Graded, GradeReviewed
from services.common.consumer import EventConsumer
from services.common.runtime import ServiceContext, create_service_app
from services.common.settings import PipelineSettings
from services.notifier.append_signal import AppendSignal
from services.notifier.control_room_stream import STREAMED_TYPES
from services.notifier.escalation_worker import run_escalations
from services.notifier.handlers import PushRoutes, dispatch_graded, dispatch_reviewed
from services.notifier.routes import control_room_router
from services.notifier.settings import NotifierSettings
from services.notifier.webhook_worker import WebhookWorker

STATIC = Path(__file__).parent / "static"


def create_app(settings: PipelineSettings, notifier: NotifierSettings | None = None) -> FastAPI:
    notifier = notifier or NotifierSettings()
    targets = notifier.webhook_targets()
    # The stream and the webhook outbox only change with these events.
    signal = AppendSignal(settings.database_url, wake_on=frozenset(STREAMED_TYPES))

    def push_routes(context: ServiceContext) -> PushRoutes:
        return PushRoutes(context.nats.jetstream(), targets, notifier.escalation_seconds)

    def consumers(context: ServiceContext) -> Sequence[EventConsumer]:
        push = push_routes(context)
        return [
            EventConsumer(
                "notifier",
                Graded.event_type,
                partial(dispatch_graded, push=push),
                context.engine,
                settings.max_attempts,
            ),
            EventConsumer(
                "notifier-reviews",
                GradeReviewed.event_type,
                partial(dispatch_reviewed, push=push),
                context.engine,
                settings.max_attempts,
            ),
        ]

    async def listen(context: ServiceContext, stopping: asyncio.Event) -> None:
        await signal.run(stopping)

    async def deliver_webhooks(context: ServiceContext, stopping: asyncio.Event) -> None:
        await WebhookWorker(context.engine, targets, notifier, signal).run(stopping)

    async def escalate(context: ServiceContext, stopping: asyncio.Event) -> None:
        await run_escalations(context.engine, push_routes(context), notifier.escalation_check_seconds, stopping)

    app = create_service_app(
        "notifier",
        settings,
        consumers=consumers,
        routers=[control_room_router(notifier, signal)],
        background=[listen, deliver_webhooks, escalate],
        title="CPI notifier",
    )
    app.mount("/control-room/static", StaticFiles(directory=STATIC), name="control-room-static")
    return app
