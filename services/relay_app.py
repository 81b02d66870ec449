"""The relay as its own process: the outbox relay and the audit checkpointer, with health endpoints."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from eventstore.checkpoint_publication import run_checkpointer
from services.common.runtime import ServiceContext, create_service_app
from services.common.settings import PipelineSettings


async def sign_checkpoints(context: ServiceContext, stopping: asyncio.Event) -> None:
    await run_checkpointer(
        context.engine,
        context.settings.database_url,
        context.nats.jetstream(),
        context.settings.stream_replicas,
        stopping,
    )


def create_app(settings: PipelineSettings) -> FastAPI:
    relay_settings = settings.model_copy(update={"run_relay": True})
    return create_service_app("relay", relay_settings, background=[sign_checkpoints], title="CPI relay")
