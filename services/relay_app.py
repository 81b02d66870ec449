"""The relay as its own process: health endpoints and the outbox relay, nothing else."""

from __future__ import annotations

from fastapi import FastAPI

from services.common.runtime import create_service_app
from services.common.settings import PipelineSettings


def create_app(settings: PipelineSettings) -> FastAPI:
    return create_service_app("relay", settings.model_copy(update={"run_relay": True}), title="CPI relay")
