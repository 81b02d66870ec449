"""A weapon needs a time to be HIGH (LABELLING.md: "weapons carried or planned violence with a time").

A weapon kept at home or talked about with nothing saying when is intelligence for slower time; the
same weapon with any time cue, carried on the person now, or beside a second risk of another kind is
still HIGH. Every sentence here is written for this test, none comes from a labelled set.
"""

from __future__ import annotations

import pytest

from contracts.events import Priority
from services.grader.domain import GradeDecision, grade
from services.grader.policy import DEFAULT_POLICY_PATH, Policy, load_policy_text
from tests.grader_support import SAW_IT, evidence_of, form, make_sanitised, rule_ids, rules_policy

pytestmark = pytest.mark.unit

policy = pytest.fixture(scope="module")(rules_policy)

TOLD = form(SAW_IT, how_known="A pupil told me at break", how_known_choice="told_by_someone_else")


def graded(policy: Policy, text: str, occurred_text: str | None = None) -> GradeDecision:
    return grade(make_sanitised(text, occurred_text, context=TOLD), policy)


@pytest.mark.parametrize(
    "text",
    [
        "A Year 5 boy says his uncle keeps a big knife in the kitchen drawer for protection.",
        "Her cousin (16) says he is getting a gun from someone he knows.",
        "A resident says the man in flat 4 keeps an air rifle in his wardrobe.",
        "A girl in Y8 says her brother has a machete hidden in the loft.",
    ],
)
def test_a_weapon_with_nothing_saying_when_is_not_high(policy: Policy, text: str) -> None:
    decision = graded(policy, text)

    assert decision.priority is Priority.NORMAL
    assert "priority.untimed" in rule_ids(decision)
    assert evidence_of(decision, "priority.untimed")[0].startswith("weapons.")
    assert "weapons" in decision.categories


@pytest.mark.parametrize(
    ("text", "occurred_text"),
    [
        ("A Year 5 boy says his uncle keeps a big knife in the kitchen drawer and will use it tonight.", None),
        ("Her cousin (16) says he is getting a gun from someone he knows.", "this weekend"),
        ("A Y9 pupil has a knife in his bag.", None),
        ("He's got a blade on him and is outside the chip shop.", None),
        ("Her cousin (16) says he is getting a gun from someone he knows.", "most evenings"),
    ],
)
def test_the_same_weapon_with_a_time_or_carried_now_is_high(
    policy: Policy, text: str, occurred_text: str | None
) -> None:
    decision = graded(policy, text, occurred_text)

    assert decision.priority is Priority.HIGH
    assert "priority.untimed" not in rule_ids(decision)


def test_a_weapon_carried_now_is_an_ongoing_time(policy: Policy) -> None:
    decision = graded(policy, "A Y9 pupil has a lock knife in his blazer pocket.")

    assert "time.ongoing.carried" in rule_ids(decision)
    assert evidence_of(decision, "time.ongoing.carried") == ["has a lock knife in his blazer pocket"]


@pytest.mark.parametrize(
    "text",
    [
        "He used to carry a knife in his bag when he was in Year 9.",
        "Staff searched his bag and there was no knife in his bag.",
        "A knife was found in the park last summer.",
    ],
)
def test_a_weapon_not_on_the_person_now_is_not_carried(policy: Policy, text: str) -> None:
    assert "time.ongoing.carried" not in rule_ids(graded(policy, text))


def test_a_second_risk_of_another_kind_still_makes_an_untimed_weapon_high(policy: Policy) -> None:
    text = "Her partner keeps a machete under the bed and punched the wall in front of the children."

    decision = graded(policy, text)

    assert "priority.untimed" in rule_ids(decision)
    assert decision.priority is Priority.HIGH


def test_a_weapon_is_high_without_a_time_when_the_policy_turns_the_penalty_off() -> None:
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8").replace("untimed_penalty = 2.0", "untimed_penalty = 0")
    assert "untimed_penalty = 0\n" in text
    without = load_policy_text(text, "untimed-off")

    decision = graded(without, "A girl in Y8 says her brother has a machete hidden in the loft.")

    assert decision.priority is Priority.HIGH
    assert "priority.untimed" not in rule_ids(decision)
