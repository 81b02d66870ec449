"""The control room's HTTP surface: the live page and its login, acknowledgement, open alerts and the SSE stream."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Header, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from fastapi.templating import Jinja2Templates

from eventstore.store import head_position
from services.common.auth import Principal
from services.notifier.access import COOKIE_NAME, bearer_or_cookie, control_room_principal, verify_control_room_token
from services.notifier.alert_store import AlertRow, open_alerts
from services.notifier.append_signal import AppendSignal
from services.notifier.control_room_stream import follow_alerts
from services.notifier.handlers import Acknowledgement, acknowledge_alert
from services.notifier.settings import NotifierSettings
from services.notifier.sse import BadLastEventId, resume_position

TEMPLATES = FilePath(__file__).parent / "templates"
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    # Not no-referrer: with it Chromium sends "Origin: null" on form posts, which the cookie check refuses.
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
ControlRoom = Annotated[Principal, Depends(control_room_principal)]


def control_room_router(settings: NotifierSettings, signal: AppendSignal) -> APIRouter:
    router = APIRouter()
    templates = Jinja2Templates(directory=str(TEMPLATES))

    @router.get("/api/v1/control-room/alerts")
    async def list_open_alerts(request: Request, _: ControlRoom) -> dict[str, Any]:
        async with request.app.state.engine.connect() as conn:
            rows = await open_alerts(conn)
        return {"items": [_alert_view(row) for row in rows]}

    @router.post("/api/v1/control-room/alerts/{alert_id}/ack", response_model=None)
    async def acknowledge(request: Request, principal: ControlRoom, alert_id: uuid.UUID) -> Response:
        async with request.app.state.engine.begin() as conn:
            ack = await acknowledge_alert(conn, alert_id, principal.subject, datetime.now(UTC))
        if ack is None:
            raise HTTPException(404, "no alert with that id")
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return RedirectResponse("/control-room", status_code=303)  # the page's form, without JS
        return JSONResponse(_ack_view(ack))

    @router.get("/api/v1/control-room/stream")
    async def stream(
        request: Request,
        _: ControlRoom,
        after: Annotated[int | None, Query(ge=0, le=2**63 - 1)] = None,
        last_event_id: Annotated[str | None, Header(max_length=40)] = None,
    ) -> StreamingResponse:
        try:
            start = resume_position(last_event_id, after)
        except BadLastEventId as exc:
            raise HTTPException(400, str(exc)) from None
        body = follow_alerts(request.app.state.engine, signal, start, settings.sse_keepalive_seconds)
        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        return StreamingResponse(body, media_type="text/event-stream", headers=headers)

    @router.get("/control-room", response_class=HTMLResponse, response_model=None)
    async def page(request: Request) -> Response:
        token, _ = bearer_or_cookie(request)
        if token is None:
            return RedirectResponse("/control-room/login", status_code=303)
        principal = verify_control_room_token(request.app.state.token_verifier, token)
        async with request.app.state.engine.connect() as conn:
            head = await head_position(conn)  # read first: an alert committed in between comes twice, never not at all
            rows = await open_alerts(conn)
        context = {"alerts": [_alert_view(row) for row in rows], "after": head, "who": principal.subject}
        return templates.TemplateResponse(request, "control_room.html", context, headers=PAGE_HEADERS)

    @router.get("/control-room/login", response_class=HTMLResponse)
    async def login_form(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(request, "login.html", {"error": None}, headers=PAGE_HEADERS)

    @router.post("/control-room/login", response_class=HTMLResponse, response_model=None)
    async def login(request: Request, token: Annotated[str, Form(max_length=4096)]) -> Response:
        try:
            verify_control_room_token(request.app.state.token_verifier, token.strip())
        except HTTPException as exc:
            context = {"error": exc.detail}
            return templates.TemplateResponse(
                request, "login.html", context, status_code=exc.status_code, headers=PAGE_HEADERS
            )
        response = RedirectResponse("/control-room", status_code=303)
        response.set_cookie(
            COOKIE_NAME,
            token.strip(),
            httponly=True,
            samesite="strict",
            secure=settings.cookie_secure,
            path="/",
            max_age=8 * 3600,
        )
        return response

    @router.post("/control-room/logout")
    async def logout() -> RedirectResponse:
        response = RedirectResponse("/control-room/login", status_code=303)
        response.delete_cookie(COOKIE_NAME, path="/")
        return response

    return router


def _alert_view(row: AlertRow) -> dict[str, Any]:
    return {
        **row.alert,
        "channel": row.channel,
        "dispatched_at": row.dispatched_at.isoformat(),
        "escalations": row.escalations,
        "acknowledged_at": row.acknowledged_at.isoformat() if row.acknowledged_at else None,
    }


def _ack_view(ack: Acknowledgement) -> dict[str, Any]:
    return {
        "alert_id": str(ack.alert_id),
        "reference": ack.reference,
        "acknowledged_by": ack.acknowledged_by,
        "acknowledged_at": ack.acknowledged_at.isoformat(),
    }
