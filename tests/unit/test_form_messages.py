"""The form's answers become the API's document, and pydantic's errors become plain English, linked to fields."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.submission import HowKnown, Reporter, Source, Submission
from services.intake.form.answers import ORIGIN_FIRST_HAND, answers_from_pairs, document_from_answers
from services.intake.form.messages import EMAIL_EXAMPLE, TELEPHONE_EXAMPLE, WORDING, check_answers, message_for
from services.intake.form.summary import summary_sections

TODAY = date(2026, 3, 1)
COMPLETE = {
    "reporter-name": "Harriet Quill",
    "reporter-organisation": "Oakfield Academy",
    "reporter-telephone": "07700 900123",
    "reporter-email": "h.quill@oakfield.example.org",
    "information-text": "Two older boys said they will bring a knife to the skate park tonight.",
    "information-location": "Skate park, Westbrook Road, Southampton",
    "source-first-hand": "self",
    "source-when-known": "This morning",
    "shared-with": "Nobody else",
}
TOLD = {**COMPLETE, "source-first-hand": "someone", "source-origin": "A parent", "source-how-known-choice": "other"}


def test_first_hand_information_needs_one_click_and_is_recorded_as_seen_or_heard() -> None:
    outcome = check_answers(COMPLETE, TODAY)
    assert isinstance(outcome, Submission)
    assert outcome.source.origin == ORIGIN_FIRST_HAND
    assert outcome.source.how_known_choice is HowKnown.SAW_OR_HEARD


def test_source_fields_are_ignored_when_the_reporter_is_the_source() -> None:
    document, _ = document_from_answers({**COMPLETE, "source-name": "Sam", "source-telephone": "01632 960001"}, TODAY)
    assert "name" not in document["source"] and "telephone" not in document["source"]


def test_someone_told_me_carries_the_source_and_contact_fields_only_when_recontact_is_yes() -> None:
    answers = {
        **COMPLETE,
        "source-first-hand": "someone",
        "source-origin": "A pupil",
        "source-dob-day": "27",
        "source-dob-month": "3",
        "source-dob-year": "2011",
        "source-can-recontact": "no",
        "source-telephone": "01632 960001",
        "source-how-known-choice": "told_by_someone_else",
    }
    outcome = check_answers(answers, TODAY)
    assert isinstance(outcome, Submission)
    assert outcome.source.date_of_birth == date(2011, 3, 27)
    assert outcome.source.can_recontact is False and outcome.source.telephone is None
    assert outcome.source.how_known == "They were told by someone else"
    recontact = check_answers({**answers, "source-can-recontact": "yes"}, TODAY)
    assert isinstance(recontact, Submission) and recontact.source.telephone == "01632 960001"


def test_an_empty_form_names_every_required_field_in_page_order() -> None:
    errors = check_answers({}, TODAY)
    assert isinstance(errors, list)
    assert [error.field_id for error in errors] == [
        "reporter-name",
        "reporter-organisation",
        "reporter-telephone",
        "reporter-email",
        "information-text",
        "information-location",
        "source-first-hand",
        "source-how-known-choice",
        "source-when-known",
        "shared-with",
    ]
    assert errors[0].message == "Enter your full name"


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (("27", "", "2011"), "Date of birth must include a month"),
        (("31", "2", "2011"), "Date of birth must be a real date, like 27 3 2007"),
        (("1", "1", "2099"), "Date of birth must be in the past"),
    ],
)
def test_a_date_of_birth_that_cannot_be_used_is_explained(parts: tuple[str, str, str], message: str) -> None:
    day, month, year = parts
    answers = TOLD | {"source-dob-day": day, "source-dob-month": month, "source-dob-year": year}
    errors = check_answers(answers, TODAY)
    assert isinstance(errors, list)
    assert [(error.field_id, error.message) for error in errors] == [("source-dob-day", message)]


def test_recontact_yes_needs_some_way_to_contact_them() -> None:
    answers = {**TOLD, "source-can-recontact": "yes"}
    errors = check_answers(answers, TODAY)
    assert isinstance(errors, list) and [error.field_id for error in errors] == ["source-telephone"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("reporter-email", "not an email", EMAIL_EXAMPLE),
        ("reporter-telephone", "call me", TELEPHONE_EXAMPLE),
        ("reporter-name", "x" * 201, "Your name must be 200 characters or fewer"),
        ("reporter-organisation", "Oak\x00field", "Your organisation must not contain hidden control characters"),
    ],
)
def test_pydantic_errors_become_plain_english_without_echoing_the_value(field: str, value: str, message: str) -> None:
    errors = check_answers({**COMPLETE, field: value}, TODAY)
    assert isinstance(errors, list)
    assert [(error.field_id, error.message) for error in errors] == [(field, message)]
    assert value not in message


def test_every_field_of_the_submission_has_wording() -> None:
    paths: set[tuple[str, ...]] = {("reporter", name) for name in Reporter.model_fields}
    paths |= {("source", name) for name in Source.model_fields}
    paths |= {("information", name) for name in ("text", "occurred_text", "location")}
    paths |= {("shared_with",), ("difficulties",), ("mitigation",)}
    assert paths <= set(WORDING)


def test_an_unknown_error_still_points_at_a_field() -> None:
    assert message_for({"loc": ("nowhere",), "type": "odd"}).field_id == "reporter-name"


def test_unknown_posted_fields_are_dropped_and_the_first_value_wins() -> None:
    assert answers_from_pairs([("reporter-name", "A"), ("reporter-name", "B"), ("evil", "x")]) == {"reporter-name": "A"}


def test_check_your_answers_shows_only_the_rows_that_apply() -> None:
    questions = [row.question for section in summary_sections(COMPLETE) for row in section.rows]
    assert "Who told you" not in questions and "Their telephone" not in questions
    told = {**COMPLETE, "source-first-hand": "someone", "source-can-recontact": "yes"}
    questions = [row.question for section in summary_sections(told) for row in section.rows]
    assert "Who told you" in questions and "Their telephone" in questions
