"""The form contract: AD 362 field for field, strict about what it accepts."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from contracts.events import EVENT_TYPES, UnknownEventType, parse_payload
from contracts.submission import Submission
from tests.factories import submission_json


def test_a_complete_form_is_accepted_and_trimmed() -> None:
    document = submission_json()
    document["reporter"] = {**document["reporter"], "name": "  Harriet Quill  "}
    assert Submission.model_validate(document).reporter.name == "Harriet Quill"


def test_optional_fields_may_be_left_out() -> None:
    document = submission_json()
    document["source"] = {"origin": "Myself", "how_known": "I saw it", "when_known": "Today"}
    assert Submission.model_validate(document).source.name is None


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("reporter", "email"), "not-an-email"),
        (("reporter", "telephone"), "call me"),
        (("information", "text"), "x" * 20_001),
        (("information", "text"), "   "),
        (("information", "occurred_at"), "yesterday"),
        (("source", "date_of_birth"), "32/13/2011"),
        (("source", "can_recontact"), "perhaps"),
        (("source", "how_known_choice"), "a little bird"),
        (("information", "text"), "bell\u0007"),
    ],
)
def test_each_bad_value_is_refused_at_its_field(path: tuple[str, str], value: str) -> None:
    document = submission_json()
    document[path[0]] = {**document[path[0]], path[1]: value}
    with pytest.raises(ValidationError) as caught:
        Submission.model_validate(document)
    assert [error["loc"][:2] for error in caught.value.errors()] == [path]


def test_unknown_fields_are_refused() -> None:
    document = submission_json()
    document["priority"] = "HIGH"
    with pytest.raises(ValidationError, match="priority"):
        Submission.model_validate(document)


def test_every_event_type_has_a_stable_name_and_version() -> None:
    for name, model in EVENT_TYPES.items():
        assert model.event_type == name
        assert model.schema_version >= 1
    with pytest.raises(UnknownEventType):
        parse_payload("SomethingElse", {})
