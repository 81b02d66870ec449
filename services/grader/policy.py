"""The grading policy as a validated, frozen model loaded from a versioned TOML data file."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from services.grader.anchors import AnchorIndex, Anchors, required_anchors, starts_at_word_boundary
from services.grader.labelled import LabelledSetError, set_files
from services.grader.narrowing import Narrower, Narrowing
from services.grader.requirements import strong
from services.grader.second_opinion import SecondOpinion, Settings, learn_from

DEFAULT_POLICY_PATH = Path(__file__).parent / "policies" / "default.toml"

Grade = Literal["A", "B", "C", "D", "E"]
SourceGrade = Literal["1", "2", "3"]
# "very_recent" (an hour ago, just now) is both: close enough to now for a risk, and past for an offence.
# "habitual" (most weekends, six times this month) describes a pattern, not one moment: with no
# current time cue it keeps a danger situation from counting as happening now.
# "today" is current unless a historic or habitual cue places the matter in the past or a pattern.
# "present" (told in the present tense: "is wandering", "are shouting") adds nothing to a score: it only
# means the text says when, so neither untimed rule (untimed_penalty, high_from_untimed) applies.
TimeKind = Literal["imminent", "ongoing", "historic", "recent_past", "very_recent", "habitual", "today", "present"]
FormGroup = Literal[
    "direct",
    "corroboration",
    "checked",
    "doubt",
    "rumour",
    "unreliable",
    "conditions",
    "own_account",
    "told_to_source",
    "source_involved",
    "source_is_person",
    "not_seen",
    "told",
    "social",
]
FormField = Literal["text", "how_known", "when_known", "shared_with"]
HowKnownChoice = Literal[
    "saw_or_heard", "told_by_person_involved", "told_by_someone_else", "social_media_or_rumour", "other"
]

# The rule ids that can decide the rules' intelligence assessment (services/grader/assessment.py),
# which `[second_opinion] assessment_keeps` may name.
ASSESSMENT_RULE_IDS = frozenset(
    {
        "assessment.suspected_false",
        "assessment.source_is_person",
        "assessment.source_involved",
        "assessment.person_involved_is_source",
        "assessment.rumour_told_by_people",
        "assessment.told_but_unsourced",
        "assessment.seen_upgrade",
        "assessment.corroborated",
        "assessment.text.rumour",
        "assessment.text.social",
        "assessment.text.told",
        "assessment.text.direct",
        "assessment.fallback",
        *(f"assessment.choice.{choice}" for choice in get_args(HowKnownChoice)),
    }
)


class PolicyError(ValueError):
    """A policy file that cannot be used; the message names the file and the bad key or rule id."""


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_UPPER_OUTSIDE_ESCAPE = re.compile(r"(?<!\\)[A-Z]")


def _alternative(word: str) -> str:
    # A trailing '*' in a word means "any ending": 'stab*' matches stab, stabbed, stabbing.
    if word.endswith("*"):
        return re.escape(word[:-1]) + r"\w*"
    return re.escape(word)


def _phrase(phrase: str) -> str:
    return r"\s+".join(_alternative(part) for part in phrase.split())


def _literal_alternation(alternatives: list[tuple[str, str]]) -> str:
    """One alternation of (text, regex) pairs, those sharing a first character factored together.

    The regex engine tries every alternative at every position; factoring on the first character
    lets it try one character per group instead, several times faster for long word and phrase
    lists. Alternatives keep their order within a group, and two alternatives starting with
    different characters can never match at the same position, so the matches do not change.
    """
    groups: dict[str, list[str]] = {}
    for text, regex in alternatives:
        first = re.escape(text[0])
        key = first if regex.startswith(first) else ""
        groups.setdefault(key, []).append(regex)
    parts = []
    for first, regexes in groups.items():
        if first and len(regexes) > 1:
            parts.append(first + "(?:" + "|".join(regex[len(first) :] for regex in regexes) + ")")
        else:
            parts.extend(regexes)
    return "|".join(parts)


def _join_parts(parts: Sequence[tuple[bool, str]]) -> str:
    """Alternatives in order, each run of those starting with `\\b` sharing one `\\b`.

    `\\bX|\\bY` and `\\b(?:X|Y)` match the same text, but the second tests the word boundary once
    per position instead of once per alternative: most positions are inside a word and fail it.
    """
    joined: list[str] = []
    run: list[str] = []
    for at_boundary, rest in parts:
        if at_boundary:
            run.append(rest)
            continue
        if run:
            joined.append(rf"\b(?:{'|'.join(run)})")
            run = []
        joined.append(rest)
    if run:
        joined.append(rf"\b(?:{'|'.join(run)})")
    return "|".join(joined)


class Cue(_Frozen):
    """Words, phrases and regular expressions compiled once into one case-insensitive pattern."""

    id: str = Field(min_length=1, pattern=r"^[a-z0-9_.]+$")
    text: str = Field(min_length=1)
    words: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    _regex: re.Pattern[str] = PrivateAttr()
    _anchors: Anchors | None = PrivateAttr()
    _needs: frozenset[str] = PrivateAttr()
    _narrowing: Narrowing = PrivateAttr()

    @model_validator(mode="after")
    def _compile(self) -> Cue:
        # Text is lower-cased once per grading: matching without IGNORECASE is about twice as fast.
        literals = [(word.lower(), _alternative(word.lower())) for word in self.words]
        literals += [(" ".join(phrase.lower().split()), _phrase(phrase.lower())) for phrase in self.phrases]
        literals = [(text, regex) for text, regex in literals if text]
        # (starts with \b, the rest): words and phrases are one alternation between word boundaries.
        parts = [(True, rf"(?:{_literal_alternation(literals)})\b")] if literals else []
        for pattern in self.patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"rule {self.id!r}: invalid regex {pattern!r}: {exc}") from None
            if _UPPER_OUTSIDE_ESCAPE.search(pattern):
                raise ValueError(f"rule {self.id!r}: pattern {pattern!r} must be lower case (text is lower-cased)")
            if starts_at_word_boundary(pattern):
                parts.append((True, f"(?:{pattern[2:]})"))
            else:
                parts.append((False, f"(?:{pattern})"))
        if not parts:
            raise ValueError(f"rule {self.id!r}: needs at least one of words, phrases or patterns")
        self._regex = re.compile(_join_parts(parts))
        self._anchors = strong(required_anchors(self._regex.pattern))
        self._narrowing = Narrowing(parts, _join_parts, self._regex)
        self._needs = self._narrowing.needs.union(self._anchors or ())
        return self

    @property
    def regex(self) -> re.Pattern[str]:
        return self._regex

    @property
    def anchors(self) -> Anchors | None:
        """Substrings one of which every match contains (None: always run the regex)."""
        return self._anchors

    @property
    def needs(self) -> frozenset[str]:
        """Every literal the anchors and the narrowing look for: an anchor pass must find each."""
        return self._needs

    @property
    def narrowing(self) -> Narrowing:
        """From the literals present in a text, the regexes of the alternatives that could match it (none
        when none could). Finer than the anchors and dearer: asked only when an anchor is present."""
        return self._narrowing


class Indicator(Cue):
    """A risk, offence or context cue: what it means, where it points and what it weighs."""

    category: str | None = None
    weight: float = Field(default=0.0, ge=-10, le=10)
    crime_weight: float = Field(default=0.0, ge=-10, le=10)
    vulnerable: bool = False
    # Adds thresholds.second_risk_bonus when it fires beside a risk cue of another category.
    compounding: bool = False
    negatable: bool = True
    requires: tuple[str, ...] = ()
    # A plain-words danger situation (missing, taken somewhere, threatened, locked in, self-harm):
    # HIGH when it meets an imminent/ongoing time cue, or a person at risk (a `vulnerable` cue).
    danger: bool = False
    # HIGH only with a time (LABELLING.md: "weapons carried or planned violence with a time"): when
    # this is the top risk cue, a `stored` cue says the weapon is kept somewhere, no time cue fired at
    # all and no heavy risk of another kind did, it weighs thresholds.untimed_penalty less.
    needs_time: bool = False
    # Says a weapon is kept or stored somewhere ("keeps a gun in his loft"), not carried or used.
    stored: bool = False


class TimeCue(Cue):
    kind: TimeKind


class FormCue(Cue):
    """A cue read from the form's answers (how known, shared with) as well as the text."""

    group: FormGroup
    fields: tuple[FormField, ...] = ("text", "how_known")


class Negation(_Frozen):
    before: tuple[str, ...] = Field(min_length=1)
    after: tuple[str, ...] = ()
    window_words: int = Field(default=4, ge=1, le=12)
    clause_breaks: tuple[str, ...] = ()
    _before: re.Pattern[str] = PrivateAttr()
    _after: re.Pattern[str] = PrivateAttr()
    _breaks: re.Pattern[str] = PrivateAttr()

    def model_post_init(self, context: Any, /) -> None:
        self._before = re.compile(rf"\b(?:{'|'.join(_phrase(p.lower()) for p in self.before)})\b")
        after = "|".join(_phrase(p.lower()) for p in self.after) or r"(?!x)x"
        self._after = re.compile(rf"^\W*(?:\w+\W+){{0,2}}?(?:{after})\b")
        words = "|".join(_phrase(p.lower()) for p in self.clause_breaks)
        self._breaks = re.compile(rf"[.;:!?\n]|\b(?:{words})\b" if words else r"[.;:!?\n]")

    @property
    def before_regex(self) -> re.Pattern[str]:
        return self._before

    @property
    def after_regex(self) -> re.Pattern[str]:
        return self._after

    @property
    def breaks_regex(self) -> re.Pattern[str]:
        return self._breaks


@dataclass(frozen=True, slots=True)
class CompiledNegation:
    """The negation regexes as plain attributes: read for every match, so kept cheap."""

    before: re.Pattern[str]
    after: re.Pattern[str]
    breaks: re.Pattern[str]
    window_words: int


CueT = TypeVar("CueT", bound=Cue)
# A rule, the anchors one of which its matches contain as bits of the anchor index (a quick first
# test: one AND with the bits of the anchors in a text; None: always go on), and its narrowing.
Compiled = tuple[CueT, int | None, Narrower]


def _compiled(cue: CueT, index: AnchorIndex) -> Compiled[CueT]:
    anchors = None if cue.anchors is None else index.mask(cue.anchors)
    return cue, anchors, Narrower(cue.narrowing, index.mask(cue.needs))


@dataclass(frozen=True, slots=True)
class CompiledRules:
    """Each rule beside its compiled regex, built once when the policy is loaded."""

    indicators: tuple[Compiled[Indicator], ...]
    # The same indicators split: those that stand alone, then those that require a companion.
    independent: tuple[Compiled[Indicator], ...]
    dependent: tuple[Compiled[Indicator], ...]
    # Each indicator's place in the policy file: fired indicators are reported in that order.
    position: dict[str, int]
    time_cues: tuple[Compiled[TimeCue], ...]
    form_cues: tuple[Compiled[FormCue], ...]
    negation: CompiledNegation
    # Every rule's anchors, so one pass over a text tells which rules could match it.
    anchor_index: AnchorIndex


class Thresholds(_Frozen):
    high: float = Field(gt=0, le=50)
    crime: float = Field(gt=0, le=50)
    risk_cue_min: float = Field(gt=0, le=50)
    imminent_bonus: float = Field(ge=0, le=50)
    vulnerable_bonus: float = Field(ge=0, le=50)
    historic_penalty: float = Field(ge=0, le=50)
    suspected_false_penalty: float = Field(ge=0, le=50)
    past_time_crime_bonus: float = Field(ge=0, le=50)
    # Two risk cues of different kinds (a breach AND a weapon) add up; zero turns this off.
    second_risk_bonus: float = Field(default=0.0, ge=0, le=50)
    # Information nobody can say how they know (assessed `not_known`) weighs less unless it is about now.
    not_known_penalty: float = Field(default=0.0, ge=0, le=50)
    # A cue this heavy meeting an imminent or ongoing time cue is not cancelled by reassurances.
    reassurance_overridden_from: float = Field(default=50.0, gt=0, le=50)
    # A completed offence told only in the past tense (no imminent or ongoing time cue) is a crime
    # report: its weapon or risk words weigh this much less; zero turns this off.
    completed_past_penalty: float = Field(default=0.0, ge=0, le=50)
    # Information assessed as suspected false is not a crime report either.
    suspected_false_crime_penalty: float = Field(default=0.0, ge=0, le=50)
    # A person at risk (child, vulnerable adult) meets a danger situation, and the text does not
    # place it only in the past: this much more; zero turns this off.
    at_risk_danger_bonus: float = Field(default=0.0, ge=0, le=50)
    # The form's own occurred_at within this many hours of when intake received it (before: very
    # recent; after: imminent) is immediacy, like "an hour ago" or "tonight"; zero turns this off.
    recent_occurrence_hours: float = Field(default=0.0, ge=0, le=168)
    # A pattern over time (a "habitual" time cue) is not one completed offence; zero turns this off.
    habitual_crime_penalty: float = Field(default=0.0, ge=0, le=50)
    # A child or vulnerable adult, any cue of concern at all, and an imminent or ongoing time: this much
    # more. The policy errs towards HIGH where risk and time meet; zero turns this off.
    vulnerable_now_bonus: float = Field(default=0.0, ge=0, le=50)
    # A top risk cue marked `needs_time` beside a `stored` cue ("keeps a knife under his bed") with no
    # time cue at all (nor an occurred_at within recent_occurrence_hours of receipt): this much less;
    # zero turns this off.
    untimed_penalty: float = Field(default=0.0, ge=0, le=50)
    # ...unless a risk cue of another category at least this heavy fired too (self-harm, violence at
    # home), or any risk cue of one of these categories (a threat: "he will come round and cut her").
    untimed_second_risk_from: float = Field(default=50.0, gt=0, le=50)
    untimed_unless_categories: tuple[str, ...] = ()


class SourceEvaluationPolicy(_Frozen):
    first_hand_professional: SourceGrade = "1"
    default: SourceGrade = "2"
    unreliable: SourceGrade = "3"


class AssessmentPolicy(_Frozen):
    by_choice: dict[HowKnownChoice, Grade]
    fallback: Grade = "C"
    direct_without_choice: Grade = "A"
    rumour_without_choice: Grade = "D"
    corroborated_upgrade: dict[Grade, Grade] = Field(default_factory=dict)
    seen_upgrade: dict[Grade, Grade] = Field(default_factory=dict)
    suspected_false: Grade = "E"
    not_known: Grade = "D"
    # Told by the person involved, the source is not the reporter and gives their own account:
    # the source IS the person involved (unless the answer says someone told the source).
    person_involved_is_source: Grade | None = None
    # No choice ticked, and the answer says someone told the source ("heard from a parent").
    told_without_choice: Grade = "C"
    # No choice ticked, and the answer names social media ("on snapchat"): graded as rumour.
    social_without_choice: Grade = "D"
    # "Social media or rumour" ticked, but the answer names who told the source and nothing says
    # nobody knows where it started: known indirectly, like "told by someone else". None: off.
    rumour_told_by_people: Grade | None = None


class SecondOpinionPolicy(_Frozen):
    """Models learned from labelled submissions: one may raise the rules' priority (never lower it), the
    other may replace the rules' intelligence assessment when it is confident."""

    # Labelled files or folders (services/grader/labelled.py), relative to the policy file's folder
    # (or, when not there, to the default policy's folder, beside the labelled sets shipped with it).
    training: tuple[str, ...] = Field(min_length=1)
    # Raise to HIGH when the model's probability of HIGH is at least this (low: missing a HIGH is worst).
    high_from: float = Field(gt=0, le=1)
    # With no time cue at all (nothing in the text or the form's "when" says when, and no occurred_at
    # within recent_occurrence_hours of receipt), raise to HIGH only from this probability, or from
    # high_from when that is higher. Absent: high_from.
    high_from_untimed: float | None = Field(default=None, gt=0, le=1)
    # Raise NORMAL to CRIME_NOT_INTEL when that is the model's likeliest label at least this probable.
    crime_from: float = Field(gt=0, le=1)
    # Replace the rules' intelligence assessment by the model's likeliest grade when it is at least this
    # probable. Absent: the rules alone grade the assessment (and no assessment model is trained).
    assessment_from: float | None = Field(default=None, gt=0, le=1)
    # Rules whose assessment the model never replaces, by reason id (ASSESSMENT_RULE_IDS): those that
    # state outright what the labelling rules say, such as doubt (E) or a source who is the person involved.
    assessment_keeps: tuple[str, ...] = ()
    epochs: int = Field(default=12, ge=1, le=200)
    learning_rate: float = Field(default=0.2, gt=0, le=10)
    l2: float = Field(default=1e-4, ge=0, le=1)
    min_documents: int = Field(default=3, ge=1)

    @model_validator(mode="after")
    def _known_keeps(self) -> SecondOpinionPolicy:
        unknown = sorted(set(self.assessment_keeps) - ASSESSMENT_RULE_IDS)
        if unknown:
            known = ", ".join(sorted(ASSESSMENT_RULE_IDS))
            raise ValueError(f"assessment_keeps names no assessment rule: {', '.join(unknown)} (known: {known})")
        return self


class HandlingPolicy(_Frozen):
    default: Literal["P", "C"] = "P"
    with_conditions: Literal["P", "C"] = "C"


class Policy(_Frozen):
    """Everything the grader decides from; a force edits the TOML file, never the code."""

    version: str = Field(min_length=1)
    description: str = ""
    categories: dict[str, str] = Field(min_length=1)
    fallback_category: str = "other"
    # Categories that never stand alone: when only these apply, the fallback is added beside them.
    supplementary_categories: tuple[str, ...] = ()
    thresholds: Thresholds
    negation: Negation
    source_evaluation: SourceEvaluationPolicy = SourceEvaluationPolicy()
    intelligence_assessment: AssessmentPolicy
    handling: HandlingPolicy = HandlingPolicy()
    indicators: tuple[Indicator, ...] = Field(min_length=1)
    time_cues: tuple[TimeCue, ...] = Field(min_length=1)
    form_cues: tuple[FormCue, ...] = ()
    second_opinion: SecondOpinionPolicy | None = None
    _compiled: CompiledRules = PrivateAttr()
    _learned: SecondOpinion | None = PrivateAttr(default=None)
    _learned_assessment: SecondOpinion | None = PrivateAttr(default=None)

    def model_post_init(self, context: Any, /) -> None:
        negation = self.negation
        cues = (*self.indicators, *self.time_cues, *self.form_cues)
        index = AnchorIndex(anchor for cue in cues for anchor in cue.needs)
        indicators = tuple(_compiled(cue, index) for cue in self.indicators)
        self._compiled = CompiledRules(
            indicators=indicators,
            independent=tuple(entry for entry in indicators if not entry[0].requires),
            dependent=tuple(entry for entry in indicators if entry[0].requires),
            position={cue.id: n for n, cue in enumerate(self.indicators)},
            time_cues=tuple(_compiled(cue, index) for cue in self.time_cues),
            form_cues=tuple(_compiled(cue, index) for cue in self.form_cues),
            negation=CompiledNegation(
                negation.before_regex, negation.after_regex, negation.breaks_regex, negation.window_words
            ),
            anchor_index=index,
        )

    @property
    def compiled(self) -> CompiledRules:
        return self._compiled

    @property
    def learned(self) -> SecondOpinion | None:
        """The trained second opinion on priority, when the policy has one (attached by `load_policy`)."""
        return self._learned

    @property
    def learned_assessment(self) -> SecondOpinion | None:
        """The trained second opinion on the intelligence assessment, when the policy sets `assessment_from`."""
        return self._learned_assessment

    def with_second_opinion(self, base: Path, *, leaving_out: Collection[Path] = ()) -> Policy:
        """This policy with its second opinion trained, paths relative to `base`, learning from none of the
        files in `leaving_out` (so a labelled set can be measured by a model that never saw it)."""
        if self.second_opinion is None:
            return self
        excluded = {path.resolve() for path in leaving_out}
        files = [
            file.resolve()
            for entry in self.second_opinion.training
            for file in _training_files(base, entry)
            if file.resolve() not in excluded
        ]
        opinion = self.second_opinion
        settings = Settings(opinion.epochs, opinion.learning_rate, opinion.l2, opinion.min_documents)
        try:
            learned = learn_from(files, settings)
            on_assessment = (
                learn_from(files, settings, "intelligence_assessment") if opinion.assessment_from is not None else None
            )
        except (LabelledSetError, ValueError) as exc:
            raise PolicyError(f"second_opinion.training: {exc}") from None
        copy = self.model_copy()
        copy._compiled = self._compiled
        copy._learned = learned
        copy._learned_assessment = on_assessment
        return copy

    @model_validator(mode="after")
    def _check_references(self) -> Policy:
        seen: set[str] = set()
        for cue in (*self.indicators, *self.time_cues, *self.form_cues):
            if cue.id in seen:
                raise ValueError(f"duplicate rule id {cue.id!r}")
            seen.add(cue.id)
        if self.fallback_category not in self.categories:
            raise ValueError(f"fallback_category {self.fallback_category!r} is not in [categories]")
        for category in self.supplementary_categories:
            if category not in self.categories:
                raise ValueError(f"supplementary category {category!r} is not in [categories]")
        for category in self.thresholds.untimed_unless_categories:
            if category not in self.categories:
                raise ValueError(f"thresholds.untimed_unless_categories: {category!r} is not in [categories]")
        indicator_ids = {indicator.id for indicator in self.indicators}
        requiring = {indicator.id: bool(indicator.requires) for indicator in self.indicators}
        for indicator in self.indicators:
            if indicator.category is not None and indicator.category not in self.categories:
                raise ValueError(f"rule {indicator.id!r}: unknown category {indicator.category!r}")
            for required in indicator.requires:
                if required not in indicator_ids:
                    raise ValueError(f"rule {indicator.id!r}: requires unknown rule {required!r}")
                if requiring.get(required):
                    # Rules that stand alone run first, so a companion must be one of them.
                    raise ValueError(f"rule {indicator.id!r}: requires {required!r}, which itself requires a rule")
        return self


def _training_files(base: Path, entry: str) -> list[Path]:
    """A training entry's files: relative to the policy's folder, else to the default policy's folder,
    so a force's copy of the policy kept elsewhere still finds the labelled sets shipped with the grader."""
    for folder in (base, DEFAULT_POLICY_PATH.parent):
        if (folder / entry).exists():
            return set_files(folder / entry)
    return [base / entry]  # missing: reading it reports the path


def _rule_id_at(data: Any, loc: tuple[int | str, ...]) -> str | None:
    """The id of the rule a validation error points into, so the message can name it."""
    node = data
    found: str | None = None
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            found = node["id"]
    return found


def load_policy_text(text: str, origin: str) -> Policy:
    """Parse and validate policy TOML; every failure is a PolicyError naming `origin`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{origin}: not valid TOML: {exc}") from None
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            key = ".".join(str(part) for part in error["loc"]) or "(top level)"
            rule = _rule_id_at(data, error["loc"])
            where = f"{key} (rule {rule!r})" if rule else key
            message = str(error["msg"]).removeprefix("Value error, ")
            problems.append(f"{where}: {message}")
        raise PolicyError(f"{origin}: " + "; ".join(problems)) from None


def load_policy(path: Path = DEFAULT_POLICY_PATH) -> Policy:
    """Read a policy file and train its second opinion; a missing or unreadable file is a PolicyError too."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read policy file: {exc.strerror}") from None
    policy = load_policy_text(text, str(path))
    try:
        return policy.with_second_opinion(path.parent)
    except PolicyError as exc:
        raise PolicyError(f"{path}: {exc}") from None
