"""Triage's wiring: the projection runner and the analysts' API."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Query, Request

from contracts.events import Priority
from eventstore.projections import ProjectionRunner
from services.common.auth import Principal, require_roles
from services.common.runtime import ServiceContext, create_service_app
from services.common.settings import PipelineSettings
from services.triage.projection import STATUS_ORDER, TriageProjection
from services.triage.queries import BadCursor, get_submission, list_submissions

READERS = ("analyst", "supervisor", "auditor")
Reader = Annotated[Principal, Depends(require_roles(*READERS))]


def create_app(settings: PipelineSettings) -> FastAPI:
    router = APIRouter(prefix="/api/v1/triage", tags=["triage"])

    @router.get("")
    async def triage_queue(
        request: Request,
        _: Reader,
        priority: Priority | None = None,
        status: Annotated[str | None, Query(pattern="^(" + "|".join(STATUS_ORDER) + ")$")] = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        cursor: Annotated[str | None, Query(max_length=500)] = None,
    ) -> dict[str, Any]:
        try:
            async with request.app.state.engine.connect() as conn:
                return await list_submissions(
                    conn, priority=priority.value if priority else None, status=status, limit=limit, cursor=cursor
                )
        except BadCursor as exc:
            raise HTTPException(400, str(exc)) from None

    @router.get("/{reference}")
    async def triage_submission(
        request: Request, _: Reader, reference: Annotated[str, Path(max_length=40)]
    ) -> dict[str, Any]:
        async with request.app.state.engine.connect() as conn:
            view = await get_submission(conn, reference)
        if view is None:
            raise HTTPException(404, "no submission with that reference")
        return view

    async def follow_store(context: ServiceContext, stopping: asyncio.Event) -> None:
        await ProjectionRunner(context.engine, settings.database_url, TriageProjection()).run(stopping)

    return create_service_app("triage", settings, routers=[router], background=[follow_store], title="CPI triage")
