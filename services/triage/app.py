"""Triage's wiring: the projection runner, the review clock and the analysts' API."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import UTC, datetime
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import AfterValidator

from contracts.events import EventModel, Priority
from contracts.subjects import submission_stream_id
from eventstore.errors import ConcurrencyConflict
from eventstore.projections import ProjectionRunner
from eventstore.store import read_stream
from services.common.auth import Principal, require_roles
from services.common.json_body import read_json_model
from services.common.openapi_bodies import json_body, refusals
from services.common.runtime import ServiceContext, create_service_app
from services.common.settings import PipelineSettings
from services.triage.audit_routes import audit_router
from services.triage.decisions import (
    DecisionError,
    ReviewRequest,
    StatusChangeRequest,
    record_review,
    record_status_change,
)
from services.triage.pages import analyst_pages
from services.triage.projection import STATUS_ORDER, TriageProjection
from services.triage.queries import (
    BadCursor,
    QueueFilter,
    daily_counts,
    get_submission,
    linked_submissions,
    list_submissions,
)
from services.triage.review_clock import watch_review_deadlines
from services.triage.team_routes import team_router
from services.triage.teams import load_teams

Reader = Annotated[Principal, Depends(require_roles("analyst", "supervisor", "auditor"))]
Analyst = Annotated[Principal, Depends(require_roles("analyst", "supervisor"))]
Decider = Annotated[Principal, Depends(require_roles("analyst", "supervisor"))]
Reference = Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9-]+$")]


def _representable(value: datetime) -> datetime:
    """A time PostgreSQL can compare: in UTC between years 1 and 9999 (an offset can push one out)."""
    try:
        return value.astimezone(UTC) if value.tzinfo is not None else value
    except OverflowError:
        raise ValueError("must fall between years 1 and 9999 in UTC") from None


Instant = Annotated[datetime, AfterValidator(_representable)]
MAX_DECISION_BYTES = 16 * 1024


def create_app(settings: PipelineSettings) -> FastAPI:
    router = APIRouter(prefix="/api/v1/triage", tags=["triage"], responses=refusals(401, 403))

    @router.get("", responses=refusals(400))
    async def triage_queue(
        request: Request,
        _: Reader,
        priority: Priority | None = None,
        status: Annotated[str | None, Query(pattern="^(" + "|".join(STATUS_ORDER) + ")$")] = None,
        category: Annotated[str | None, Query(pattern=r"^[a-z][a-z_]{1,39}$")] = None,
        breached: bool | None = None,
        received_from: Instant | None = None,
        received_to: Instant | None = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        cursor: Annotated[str | None, Query(max_length=500)] = None,
    ) -> dict[str, Any]:
        queue = QueueFilter(
            priority.value if priority else None, status, category, breached, received_from, received_to
        )
        try:
            async with request.app.state.engine.connect() as conn:
                return await list_submissions(conn, queue, limit=limit, cursor=cursor)
        except BadCursor as exc:
            raise HTTPException(400, str(exc)) from None

    @router.get("/stats/daily")
    async def counts_per_day(
        request: Request, _: Reader, since: Instant, until: Instant | None = None
    ) -> dict[str, Any]:
        """Submissions per day by priority and category, received in [since, until)."""
        async with request.app.state.engine.connect() as conn:
            days = await daily_counts(conn, since, until or datetime.now(UTC))
        return {"days": days}

    @router.get("/{reference}", responses=refusals(404))
    async def triage_submission(request: Request, _: Reader, reference: Reference) -> dict[str, Any]:
        """The whole picture: status, products, grade, review, alerts, and the timeline of its events."""
        async with request.app.state.engine.connect() as conn:
            view = await get_submission(conn, reference)
            if view is None:
                raise HTTPException(404, "no submission with that reference")
            history = await read_stream(conn, submission_stream_id(reference))
        view["timeline"] = [
            {"position": e.position, "type": e.type, "recorded_at": e.recorded_at.isoformat(), "actor": e.actor}
            for e in history
        ]
        return view

    @router.get("/{reference}/linked", responses=refusals(404))
    async def linked(request: Request, _: Analyst, reference: Reference) -> dict[str, Any]:
        """Other submissions naming the same vehicle, phone, handle or name (matched by keyed digest)."""
        async with request.app.state.engine.connect() as conn:
            if await get_submission(conn, reference) is None:
                raise HTTPException(404, "no submission with that reference")
            return {"reference": reference, "links": await linked_submissions(conn, reference)}

    async def _recorded(decision: Awaitable[EventModel]) -> JSONResponse:
        """201 with the recorded event; a refused decision as its status, a stale one as 409."""
        try:
            event = await decision
        except DecisionError as exc:
            raise HTTPException(exc.status, str(exc)) from None
        except ConcurrencyConflict:
            raise HTTPException(409, "the submission changed meanwhile: reload it and decide again") from None
        return JSONResponse(event.model_dump(mode="json"), status_code=201)

    @router.post(
        "/{reference}/review",
        status_code=201,
        openapi_extra=json_body(ReviewRequest),
        responses=refusals(404, 409, 413, 415, 422),
    )
    async def review(request: Request, who: Decider, reference: Reference) -> JSONResponse:
        body = await read_json_model(request, ReviewRequest, MAX_DECISION_BYTES)
        return await _recorded(record_review(request.app.state.engine, reference, body, who))

    @router.post(
        "/{reference}/status",
        status_code=201,
        openapi_extra=json_body(StatusChangeRequest),
        responses=refusals(404, 409, 413, 415, 422),
    )
    async def change_status(request: Request, who: Decider, reference: Reference) -> JSONResponse:
        body = await read_json_model(request, StatusChangeRequest, MAX_DECISION_BYTES)
        return await _recorded(record_status_change(request.app.state.engine, reference, body, who))

    async def follow_store(context: ServiceContext, stopping: asyncio.Event) -> None:
        await ProjectionRunner(context.engine, settings.database_url, TriageProjection()).run(stopping)

    async def review_clock(context: ServiceContext, stopping: asyncio.Event) -> None:
        await watch_review_deadlines(context.engine, stopping, settings.review_check_seconds)

    teams = load_teams()
    app = create_service_app(
        "triage",
        settings,
        # The teams router goes first: otherwise /teams would be read as a submission reference.
        routers=[team_router(teams), router, audit_router(), analyst_pages(settings, teams)],
        background=[follow_store, review_clock],
        title="CPI triage",
    )
    app.mount("/analyst-static", StaticFiles(directory=FilePath(__file__).parent / "static"), name="analyst-static")
    return app
