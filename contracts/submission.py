"""The Community Partnership Information form (AD 362), field for field, as the API accepts it."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, StringConstraints

MAX_TEXT = 20_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def refuse_control_characters(value: str) -> str:
    """NUL and other control characters are never part of a form answer."""
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    return value


Clean = AfterValidator(refuse_control_characters)
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), Clean]
MediumText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000), Clean]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT), Clean]
Telephone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=40, pattern=r"^[0-9+()\-. ]+$"),
]


class FormModel(BaseModel):
    """Strict base: unknown fields are refused, strings trimmed, values immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Reporter(FormModel):
    """'Your details': the professional sharing the information."""

    name: ShortText
    organisation: ShortText
    role: ShortText | None = None
    telephone: Telephone
    email: EmailStr


class Information(FormModel):
    """'Information including date and location'."""

    text: LongText
    occurred_at: datetime | None = None
    occurred_text: ShortText | None = None
    location: MediumText


class HowKnown(StrEnum):
    """The short answer to 'How did they find this information out?'."""

    SAW_OR_HEARD = "saw_or_heard"
    TOLD_BY_PERSON_INVOLVED = "told_by_person_involved"
    TOLD_BY_SOMEONE_ELSE = "told_by_someone_else"
    SOCIAL_MEDIA_OR_RUMOUR = "social_media_or_rumour"
    OTHER = "other"


class Source(FormModel):
    """'Information source': where the information came from and how they know it."""

    origin: MediumText = Field(description="Where did this information come from?")
    name: ShortText | None = None
    date_of_birth: date | None = None
    address: MediumText | None = None
    can_recontact: bool | None = None
    telephone: Telephone | None = None
    email: EmailStr | None = None
    recontact_details: MediumText | None = None
    how_known: MediumText
    how_known_choice: HowKnown | None = None
    when_known: ShortText


class Submission(FormModel):
    """One completed AD 362 form."""

    reporter: Reporter
    information: Information
    source: Source
    shared_with: MediumText = Field(description="Who else have you shared this information with?")
    difficulties: MediumText | None = None
    mitigation: MediumText | None = None
