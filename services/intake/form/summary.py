"""The 'check your answers' rows: each answer under its question, with the field a Change button returns to."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from services.intake.form.answers import FIRST_HAND, HOW_KNOWN_LABELS, TOLD_BY_SOMEONE

NOT_GIVEN = "Not given"


@dataclass(frozen=True)
class SummaryRow:
    question: str
    answer: str
    field_id: str


@dataclass(frozen=True)
class SummarySection:
    title: str
    rows: tuple[SummaryRow, ...]


def _answer(answers: Mapping[str, str], name: str) -> str:
    return answers.get(name, "").strip() or NOT_GIVEN


def _date_of_birth(answers: Mapping[str, str]) -> str:
    parts = [answers.get(f"source-dob-{part}", "").strip() for part in ("day", "month", "year")]
    return "/".join(parts) if any(parts) else NOT_GIVEN


def _how_known(answers: Mapping[str, str]) -> str:
    choice = HOW_KNOWN_LABELS.get(answers.get("source-how-known-choice", ""))
    if choice is None and answers.get("source-first-hand") == FIRST_HAND:
        choice = "I saw or heard it myself"
    described = answers.get("source-how-known", "").strip()
    return "\n".join(part for part in (choice, described) if part) or NOT_GIVEN


def _source_rows(answers: Mapping[str, str]) -> list[SummaryRow]:
    first_hand = answers.get("source-first-hand")
    rows = [
        SummaryRow(
            "Where did this information come from?",
            "I saw or heard it myself" if first_hand == FIRST_HAND else "Someone told me",
            "source-first-hand",
        )
    ]
    if first_hand == TOLD_BY_SOMEONE:
        recontact = answers.get("source-can-recontact")
        rows += [
            SummaryRow("Who told you", _answer(answers, "source-origin"), "source-origin"),
            SummaryRow("Their full name", _answer(answers, "source-name"), "source-name"),
            SummaryRow("Their date of birth", _date_of_birth(answers), "source-dob-day"),
            SummaryRow("Their address", _answer(answers, "source-address"), "source-address"),
            SummaryRow(
                "Can they be re-contacted?",
                {"yes": "Yes", "no": "No"}.get(recontact or "", NOT_GIVEN),
                "source-can-recontact",
            ),
        ]
        if recontact == "yes":
            rows += [
                SummaryRow("Their telephone", _answer(answers, "source-telephone"), "source-telephone"),
                SummaryRow("Their email address", _answer(answers, "source-email"), "source-email"),
                SummaryRow(
                    "Other contact details", _answer(answers, "source-recontact-details"), "source-recontact-details"
                ),
            ]
    rows += [
        SummaryRow("How did they find this information out?", _how_known(answers), "source-how-known-choice"),
        SummaryRow(
            "When did they find this information out?", _answer(answers, "source-when-known"), "source-when-known"
        ),
    ]
    return rows


def summary_sections(answers: Mapping[str, str]) -> list[SummarySection]:
    """The sections of AD 362 in order, only the rows that apply to these answers."""
    return [
        SummarySection(
            "Your details",
            (
                SummaryRow("Full name", _answer(answers, "reporter-name"), "reporter-name"),
                SummaryRow("Organisation", _answer(answers, "reporter-organisation"), "reporter-organisation"),
                SummaryRow("Role", _answer(answers, "reporter-role"), "reporter-role"),
                SummaryRow("Telephone", _answer(answers, "reporter-telephone"), "reporter-telephone"),
                SummaryRow("Email address", _answer(answers, "reporter-email"), "reporter-email"),
            ),
        ),
        SummarySection(
            "The information",
            (
                SummaryRow("What is happening", _answer(answers, "information-text"), "information-text"),
                SummaryRow("When", _answer(answers, "information-when"), "information-when"),
                SummaryRow("Where", _answer(answers, "information-location"), "information-location"),
            ),
        ),
        SummarySection("Information source", tuple(_source_rows(answers))),
        SummarySection(
            "Who else knows, and risks",
            (
                SummaryRow("Who else have you shared this with?", _answer(answers, "shared-with"), "shared-with"),
                SummaryRow("Difficulties if the police act", _answer(answers, "difficulties"), "difficulties"),
                SummaryRow("How to mitigate them", _answer(answers, "mitigation"), "mitigation"),
            ),
        ),
    ]
