"""The analysts' server-rendered pages: sign in by token, the queue, one submission and its review form."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path as FilePath
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Form, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from contracts.events import Priority
from contracts.subjects import submission_stream_id
from eventstore.errors import ConcurrencyConflict
from eventstore.store import read_stream
from services.common.auth import Principal, check_roles, verify_bearer
from services.common.settings import PipelineSettings
from services.triage.decisions import DecisionError, ReviewRequest, record_review
from services.triage.projection import STATUS_ORDER
from services.triage.queries import BadCursor, QueueFilter, get_submission, linked_submissions, list_submissions
from services.triage.teams import TeamMap

COOKIE_NAME = "cpi_analyst"
READERS = ("analyst", "supervisor", "auditor")
DECIDERS = frozenset({"analyst", "supervisor"})
TEMPLATES = FilePath(__file__).parent / "templates"
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
REVIEW_FIELDS = ("priority", "categories", "source_evaluation", "intelligence_assessment", "handling_code", "rationale")
Reference = Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9-]+$")]


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.headers.get("host", "")


def field_errors(exc: ValidationError) -> dict[str, str]:
    """Pure: the first message for each review field, in the form's words."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "form"
        if name == "rationale" and error["type"] in ("string_too_short", "missing"):
            message = "Enter a rationale of at least 5 characters"
        elif name == "categories" and error["type"] in ("too_short", "missing"):
            message = "Select at least one category"
        else:
            message = f"Check this field: {error['msg']}"
        errors.setdefault(name, message)
    return errors


def analyst_pages(settings: PipelineSettings, teams: TeamMap) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    templates = Jinja2Templates(directory=str(TEMPLATES))
    secret = settings.jwt_secret.get_secret_value() if settings.jwt_secret else secrets.token_hex(32)
    csrf_key = hashlib.sha256(b"cpi-analyst-csrf:" + secret.encode()).digest()
    categories = sorted({c for team in teams.teams for c in team.categories})

    def csrf_for(token: str) -> str:
        return hmac.new(csrf_key, token.encode(), hashlib.sha256).hexdigest()

    def principal_of(request: Request) -> tuple[Principal, str] | None:
        token = request.cookies.get(COOKIE_NAME)
        if not token:
            return None
        try:
            principal = verify_bearer(request.app.state.token_verifier, token)
        except HTTPException:
            return None
        return check_roles(principal, READERS), token

    def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
        return templates.TemplateResponse(request, name, context, status_code=status_code, headers=PAGE_HEADERS)

    def to_login() -> Response:
        return RedirectResponse("/analyst/login", status_code=303)

    @router.get("/analyst/login", response_class=HTMLResponse)
    async def login_form(request: Request) -> Response:
        return render(request, "login.html", {"error": None})

    @router.post("/analyst/login", response_model=None)
    async def login(request: Request, token: Annotated[str, Form(max_length=4096)]) -> Response:
        try:
            check_roles(verify_bearer(request.app.state.token_verifier, token.strip()), READERS)
        except HTTPException as exc:
            return render(request, "login.html", {"error": exc.detail}, exc.status_code)
        response = RedirectResponse("/analyst", status_code=303)
        response.set_cookie(
            COOKIE_NAME, token.strip(), httponly=True, samesite="strict", path="/analyst", max_age=8 * 3600
        )
        return response

    @router.post("/analyst/logout")
    async def logout() -> RedirectResponse:
        response = RedirectResponse("/analyst/login", status_code=303)
        response.delete_cookie(COOKIE_NAME, path="/analyst")
        return response

    @router.get("/analyst", response_class=HTMLResponse, response_model=None)
    async def queue(request: Request) -> Response:
        signed_in = principal_of(request)
        if signed_in is None:
            return to_login()
        query = request.query_params
        chosen = {name: query.get(name) or None for name in ("priority", "status", "category", "breached", "cursor")}
        errors: dict[str, str] = {}
        if chosen["priority"] not in (None, *(p.value for p in Priority)):
            errors["priority"] = "Choose a priority from the list"
        if chosen["status"] not in (None, *STATUS_ORDER):
            errors["status"] = "Choose a status from the list"
        if chosen["category"] not in (None, *categories):
            errors["category"] = "Choose a category from the list"
        if chosen["breached"] not in (None, "yes", "no"):
            errors["breached"] = "Choose yes or no"
        result: dict[str, Any] = {"items": [], "next_cursor": None}
        if not errors:
            breached = None if chosen["breached"] is None else chosen["breached"] == "yes"
            wanted = QueueFilter(chosen["priority"], chosen["status"], chosen["category"], breached)
            try:
                async with request.app.state.engine.connect() as conn:
                    result = await list_submissions(conn, wanted, limit=25, cursor=chosen["cursor"])
            except BadCursor:
                errors["cursor"] = "That page link is no longer valid: start from the first page"
        filters = {k: v for k, v in chosen.items() if k != "cursor" and v}
        next_url = (
            "/analyst?" + urlencode(filters | {"cursor": result["next_cursor"]}) if result["next_cursor"] else None
        )
        context = {
            "who": signed_in[0].subject,
            "items": result["items"],
            "next_url": next_url,
            "chosen": chosen,
            "errors": errors,
            "priorities": [p.value for p in Priority],
            "statuses": STATUS_ORDER,
            "categories": categories,
        }
        return render(request, "queue.html", context, 400 if errors else 200)

    async def submission_page(
        request: Request, signed_in: tuple[Principal, str], reference: str, **extra: Any
    ) -> Response:
        principal, token = signed_in
        decider = bool(DECIDERS & set(principal.roles))
        async with request.app.state.engine.connect() as conn:
            view = await get_submission(conn, reference)
            if view is None:
                raise HTTPException(404, "no submission with that reference")
            history = await read_stream(conn, submission_stream_id(reference))
            links = await linked_submissions(conn, reference) if decider else []
        context = {
            "who": principal.subject,
            "view": view,
            "timeline": history,
            "links": links,
            "decider": decider,
            "csrf": csrf_for(token),
            "priorities": [p.value for p in Priority],
            "categories": sorted(set(categories) | set((view.get("grade") or {}).get("categories", []))),
            "errors": {},
            "problem": None,
            "entered": None,
        } | extra
        return render(request, "submission.html", context, extra.pop("status_code", 200))

    @router.get("/analyst/{reference}", response_class=HTMLResponse, response_model=None)
    async def submission(request: Request, reference: Reference) -> Response:
        signed_in = principal_of(request)
        if signed_in is None:
            return to_login()
        return await submission_page(request, signed_in, reference)

    @router.post("/analyst/{reference}/review", response_model=None)
    async def review(request: Request, reference: Reference) -> Response:
        signed_in = principal_of(request)
        if signed_in is None:
            return to_login()
        principal, token = signed_in
        check_roles(principal, tuple(DECIDERS))
        form = await request.form()
        sent = str(form.get("csrf", ""))
        if not _same_origin(request) or not hmac.compare_digest(sent, csrf_for(token)):
            raise HTTPException(403, "the form was not sent from this page: reload it and try again")
        entered: dict[str, Any] = {name: str(form.get(name, "")) for name in REVIEW_FIELDS}
        entered["categories"] = [str(value) for value in form.getlist("categories")]
        try:
            body = ReviewRequest.model_validate({k: v for k, v in entered.items() if v not in ("", [])})
            await record_review(request.app.state.engine, reference, body, principal)
        except ValidationError as exc:
            errors = field_errors(exc)
            return await submission_page(request, signed_in, reference, errors=errors, entered=entered, status_code=422)
        except DecisionError as exc:
            return await submission_page(request, signed_in, reference, problem=str(exc), status_code=exc.status)
        except ConcurrencyConflict:
            problem = "The submission changed meanwhile: check it and review again"
            return await submission_page(request, signed_in, reference, problem=problem, status_code=409)
        return RedirectResponse(f"/analyst/{reference}?reviewed=1", status_code=303)

    return router
