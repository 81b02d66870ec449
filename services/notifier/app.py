"""Notifier's wiring: one durable consumer of Graded, publishing through the service's NATS client."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from fastapi import FastAPI

from contracts.events import Graded
from services.common.consumer import EventConsumer
from services.common.runtime import ServiceContext, create_service_app
from services.common.settings import PipelineSettings
from services.notifier.handlers import dispatch_alert


def create_app(settings: PipelineSettings) -> FastAPI:
    def consumers(context: ServiceContext) -> Sequence[EventConsumer]:
        handler = partial(dispatch_alert, js=context.nats.jetstream())
        return [EventConsumer("notifier", Graded.event_type, handler, context.engine, settings.max_attempts)]

    return create_service_app("notifier", settings, consumers=consumers, title="CPI notifier")
