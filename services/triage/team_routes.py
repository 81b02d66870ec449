"""Per-team queues: the teams and each one's submissions (those with a category the team works), deadline first."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.common.auth import Principal, require_roles
from services.common.openapi_bodies import refusals
from services.triage.queries import VIEW_COLUMNS, BadCursor, decode_cursor, encode_cursor, submission_view
from services.triage.teams import TeamMap

Reader = Annotated[Principal, Depends(require_roles("analyst", "supervisor", "auditor"))]
TeamId = Annotated[str, Path(max_length=40, pattern=r"^[a-z][a-z0-9-]{1,39}$")]


async def team_submissions(
    conn: AsyncConnection, categories: tuple[str, ...], *, limit: int, cursor: str | None
) -> dict[str, Any]:
    """The same item shape and cursor as the whole queue, restricted to any of these categories."""
    clauses = ["categories ?| CAST(:categories AS text[])"]
    params: dict[str, Any] = {"categories": list(categories), "limit": limit + 1}
    if cursor:
        due, reference = decode_cursor(cursor)
        clauses.append("(review_due_at, reference) > (:due, :after)")
        params.update({"due": due, "after": reference})
    sql = (
        f"SELECT {VIEW_COLUMNS} FROM triage_submissions WHERE {' AND '.join(clauses)} "  # nosec B608 # constants only, values bound
        "ORDER BY review_due_at, reference LIMIT :limit"
    )
    rows = (await conn.execute(text(sql), params)).all()
    page = rows[:limit]
    next_cursor = encode_cursor(page[-1].review_due_at, page[-1].reference) if len(rows) > limit else None
    return {"items": [submission_view(row) for row in page], "next_cursor": next_cursor}


def team_router(teams: TeamMap) -> APIRouter:
    """Included before the triage router, so /teams is not taken for a submission reference."""
    router = APIRouter(prefix="/api/v1/triage/teams", tags=["triage"], responses=refusals(401, 403))

    @router.get("")
    async def list_teams(_: Reader) -> dict[str, Any]:
        return {"teams": [{"id": t.id, "name": t.name, "categories": list(t.categories)} for t in teams.teams]}

    @router.get("/{team}", responses=refusals(400, 404))
    async def team_queue(
        request: Request,
        _: Reader,
        team: TeamId,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        cursor: Annotated[str | None, Query(max_length=500)] = None,
    ) -> dict[str, Any]:
        found = teams.team(team)
        if found is None:
            raise HTTPException(404, "no team with that id")
        try:
            async with request.app.state.engine.connect() as conn:
                queue = await team_submissions(conn, found.categories, limit=limit, cursor=cursor)
        except BadCursor as exc:
            raise HTTPException(400, str(exc)) from None
        return {"team": {"id": found.id, "name": found.name}} | queue

    return router
