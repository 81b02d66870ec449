"""Intake's wiring: the HTTP edge that turns requests into accept_submission calls and errors into statuses."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from contracts.submission import Submission
from services.common.runtime import create_service_app
from services.common.sealing import MasterKeyring
from services.common.settings import PipelineSettings
from services.common.transient import is_transient
from services.intake.domain import IdempotencyConflict
from services.intake.handlers import IntakeKeys, accept_submission

log = logging.getLogger("cpi.intake")

MAX_IDEMPOTENCY_KEY = 200


class RequestRefused(Exception):
    """A request intake will not accept, with the status and body to answer."""

    def __init__(self, status: int, detail: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.detail = detail
        self.headers = headers or {}


def create_app(settings: PipelineSettings) -> FastAPI:
    keys = IntakeKeys(
        MasterKeyring.parse(settings.require("master_keys"), settings.require("master_key_id")),
        settings.hmac_key_bytes(),
    )
    router = APIRouter()

    @router.post("/api/v1/submissions", status_code=202, tags=["submissions"])
    async def submit(request: Request) -> JSONResponse:
        submission = await _read_submission(request, settings.max_body_bytes)
        idempotency_key = _idempotency_key(request)
        try:
            accepted = await accept_submission(
                request.app.state.engine,
                submission,
                keys,
                review_window_minutes=settings.review_window_minutes,
                idempotency_key=idempotency_key,
            )
        except IdempotencyConflict as exc:
            raise RequestRefused(409, str(exc)) from None
        except Exception as exc:
            if is_transient(exc):
                log.warning("store unavailable", extra={"error": type(exc).__name__})
                raise RequestRefused(503, "the service is temporarily unavailable", {"Retry-After": "5"}) from None
            raise
        log.info("submission accepted", extra={"reference": accepted.reference, "replayed": accepted.replayed})
        return JSONResponse(
            {"reference": accepted.reference, "received_at": accepted.received_at.isoformat()}, status_code=202
        )

    app = create_service_app("intake", settings, routers=[router], title="CPI intake")

    @app.exception_handler(RequestRefused)
    async def refused(_: Request, exc: RequestRefused) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status, headers=exc.headers)

    return app


async def _read_submission(request: Request, max_bytes: int) -> Submission:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise RequestRefused(415, "send the submission as application/json")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise RequestRefused(413, f"the body is larger than {max_bytes} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > max_bytes:
            raise RequestRefused(413, f"the body is larger than {max_bytes} bytes")
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        position = getattr(exc, "pos", getattr(exc, "start", 0))
        raise RequestRefused(
            422, [{"loc": ["body"], "msg": f"malformed JSON at byte {position}", "type": "json_invalid"}]
        ) from None
    try:
        return Submission.model_validate(document)
    except ValidationError as exc:
        raise RequestRefused(422, field_errors(exc)) from None


def field_errors(exc: ValidationError) -> list[dict[str, Any]]:
    """Each bad field by its path, with the rule it broke; the submitted value is never echoed."""
    return [
        {"loc": ["body", *error["loc"]], "msg": error["msg"], "type": error["type"]}
        for error in exc.errors(include_input=False, include_url=False, include_context=False)
    ]


def _idempotency_key(request: Request) -> str | None:
    value = request.headers.get("idempotency-key")
    if value is None:
        return None
    if not value.strip() or len(value) > MAX_IDEMPOTENCY_KEY:
        raise RequestRefused(400, f"Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} characters")
    return value
