"""The 3x5x2 grading (source evaluation, intelligence assessment, handling code) from the form's answers."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.events import GradeReason, SourceContext
from services.grader.anchors import Present
from services.grader.matching import Text, find_matches
from services.grader.policy import AssessmentPolicy, CompiledRules, Grade, Policy


@dataclass(frozen=True)
class SourceGrading:
    source_evaluation: str
    intelligence_assessment: str
    handling_code: str
    reasons: tuple[GradeReason, ...]


def _form_cue_hits(
    rules: CompiledRules, context: SourceContext, text: Text, text_present: Present | None
) -> dict[str, list[GradeReason]]:
    """Each fired form cue's reason, grouped by what it says about the source."""
    answers = {
        "how_known": Text.of(context.how_known),
        "when_known": Text.of(context.when_known),
        "shared_with": Text.of(context.shared_with),
    }
    fields = {"text": text, **answers}
    index = rules.anchor_index
    # The short answers share one pass: an anchor found in any of them lets a cue run on each (its
    # regex then decides), which is cheaper than a pass per answer.
    in_answers = index.present_in_any(answer.lower for answer in answers.values())
    present = dict.fromkeys(answers, in_answers)
    present["text"] = text_present if text_present is not None else index.present(text.lower)
    groups: dict[str, list[GradeReason]] = {}
    for cue, anchors, narrowing in rules.form_cues:
        evidence: list[str] = []
        for field in cue.fields:
            if anchors is not None and not anchors & present[field].mask:  # may_match_in, inlined
                continue
            if not (regexes := narrowing(present[field])):
                continue
            # Free text can say "not confidential"; the short form answers are taken as written.
            negation = rules.negation if field == "text" else None
            evidence += [f"{field}: {value}" for value in find_matches(regexes, fields[field], negation).evidence]
        if evidence:
            groups.setdefault(cue.group, []).append(GradeReason(rule_id=cue.id, text=cue.text, evidence=evidence))
    return groups


def _reason(rule_id: str, text: str, evidence: list[str] | None = None) -> GradeReason:
    return GradeReason(rule_id=rule_id, text=text, evidence=evidence or [])


def _person_involved_is_source(
    grade: str | None, choice: str | None, context: SourceContext, groups: dict[str, list[GradeReason]]
) -> bool:
    """Told by the person involved, with that person (not the reporter, not someone told) as the source.

    LABELLING.md: the source is not the reporter and is the person involved, so knows it directly,
    however the answer is worded; only "she told [SOURCE]" (the source was told) keeps it indirect.
    """
    return (
        grade is not None
        and choice == "told_by_person_involved"
        and not context.source_is_reporter
        and "told_to_source" not in groups
    )


def _source_named_as_person(grade: str | None, context: SourceContext, groups: dict[str, list[GradeReason]]) -> bool:
    """The answer says the source (who is not the reporter) is the person it happened to, whatever was ticked.

    LABELLING.md: the source is not the reporter and is the person involved, so knows it directly.
    A reporter who is the source and writes "she is the victim" was told by her: not this.
    """
    return (
        grade is not None
        and "source_is_person" in groups
        and not context.source_is_reporter
        and "told_to_source" not in groups
    )


def _without_choice(rules: AssessmentPolicy, groups: dict[str, list[GradeReason]]) -> tuple[Grade, list[GradeReason]]:
    """No usable tick box: read the free-text answer, the most cautious reading first."""
    if "rumour" in groups:
        grade = rules.rumour_without_choice
        return grade, [_reason("assessment.text.rumour", f"How known says it is rumour: {grade}")]
    if "social" in groups:
        grade = rules.social_without_choice
        return grade, [_reason("assessment.text.social", f"How known names social media: {grade}")]
    if "told" in groups:
        grade = rules.told_without_choice
        return grade, [_reason("assessment.text.told", f"How known says someone told the source: {grade}")]
    if "direct" in groups:
        grade = rules.direct_without_choice
        return grade, [_reason("assessment.text.direct", f"How known says the source saw or heard it: {grade}")]
    grade = rules.fallback
    return grade, [_reason("assessment.fallback", f"How known does not say: {grade}")]


def _intelligence_assessment(
    policy: Policy, context: SourceContext, groups: dict[str, list[GradeReason]]
) -> tuple[str, list[GradeReason]]:
    rules = policy.intelligence_assessment
    if "doubt" in groups:
        return rules.suspected_false, [
            _reason("assessment.suspected_false", f"Doubt about the information: {rules.suspected_false}")
        ]
    choice = context.how_known_choice.value if context.how_known_choice is not None else None
    grade: Grade
    if _source_named_as_person(rules.person_involved_is_source, context, groups):
        grade = rules.person_involved_is_source or rules.fallback
        return grade, [
            _reason(
                "assessment.source_is_person", f"The source is the person it happened to, so knows it directly: {grade}"
            )
        ]
    if "source_involved" in groups and rules.person_involved_is_source is not None:
        grade = rules.person_involved_is_source
        return grade, [
            _reason("assessment.source_involved", f"It happened to the source, who knows it directly: {grade}")
        ]
    if _person_involved_is_source(rules.person_involved_is_source, choice, context, groups):
        grade = rules.person_involved_is_source or rules.fallback
        reasons = [
            _reason(
                "assessment.person_involved_is_source",
                f"The source is the person involved, giving their own account: {grade}",
                [choice or ""],
            )
        ]
    elif (
        choice == "social_media_or_rumour"
        and rules.rumour_told_by_people is not None
        and "told" in groups
        and "rumour" not in groups
    ):
        grade = rules.rumour_told_by_people
        reasons = [
            _reason(
                "assessment.rumour_told_by_people",
                f"Talk, but the answer says who told the source: known indirectly, {grade}",
                [choice],
            )
        ]
    elif choice == "told_by_someone_else" and "rumour" in groups:
        grade = rules.rumour_without_choice
        reasons = [
            _reason(
                "assessment.told_but_unsourced",
                f"Told by someone who cannot say where it came from: rumour, {grade}",
                [choice],
            )
        ]
    elif choice is not None and choice in rules.by_choice:
        grade = rules.by_choice[choice]
        reasons = [_reason(f"assessment.choice.{choice}", f"How known: {choice} gives {grade}", [choice])]
    else:
        grade, reasons = _without_choice(rules, groups)
    seen = "direct" in groups and grade in rules.seen_upgrade and "rumour" not in groups
    if seen:
        grade = rules.seen_upgrade[grade]
        reasons.append(_reason("assessment.seen_upgrade", f"The source saw the post or message: {grade}"))
    # What the source checked themselves corroborates what they were told, but seeing the post
    # itself has already counted once (the seen upgrade).
    corroborated = "corroboration" in groups or ("checked" in groups and not seen)
    if corroborated and grade in rules.corroborated_upgrade:
        grade = rules.corroborated_upgrade[grade]
        reasons.append(_reason("assessment.corroborated", f"Corroborated: {grade}"))
    return grade, reasons


def _source_evaluation(
    policy: Policy, context: SourceContext, groups: dict[str, list[GradeReason]]
) -> tuple[str, GradeReason]:
    rules = policy.source_evaluation
    if "unreliable" in groups:
        return rules.unreliable, _reason("source.unreliable", f"Reason to doubt the source: {rules.unreliable}")
    first_hand = context.how_known_choice is not None and context.how_known_choice.value == "saw_or_heard"
    if context.source_is_reporter and (first_hand or (context.how_known_choice is None and "direct" in groups)):
        grade = rules.first_hand_professional
        return grade, _reason("source.first_hand_professional", f"The reporting professional saw or heard it: {grade}")
    return rules.default, _reason("source.untested", f"Source not tested through this form: {rules.default}")


def grade_source(
    policy: Policy,
    context: SourceContext,
    text: Text,
    text_present: Present | None = None,
    rules: CompiledRules | None = None,
) -> SourceGrading:
    """Grade how far the source and the information can be trusted, and how it may be shared.

    `text_present` and `rules`: the policy's anchors found in the text and its compiled rules, when the
    caller has them already.
    """
    groups = _form_cue_hits(rules if rules is not None else policy.compiled, context, text, text_present)
    if "not_seen" in groups:
        # "A post I didn't see myself": the words that would say the source saw it are cancelled.
        groups.pop("direct", None)
    source, source_reason = _source_evaluation(policy, context, groups)
    assessment, assessment_reasons = _intelligence_assessment(policy, context, groups)
    if "conditions" in groups:
        handling = policy.handling.with_conditions
        handling_reason = _reason("handling.conditions", f"Sharing with conditions: {handling}")
    else:
        handling = policy.handling.default
        handling_reason = _reason("handling.default", f"Lawful sharing permitted: {handling}")
    fired = [reason for group in groups.values() for reason in group]
    return SourceGrading(
        source_evaluation=source,
        intelligence_assessment=assessment,
        handling_code=handling,
        reasons=(*fired, source_reason, *assessment_reasons, handling_reason),
    )
