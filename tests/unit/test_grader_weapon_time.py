"""A weapon needs a time to be HIGH (LABELLING.md: "weapons carried or planned violence with a time").

A weapon kept somewhere ("keeps a gun in his loft") with nothing saying when is intelligence for
slower time; the same weapon with any time cue, carried on the person now, in use ("is waving a
knife"), or beside a second risk of another kind is still HIGH. Every sentence here is written for
this test, none comes from a labelled set.
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
        "A resident says the man in flat 4 owns two shotguns.",
        "A resident says the man in flat 4 keeps an air rifle in his wardrobe.",
        "A girl in Y8 says her brother has a machete hidden in the loft.",
        "Her cousin, who is not at our school, keeps a gun at home.",
    ],
)
def test_a_weapon_kept_somewhere_with_nothing_saying_when_is_not_high(policy: Policy, text: str) -> None:
    decision = graded(policy, text)

    assert decision.priority is Priority.NORMAL
    assert "priority.untimed" in rule_ids(decision)
    assert evidence_of(decision, "priority.untimed")[0].startswith("weapons.")
    assert "weapons.stored" in evidence_of(decision, "priority.untimed")
    assert "weapons" in decision.categories


@pytest.mark.parametrize(
    "text",
    [
        "He is waving a knife at the kids in the park.",
        "There's a man with a gun in the playground.",
        "Two boys are fighting by the shops and one has pulled a knife.",
        "A man is threatening his partner with a knife in the flat upstairs.",
        "A pupil is showing other pupils a gun in the toilets.",
        "Our resident (16) has a knife and says she will use it on herself.",
        "A man with a machete is chasing a teenager across the estate.",
        "A Y8 boy has brought a knife into school.",
        "He keeps a knife in his bag.",
        "Someone is pointing a gun at children from a car outside the school.",
        "A 14 year old is being made to carry a knife by older boys.",
        "Pupil says he brought a blade to school to get someone who bullied him.",
        # Kept somewhere, but with a threat to use it: a second risk of another kind.
        "My 15 year old son has a gun under his bed and says he will use it.",
        "Stepdad keeps a gun and has said he will shoot her and her mum.",
        "A tenant says her neighbour keeps a machete under his bed and has told her he will come round and cut her.",
    ],
)
def test_a_weapon_in_use_or_carried_is_high_with_no_time_word(policy: Policy, text: str) -> None:
    decision = graded(policy, text)

    assert decision.priority is Priority.HIGH
    assert "priority.untimed" not in rule_ids(decision)


@pytest.mark.parametrize(
    ("text", "occurred_text"),
    [
        ("A Year 5 boy says his uncle keeps a big knife in the kitchen drawer and will use it tonight.", None),
        ("A resident says the man in flat 4 keeps an air rifle in his wardrobe.", "this weekend"),
        ("A resident says the man in flat 4 keeps an air rifle in his wardrobe.", "most evenings"),
        ("A girl in Y8 says her brother has a machete hidden in the loft and he has a knife in his bag.", None),
        # Told in the present tense (time.present): the text says when, so it is not untimed.
        ("Her uncle keeps a shotgun in the garage and is shouting at the children next door.", None),
    ],
)
def test_the_same_kept_weapon_with_a_time_or_carried_now_is_high(
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
        "He was found with a knife in his pocket last year and was excluded.",
        "In 2019 he was caught with a knife in his bag.",
        "He got a knife in his bag from his cousin's house last term.",
    ],
)
def test_a_weapon_not_on_the_person_now_is_not_carried(policy: Policy, text: str) -> None:
    assert "time.ongoing.carried" not in rule_ids(graded(policy, text))


def test_a_heavy_risk_of_another_kind_keeps_a_kept_weapon_high(policy: Policy) -> None:
    text = "Her partner keeps a machete under the bed and punched the wall in front of the children."

    decision = graded(policy, text)

    assert "domestic.violence_at_home" in rule_ids(decision)
    assert "priority.untimed" not in rule_ids(decision)
    assert decision.priority is Priority.HIGH


def test_a_light_cue_beside_a_kept_weapon_does_not_keep_it_high(policy: Policy) -> None:
    decision = graded(policy, "Her brother (15) keeps a knife under his bed and goes out late with older boys.")

    assert "danger.taken" in rule_ids(decision)
    assert "priority.untimed" in rule_ids(decision)
    assert decision.priority is Priority.NORMAL


def test_a_weapon_is_high_without_a_time_when_the_policy_turns_the_penalty_off() -> None:
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8").replace("untimed_penalty = 2.0", "untimed_penalty = 0")
    assert "untimed_penalty = 0\n" in text
    without = load_policy_text(text, "untimed-off")

    decision = graded(without, "A girl in Y8 says her brother has a machete hidden in the loft.")

    assert decision.priority is Priority.HIGH
    assert "priority.untimed" not in rule_ids(decision)
