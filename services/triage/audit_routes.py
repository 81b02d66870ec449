"""The auditors' API: a submission's full history and the hash chain's verification."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request

from eventstore.history import submission_history
from eventstore.verify import verify_chain
from services.common.auth import Principal, require_roles
from services.common.openapi_bodies import refusals

HISTORY_ROLES = ("auditor", "supervisor", "admin")
VERIFY_ROLES = ("auditor",)
MAX_POSITION = 2**63 - 1  # positions are BIGINT: a larger one is refused, not sent to PostgreSQL


def audit_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1/audit", tags=["audit"], responses=refusals(401, 403))

    @router.get("/verify")
    async def verify(
        request: Request,
        _: Annotated[Principal, Depends(require_roles(*VERIFY_ROLES))],
        start: Annotated[int, Query(alias="from", ge=1, le=MAX_POSITION)] = 1,
        end: Annotated[int | None, Query(alias="to", ge=1, le=MAX_POSITION)] = None,
    ) -> dict[str, Any]:
        if end is not None and end < start:
            raise HTTPException(
                422, [{"loc": ["query", "to"], "msg": "must not be before 'from'", "type": "value_error"}]
            )
        async with request.app.state.engine.connect() as conn:
            report = await verify_chain(conn, start, end)
        return {
            "ok": report.ok,
            "verified": report.verified,
            "first_position": report.first_position,
            "last_position": report.last_position,
            "broken_at": report.broken_at,
            "problem": report.problem,
        }

    @router.get("/{reference}/events", responses=refusals(404))
    async def history(
        request: Request,
        _: Annotated[Principal, Depends(require_roles(*HISTORY_ROLES))],
        reference: Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9-]+$")],
    ) -> dict[str, Any]:
        async with request.app.state.engine.connect() as conn:
            events = await submission_history(conn, reference)
        if events is None:
            raise HTTPException(404, "no submission with that reference")
        return {"reference": reference, "events": events}

    return router
