"""The concept families: who is at risk, a danger situation, immediacy; and how they combine.

Each family has examples in everyday words that must fire and near-misses that must not, so a
force editing the policy sees at once when a change narrows or widens a family.
"""

from __future__ import annotations

from typing import Any

import pytest

from contracts.events import Priority, Sanitised
from services.grader.domain import grade
from services.grader.policy import Policy
from tests.grader_support import SAW_IT, form, make_sanitised, rule_ids, rules_policy

policy = pytest.fixture(scope="module")(rules_policy)

SAW_IT_MYSELF = form(SAW_IT, how_known="I saw it myself", shared_with="Line manager")


def sanitised(text: str, occurred_text: str | None = None, **context: Any) -> Sanitised:
    return make_sanitised(text, occurred_text, reference="CPI-DEV-0002", context=form(SAW_IT_MYSELF, **context))


fired = rule_ids


# --- who is at risk -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The girl, 12-13, was by the ticket machines.",
        "A lad (16) was at the bus stop.",
        "My client's son is 15.",
        "Her daughter is in Yr 9.",
        "He is 16 y/o and lives with his aunt.",
        "A Year 10 boy came to see me.",
        "She was in her school uniform.",
    ],
)
def test_young_person_fires_on_any_spelling_of_an_age_or_school_year(policy: Policy, text: str) -> None:
    assert "vulnerable.child" in fired(grade(sanitised(text), policy))


@pytest.mark.parametrize(
    "text",
    ["He was there at 10-12 o'clock.", "The 16:42 train was late.", "It happened 15 years ago.", "Flat 14 is empty."],
)
def test_young_person_does_not_fire_on_times_or_numbers(policy: Policy, text: str) -> None:
    assert "vulnerable.child" not in fired(grade(sanitised(text), policy))


@pytest.mark.parametrize(
    "text",
    [
        "Resident in room 14 has advanced dementia.",
        "She's 89 and can't stand without her frame.",
        "The tenant has a learning disability and lives alone.",
        "She is in a mental health crisis.",
        "Her ex-partner is the father of her children.",
    ],
)
def test_vulnerable_adult_fires(policy: Policy, text: str) -> None:
    assert "vulnerable.child" in fired(grade(sanitised(text), policy))


def test_vulnerable_adult_does_not_fire_on_an_ordinary_adult(policy: Policy) -> None:
    assert "vulnerable.child" not in fired(grade(sanitised("A resident says the bins are full."), policy))


# --- danger situations ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule_id", "text"),
    [
        ("danger.missing", "She was not in her room at the 02:00 check."),
        ("danger.missing", "He hasn't been home since Friday."),
        ("danger.missing", "He isn't on the ward."),
        ("danger.missing", "They were not at the hostel at curfew."),
        ("danger.taken", "He was taken to a flat in [TOWN]."),
        ("danger.taken", "She was with a man in his 40s."),
        ("danger.threat", "He is demanding £500 or he'll send it to her family."),
        ("danger.behaviour", "He was banging on her door."),
        ("danger.behaviour", "A man exposed himself by the swings."),
        ("danger.threat", "They are pressuring her to withdraw £2,000."),
        ("danger.self_harm", "He said 'I'd rather be dead'."),
        ("danger.confined", "They have locked him in the bedroom."),
        ("danger.present", "He's still here, by the play area."),
        ("danger.left_alone", "There was no adult at home to collect him."),
    ],
)
def test_danger_fires_in_plain_words(policy: Policy, rule_id: str, text: str) -> None:
    assert rule_id in fired(grade(sanitised(text), policy))


@pytest.mark.parametrize(
    ("rule_id", "text"),
    [
        ("danger.missing", "£200 in cash went missing from the office."),
        ("danger.missing", "She is missing lessons on Fridays."),
        ("danger.missing", "She is in the home now and was at college today."),  # there: not missing
        ("danger.missing", "He was at the hostel all evening."),
        ("danger.unreachable", "The tenant is not answering the door to us."),
        ("danger.present", "The shop is still there under another name."),
        ("danger.threat", "The deadline for the grant is next month."),
    ],
)
def test_danger_does_not_fire_on_things_or_places(policy: Policy, rule_id: str, text: str) -> None:
    assert rule_id not in fired(grade(sanitised(text), policy))


# --- immediacy ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "occurred_text"),
    [
        ("He is demanding £500 by 9pm tonight.", None),
        ("The call cut off at 17:51.", None),
        ("They boarded the 16:42 to [TOWN].", None),
        ("She was discovered missing at 02:00.", None),
        ("He is outside the door now.", None),
        ("He has just rung me.", None),
        ("A man approached her.", "today, 14:25"),
    ],
)
def test_immediacy_fires_from_the_text_or_the_forms_when(policy: Policy, text: str, occurred_text: str | None) -> None:
    ids = fired(grade(sanitised(text, occurred_text), policy))
    assert ids & {"time.immediacy.today", "time.today", "time.imminent.today", "time.ongoing.now"}


def test_the_forms_when_saying_now_is_immediacy(policy: Policy) -> None:
    decision = grade(sanitised("A man on the bus won't leave the girl (14) alone.", "now"), policy)

    assert "time.immediacy.today" in fired(decision)
    assert decision.priority is Priority.HIGH


def test_today_is_not_current_when_the_text_is_about_an_earlier_day(policy: Policy) -> None:
    text = "Girl (16) was missing overnight on Friday and came back on Saturday. She was at college today."
    assert grade(sanitised(text), policy).priority is Priority.NORMAL


@pytest.mark.parametrize(
    ("rule_id", "text"),
    [
        ("danger.missing", "The gentleman from room 3 is not on the unit."),
        ("danger.unreachable", "The man (learning disability) is not picking up."),
        ("danger.self_harm", "He texted 'I'm on the bridge, I can't do this'."),
    ],
)
def test_danger_in_other_everyday_words(policy: Policy, rule_id: str, text: str) -> None:
    assert rule_id in fired(grade(sanitised(text), policy))


@pytest.mark.parametrize("text", ["She is now doing well at college.", "He is home by 9pm every night."])
def test_immediacy_does_not_fire_on_a_settled_now_or_a_routine(policy: Policy, text: str) -> None:
    assert "time.immediacy.today" not in fired(grade(sanitised(text), policy))


# --- how the families combine -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "occurred_text"),
    [
        ("Resident (82, dementia) not in her room at the check. Fire exit found open.", "discovered missing at 02:00"),
        ("A girl, 12-13, with a man in his 40s boarded the 16:42 train. She looked scared.", "16:42 train, today"),
        ("Yr 10 boy: someone is demanding £500 by 9pm tonight or they'll send his picture to everyone.", None),
        ("My client's ex-partner is outside her front door banging and shouting. Call cut off.", "17:48, ongoing"),
        ("He says they have locked him in the bedroom and won't let him have his phone.", "today 13:20"),
        ("At 14:25 a man exposed himself near the play area. He's still here on the woodland path.", None),
    ],
)
def test_danger_meeting_immediacy_or_a_person_at_risk_is_high(
    policy: Policy, text: str, occurred_text: str | None
) -> None:
    assert grade(sanitised(text, occurred_text), policy).priority is Priority.HIGH


@pytest.mark.parametrize(
    "text",
    [
        "Patient with dementia has left the ward and we can't find him anywhere.",
        "A girl in Year 9 is being messaged by a man who says he will post her photos unless she sends more.",
        "The registered sex offender is sitting in the park next to the playground as we speak.",
        "Student says she has taken a load of paracetamol in the toilets.",
        "Elderly lady says a builder is in her kitchen now insisting she pays £3,000 cash today.",
        "A 13 year old girl just got into a car with two men outside the school.",
    ],
)
def test_risk_now_in_other_words_is_high(policy: Policy, text: str) -> None:
    assert grade(sanitised(text), policy).priority is Priority.HIGH


@pytest.mark.parametrize(
    "text",
    [
        "Residents with dementia were in the lounge watching TV this afternoon.",
        "The 15 year old goes to the youth club on her own most evenings.",
        "Neighbours complain that kids are banging on doors and running off on the estate.",
        "A pupil (Yr 8) says an older boy keeps following her round the playground at break.",
        "My elderly mum keeps shouting at her carers and they are finding it hard.",
        "A boy in Year 5 says a man took him to the park on Saturday; it was his uncle and mum knew.",
        "Tenant (60s, lives alone) says younger men come round most days. Nothing has gone missing.",
    ],
)
def test_everyday_words_without_danger_now_are_not_high(policy: Policy, text: str) -> None:
    assert grade(sanitised(text), policy).priority is not Priority.HIGH


def test_a_person_at_risk_meeting_a_danger_is_high_without_a_time(policy: Policy) -> None:
    decision = grade(sanitised("The boy (13) says he has not been home and the older lads took his phone."), policy)

    assert decision.priority is Priority.HIGH
    assert "priority.at_risk_meets_danger" in fired(decision)


@pytest.mark.parametrize(
    "text",
    [
        "Last year a girl (14) went missing for a weekend with an older man; she has since come home safe.",
        "Lily (16) goes missing overnight most weekends and comes back by the morning.",
        "She was reported missing on Friday and came home on Sunday. She is home now and back in school.",
        "In a debate a Yr 8 boy said 'if someone started on me I'd bring a knife'. He was just saying it.",
    ],
)
def test_past_over_patterned_or_hypothetical_danger_is_not_high(policy: Policy, text: str) -> None:
    assert grade(sanitised(text), policy).priority is not Priority.HIGH


def test_doubt_does_not_lower_a_child_at_risk_tonight(policy: Policy) -> None:
    text = (
        "Pupil (Yr 6) says her stepdad's friend is taking her to the city tonight. "
        "She has told stories before that turned out not to be true."
    )
    decision = grade(sanitised(text, how_known="TA told me", how_known_choice="told_by_someone_else"), policy)

    assert decision.intelligence_assessment == "E"
    assert decision.priority is Priority.HIGH


# --- completed offences in everyday words -----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Lead flashing was stripped off the church hall roof over the weekend.",
        "Her debit card has been used for £400 of purchases she didn't make last week.",
        "A Yr 11 boy grabbed her chest in the corridor on Friday.",
        "He paid £1,800 to a doorstep roofer last Wednesday and nothing has been done.",
        "The catalytic converter was cut off the minibus between fri 6pm and mon 7am.",
    ],
)
def test_completed_offence_with_a_loss_is_crime(policy: Policy, text: str) -> None:
    assert grade(sanitised(text), policy).priority is Priority.CRIME_NOT_INTEL


def test_a_pattern_of_offences_is_intelligence_not_a_crime_report(policy: Policy) -> None:
    text = "A pattern: since September bikes have always been stolen from the station racks on weekdays."
    assert grade(sanitised(text), policy).priority is Priority.NORMAL


def test_ongoing_risk_wins_over_a_completed_crime(policy: Policy) -> None:
    text = "He took her purse last month and he is in her front room now asking for money. She has dementia."
    assert grade(sanitised(text), policy).priority is Priority.HIGH


# --- assessment (LABELLING.md) ----------------------------------------------------------------------


def assessed(policy: Policy, text: str, **context: Any) -> str:
    return grade(sanitised(text, **context), policy).intelligence_assessment


def test_person_involved_who_is_the_source_knows_directly(policy: Policy) -> None:
    told = {"how_known": "She told me", "how_known_choice": "told_by_person_involved"}
    assert assessed(policy, "My phone was taken.", **told) == "C"  # source_is_reporter: the reporter was told
    assert assessed(policy, "Her phone was taken.", **told, source_is_reporter=False) == "A"


def test_a_relative_telling_is_second_hand(policy: Policy) -> None:
    context = {"how_known": "Mum told the social worker", "how_known_choice": "told_by_person_involved"}
    assert assessed(policy, "The boys may be drawn in.", **context, source_is_reporter=False) == "C"


def test_told_by_someone_who_cannot_say_where_from_is_rumour(policy: Policy) -> None:
    context = {"how_known": "neighbour had heard it, can't say from whom", "how_known_choice": "told_by_someone_else"}
    assert assessed(policy, "There is a gun in the bin store.", **context, source_is_reporter=False) == "D"


@pytest.mark.parametrize("how_known", ["It's my car", "It was my laptop", "I'm the caretaker and watched it"])
def test_the_reporters_own_property_or_observation_is_direct(policy: Policy, how_known: str) -> None:
    decision = grade(sanitised("The window was smashed.", how_known=how_known, how_known_choice="other"), policy)
    assert decision.intelligence_assessment == "A"


def test_records_corroborate_what_the_source_was_told(policy: Policy) -> None:
    decision = grade(
        sanitised(
            "A car drops her back at dawn.",
            how_known="She told me; night staff logs show the car",
            how_known_choice=None,
            source_is_reporter=False,
        ),
        policy,
    )
    assert decision.intelligence_assessment == "B"


# --- the one-pass anchor index is exact ------------------------------------------------------------


def test_anchor_index_finds_exactly_the_anchors_in_a_text() -> None:
    from services.grader.anchors import AnchorIndex

    anchors = ["now", "know", "stab", "stabbing", "£", "taken to", "take"]
    index = AnchorIndex(anchors)
    for text in ["i know he is stabbing now", "taken to £5", "nothing here", "stabstab", ""]:
        assert index.present(text) == {anchor for anchor in anchors if anchor in text}


def test_anchor_index_agrees_with_substring_search_on_the_corpus(policy: Policy) -> None:
    from services.grader.evaluate import DEFAULT_CORPUS, load_corpus

    rules = policy.compiled
    every = {anchor for cue in (*policy.indicators, *policy.time_cues, *policy.form_cues) for anchor in cue.needs}
    for case in load_corpus(DEFAULT_CORPUS):
        text = case.sanitised.intelligence_log.text.lower()
        assert rules.anchor_index.present(text) == {anchor for anchor in every if anchor in text}


@pytest.mark.parametrize(
    ("occurred_at", "received_at", "want"),
    [
        ("2026-01-10T14:25:00+00:00", "2026-01-10T15:10:00+00:00", Priority.HIGH),
        ("2026-01-10T19:00:00+00:00", "2026-01-10T16:00:00+00:00", Priority.HIGH),
        ("2026-01-02T14:25:00+00:00", "2026-01-10T15:10:00+00:00", Priority.NORMAL),
        (None, "2026-01-10T15:10:00+00:00", Priority.NORMAL),
    ],
)
def test_the_forms_occurred_at_near_receipt_is_immediacy(
    policy: Policy, occurred_at: str | None, received_at: str, want: Priority
) -> None:
    base = sanitised("A man exposed himself to two mums near the play area.").model_dump()
    case = Sanitised.model_validate(base | {"occurred_at": occurred_at, "received_at": received_at})

    assert grade(case, policy).priority is want
