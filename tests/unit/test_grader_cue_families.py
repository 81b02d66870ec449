"""Grader cue families added after the blind evaluation, each on new sentences written for these tests.

None of these sentences comes from a corpus: they check that a family of cues (confinement,
breach now, exploitation now, weapons carried now, people moved tonight, completed offences,
the person involved as the source) generalises beyond the cases that revealed it.
"""

from __future__ import annotations

from typing import Any

import pytest

from contracts.events import Priority, Sanitised
from services.grader.anchors import AnchorIndex, may_match, may_match_in, required_anchors
from services.grader.domain import GradeDecision, grade
from services.grader.evaluate import DEFAULT_CORPUS, load_corpus
from services.grader.matching import Text, find_matches
from services.grader.policy import Policy
from tests.grader_support import SAW_IT, form, make_sanitised, rules_policy

policy = pytest.fixture(scope="module")(rules_policy)

ON_A_VISIT = form(SAW_IT, how_known="Saw it on a visit")


def submission(text: str, occurred_text: str | None = None, **context: Any) -> Sanitised:
    return make_sanitised(text, occurred_text, reference="CPI-FAM-0001", context=form(ON_A_VISIT, **context))


def graded(policy: Policy, text: str, **context: Any) -> GradeDecision:
    return grade(submission(text, **context), policy)


# --- HIGH: a risk happening now -------------------------------------------------------------

HIGH_NOW = {
    "confinement, still inside": (
        "Her brother says two men have locked her in the back room of the flat and she is still inside."
    ),
    "confinement, present tense": "They won't let him go out of the caravan and he has been there since Sunday.",
    "home taken over": (
        "A man with learning difficulties says dealers have taken over his flat; they are there right now."
    ),
    "breach, not signed out": (
        "The registered offender walked out of the hostel without signing out at noon and has not come back."
    ),
    "breach, exclusion zone now": (
        "The man on licence is inside his exclusion zone by the school gates and is not answering his phone."
    ),
    "offender with a child now": (
        "The MAPPA nominal, barred from being alone with children, walked off with a boy of about "
        "nine; neither has returned."
    ),
    "made to hold until sold": (
        "A 15-year-old says older lads are keeping him at a flat and making him hold the bags until "
        "he has sold the rest; he is still there."
    ),
    "debt bondage": "She is working off a debt to the dealer and has been kept at the house since Friday.",
    "weapon in waistband": (
        "A lad had a meat cleaver tucked in his waistband outside the chip shop and was heading towards the park."
    ),
    "tool taken, breach": (
        "He left the approved premises without signing out and a hammer is missing from the workshop."
    ),
    "people moved tonight": (
        "Four women sleep on mattresses above the nail bar, are not paid and the owner keeps their "
        "passports; a van comes tonight to take them to another town."
    ),
}


@pytest.mark.parametrize("text", list(HIGH_NOW.values()), ids=list(HIGH_NOW))
def test_risk_happening_now_is_high(policy: Policy, text: str) -> None:
    assert graded(policy, text).priority is Priority.HIGH


def test_confinement_long_ago_is_not_high(policy: Policy) -> None:
    text = "Years ago he was locked in his room by his stepdad; he now lives with his nan."

    assert graded(policy, text).priority is Priority.NORMAL


def test_offender_keeping_to_his_licence_is_not_high(policy: Policy) -> None:
    assert (
        graded(policy, "He is on licence at the approved premises and keeps to his curfew.").priority is Priority.NORMAL
    )


def test_offender_with_a_child_is_graded_mappa_and_child_exploitation(policy: Policy) -> None:
    decision = graded(policy, HIGH_NOW["offender with a child now"])

    assert {"mappa", "child_exploitation"} <= set(decision.categories)


def test_forced_labour_is_modern_slavery(policy: Policy) -> None:
    decision = graded(policy, "The pickers at the farm are unpaid and the gangmaster holds their passports.")

    assert "modern_slavery" in decision.categories


# --- reassurance and rumour -----------------------------------------------------------------


def test_reassurance_does_not_cancel_a_weapon_meeting_tonight(policy: Policy) -> None:
    text = "He showed a lock knife and said he would sort out the lads at the rec tonight. No immediate risk to staff."

    decision = graded(policy, text)

    assert decision.priority is Priority.HIGH
    assert "priority.reassurance_overridden" in {reason.rule_id for reason in decision.reasons}


def test_reassurance_still_lowers_a_lesser_cue_meeting_a_time_cue(policy: Policy) -> None:
    text = "Her older boyfriend is collecting her tonight; there is no immediate risk as mum will be with her."

    assert graded(policy, text).priority is Priority.NORMAL


UNSOURCED = {"how_known": "Can't say where it came from", "how_known_choice": "other"}


def test_unsourced_weapon_rumour_is_not_high_on_its_own(policy: Policy) -> None:
    decision = graded(policy, "People reckon the lad on the corner keeps a pistol at his mum's.", **UNSOURCED)

    assert decision.intelligence_assessment == "D"
    assert decision.priority is Priority.NORMAL


def test_unsourced_weapon_rumour_with_tonight_is_high(policy: Policy) -> None:
    decision = graded(
        policy, "People reckon the lad on the corner will bring a pistol to the party tonight.", **UNSOURCED
    )

    assert decision.priority is Priority.HIGH


def test_weapon_talk_with_no_weapon_seen_is_not_high(policy: Policy) -> None:
    text = "The boys were bragging about blades in a rap video they made, but no weapon was seen."

    decision = graded(policy, text)

    assert decision.priority is Priority.NORMAL
    assert "weapons" in decision.categories


# --- completed offences ---------------------------------------------------------------------

COMPLETED = {
    "arson": ("The cricket pavilion was set alight on Sunday night and the roof was destroyed.", None),
    "theft on camera": ("A scooter was nicked from outside the library on Monday, caught on CCTV.", "theft"),
    "carer took cash": ("On Tuesday a cleaner took £60 from the resident's handbag; staff saw her take it.", "theft"),
    "shop theft": ("On Wednesday a man filled a basket with coffee jars and walked out without paying.", "theft"),
}


@pytest.mark.parametrize(("text", "category"), list(COMPLETED.values()), ids=list(COMPLETED))
def test_completed_offence_is_crime_not_intel(policy: Policy, text: str, category: str | None) -> None:
    decision = graded(policy, text)

    assert decision.priority is Priority.CRIME_NOT_INTEL
    assert category is None or category in decision.categories


def test_pattern_of_bike_thefts_stays_intelligence(policy: Policy) -> None:
    text = "Bikes are regularly being stolen from the racks most evenings, we think by the same group."

    assert graded(policy, text).priority is Priority.NORMAL


def test_assault_is_violence_with_a_required_category(policy: Policy) -> None:
    assert graded(policy, "He was headbutted outside the gym on Friday.").categories == ["violence", "other"]
    assert set(graded(policy, "He was punched and his wallet was stolen on Friday.").categories) == {
        "theft",
        "violence",
    }


# --- who the source is ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        ({"how_known": "The tenant told me himself", "source_is_reporter": False}, "A"),
        ({"how_known": "Her daughter told the nurse it happened to her", "source_is_reporter": False}, "A"),
        ({"how_known": "The boy showed the support worker the texts", "source_is_reporter": False}, "A"),
        ({"how_known": "The tenant told [SOURCE] himself", "source_is_reporter": False}, "C"),
        ({"how_known": "The tenant told me himself", "source_is_reporter": True}, "C"),
        # The tenant (the person involved) rang the reporter's office: the tenant is the source.
        ({"how_known": "The tenant rang the office", "source_is_reporter": False}, "A"),
        # Mum passing on what someone else went through is not the person involved's own account.
        ({"how_known": "Mum told the social worker", "source_is_reporter": False}, "C"),
        ({"how_known": "He told me; his landlord separately said the same", "source_is_reporter": True}, "B"),
    ],
)
def test_person_involved_as_the_source(policy: Policy, context: dict[str, Any], expected: str) -> None:
    decision = graded(policy, "Cannabis is grown in the loft.", how_known_choice="told_by_person_involved", **context)

    assert decision.intelligence_assessment == expected


@pytest.mark.parametrize(
    ("how_known", "expected"),
    [
        ("Posts on a neighbourhood page and what tenants have told [SOURCE]", "C"),
        ("Chatter on the estate", "D"),
    ],
)
def test_posts_read_are_not_rumour(policy: Policy, how_known: str, expected: str) -> None:
    decision = graded(
        policy, "A march is being talked about.", how_known=how_known, how_known_choice="social_media_or_rumour"
    )

    assert decision.intelligence_assessment == expected


# --- anchors: skipping a cue never changes a result -----------------------------------------


def test_anchors_never_skip_a_cue_that_would_match(policy: Policy) -> None:
    texts = [case.sanitised.intelligence_log.text for case in load_corpus(DEFAULT_CORPUS)]
    texts += list(HIGH_NOW.values()) + [text for text, _ in COMPLETED.values()]
    rules = policy.compiled
    for cue, bits, _ in (*rules.indicators, *rules.time_cues, *rules.form_cues):
        for text in texts:
            lower = Text.of(text).lower
            # The grader's test (the anchors as bits, one AND) says what the substring test says.
            assert may_match_in(bits, rules.anchor_index.present(lower)) == may_match(cue.anchors, lower), cue.id
            if not may_match(cue.anchors, lower):
                assert not find_matches((cue.regex,), Text.of(text), None).fired, (cue.id, text)


@pytest.mark.parametrize(
    ("pattern", "anchors"),
    [
        (r"\b(?:knife|gun)\b", {"knife", "gun"}),
        (r"\bbroken\s+into\b", {"broken"}),
        (r"\b(?:is|are)?\s*here", {"here"}),
        (r"£\s?\d", {"£"}),
        (r"\w+ing", {"ing"}),
        (r"\w+", None),
        (r"(?:knife)?\s+", None),
    ],
)
def test_required_anchors_of_a_pattern(pattern: str, anchors: set[str] | None) -> None:
    assert required_anchors(pattern) == (frozenset(anchors) if anchors is not None else None)


@pytest.mark.parametrize(
    ("anchors", "expected"),
    [(["told", "saw it", "dsl"], {"told", "saw it", "dsl"}), (["told", "me\0s", "dsl"], {"told", "dsl"})],
)
def test_anchors_in_any_of_several_texts_are_those_in_each_of_them(anchors: list[str], expected: set[str]) -> None:
    index = AnchorIndex(anchors)
    answers = ["she told me", "saw it", "dsl and head"]

    found = index.present_in_any(answers)

    assert found == set().union(*map(index.present, answers)) == expected
    # No anchor is found across the join of two texts, whether or not one could span it.
    assert index.present_in_any(["no one t", "old"]) == set()
