"""Renders the form's pages from Jinja templates and govuk-frontend-jinja macros; one place for page texts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader, select_autoescape

from services.intake.form.answers import HOW_KNOWN_LABELS, FormError

TEMPLATES = Path(__file__).parent / "templates"
SERVICE_NAME = "Share information with the police"
INTEL_EMAIL = "24/7-Intel@hampshire.police.uk"


@dataclass(frozen=True)
class ProblemPage:
    title: str
    paragraphs: tuple[str, ...]
    start_again: bool = True


PROBLEMS: dict[str, ProblemPage] = {
    "too-many": ProblemPage(
        "Sorry, there have been too many attempts from your connection",
        (
            "Your answers have not been sent.",
            "Wait {retry_after} seconds, then go back and try again.",
        ),
        start_again=False,
    ),
    "too-large": ProblemPage(
        "Your answers are too long to send in one go",
        ("Your answers have not been sent. Go back, shorten the longest answers and try again.",),
        start_again=False,
    ),
    "unsupported": ProblemPage("Sorry, this page only accepts the form", ("Your answers have not been sent.",)),
    "bad-request": ProblemPage("Sorry, we could not read your answers", ("Your answers have not been sent.",)),
    "session": ProblemPage(
        "Sorry, we could not confirm these answers came from this form",
        (
            "This can happen if cookies are turned off in your browser, or the form was opened on another device.",
            "Your answers have not been sent.",
        ),
    ),
    "expired": ProblemPage(
        "Sorry, you will need to start again",
        ("We keep your answers for 2 hours while you check them. Your answers have not been sent.",),
    ),
    "conflict": ProblemPage(
        "This form has already been sent",
        (
            "This form was sent before with different answers, so these answers have not been sent.",
            "To share more or corrected information, start a new form and mention the earlier reference.",
        ),
    ),
    "unavailable": ProblemPage(
        "Sorry, there is a problem with the service",
        (
            "Your answers have not been sent. Try again in a few minutes.",
            "If it is urgent, email " + INTEL_EMAIL + ". If someone is in immediate danger, call 999.",
        ),
        start_again=False,
    ),
}


def template_environment() -> Environment:
    loader = ChoiceLoader(
        [
            FileSystemLoader(TEMPLATES),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    return Environment(loader=loader, autoescape=select_autoescape(default=True), auto_reload=False)


def error_lookup(errors: Sequence[FormError]) -> dict[str, str]:
    return {error.field_id: error.message for error in errors}


class FormPages:
    """Each page of the form as an HTML response that no cache keeps (pages may hold personal data)."""

    def __init__(self, environment: Environment | None = None) -> None:
        self.environment = environment or template_environment()

    def render(
        self, template: str, status: int = 200, headers: Mapping[str, str] | None = None, **context: Any
    ) -> HTMLResponse:
        html = self.environment.get_template(template).render(
            service_name=SERVICE_NAME, intel_email=INTEL_EMAIL, **context
        )
        return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store", **(headers or {})})

    def form(
        self, answers: Mapping[str, str], errors: Sequence[FormError], csrf_token: str, submission_token: str
    ) -> HTMLResponse:
        lookup = error_lookup(errors)

        def error_message(field_id: str) -> dict[str, str] | None:
            return {"text": lookup[field_id]} if field_id in lookup else None

        return self.render(
            "form.html",
            status=422 if errors else 200,
            answers=answers,
            errors=errors,
            error_list=[{"text": error.message, "href": f"#{error.field_id}"} for error in errors],
            error_message=error_message,
            csrf_token=csrf_token,
            submission_token=submission_token,
            how_known_labels=HOW_KNOWN_LABELS,
            title="Share information with the police",
        )

    def problem(self, key: str, status: int, headers: Mapping[str, str] | None = None, **values: Any) -> HTMLResponse:
        page = PROBLEMS[key]
        paragraphs = [paragraph.format(**values) for paragraph in page.paragraphs]
        return self.render(
            "problem.html", status=status, headers=headers, page=page, paragraphs=paragraphs, title=page.title
        )
