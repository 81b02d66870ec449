"""The safety net: a child or vulnerable adult, any cue of concern and an immediate time meet → HIGH."""

from __future__ import annotations

import pytest

from contracts.events import Priority
from tests.grader_support import grade_text, rule_ids, rules_policy

ERRS_TO_HIGH = {
    "online contact with a child, today": (
        "A man on Snapchat keeps messaging her daughter, aged 11, to meet him at 4 today."
    ),
    "a blackmailed boy, tonight": "The boy, 14, says someone on Instagram has his picture and wants £100 by tonight.",
}
STAYS_BELOW = {
    "the same contact, last term": "Last term a man on Snapchat kept messaging a girl, aged 11; it stopped in March.",
    "a concern with no one at risk, now": "Someone on Snapchat is posting adverts for vapes right now.",
}


@pytest.mark.parametrize("text", ERRS_TO_HIGH.values(), ids=ERRS_TO_HIGH.keys())
def test_a_person_at_risk_a_concern_and_now_err_to_high(text: str) -> None:
    decision = grade_text(rules_policy(), text)
    assert decision.priority is Priority.HIGH
    assert rule_ids(decision) & {"priority.vulnerable_concern_now", "priority.risk_meets_time"}


@pytest.mark.parametrize("text", STAYS_BELOW.values(), ids=STAYS_BELOW.keys())
def test_without_the_person_or_the_time_the_net_does_not_fire(text: str) -> None:
    decision = grade_text(rules_policy(), text)
    assert "priority.vulnerable_concern_now" not in rule_ids(decision)
    assert decision.priority is not Priority.HIGH
