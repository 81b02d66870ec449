"""Grade one sanitised submission under a policy: priority, categories and 3x5x2, with every reason."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.events import GradeReason, Priority, Sanitised
from services.grader.anchors import may_match
from services.grader.assessment import grade_source
from services.grader.matching import Matches, Text, find_matches
from services.grader.policy import Indicator, Policy
from services.grader.priority import Signals, decide_priority


@dataclass(frozen=True)
class GradeDecision:
    priority: Priority
    categories: list[str]
    source_evaluation: str
    intelligence_assessment: str
    handling_code: str
    reasons: list[GradeReason]
    policy_version: str


def _fired_indicators(text: Text, policy: Policy) -> tuple[list[tuple[Indicator, Matches]], list[GradeReason]]:
    """Indicators whose matches survive negation and whose required companions also fired."""
    matched: list[tuple[Indicator, Matches]] = []
    negated: list[GradeReason] = []
    rules = policy.compiled
    for indicator, regex, anchors in rules.indicators:
        if not may_match(anchors, text.lower):
            continue
        matches = find_matches(regex, text, rules.negation if indicator.negatable else None)
        if matches.fired:
            matched.append((indicator, matches))
        elif matches.negated:
            negated.append(
                GradeReason(
                    rule_id=f"{indicator.id}.negated",
                    text=f"Not counted, negated: {indicator.text}",
                    evidence=list(matches.negated),
                )
            )
    fired_ids = {indicator.id for indicator, _ in matched}
    kept = [(i, m) for i, m in matched if not i.requires or any(r in fired_ids for r in i.requires)]
    return kept, negated


def _categories(indicators: list[Indicator], policy: Policy) -> list[str]:
    named = {i.category for i in indicators if i.category is not None and i.category != policy.fallback_category}
    if not named or named <= set(policy.supplementary_categories):
        named.add(policy.fallback_category)
    return [category for category in policy.categories if category in named]


def grade(sanitised: Sanitised, policy: Policy) -> GradeDecision:
    """Decide priority, categories and the 3x5x2 grading; pure, deterministic, no I/O."""
    text = Text.of(sanitised.intelligence_log.text)
    fired, reasons = _fired_indicators(text, policy)
    reasons = [GradeReason(rule_id=i.id, text=i.text, evidence=list(m.evidence)) for i, m in fired] + reasons

    # The form's "when" answer is its own clause, so a newline keeps negation from crossing into it.
    occurred = sanitised.occurred_text
    time_text = Text.of(f"{text.original}\n{occurred}") if occurred else text
    time_kinds: set[str] = set()
    rules = policy.compiled
    for cue, regex, anchors in rules.time_cues:
        if not may_match(anchors, time_text.lower):
            continue
        matches = find_matches(regex, time_text, rules.negation)
        if matches.fired:
            time_kinds.add(cue.kind)
            reasons.append(GradeReason(rule_id=cue.id, text=cue.text, evidence=list(matches.evidence)))

    source = grade_source(policy, sanitised.source_context, text)
    indicators = tuple(indicator for indicator, _ in fired)
    signals = Signals(
        indicators=indicators,
        time_kinds=frozenset(time_kinds),
        suspected_false=source.intelligence_assessment == policy.intelligence_assessment.suspected_false,
        not_known=source.intelligence_assessment == policy.intelligence_assessment.not_known,
    )
    priority, priority_reasons = decide_priority(signals, policy.thresholds)
    return GradeDecision(
        priority=priority,
        categories=_categories(list(indicators), policy),
        source_evaluation=source.source_evaluation,
        intelligence_assessment=source.intelligence_assessment,
        handling_code=source.handling_code,
        reasons=[*reasons, *source.reasons, *priority_reasons],
        policy_version=policy.version,
    )
