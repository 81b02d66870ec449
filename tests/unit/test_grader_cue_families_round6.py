"""Cue changes of policies 2025.19-20 (round 6): kicking a thing over is not an assault, and an account taken
over is a completed offence. Fictional examples, none from a labelled set."""

from __future__ import annotations

import pytest

from contracts.events import Priority
from services.grader.domain import GradeDecision, grade
from services.grader.policy import Policy
from tests.grader_support import make_sanitised, rule_ids, rules_policy

pytestmark = pytest.mark.unit

policy = pytest.fixture(scope="module")(rules_policy)


def graded(policy: Policy, text: str, occurred_text: str | None = None) -> GradeDecision:
    return grade(make_sanitised(text, occurred_text), policy)


@pytest.mark.parametrize(
    "text",
    [
        "The man was kicked in the stomach outside the bookies.",
        "Two lads kicked him while he was on the floor.",
        "She was kicked off her scooter by a group of teenagers.",
        "He kicked out at the officer who tried to stop him.",
    ],
)
def test_kicking_a_person_is_an_assault(policy: Policy, text: str) -> None:
    assert "violence.assault_completed" in rule_ids(graded(policy, text))


@pytest.mark.parametrize(
    "text",
    [
        "The bins outside the chapel were kicked over again at the weekend.",
        "He was kicked out of the youth club for swearing.",
        "It nearly kicked off between the two groups, but staff stepped in.",
        "He was kicked off the bus for not paying.",
    ],
)
def test_kicking_a_thing_over_or_being_sent_away_is_not_an_assault(policy: Policy, text: str) -> None:
    assert "violence.assault_completed" not in rule_ids(graded(policy, text))


@pytest.mark.parametrize(
    "text",
    [
        "Her Snapchat was hacked on Sunday and used to ask her friends for money; one sent £40.",
        "The club's email account has been taken over and invoices were sent out from it; a parent paid £120.",
    ],
)
def test_an_account_hacked_with_a_loss_is_a_crime_report(policy: Policy, text: str) -> None:
    decision = graded(policy, text)

    assert "offence.fraud" in rule_ids(decision)
    assert decision.priority is Priority.CRIME_NOT_INTEL


def test_an_account_named_without_being_taken_is_not_fraud(policy: Policy) -> None:
    decision = graded(policy, "Her Snapchat was used to organise the party at the weekend.")

    assert "offence.fraud" not in rule_ids(decision)
