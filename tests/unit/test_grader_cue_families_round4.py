"""Grader family members added after the fifth blind evaluation, each on new sentences written here.

None of these sentences comes from a corpus. Each new member of a family (who is at risk, a danger
situation, immediacy, a completed offence, what says it is over) is checked on wording of its own
and beside a near miss that must stay put.
"""

from __future__ import annotations

import pytest

from contracts.events import Priority
from services.grader.policy import Policy
from tests.grader_support import grade_text, rule_ids, rules_policy

policy = pytest.fixture(scope="module")(rules_policy)


def fires(policy: Policy, rule_id: str, text: str, occurred_text: str | None = None) -> bool:
    return rule_id in rule_ids(grade_text(policy, text, occurred_text))


# (rule id, sentences it must fire on, near misses it must not fire on)
FAMILY_MEMBERS = [
    # Who is at risk: an adult the text calls very vulnerable, or who sleeps rough.
    (
        "vulnerable.child",
        ["The man sleeping rough by the arches is very vulnerable.", "A rough sleeper was approached."],
        ["The shop sells rough-cut timber."],
    ),
    # Danger: a person kept somewhere (quotes as people write them), not a thing kept in a drawer.
    (
        "confinement.held",
        ["She says she is being 'kept' at a house in the next town.", "The workers were kept in a shed."],
        ["His bank card was kept in the kitchen drawer."],
    ),
    # Danger: taken in any vehicle, driven off with, a man's flat, moved on, an adult coming to get them.
    (
        "danger.taken",
        [
            "The boy got into a grey Corsa [VRM] outside the shop.",
            "Two men pushed her and her bags into a black Golf [VRM].",
            "The car drove off with her in it.",
            "She was with two men (30s) by the canal.",
            "She is staying at some bloke's flat above the bakery.",
            "He said they are moving her to another city.",
            "His new mate is coming to get him after lunch.",
        ],
        ["The van drove off with the parcels.", "The men (70s) were playing bowls."],
    ),
    # Danger: harm to someone else if the person does not comply.
    (
        "danger.threat",
        ["If she does not do it, they said her sister will 'get hurt'.", "Pay £500 by Friday or else."],
        ["She paid £350 by bank transfer for the sofa."],
    ),
    # Danger: an overdose in everyday words, said of the person themselves.
    (
        "violence.self_harm",
        ["He told me he's taken the lot.", "There are empty blister strips beside her bed."],
        ["The burglars took the lot."],
    ),
    # Danger: a threat conditional on the person's own conduct, and burning out a building.
    (
        "violence.planned",
        [
            "He told her that if she left the house he would kill her.",
            "They were talking about burning out the takeaway.",
            "The two estates are meeting at the rec to fight.",
        ],
        ["If anyone asked, he would say he was at work.", "The clutch on the van is burning out."],
    ),
    # Danger: a hostile group gathered at a place.
    (
        "danger.hostile_crowd",
        ["About 20 men are outside the church blocking the door and shouting."],
        ["A group of people outside the church were singing carols."],
    ),
    # Exploitation: the signs of a child moving drugs, or made to keep them.
    (
        "exploitation.criminal",
        [
            "The boy has two phones and something taped under his shirt.",
            "They make her keep packages in her wardrobe.",
        ],
        ["She keeps her parcels in the hall."],
    ),
    # Breaching conditions: bail, or an agreement to stay away from a home.
    (
        "mappa.breach",
        ["He has bail conditions not to go to the address.", "Dad is not allowed in the home."],
        ["He was released without bail conditions."],
    ),
    # Tools brought to a fight.
    ("weapons.improvised", ["Some of them are bringing bats."], ["The cricket club is selling old kit."]),
    # Completed offences in everyday words.
    (
        "violence.assault_completed",
        [
            "He was cut with a knife at the bus station.",
            "He pulled a knife on the night porter.",
            "A man exposed himself in the park.",
        ],
        ["The padlock and cable locks were cut.", "The caller was cut off."],
    ),
    ("offence.theft", ["Her watch has gone from her room."], ["She has gone from the room to the kitchen."]),
    (
        "offence.damage",
        ["The bus window shattered.", "About £100 of stock broken."],
        ["He has a broken promise to keep."],
    ),
    (
        "offence.fraud_unrecovered",
        [
            "She paid for the tickets and got blocked.",
            "He hasn't been able to get the money back.",
            "£900 was withdrawn from her bank account.",
        ],
        ["She got her money back from the shop."],
    ),
]


@pytest.mark.parametrize(
    ("rule_id", "text"), [(rule_id, text) for rule_id, positives, _ in FAMILY_MEMBERS for text in positives]
)
def test_family_member_fires(policy: Policy, rule_id: str, text: str) -> None:
    assert fires(policy, rule_id, text)


@pytest.mark.parametrize(
    ("rule_id", "text"), [(rule_id, text) for rule_id, _, negatives in FAMILY_MEMBERS for text in negatives]
)
def test_family_member_near_miss_does_not_fire(policy: Policy, rule_id: str, text: str) -> None:
    assert not fires(policy, rule_id, text)


# --- What says it is over: a "found" of an earlier episode is history, not a reassurance ---------


@pytest.mark.parametrize(
    "text",
    [
        "She was found at the same flat in March.",
        "He was found at the station once before.",
        "Each time she was found at a friend's.",
    ],
)
def test_found_in_an_earlier_episode_is_not_a_reassurance(policy: Policy, text: str) -> None:
    assert not fires(policy, "reassurance.returned", text)


@pytest.mark.parametrize("text", ["She was found safe at her nan's.", "He has been found."])
def test_found_now_is_a_reassurance(policy: Policy, text: str) -> None:
    assert fires(policy, "reassurance.returned", text)


def test_a_conditional_threat_is_not_a_hypothetical(policy: Policy) -> None:
    assert not fires(policy, "reassurance.hypothetical", "He said if she went out again he would kill her.")
    assert fires(policy, "reassurance.hypothetical", "If anyone asked, he would say he was at work.")


# --- Immediacy: a clock time today, someone coming back at a time, ongoing absence ------------------

IMMINENT = [
    ("There is a fight planned at 4 today.", None),
    ("They plan to meet.", "today approx 3.30pm"),
    ("The man and the old lady are coming back at 3pm for the cash.", None),
    ("He was shouting on the way home.", None),
]
NOT_IMMINENT = [
    "The minibus brings them back about 8pm.",
    "He was pushed over on the way home yesterday.",
]


@pytest.mark.parametrize(("text", "occurred_text"), IMMINENT)
def test_imminent_time_fires(policy: Policy, text: str, occurred_text: str | None) -> None:
    assert fires(policy, "time.imminent.today", text, occurred_text)


@pytest.mark.parametrize("text", NOT_IMMINENT)
def test_not_imminent_time_does_not_fire(policy: Policy, text: str) -> None:
    assert not fires(policy, "time.imminent.today", text)


@pytest.mark.parametrize(
    "text", ["She has been at a man's flat since Friday.", "The register shows she's not in.", "He is not in school."]
)
def test_ongoing_absence_or_stay_is_now(policy: Policy, text: str) -> None:
    assert fires(policy, "time.ongoing.now", text)


@pytest.mark.parametrize("text", ["He's not in a gang.", "She has been in the job since 2019."])
def test_not_in_or_since_near_misses_are_not_now(policy: Policy, text: str) -> None:
    assert not fires(policy, "time.ongoing.now", text)


# --- Priority: the families combined ---------------------------------------------------------------

PRIORITIES = [
    # A crime whose risk goes on now is HIGH.
    ("A girl of 12 got into a white Astra [VRM] with two men (20s) this morning; she's not in.", Priority.HIGH),
    ("He has a bail condition not to attend, but his boots are in the hall and he is upstairs now.", Priority.HIGH),
    ("Residents say he's taken the lot and won't open the door; it is happening right now.", Priority.HIGH),
    ("About 15 men are outside the mosque now shouting and throwing bottles.", Priority.HIGH),
    ("Her new mate is coming to get her at 2pm today to take out her savings; she has dementia.", Priority.HIGH),
    # The same kinds of event over and done with are crime reports.
    ("On Friday night he was cut with a knife at the bus stop; six stitches at A&E.", Priority.CRIME_NOT_INTEL),
    ("Last week she paid £300 for a puppy online and got blocked.", Priority.CRIME_NOT_INTEL),
    ("On Monday a man exposed himself to a cashier and left.", Priority.CRIME_NOT_INTEL),
    # Speculation about a weapon nobody has seen is intelligence.
    ("His uncle might have a gun in the loft; she has never seen it and it might just be talk.", Priority.NORMAL),
]


@pytest.mark.parametrize(("text", "expected"), PRIORITIES)
def test_priority_of_the_families_combined(policy: Policy, text: str, expected: Priority) -> None:
    assert grade_text(policy, text).priority == expected


def test_word_on_a_place_is_rumour(policy: Policy) -> None:
    decision = grade_text(policy, "Someone is selling guns.", how_known="Word on the estate", how_known_choice="other")
    assert decision.intelligence_assessment == "D"
