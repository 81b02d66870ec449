"""The intelligence assessment (A-E) by LABELLING.md's concepts, each on new sentences written here.

None of these sentences comes from a corpus. Each concept (who the source is, what corroborates,
rumour with no traceable origin, a reason to think it false) is checked on wording of its own and
beside a near miss that must keep the letter the rest of the form gives.
"""

from __future__ import annotations

from typing import Any

import pytest

from services.grader.policy import Policy
from tests.grader_support import grade_text, rule_ids, rules_policy

policy = pytest.fixture(scope="module")(rules_policy)

TOLD_BY_SOMEONE: dict[str, Any] = {"how_known_choice": "told_by_someone_else", "source_is_reporter": True}
RUMOUR_TICKED = {"how_known_choice": "social_media_or_rumour", "source_is_reporter": True}
NO_TICK = {"how_known_choice": None, "source_is_reporter": True}
OTHER_NOT_REPORTER = {"how_known_choice": "other", "source_is_reporter": False}
PERSON_NOT_REPORTER = {"how_known_choice": "told_by_person_involved", "source_is_reporter": False}

NEUTRAL_TEXT = "A van has been parked by the garages most evenings."


def assessed(policy: Policy, how_known: str, context: dict[str, Any], text: str = NEUTRAL_TEXT) -> str:
    return grade_text(policy, text, how_known=how_known, **context).intelligence_assessment


# --- who the source is ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "how_known",
    [
        "The cashier is the victim and wrote down what happened.",
        "He is the person it happened to.",
        "This is her own situation; she is one of the tenants.",
    ],
)
def test_an_answer_naming_the_source_as_the_person_involved_is_direct(policy: Policy, how_known: str) -> None:
    assert assessed(policy, how_known, OTHER_NOT_REPORTER) == "A"


def test_a_reporter_source_saying_someone_else_is_the_victim_was_told(policy: Policy) -> None:
    context = OTHER_NOT_REPORTER | {"source_is_reporter": True}
    assert assessed(policy, "The cashier is the victim and wrote down what happened.", context) == "C"


def test_a_chain_of_telling_makes_the_source_second_hand(policy: Policy) -> None:
    assert assessed(policy, "The pupil told her form tutor, who told me", PERSON_NOT_REPORTER) == "C"
    assert assessed(policy, "The pupil told me", PERSON_NOT_REPORTER) == "A"


@pytest.mark.parametrize("how_known", ["I could see them from the office window.", "The manager (me) checked it"])
def test_the_source_seeing_it_is_direct(policy: Policy, how_known: str) -> None:
    assert assessed(policy, how_known, NO_TICK) == "A"


def test_seeing_why_is_not_seeing_it(policy: Policy) -> None:
    assert assessed(policy, "A parent told me and I can see why she is worried", NO_TICK) == "C"


# --- corroboration -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "how_known",
    [
        "A parent told us; I've read the emails myself.",
        "His brother told me and we have looked at the bank statement.",
        "The son told our duty nurse; the nurse saw the receipts.",
        "A neighbour rang; the GPS data places him on the same road.",
    ],
)
def test_something_seen_or_recorded_beside_being_told_corroborates(policy: Policy, how_known: str) -> None:
    assert assessed(policy, how_known, TOLD_BY_SOMEONE) == "B"


@pytest.mark.parametrize(
    "how_known",
    ["A parent told us; I have not read the emails.", "A neighbour rang; the GPS data is not back yet."],
)
def test_being_told_alone_stays_indirect(policy: Policy, how_known: str) -> None:
    assert assessed(policy, how_known, TOLD_BY_SOMEONE) == "C"


def test_several_people_showing_the_same_thing_corroborates(policy: Policy) -> None:
    one = assessed(policy, "A young person showed me the group chat", OTHER_NOT_REPORTER)
    several = assessed(
        policy,
        "A young person showed me the group chat",
        OTHER_NOT_REPORTER,
        "Four separate young people showed me the same messages about the fight.",
    )
    assert (one, several) == ("C", "B")


# --- rumour with no traceable origin -------------------------------------------------------------


@pytest.mark.parametrize(
    ("how_known", "context"),
    [
        ("estate talk", NO_TICK),
        ("Just talk at the bus stop.", TOLD_BY_SOMEONE | {"how_known_choice": "other"}),
        ("picked it up in passing at the gym", TOLD_BY_SOMEONE | {"how_known_choice": "other"}),
        ("parents chatting, cannot tell me who posted it", RUMOUR_TICKED),
    ],
)
def test_talk_nobody_can_trace_is_rumour(policy: Policy, how_known: str, context: dict[str, Any]) -> None:
    assert assessed(policy, how_known, context) == "D"


@pytest.mark.parametrize(
    "how_known",
    ["I talked to the caretaker about it", "Told me at the village hall coffee morning"],
)
def test_talking_to_a_named_person_is_not_rumour(policy: Policy, how_known: str) -> None:
    assert assessed(policy, how_known, NO_TICK) == "C"


def test_a_post_the_source_did_not_see_is_not_seen(policy: Policy) -> None:
    assert assessed(policy, "an Instagram post I never saw myself", RUMOUR_TICKED) == "D"
    assert assessed(policy, "an Instagram post I saw myself", RUMOUR_TICKED) == "C"


# --- reasons to think it false (E), not mere uncertainty ----------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "He says his shed was broken into. His last three reports were not substantiated.",
        "She has a history of making up stories about the staff.",
        "This is his sixth call; each time officers went round nothing was found.",
        "The council checked and the address is not registered as a business at all.",
        "Tag records put him at his hostel in the next town all evening.",
        "She says she is locked in a flat but her phone location shows her at her own home.",
        "We rang the other schools and nobody has any report of it.",
        "Staff said the claim was not correct once they checked the rota.",
        "He later admitted he made the part about the dog up.",
        "She has made similar allegations about two other neighbours this year.",
        "He has made the same complaint about every flat he has lived in.",
        "He has a history of telling stories to get out of lessons.",
        "Later she admitted she made it up to get out of a detention.",
    ],
)
def test_a_reason_to_think_it_false_is_e(policy: Policy, text: str) -> None:
    decision = grade_text(policy, text, how_known="A resident told me", how_known_choice="told_by_someone_else")
    assert decision.intelligence_assessment == "E"
    assert "form.doubt" in rule_ids(decision)


@pytest.mark.parametrize(
    "text",
    [
        "I'm not sure if any of it is true, but she was frightened.",
        "I checked the alley every day since and found nothing else.",
        "We searched the bag once and found nothing; three pupils told us separately.",
        "Records put him at the flat the same night the car was damaged.",
        "She has a history of going missing from placement.",
        "She has made a complaint about the same man before.",
        "They fell out on Monday but have made it up since.",
        "He made the spare room up for his nephew.",
        "He made it up the stairs before he collapsed.",
        "He forgot her birthday but made it up to her at the weekend.",
    ],
)
def test_uncertainty_or_one_empty_check_is_not_e(policy: Policy, text: str) -> None:
    decision = grade_text(policy, text, how_known="A resident told me", how_known_choice="told_by_someone_else")
    assert decision.intelligence_assessment != "E"


# --- evidence in the source's hands corroborates what they were told (policy 2025.10) ----------

TOLD_BY_PERSON: dict[str, Any] = {"how_known_choice": "told_by_person_involved", "source_is_reporter": True}


@pytest.mark.parametrize(
    ("how_known", "rule_id"),
    [
        ("The tenant told me and emailed me three photos of the door.", "form.evidence_in_hand"),
        ("Her brother told us and forwarded us the screenshots.", "form.evidence_in_hand"),
        ("A parent told me; the club's camera footage shows the same.", "form.evidence_in_hand"),
        ("The driver told us, and we found the receipts in the van.", "form.evidence_in_hand"),
        ("He told me and handed it over to me in a sealed bag.", "form.evidence_in_hand"),
        ("A neighbour told me; I have a copy of the letter.", "form.evidence_in_hand"),
        # Someone else found or saw it, or the source checked it themselves (policies 2025.19-20).
        ("The pupil told me, the site manager found the cut padlock.", "form.source_checked"),
        ("A tenant told us; our caretaker saw the damage the next morning.", "form.source_checked"),
        ("He told me, and the school nurse confirmed the bruise.", "form.source_checked"),
        ("She told me in clinic and I examined the marks on her arm.", "form.source_checked"),
        ("Two pupils told me; I confiscated the vape pen from his bag.", "form.source_checked"),
        ("Saw the flyer myself; a neighbour told me who had been posting them.", "form.source_checked"),
    ],
)
def test_what_the_source_holds_or_checked_corroborates_what_they_were_told(
    policy: Policy, how_known: str, rule_id: str
) -> None:
    decision = grade_text(policy, NEUTRAL_TEXT, how_known=how_known, **TOLD_BY_SOMEONE)

    assert decision.intelligence_assessment == "B"
    assert rule_id in rule_ids(decision)


@pytest.mark.parametrize(
    "how_known",
    [
        "The tenant told me about the photos she had taken.",
        "Her brother told us he had screenshots but did not send them.",
        "A parent told me what happened at the club.",
        "He gave me his account over the phone.",
    ],
)
def test_being_told_of_evidence_is_not_holding_it(policy: Policy, how_known: str) -> None:
    assert assessed(policy, how_known, TOLD_BY_PERSON) == "C"


@pytest.mark.parametrize(
    "how_known",
    [
        "The caretaker found it and told me.",
        "Her friend told me, she saw him with the knife.",
        "A pupil told me, his mates saw it on Snapchat.",
    ],
)
def test_what_the_teller_saw_or_found_is_still_what_was_told(policy: Policy, how_known: str) -> None:
    assert assessed(policy, how_known, TOLD_BY_PERSON) == "C"


def test_another_person_making_the_same_disclosure_is_not_doubt(policy: Policy) -> None:
    text = "A 12 year old says her stepdad touches her at night; her older sister has made the same disclosure."
    decision = grade_text(policy, text, how_known="She told me herself", **TOLD_BY_PERSON)

    assert "form.doubt" not in rule_ids(decision)
    assert decision.intelligence_assessment != "E"
