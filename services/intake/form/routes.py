"""The form's routes at `/`: fill in, check your answers, send; plain POSTs, JavaScript only enhances."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from services.common.rate_limit import TokenBuckets
from services.common.sealing import MasterKeyring
from services.common.settings import PipelineSettings
from services.common.transient import is_transient
from services.intake.domain import IdempotencyConflict
from services.intake.form.answers import FormError, answers_from_pairs
from services.intake.form.edge import FormPageRefused, SecurityHeaders, client_address, read_form_body
from services.intake.form.messages import check_answers
from services.intake.form.pages import FormPages
from services.intake.form.protection import (
    Draft,
    DraftRefused,
    FormKeys,
    is_well_formed_token,
    new_random_token,
)
from services.intake.form.receipt import submission_receipt_digest
from services.intake.form.settings import FormSettings
from services.intake.form.summary import summary_sections
from services.intake.handlers import IntakeKeys, accept_submission

log = logging.getLogger("cpi.intake.form")

CSRF_COOKIE = "cpi_form_session"
STATIC = Path(__file__).parent / "static"


def mount_form(app: FastAPI, settings: PipelineSettings, form_settings: FormSettings | None = None) -> FastAPI:
    """Add the form's routes, its static files (ours and govuk-frontend's) and the security headers to `app`."""
    form_settings = form_settings or FormSettings()
    keys = IntakeKeys(
        MasterKeyring.parse(settings.require("master_keys"), settings.require("master_key_id")),
        settings.hmac_key_bytes(),
    )
    form_keys = FormKeys.derive(keys.hmac_key)
    buckets = TokenBuckets(form_settings.rate_burst, form_settings.rate_per_minute)
    pages = FormPages()
    router = APIRouter(include_in_schema=False)

    def admit(request: Request) -> str:
        """Rate-limit the client; return this browser's session cookie value (empty if it has none)."""
        decision = buckets.take(client_address(request), time.monotonic())
        if not decision.allowed:
            raise FormPageRefused(429, "too-many", {"Retry-After": str(decision.retry_after_seconds)})
        cookie = request.cookies.get(CSRF_COOKIE, "")
        return cookie if is_well_formed_token(cookie) else ""

    async def posted(request: Request) -> tuple[dict[str, str], str]:
        """The posted fields of a request that proves it came from our page in this browser."""
        cookie = admit(request)
        fields = dict(reversed(await read_form_body(request, form_settings.max_body_bytes)))
        if not cookie or not form_keys.csrf_matches(cookie, fields.get("csrf-token")):
            raise FormPageRefused(403, "session")
        return fields, cookie

    def form_page(
        request: Request, answers: dict[str, str], errors: list[FormError], cookie: str, token: str
    ) -> Response:
        fresh = cookie or new_random_token()
        response = pages.form(answers, errors, form_keys.csrf_token(fresh), token)
        if not cookie:
            response.set_cookie(
                CSRF_COOKIE, fresh, httponly=True, samesite="strict", secure=request.url.scheme == "https", path="/"
            )
        return response

    @router.get("/", response_class=HTMLResponse)
    async def start(request: Request) -> Response:
        return form_page(request, {}, [], admit(request), new_random_token())

    @router.post("/", response_class=HTMLResponse)
    async def check(request: Request) -> Response:
        fields, cookie = await posted(request)
        answers = answers_from_pairs(fields.items())
        token = fields.get("submission-token", "")
        token = token if is_well_formed_token(token) else new_random_token()
        outcome = check_answers(answers, datetime.now(UTC).date())
        if isinstance(outcome, list):
            return form_page(request, answers, outcome, cookie, token)
        draft = form_keys.seal_draft(Draft(answers, token), cookie, time.time())
        return pages.render(
            "check.html",
            title="Check your answers before sending",
            sections=summary_sections(answers),
            csrf_token=form_keys.csrf_token(cookie),
            draft=draft,
        )

    async def opened_draft(request: Request) -> tuple[Draft, str]:
        fields, cookie = await posted(request)
        try:
            return (
                form_keys.open_draft(fields.get("draft", ""), cookie, time.time(), form_settings.draft_max_age_seconds),
                cookie,
            )
        except DraftRefused:
            raise FormPageRefused(400, "expired") from None

    @router.post("/change", response_class=HTMLResponse)
    async def change(request: Request) -> Response:
        draft, cookie = await opened_draft(request)
        return form_page(request, draft.answers, [], cookie, draft.submission_token)

    @router.post("/submit", response_class=HTMLResponse)
    async def submit(request: Request) -> Response:
        draft, cookie = await opened_draft(request)
        outcome = check_answers(draft.answers, datetime.now(UTC).date())
        if isinstance(outcome, list):
            return form_page(request, draft.answers, outcome, cookie, draft.submission_token)
        try:
            accepted = await accept_submission(
                request.app.state.engine,
                outcome,
                keys,
                review_window_minutes=settings.review_window_minutes,
                idempotency_key="form:" + draft.submission_token,
            )
        except IdempotencyConflict:
            raise FormPageRefused(409, "conflict") from None
        except Exception as exc:
            if is_transient(exc):
                log.warning("store unavailable", extra={"error": type(exc).__name__})
                raise FormPageRefused(503, "unavailable", {"Retry-After": "30"}) from None
            raise
        log.info("form submission accepted", extra={"reference": accepted.reference, "replayed": accepted.replayed})
        return pages.render(
            "confirmation.html",
            title="Information sent",
            reference=accepted.reference,
            digest=submission_receipt_digest(outcome),
            received_at=accepted.received_at.astimezone(UTC).strftime("%-d %B %Y at %H:%M UTC"),
        )

    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, FormPageRefused)  # nosec B101 # type narrowing for mypy
        retry_after = exc.headers.get("Retry-After", "")
        return pages.problem(exc.page, exc.status, exc.headers, retry_after=retry_after)

    app.add_exception_handler(FormPageRefused, refused)
    app.add_middleware(SecurityHeaders)
    if not form_settings.frontend_dir.is_dir():
        log.warning("govuk-frontend is not installed: run `make frontend`", extra={"reason": "frontend missing"})
    app.mount("/assets", StaticFiles(directory=form_settings.frontend_dir / "assets", check_dir=False), "govuk-assets")
    app.mount("/govuk-frontend", StaticFiles(directory=form_settings.frontend_dir, check_dir=False), "govuk-frontend")
    app.mount("/form-assets", StaticFiles(directory=STATIC), "form-assets")
    app.include_router(router)
    return app
