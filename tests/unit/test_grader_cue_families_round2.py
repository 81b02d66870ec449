"""Grader cue families added after the second blind evaluation, each on new sentences written for these tests.

None of these sentences comes from a corpus: they check that a family (meeting an online contact
tonight, children with unrelated adults in hotels or cars at night, violence at home with a baby or
child there now, an offender's breach with a victim now, completed damage, theft described in
actions, burglary) generalises beyond the cases that revealed it, and that its near misses stay put.
"""

from __future__ import annotations

import pytest

from contracts.events import Priority, Sanitised
from services.grader.domain import GradeDecision
from services.grader.policy import Policy
from tests.grader_support import grade_text, make_sanitised, rules_policy

policy = pytest.fixture(scope="module")(rules_policy)


def submission(text: str, occurred_text: str | None = None) -> Sanitised:
    return make_sanitised(text, occurred_text, reference="CPI-FAM-0002")


def graded(policy: Policy, text: str, occurred_text: str | None = None) -> GradeDecision:
    return grade_text(policy, text, occurred_text)


# --- HIGH: a risk to a child or victim happening now -------------------------------------------

HIGH_NOW = {
    "online game contact tonight": (
        "A boy in Year 7 says he is going to see a guy he met on Roblox tonight behind the leisure centre."
    ),
    "app contact asked for pictures, meeting this evening": (
        "The 14-year-old has been asked for photos in her underwear by someone she met on an app "
        "and is meeting him this evening."
    ),
    "meeting an adult she has been talking to, tomorrow": (
        "She is meeting a man she has been talking to for weeks, tomorrow after school at the bus station."
    ),
    "hotel room with schoolgirls now": (
        "Receptionist: two men booked a room with cash and took three schoolgirls up with them; they are still there."
    ),
    "men visiting children at a guest house tonight": (
        "Several men have been going up to the room where two young teenagers are staying at the guest house tonight."
    ),
    "car with children at night": (
        "An older man is driving round the estate right now with two 13-year-old girls in his car."
    ),
    "baby present, partner smashing the house": (
        "Her boyfriend is smashing up the flat and threw a chair; the newborn is in the same room right now."
    ),
    "toddler present, drunk father raging": (
        "The dad is drunk and screaming threats at mum and the toddler is with them at the moment."
    ),
    "threat to do her in, child at home": (
        "He said he'll do her in once the worker leaves; the 5 year old is there now."
    ),
    "offender at victim's home against his curfew": (
        "The man on licence is in breach of his curfew and his licence forbids contact with his ex; "
        "she has not answered her phone since midnight."
    ),
}


@pytest.mark.parametrize("text", list(HIGH_NOW.values()), ids=list(HIGH_NOW))
def test_risk_to_a_child_or_victim_now_is_high(policy: Policy, text: str) -> None:
    assert graded(policy, text).priority is Priority.HIGH


def test_meeting_online_contact_is_child_exploitation(policy: Policy) -> None:
    decision = graded(policy, "A 12-year-old met a man online in a game chat and plans to see him tonight.")

    assert "child_exploitation" in decision.categories


def test_hotel_with_children_is_child_exploitation(policy: Policy) -> None:
    text = "A man checked in paying cash with two girls who look about 14; they are in the room now."

    assert "child_exploitation" in graded(policy, text).categories


def test_violence_with_baby_present_is_domestic_abuse(policy: Policy) -> None:
    text = "Her partner punched the door off its hinges while the baby was in her arms; he is still there."

    decision = graded(policy, text)

    assert decision.priority is Priority.HIGH
    assert "domestic_abuse" in decision.categories


NOT_HIGH = {
    "selling trainers to a buyer on an app": (
        "Last Sunday he arranged to meet the buyer of his console at the station and the buyer ran off with it."
    ),
    "family hotel stay, nothing now": "The family stayed in a hotel with their children over the summer last year.",
    "partner violence long ago, moved away": (
        "Years ago her partner punched the wall in front of the children; he has since moved out."
    ),
    "child safe at home now": "She went missing last month and came back; she is at the home now and settled.",
}


@pytest.mark.parametrize("text", list(NOT_HIGH.values()), ids=list(NOT_HIGH))
def test_near_misses_of_the_new_families_are_not_high(policy: Policy, text: str) -> None:
    assert graded(policy, text).priority is not Priority.HIGH


# --- CRIME_NOT_INTEL: a completed offence, described -------------------------------------------

COMPLETED = {
    "van keyed": ("His van was keyed along the side on Friday night; repair estimate £400.", None),
    "tyres slashed": ("All four tyres on the minibus were slashed overnight in the depot yard.", None),
    "window smashed": ("On Tuesday someone smashed the shop window with a brick; glazier quote £300.", None),
    "door forced": ("The back door of the cafe was forced during the night on Sunday and the till emptied.", None),
    "broke in": ("Someone broke in to the sports hall yesterday and took two tablets worth £700.", "theft"),
    "burglary": ("Burglary at the scout hut over the weekend: camping equipment worth £2,000 taken.", "theft"),
    "walked off with": ("Yesterday a customer walked off with a display phone worth £350.", "theft"),
    "hid under coat": (
        "On Monday afternoon a woman slipped a bottle under her coat and left without paying, value £40.",
        "theft",
    ),
    "unplugged and left": (
        "On Wednesday a man unplugged the reception tablet and left through the fire exit; it cost £250.",
        "theft",
    ),
    "items taken": ("Three power tools were taken from the site container on Saturday night, worth £900.", "theft"),
}


@pytest.mark.parametrize(("text", "category"), list(COMPLETED.values()), ids=list(COMPLETED))
def test_completed_damage_or_theft_is_crime_not_intel(policy: Policy, text: str, category: str | None) -> None:
    decision = graded(policy, text)

    assert decision.priority is Priority.CRIME_NOT_INTEL
    assert category is None or category in decision.categories


def test_items_taken_to_a_place_is_not_theft(policy: Policy) -> None:
    text = "On Friday the laptops were taken to the repair shop by the caretaker."

    assert graded(policy, text).priority is Priority.NORMAL
