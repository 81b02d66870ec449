"""Properties of the Submission contract and of the sanitiser over generated input in any Unicode.

Any valid document is accepted and any broken one is refused at the broken field; the reporter's
and the source's names, email and telephone never survive sanitising, whatever invisible or
decorative characters (RTL marks, zero-width joiners, emoji, combining marks) surround them or hide
inside them.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from contracts.submission import Submission
from services.sanitiser.domain import sanitise
from services.sanitiser.identity import name_parts, national_digits
from services.sanitiser.invisible import INVISIBLE
from tests.factories import submission_json
from tests.submission_strategies import EMOJI, UNICODE_NOISE, BrokenDocument, broken_documents, valid_documents

PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
PLACEHOLDER = re.compile(r"\[[A-Z_]+\]")
NOISE = st.lists(st.sampled_from(UNICODE_NOISE + EMOJI), max_size=4).map("".join)
INSIDE = st.sampled_from(("\u200d", "\u200b", "\u200c", "\u200f", "\u200e", "\u00ad", "\u2060", "\ufeff", "\u202e"))
# Fictional name parts: a capital then 3 to 9 lower-case letters, Latin with accents included.
NAME_PART = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZÀÉÎÕÜŁŠŽ"),
    st.text("abcdefghijklmnopqrstuvwxyzàéîõüłšžß", min_size=3, max_size=9),
)
BEFORE = st.sampled_from(("Yesterday I spoke to ", "The pupil told ", "It was ", "Please do not tell "))
AFTER = st.sampled_from((" about the knife.", " at the park gates.", " that evening.", ", who was upset."))


@PROPERTY_SETTINGS
@given(valid_documents)
def test_every_generated_valid_document_is_a_valid_submission(document: dict[str, Any]) -> None:
    Submission.model_validate(document)


@PROPERTY_SETTINGS
@given(broken_documents())
def test_every_broken_document_is_refused_at_the_broken_field(broken: BrokenDocument) -> None:
    with pytest.raises(ValidationError) as refused:
        Submission.model_validate(broken.document)
    errors = refused.value.errors(include_input=False)
    assert any(tuple(error["loc"]) == broken.loc for error in errors), (broken.loc, errors)
    if broken.control_character:
        assert any("control characters" in error["msg"] for error in errors if tuple(error["loc"]) == broken.loc)


def _shown(product: str) -> str:
    """What a reader sees of a product, placeholders aside."""
    return INVISIBLE.sub("", PLACEHOLDER.sub(" ", product)).lower()


def _products(text: str, **over: Any) -> list[str]:
    submission = Submission.model_validate(submission_json(text=text, **over))
    products = sanitise(submission)
    return [products.intelligence_log.text, products.partnership_summary.text]


def _reporter(given_name: str, surname: str) -> dict[str, Any]:
    return {**submission_json()["reporter"], "name": f"{given_name} {surname}"}


@PROPERTY_SETTINGS
@given(NAME_PART, NAME_PART, BEFORE, AFTER, NOISE, NOISE, st.sampled_from(("full", "given", "surname")))
def test_the_reporters_name_never_survives_unicode_around_it(
    given_name: str, surname: str, before: str, after: str, left: str, right: str, form: str
) -> None:
    written = {"full": f"{given_name} {surname}", "given": given_name, "surname": surname}[form]
    for product in _products(before + left + written + right + after, reporter=_reporter(given_name, surname)):
        for part in name_parts(f"{given_name} {surname}"):
            assert part.lower() not in _shown(product), (part, product)


@PROPERTY_SETTINGS
@given(NAME_PART, NAME_PART, BEFORE, AFTER, INSIDE, st.data())
def test_an_invisible_character_inside_a_name_does_not_hide_it(
    given_name: str, surname: str, before: str, after: str, hidden: str, data: st.DataObject
) -> None:
    at = data.draw(st.integers(1, len(surname) - 1))
    written = f"{given_name} {surname[:at]}{hidden}{surname[at:]}"
    source = {**submission_json()["source"], "name": f"{given_name} {surname}"}
    for product in _products(before + written + after, source=source):
        assert surname.lower() not in _shown(product), product
        assert given_name.lower() not in _shown(product), product


@PROPERTY_SETTINGS
@given(BEFORE, AFTER, NOISE, NOISE, INSIDE, st.integers(1, 10), st.booleans())
def test_the_reporters_phone_and_email_never_survive_unicode(
    before: str, after: str, left: str, right: str, hidden: str, at: int, inside: bool
) -> None:
    reporter = submission_json()["reporter"]
    phone, email = reporter["telephone"], reporter["email"]
    if inside:
        phone, email = phone[:at] + hidden + phone[at:], email[:at] + hidden + email[at:]
    for product in _products(f"{before}{left}{phone}{right} or {left}{email}{right}{after}"):
        shown = _shown(product)
        assert national_digits(reporter["telephone"]) not in re.sub(r"\D", "", shown), product
        assert reporter["email"].split("@")[0] not in shown, product
