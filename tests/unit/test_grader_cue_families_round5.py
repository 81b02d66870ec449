"""Cue families added with policy 2025.15 (round 5): signs of control in a trafficking case told calmly, and the
source's own checks (CCTV, logs, records) contradicting what was said. Fictional examples."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.events import Priority
from services.grader.domain import GradeDecision, grade
from services.grader.policy import Policy
from tests.grader_support import SAW_IT, form, make_sanitised, rules_policy

pytestmark = pytest.mark.unit


policy = pytest.fixture(scope="module")(rules_policy)


def graded(policy: Policy, text: str, **context: Any) -> GradeDecision:
    return grade(make_sanitised(text, context=form(SAW_IT, **context)), policy)


def fired(decision: GradeDecision) -> set[str]:
    return {reason.rule_id for reason in decision.reasons}


@pytest.mark.parametrize(
    "text",
    [
        "I take three women to the nail bar at 6am and back at 10pm. They never have bags or phones.",
        "He got in the front and told them not to talk to the driver.",
        "The manager always speaks for her when she comes to the counter.",
        "One of the girls leaned forward and asked me what town this is.",
        "She kept asking 'what is this place' and how far it was to the station.",
    ],
)
def test_signs_of_control_are_slavery(policy: Policy, text: str) -> None:
    assert "slavery.control" in fired(graded(policy, text))


@pytest.mark.parametrize(
    "text",
    [
        "Pupils don't have phones in lessons.",
        "The teacher told them not to talk during the assembly.",
        "A visitor asked what time the town hall opens.",
        "He answers for the team at the quiz on Fridays.",
    ],
)
def test_everyday_words_are_not_slavery(policy: Policy, text: str) -> None:
    assert "slavery.control" not in fired(graded(policy, text))


def test_control_told_calmly_with_a_pickup_tonight_is_high(policy: Policy) -> None:
    text = (
        "Since spring the same account books me to drive four young women from a house to a salon at 6am. "
        "They never have bags or phones, the man who books it told them not to talk to the driver, and one "
        "asked me what town this is. The return pickup is booked for 10pm tonight."
    )

    assert graded(policy, text).priority is Priority.HIGH


@pytest.mark.parametrize(
    ("field", "answer"),
    [
        ("how_known", "She told me. Our CCTV shows her unlocking the bike herself and riding off."),
        ("how_known", "The mum phoned. I went through the footage and her son doesn't appear at all that day."),
        ("how_known", "Told by a neighbour. The door-entry logs show he has not visited in two weeks."),
        ("shared_with", "Station staff checked their CCTV for the afternoon and there is nothing like it"),
        ("shared_with", "Housing - he has given three different versions of the time"),
    ],
)
def test_checks_that_contradict_it_make_it_suspected_false(policy: Policy, field: str, answer: str) -> None:
    decision = graded(policy, "A man was seen handing a bag to a boy by the taxi rank.", **{field: answer})

    assert "form.checks_contradict" in fired(decision)
    assert decision.intelligence_assessment == "E"


@pytest.mark.parametrize(
    "answer",
    [
        "I saw it. The CCTV shows him walking in with the bag.",
        "I saw it myself; our cameras show them at the gate at 3pm.",
        "Told by the caretaker, who checked the logs: the door was opened at 2am.",
    ],
)
def test_checks_that_confirm_it_are_not_doubt(policy: Policy, answer: str) -> None:
    decision = graded(policy, "A man was seen handing a bag to a boy by the taxi rank.", how_known=answer)

    assert "form.checks_contradict" not in fired(decision)
    assert decision.intelligence_assessment != "E"


def test_a_broken_camera_in_the_story_is_not_doubt(policy: Policy) -> None:
    text = "Two lads forced the shed door last night and took the mower. The camera didn't show anything, it is broken."

    assert "form.checks_contradict" not in fired(graded(policy, text))
