"""Plain-English error messages for the form, mapped from the pydantic errors of `Submission`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError

from contracts.submission import Submission
from services.intake.form.answers import FormError, document_from_answers, in_page_order

TELEPHONE_EXAMPLE = "Enter a telephone number, like 01632 960 001 or 07700 900 982"
EMAIL_EXAMPLE = "Enter an email address in the correct format, like name@example.com"


@dataclass(frozen=True)
class FieldWording:
    """How the form names a field in its messages: the element id, what to ask for, and its subject."""

    field_id: str
    missing: str
    subject: str


WORDING: dict[tuple[str, ...], FieldWording] = {
    ("reporter", "name"): FieldWording("reporter-name", "Enter your full name", "Your name"),
    ("reporter", "organisation"): FieldWording(
        "reporter-organisation", "Enter the organisation you work for", "Your organisation"
    ),
    ("reporter", "role"): FieldWording("reporter-role", "Enter your role", "Your role"),
    ("reporter", "telephone"): FieldWording("reporter-telephone", "Enter your telephone number", "Your telephone"),
    ("reporter", "email"): FieldWording("reporter-email", "Enter your email address", "Your email address"),
    ("information", "text"): FieldWording(
        "information-text", "Enter what is happening and who is involved", "The information"
    ),
    ("information", "occurred_text"): FieldWording("information-when", "Enter when it happened", "When it happened"),
    ("information", "location"): FieldWording("information-location", "Enter where it is happening", "The location"),
    ("source", "origin"): FieldWording(
        "source-origin", "Enter who told you, for example a pupil or a parent", "Who told you"
    ),
    ("source", "name"): FieldWording("source-name", "Enter their full name", "Their name"),
    ("source", "date_of_birth"): FieldWording("source-dob-day", "Enter their date of birth", "Date of birth"),
    ("source", "address"): FieldWording("source-address", "Enter their address", "Their address"),
    ("source", "can_recontact"): FieldWording(
        "source-can-recontact", "Select yes if they can be contacted again", "Whether they can be contacted"
    ),
    ("source", "telephone"): FieldWording("source-telephone", "Enter their telephone number", "Their telephone"),
    ("source", "email"): FieldWording("source-email", "Enter their email address", "Their email address"),
    ("source", "recontact_details"): FieldWording(
        "source-recontact-details", "Enter how to contact them", "How to contact them"
    ),
    ("source", "how_known"): FieldWording(
        "source-how-known-choice",
        "Select how they found this information out, or describe it",
        "How they found this information out",
    ),
    ("source", "how_known_choice"): FieldWording(
        "source-how-known-choice", "Select how they found this information out", "How they found out"
    ),
    ("source", "when_known"): FieldWording(
        "source-when-known", "Enter when they found this information out", "When they found out"
    ),
    ("shared_with",): FieldWording(
        "shared-with",
        "Enter who else you have shared this information with, or 'Nobody'",
        "Who else knows",
    ),
    ("difficulties",): FieldWording("difficulties", "Enter the difficulties", "The difficulties"),
    ("mitigation",): FieldWording("mitigation", "Enter how we can mitigate them", "How to mitigate them"),
}
_FALLBACK = FieldWording("reporter-name", "Check your answers", "An answer")


def _wording(loc: Sequence[Any]) -> FieldWording:
    return WORDING.get(tuple(str(part) for part in loc), _FALLBACK)


def message_for(error: Mapping[str, Any]) -> FormError:
    """One pydantic error (loc, type, ctx) as the sentence a person reads next to the field."""
    wording = _wording(error.get("loc", ()))
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    is_telephone = wording.field_id.endswith("telephone")
    if kind == "missing" or (kind == "string_too_short" and not is_telephone):
        return FormError(wording.field_id, wording.missing)
    if kind == "string_too_long":
        return FormError(wording.field_id, f"{wording.subject} must be {ctx.get('max_length')} characters or fewer")
    if is_telephone and kind in {"string_pattern_mismatch", "string_too_short"}:
        return FormError(wording.field_id, TELEPHONE_EXAMPLE)
    if wording.field_id.endswith("email") and kind == "value_error":
        return FormError(wording.field_id, EMAIL_EXAMPLE)
    if kind == "value_error" and "control characters" in str(error.get("msg", "")):
        return FormError(wording.field_id, f"{wording.subject} must not contain hidden control characters")
    if kind.startswith("date"):
        return FormError(wording.field_id, "Date of birth must be a real date, like 27 3 2007")
    return FormError(wording.field_id, f"Check {wording.subject[0].lower()}{wording.subject[1:]}")


def messages_for(exc: ValidationError) -> list[FormError]:
    return [message_for(error) for error in exc.errors(include_input=False, include_url=False)]


def check_answers(answers: Mapping[str, str], today: date) -> Submission | list[FormError]:
    """The validated Submission, or every problem with the answers in page order (never the values)."""
    document, errors = document_from_answers(answers, today)
    try:
        submission = Submission.model_validate(document)
    except ValidationError as exc:
        return in_page_order([*errors, *messages_for(exc)])
    return in_page_order(errors) if errors else submission
