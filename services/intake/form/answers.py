"""The web form's answers (flat field names, as posted) turned into a Submission document, or form errors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from contracts.submission import HowKnown

Answers = dict[str, str]

FIRST_HAND = "self"
TOLD_BY_SOMEONE = "someone"
ORIGIN_FIRST_HAND = "The person sharing this saw or heard it themselves"

HOW_KNOWN_LABELS: dict[str, str] = {
    HowKnown.SAW_OR_HEARD.value: "They saw or heard it themselves",
    HowKnown.TOLD_BY_PERSON_INVOLVED.value: "They were told by the person involved",
    HowKnown.TOLD_BY_SOMEONE_ELSE.value: "They were told by someone else",
    HowKnown.SOCIAL_MEDIA_OR_RUMOUR.value: "Social media or rumour",
    HowKnown.OTHER.value: "Other",
}

# Every field the page posts, in page order: the order errors are listed in.
FIELD_ORDER: tuple[str, ...] = (
    "reporter-name",
    "reporter-organisation",
    "reporter-role",
    "reporter-telephone",
    "reporter-email",
    "information-text",
    "information-when",
    "information-location",
    "source-first-hand",
    "source-origin",
    "source-name",
    "source-dob-day",
    "source-dob-month",
    "source-dob-year",
    "source-address",
    "source-can-recontact",
    "source-telephone",
    "source-email",
    "source-recontact-details",
    "source-how-known-choice",
    "source-how-known",
    "source-when-known",
    "shared-with",
    "difficulties",
    "mitigation",
)
MAX_ANSWER_CHARS = 20_000


@dataclass(frozen=True)
class FormError:
    """One problem with one field: `field_id` is the element the error summary links to."""

    field_id: str
    message: str


def answers_from_pairs(pairs: Iterable[tuple[str, str]]) -> Answers:
    """Only known fields, first value wins; values kept as typed (so the page can show them back)."""
    answers: Answers = {}
    known = set(FIELD_ORDER)
    for name, value in pairs:
        if name in known and name not in answers:
            answers[name] = value[:MAX_ANSWER_CHARS]
    return answers


def _text(answers: Mapping[str, str], name: str) -> str | None:
    value = answers.get(name, "").strip()
    return value or None


def _without_none(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def date_of_birth(answers: Mapping[str, str], today: date) -> tuple[str | None, FormError | None]:
    """The source's date of birth as ISO text, None if left blank, or why it cannot be used."""
    parts = [answers.get(f"source-dob-{part}", "").strip() for part in ("day", "month", "year")]
    if not any(parts):
        return None, None
    missing = [name for name, value in zip(("a day", "a month", "a year"), parts, strict=True) if not value]
    if missing:
        return None, FormError("source-dob-day", f"Date of birth must include {' and '.join(missing)}")
    if not all(part.isdigit() for part in parts) or len(parts[2]) != 4:
        return None, FormError("source-dob-day", "Date of birth must be a real date, like 27 3 2007")
    try:
        born = date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        return None, FormError("source-dob-day", "Date of birth must be a real date, like 27 3 2007")
    if born > today:
        return None, FormError("source-dob-day", "Date of birth must be in the past")
    return born.isoformat(), None


def _source(answers: Mapping[str, str], today: date, errors: list[FormError]) -> dict[str, Any]:
    first_hand = answers.get("source-first-hand")
    choice = answers.get("source-how-known-choice")
    if choice not in HOW_KNOWN_LABELS:
        choice = HowKnown.SAW_OR_HEARD.value if first_hand == FIRST_HAND else None
    how_known = _text(answers, "source-how-known") or (HOW_KNOWN_LABELS[choice] if choice else None)
    source: dict[str, Any] = {
        "how_known": how_known,
        "how_known_choice": choice,
        "when_known": _text(answers, "source-when-known"),
    }
    if first_hand == FIRST_HAND:
        source["origin"] = ORIGIN_FIRST_HAND
        return _without_none(source)
    if first_hand != TOLD_BY_SOMEONE:
        errors.append(FormError("source-first-hand", "Select where this information came from"))
        source["origin"] = "-"  # the radio's error says it all; no second error for the hidden field
        return _without_none(source)
    born, born_error = date_of_birth(answers, today)
    if born_error:
        errors.append(born_error)
    recontact = {"yes": True, "no": False}.get(answers.get("source-can-recontact", ""))
    source.update(
        origin=_text(answers, "source-origin"),
        name=_text(answers, "source-name"),
        date_of_birth=born,
        address=_text(answers, "source-address"),
        can_recontact=recontact,
    )
    if recontact:
        contact = {
            "telephone": _text(answers, "source-telephone"),
            "email": _text(answers, "source-email"),
            "recontact_details": _text(answers, "source-recontact-details"),
        }
        if not any(contact.values()):
            errors.append(
                FormError("source-telephone", "Enter a telephone number, email address or other way to contact them")
            )
        source.update(contact)
    return _without_none(source)


def document_from_answers(answers: Mapping[str, str], today: date) -> tuple[dict[str, Any], list[FormError]]:
    """The JSON document the API accepts, and the errors only the form can have (choices, dates)."""
    errors: list[FormError] = []
    document = {
        "reporter": _without_none(
            {
                "name": _text(answers, "reporter-name"),
                "organisation": _text(answers, "reporter-organisation"),
                "role": _text(answers, "reporter-role"),
                "telephone": _text(answers, "reporter-telephone"),
                "email": _text(answers, "reporter-email"),
            }
        ),
        "information": _without_none(
            {
                "text": _text(answers, "information-text"),
                "occurred_text": _text(answers, "information-when"),
                "location": _text(answers, "information-location"),
            }
        ),
        "source": _source(answers, today, errors),
        **_without_none(
            {
                "shared_with": _text(answers, "shared-with"),
                "difficulties": _text(answers, "difficulties"),
                "mitigation": _text(answers, "mitigation"),
            }
        ),
    }
    return document, errors


def in_page_order(errors: Iterable[FormError]) -> list[FormError]:
    """One error per field (the first found), in the order the fields appear on the page."""
    first: dict[str, FormError] = {}
    for error in errors:
        first.setdefault(error.field_id, error)
    position = {name: index for index, name in enumerate(FIELD_ORDER)}
    return sorted(first.values(), key=lambda error: position.get(error.field_id, len(position)))
