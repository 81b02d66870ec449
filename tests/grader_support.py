"""Scaffolding shared by the grader's unit tests: the default policy (and its rules alone), a Sanitised, rule ids.

Each test module keeps its own form answers (who the source is, how they know): those decide the
intelligence assessment, so a module passes its own defaults to `form` instead of sharing one set.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from contracts.events import Sanitised
from services.grader.domain import GradeDecision, grade
from services.grader.policy import DEFAULT_POLICY_PATH, Policy, load_policy, load_policy_text

# The source saw it first-hand and is the reporter: the form answers most tests do not care about.
SAW_IT = {
    "how_known": "Saw it at work",
    "how_known_choice": "saw_or_heard",
    "when_known": "Today",
    "shared_with": "Team leader",
    "can_recontact": True,
    "source_is_reporter": True,
}

# The smallest valid policy: one weapon word, one time word; tests add what they need to it.
MINIMAL_POLICY = """
version = "test-1"

[categories]
weapons = "Weapons"
other = "Fallback"

[thresholds]
high = 5.0
crime = 3.0
risk_cue_min = 2.0
imminent_bonus = 3.0
vulnerable_bonus = 1.0
historic_penalty = 4.0
suspected_false_penalty = 4.0
past_time_crime_bonus = 1.0

[negation]
before = ["no", "not"]

[intelligence_assessment]
by_choice = { saw_or_heard = "A" }

[[indicators]]
id = "weapons.knife"
text = "Knife"
category = "weapons"
weight = 5.0
words = ["knife"]

[[time_cues]]
id = "time.tonight"
text = "Tonight"
kind = "imminent"
words = ["tonight"]
"""


@cache
def default_policy() -> Policy:
    """The default policy, loaded once per test run (it is frozen, so sharing it is safe)."""
    return load_policy(DEFAULT_POLICY_PATH)


@cache
def rules_policy() -> Policy:
    """The default policy's rules alone, without its learned second opinion: what the rule tests test.

    The second opinion may only raise a priority; its own tests (test_grader_second_opinion.py) cover
    when it does, so a sentence written to probe one rule is not also a probe of the model.
    """
    return load_policy_text(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"), str(DEFAULT_POLICY_PATH))


def form(defaults: dict[str, Any], **context: Any) -> dict[str, Any]:
    """A module's default form answers with this test's own answers over them."""
    return defaults | context


def make_sanitised(
    text: str,
    occurred_text: str | None = None,
    *,
    reference: str = "CPI-TEST-0001",
    context: dict[str, Any] | None = None,
) -> Sanitised:
    """A sanitised submission whose log and summary are `text`, with the form's answers in `context`."""
    return Sanitised.model_validate(
        {
            "reference": reference,
            "source_ref": "SRC-" + reference.removeprefix("CPI-"),
            "intelligence_log": {"text": text},
            "partnership_summary": {"text": text},
            "redaction_counts": {},
            "location": "[LOCATION]",
            "occurred_text": occurred_text,
            "source_context": SAW_IT if context is None else context,
            "sanitiser_version": "test",
        }
    )


def grade_text(policy: Policy, text: str, occurred_text: str | None = None, **context: Any) -> GradeDecision:
    """Grade `text` with the first-hand form answers, any of them overridden by `context`."""
    return grade(make_sanitised(text, occurred_text, context=form(SAW_IT, **context)), policy)


def rule_ids(decision: GradeDecision) -> set[str]:
    """The ids of every rule that gave a reason (indicators, time cues, form cues, priority rules)."""
    return {reason.rule_id for reason in decision.reasons}


def evidence_of(decision: GradeDecision, rule_id: str) -> list[str]:
    """The evidence the rule `rule_id` recorded."""
    return next(reason.evidence for reason in decision.reasons if reason.rule_id == rule_id)
