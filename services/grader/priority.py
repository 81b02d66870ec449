"""Priority from the indicators and time cues that fired, scored as the policy's thresholds say."""

from __future__ import annotations

from dataclasses import dataclass, field

from contracts.events import GradeReason, Priority
from services.grader.policy import Indicator, Thresholds

# Time kinds that tie a risk to now, and those that place an offence in the past.
CURRENT_KINDS = frozenset({"imminent", "ongoing", "very_recent"})
PAST_KINDS = frozenset({"recent_past", "historic", "very_recent", "today"})
# Time kinds that, with no current one, place a danger in the past or in a pattern, not now.
NOT_NOW_KINDS = frozenset({"recent_past", "historic", "habitual"})


@dataclass(frozen=True)
class Signals:
    """What the text said, reduced to what the priority decision needs."""

    indicators: tuple[Indicator, ...]
    time_kinds: frozenset[str]
    suspected_false: bool = False
    not_known: bool = False


@dataclass
class _Score:
    value: float = 0.0
    parts: list[str] = field(default_factory=list)

    def add(self, amount: float, label: str) -> None:
        self.value += amount
        self.parts.append(f"{label} {amount:+g}")


def _is_current(kinds: frozenset[str]) -> bool:
    """An imminent, ongoing or very recent time; "today" too unless the text is about the past or a pattern."""
    return bool(kinds & CURRENT_KINDS) or ("today" in kinds and not kinds & NOT_NOW_KINDS)


def _compounded(top: Indicator, positive: list[Indicator], thresholds: Thresholds) -> bool:
    """A second risk cue of another category beside the top one, one of the two marked compounding."""
    return any(
        other is not top
        and other.category != top.category
        and other.weight >= thresholds.risk_cue_min
        and (other.compounding or top.compounding)
        for other in positive
    )


def _risk_score(signals: Signals, thresholds: Thresholds) -> tuple[_Score, list[GradeReason]]:
    score = _Score()
    reasons: list[GradeReason] = []
    positive = [i for i in signals.indicators if i.weight > 0]
    top = max(positive, key=lambda indicator: indicator.weight, default=None)
    if top is not None:
        score.add(top.weight, top.id)
    at_risk = top is not None and top.weight >= thresholds.risk_cue_min
    imminent = _is_current(signals.time_kinds)
    if at_risk and top is not None and thresholds.second_risk_bonus and _compounded(top, positive, thresholds):
        score.add(thresholds.second_risk_bonus, "second risk of another kind")
    vulnerable = at_risk and any(i.vulnerable for i in signals.indicators)
    if vulnerable:
        score.add(thresholds.vulnerable_bonus, "vulnerable person")
    dangers = [i.id for i in positive if i.danger]
    over = any(i.weight < 0 for i in signals.indicators)
    not_now = bool(signals.time_kinds & NOT_NOW_KINDS) and not imminent
    if vulnerable and dangers and thresholds.at_risk_danger_bonus and not not_now and not over:
        score.add(thresholds.at_risk_danger_bonus, "person at risk meets danger")
        reasons.append(
            GradeReason(
                rule_id="priority.at_risk_meets_danger",
                text="A child or vulnerable adult meets a danger the text does not place in the past or a pattern",
                evidence=[*(i.id for i in signals.indicators if i.vulnerable), *dangers],
            )
        )
    concerns = [i.id for i in positive if not i.vulnerable]
    someone = [i.id for i in signals.indicators if i.vulnerable and i.weight >= 0]
    if thresholds.vulnerable_now_bonus and someone and concerns and imminent and not over and not at_risk:
        score.add(thresholds.vulnerable_now_bonus, "person at risk, a concern, now")
        reasons.append(
            GradeReason(
                rule_id="priority.vulnerable_concern_now",
                text="A child or vulnerable adult, a cue of concern and an imminent or ongoing time meet: errs to HIGH",
                evidence=[*someone, *concerns],
            )
        )
    if at_risk and imminent:
        score.add(thresholds.imminent_bonus, "imminent or ongoing")
        reasons.append(
            GradeReason(
                rule_id="priority.risk_meets_time",
                text="A risk cue meets an imminent or ongoing time cue",
                evidence=[top.id if top else "", ", ".join(sorted(signals.time_kinds & (CURRENT_KINDS | {"today"})))],
            )
        )
    stored = [i.id for i in signals.indicators if i.stored]
    if (
        thresholds.untimed_penalty
        and top is not None
        and top.needs_time
        and stored
        and not signals.time_kinds
        and not any(
            i.category != top.category
            and (i.weight >= thresholds.untimed_second_risk_from or i.category in thresholds.untimed_unless_categories)
            for i in positive
        )
    ):
        score.add(-thresholds.untimed_penalty, "kept, no time cue")
        reasons.append(
            GradeReason(
                rule_id="priority.untimed",
                text="A weapon kept or stored somewhere, and nothing says when: not high on its own",
                evidence=[top.id, *stored],
            )
        )
    if "historic" in signals.time_kinds and not imminent and top is not None:
        score.add(-thresholds.historic_penalty, "historic only")
        reasons.append(
            GradeReason(rule_id="priority.historic_only", text="Only historic time cues: risk is not current")
        )
    if (
        thresholds.completed_past_penalty
        and top is not None
        and not imminent
        and signals.time_kinds & PAST_KINDS
        and _crime_score(signals, thresholds).value >= thresholds.crime
    ):
        score.add(-thresholds.completed_past_penalty, "completed offence in the past")
        reasons.append(
            GradeReason(
                rule_id="priority.completed_past",
                text="A completed offence told in the past tense, with nothing tying a risk to now",
            )
        )
    acute = vulnerable and imminent
    if signals.suspected_false and top is not None and acute:
        reasons.append(
            GradeReason(
                rule_id="priority.doubt_not_lowering",
                text="Doubted, but a child or vulnerable adult meets a risk happening now: not lowered",
                evidence=[i.id for i in positive if i.weight >= thresholds.risk_cue_min],
            )
        )
    elif signals.suspected_false and top is not None:
        score.add(-thresholds.suspected_false_penalty, "suspected false")
        reasons.append(GradeReason(rule_id="priority.suspected_false", text="Information assessed as suspected false"))
    if signals.not_known and not imminent and top is not None and thresholds.not_known_penalty:
        score.add(-thresholds.not_known_penalty, "not known, no time cue")
        reasons.append(
            GradeReason(
                rule_id="priority.not_known",
                text="Nobody can say how it is known and nothing ties it to now: not high on its own",
            )
        )
    reassurances = [i for i in signals.indicators if i.weight < 0]
    if reassurances and imminent and top is not None and top.weight >= thresholds.reassurance_overridden_from:
        reasons.append(
            GradeReason(
                rule_id="priority.reassurance_overridden",
                text="A reassurance does not cancel a serious risk cue that meets an imminent or ongoing time cue",
                evidence=[top.id, *(i.id for i in reassurances)],
            )
        )
        return score, reasons
    for indicator in reassurances:
        score.add(indicator.weight, indicator.id)
    return score, reasons


def _crime_score(signals: Signals, thresholds: Thresholds) -> _Score:
    score = _Score()
    for indicator in signals.indicators:
        if indicator.crime_weight:
            score.add(indicator.crime_weight, indicator.id)
    if signals.time_kinds & PAST_KINDS:
        score.add(thresholds.past_time_crime_bonus, "past time")
    if "habitual" in signals.time_kinds and thresholds.habitual_crime_penalty:
        score.add(-thresholds.habitual_crime_penalty, "a pattern over time")
    if signals.suspected_false and thresholds.suspected_false_crime_penalty:
        score.add(-thresholds.suspected_false_crime_penalty, "suspected false")
    return score


def decide_priority(signals: Signals, thresholds: Thresholds) -> tuple[Priority, list[GradeReason]]:
    """HIGH when the risk score reaches its threshold, else a completed offence, else NORMAL."""
    risk, reasons = _risk_score(signals, thresholds)
    if risk.value >= thresholds.high:
        text = f"Risk score {risk.value:g} reaches the high threshold {thresholds.high:g}"
        return Priority.HIGH, [*reasons, GradeReason(rule_id="priority.high", text=text, evidence=risk.parts)]
    crime = _crime_score(signals, thresholds)
    if crime.value >= thresholds.crime:
        text = (
            f"Completed-offence score {crime.value:g} reaches {thresholds.crime:g} "
            f"with risk score {risk.value:g} below {thresholds.high:g}"
        )
        return Priority.CRIME_NOT_INTEL, [
            *reasons,
            GradeReason(rule_id="priority.crime_not_intel", text=text, evidence=crime.parts),
        ]
    text = (
        f"Risk score {risk.value:g} below {thresholds.high:g} and completed-offence score "
        f"{crime.value:g} below {thresholds.crime:g}"
    )
    return Priority.NORMAL, [
        *reasons,
        GradeReason(rule_id="priority.normal", text=text, evidence=[*risk.parts, *crime.parts]),
    ]
