"""Grade one sanitised submission under a policy: priority, categories and 3x5x2, with every reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from contracts.events import GradeReason, Priority, Sanitised
from services.grader.anchors import Present, may_match_in
from services.grader.assessment import grade_source
from services.grader.matching import Matches, Text, find_matches
from services.grader.policy import CompiledRules, Indicator, Policy
from services.grader.priority import Signals, decide_priority
from services.grader.second_opinion import SecondOpinion, assessment_terms, log_terms, priority_terms


@dataclass(frozen=True)
class GradeDecision:
    priority: Priority
    categories: list[str]
    source_evaluation: str
    intelligence_assessment: str
    handling_code: str
    reasons: list[GradeReason]
    policy_version: str


def _fired_indicators(
    text: Text, rules: CompiledRules, present: Present
) -> tuple[list[tuple[Indicator, Matches]], list[GradeReason]]:
    """Indicators whose matches survive negation and whose required companions also fired."""
    matched: list[tuple[Indicator, Matches]] = []
    negated: list[GradeReason] = []
    fired_ids: set[str] = set()
    found = present.mask
    # Indicators that need a companion run after the others, and only when one of them fired.
    for indicator, anchors, narrowing in (*rules.independent, *rules.dependent):
        if indicator.requires and fired_ids.isdisjoint(indicator.requires):
            continue
        if anchors is not None and not anchors & found:  # may_match_in, inlined: the hot loop
            continue
        if not (regexes := narrowing(present)):
            continue
        matches = find_matches(regexes, text, rules.negation if indicator.negatable else None)
        if matches.fired:
            matched.append((indicator, matches))
            fired_ids.add(indicator.id)
        elif matches.negated:
            negated.append(
                GradeReason(
                    rule_id=f"{indicator.id}.negated",
                    text=f"Not counted, negated: {indicator.text}",
                    evidence=list(matches.negated),
                )
            )
    position = rules.position
    matched.sort(key=lambda pair: position[pair[0].id])
    return matched, negated


def _categories(indicators: list[Indicator], policy: Policy) -> list[str]:
    named = {i.category for i in indicators if i.category is not None and i.category != policy.fallback_category}
    if not named or named <= set(policy.supplementary_categories):
        named.add(policy.fallback_category)
    return [category for category in policy.categories if category in named]


def _occurrence_kind(sanitised: Sanitised, hours: float) -> tuple[str, GradeReason] | None:
    """The form's occurred_at close to when intake received it: very recent before, imminent after."""
    occurred, received = sanitised.occurred_at, sanitised.received_at
    if not hours or occurred is None or received is None:
        return None
    if (occurred.tzinfo is None) != (received.tzinfo is None):
        return None
    gap = (received - occurred).total_seconds() / 3600
    if abs(gap) > hours:
        return None
    kind = "very_recent" if gap >= 0 else "imminent"
    text = f"The form says it happened {abs(gap):.1f} hours {'before' if gap >= 0 else 'after'} it was received"
    return kind, GradeReason(rule_id=f"time.occurred_at.{kind}", text=text, evidence=[occurred.isoformat()])


def _second_look(
    priority: Priority,
    sanitised: Sanitised,
    log: list[str],
    model: SecondOpinion | None,
    policy: Policy,
    untimed: bool,
) -> tuple[Priority, GradeReason | None]:
    """The learned second opinion may raise the rules' priority (to HIGH; NORMAL to a crime), never lower it.

    With no time cue at all (`untimed`), a HIGH needs the policy's `high_from_untimed` when it sets one.
    """
    settings = policy.second_opinion
    if model is None or settings is None or priority is Priority.HIGH:
        return priority, None
    reading = model.read(priority_terms(sanitised, log))
    chances = reading.probabilities
    about = model.about
    high, crime = chances.get(Priority.HIGH.value, 0.0), chances.get(Priority.CRIME_NOT_INTEL.value, 0.0)
    high_from = settings.high_from
    if untimed and settings.high_from_untimed is not None:
        high_from = max(high_from, settings.high_from_untimed)
    if high >= high_from:
        raised, chance, threshold = Priority.HIGH, high, high_from
    elif priority is Priority.NORMAL and crime >= settings.crime_from and crime == max(chances.values()):
        raised, chance, threshold = Priority.CRIME_NOT_INTEL, crime, settings.crime_from
    else:
        odds = ", ".join(f"{label} {chance:.2f}" for label, chance in sorted(chances.items()))
        bar = f" (HIGH from {high_from:g}: nothing says when)" if high_from != settings.high_from else ""
        return priority, GradeReason(
            rule_id="priority.second_opinion", text=f"A second opinion ({about}) does not raise it: {odds}{bar}"
        )
    return raised, GradeReason(
        rule_id=f"priority.second_opinion.{raised.value.lower()}",
        text=f"A second opinion ({about}) puts {raised.value} at {chance:.2f}, at least {threshold:g}: raised",
        evidence=model.strongest_terms(reading, raised.value),
    )


def _assessment_second_look(
    rules_grade: str,
    rules_reasons: Sequence[GradeReason],
    sanitised: Sanitised,
    log: list[str],
    model: SecondOpinion | None,
    policy: Policy,
) -> tuple[str, GradeReason | None]:
    """The learned reading of the form replaces the rules' intelligence assessment when it is confident,
    unless a rule the policy keeps (`assessment_keeps`) decided it."""
    settings = policy.second_opinion
    if model is None or settings is None or settings.assessment_from is None:
        return rules_grade, None
    about = model.about
    kept = [reason.rule_id for reason in rules_reasons if reason.rule_id in settings.assessment_keeps]
    if kept:
        return rules_grade, GradeReason(
            rule_id="assessment.second_opinion.kept",
            text=f"A second opinion ({about}) is not asked: the policy keeps the grade of {', '.join(kept)}",
        )
    reading = model.read(assessment_terms(sanitised, log))
    chances = reading.probabilities
    likeliest = max(chances, key=chances.__getitem__)
    chance, threshold = chances[likeliest], settings.assessment_from
    if likeliest == rules_grade or chance < threshold:
        return rules_grade, GradeReason(
            rule_id="assessment.second_opinion",
            text=f"A second opinion ({about}) keeps {rules_grade}: {likeliest} at {chance:.2f}",
        )
    return likeliest, GradeReason(
        rule_id="assessment.second_opinion.replaced",
        text=f"A second opinion ({about}) puts {likeliest} at {chance:.2f}, at least {threshold:g}: "
        f"{rules_grade} becomes {likeliest}",
        evidence=model.strongest_terms(reading, likeliest),
    )


def grade(sanitised: Sanitised, policy: Policy) -> GradeDecision:
    """Decide priority, categories and the 3x5x2 grading; pure, deterministic, no I/O."""
    text = Text.of(sanitised.intelligence_log.text)
    rules = policy.compiled
    present = rules.anchor_index.present(text.lower)
    fired, reasons = _fired_indicators(text, rules, present)
    reasons = [GradeReason(rule_id=i.id, text=i.text, evidence=list(m.evidence)) for i, m in fired] + reasons

    # The form's "when" answer is its own clause, so a newline keeps negation from crossing into it.
    occurred = sanitised.occurred_text
    time_text = Text.of(f"{text.original}\n{occurred}") if occurred else text
    time_present = rules.anchor_index.present_joined(present, time_text.lower, occurred.lower() if occurred else "")
    time_kinds: set[str] = set()
    for cue, anchors, narrowing in rules.time_cues:
        if not may_match_in(anchors, time_present) or not (regexes := narrowing(time_present)):
            continue
        matches = find_matches(regexes, time_text, rules.negation)
        if matches.fired:
            time_kinds.add(cue.kind)
            reasons.append(GradeReason(rule_id=cue.id, text=cue.text, evidence=list(matches.evidence)))

    occurrence = _occurrence_kind(sanitised, policy.thresholds.recent_occurrence_hours)
    if occurrence is not None:
        time_kinds.add(occurrence[0])
        reasons.append(occurrence[1])

    source = grade_source(policy, sanitised.source_context, text, present, rules)
    indicators = tuple(indicator for indicator, _ in fired)
    signals = Signals(
        indicators=indicators,
        time_kinds=frozenset(time_kinds),
        suspected_false=source.intelligence_assessment == policy.intelligence_assessment.suspected_false,
        not_known=source.intelligence_assessment == policy.intelligence_assessment.not_known,
    )
    priority, priority_reasons = decide_priority(signals, policy.thresholds)
    # The log's words are read by both learned models (when the policy has them): made once.
    on_priority, on_assessment = policy.learned, policy.learned_assessment
    log = log_terms(sanitised) if on_priority is not None or on_assessment is not None else []
    priority, second = _second_look(priority, sanitised, log, on_priority, policy, untimed=not time_kinds)
    if second is not None:
        priority_reasons.append(second)
    # Priority above used the rules' assessment: a learned E or D must never lower a priority.
    assessment, assessment_reason = _assessment_second_look(
        source.intelligence_assessment, source.reasons, sanitised, log, on_assessment, policy
    )
    source_reasons = [*source.reasons, *([assessment_reason] if assessment_reason is not None else [])]
    return GradeDecision(
        priority=priority,
        categories=_categories(list(indicators), policy),
        source_evaluation=source.source_evaluation,
        intelligence_assessment=assessment,
        handling_code=source.handling_code,
        reasons=[*reasons, *source_reasons, *priority_reasons],
        policy_version=policy.version,
    )
