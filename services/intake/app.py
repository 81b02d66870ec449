"""Intake's wiring: the HTTP edge that turns requests into accept_submission calls and errors into statuses."""

from __future__ import annotations

import logging

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from opentelemetry.trace import SpanKind

from contracts.submission import Submission
from services.common.json_body import RequestRefused, read_json_model
from services.common.openapi_bodies import json_answer, json_body, refusals
from services.common.rate_limit import limit_api_rate
from services.common.runtime import create_service_app
from services.common.sealing import MasterKeyring
from services.common.settings import PipelineSettings
from services.common.telemetry import context_from, current_trace_context, meter, tracer
from services.common.transient import is_transient
from services.intake.domain import IdempotencyConflict
from services.intake.form.routes import mount_form
from services.intake.handlers import Accepted, IntakeKeys, accept_submission

log = logging.getLogger("cpi.intake")
TRACER = tracer("cpi.intake")
RECEIVED = meter("cpi.intake").create_counter("cpi_submissions_received", description="Submissions accepted by intake")

MAX_IDEMPOTENCY_KEY = 200
ACCEPTED_SCHEMA = {
    "type": "object",
    "required": ["reference", "received_at"],
    "properties": {
        "reference": {"type": "string", "pattern": "^CPI-[0-9A-Z]{4}-[0-9A-Z]{4}$"},
        "received_at": {"type": "string", "format": "date-time"},
    },
}
IDEMPOTENCY_KEY_HEADER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_IDEMPOTENCY_KEY},
}


def create_app(settings: PipelineSettings) -> FastAPI:
    keys = IntakeKeys(
        MasterKeyring.parse(settings.require("master_keys"), settings.require("master_key_id")),
        settings.hmac_key_bytes(),
    )
    router = APIRouter()

    @router.post(
        "/api/v1/submissions",
        status_code=202,
        tags=["submissions"],
        openapi_extra=json_body(Submission, parameters=[IDEMPOTENCY_KEY_HEADER]),
        responses={
            202: json_answer(ACCEPTED_SCHEMA, "Accepted: sealed and recorded"),
            **refusals(400, 409, 413, 415, 422, 503),
        },
    )
    async def submit(request: Request) -> JSONResponse:
        submission = await read_json_model(request, Submission, settings.max_body_bytes)
        idempotency_key = _idempotency_key(request)
        with TRACER.start_as_current_span(
            "intake.accept_submission", context=context_from(request.headers), kind=SpanKind.SERVER
        ) as span:
            accepted = await _accept(request, submission, idempotency_key)
            span.set_attribute("cpi.reference", accepted.reference)
        RECEIVED.add(1, {"replayed": str(accepted.replayed).lower()})
        log.info("submission accepted", extra={"reference": accepted.reference, "replayed": accepted.replayed})
        return JSONResponse(
            {"reference": accepted.reference, "received_at": accepted.received_at.isoformat()}, status_code=202
        )

    async def _accept(request: Request, submission: Submission, idempotency_key: str | None) -> Accepted:
        try:
            return await accept_submission(
                request.app.state.engine,
                submission,
                keys,
                review_window_minutes=settings.review_window_minutes,
                idempotency_key=idempotency_key,
                trace_context=current_trace_context(),
            )
        except IdempotencyConflict as exc:
            raise RequestRefused(409, str(exc)) from None
        except Exception as exc:
            if is_transient(exc):
                log.warning("store unavailable", extra={"error": type(exc).__name__})
                raise RequestRefused(503, "the service is temporarily unavailable", {"Retry-After": "5"}) from None
            raise

    app = mount_form(create_service_app("intake", settings, routers=[router], title="CPI intake"), settings)
    limit_api_rate(app)  # per client and overall; CPI_API_RATE_*, CPI_TRUSTED_PROXIES
    return app


def _idempotency_key(request: Request) -> str | None:
    value = request.headers.get("idempotency-key")
    if value is None:
        return None
    if not value.strip() or len(value) > MAX_IDEMPOTENCY_KEY:
        raise RequestRefused(400, f"Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} characters")
    return value
