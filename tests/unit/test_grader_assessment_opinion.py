"""The learned second opinion on the intelligence assessment: it reads the form's own answers, replaces
the rules' grade only when confident, says so as a reason, and never moves a priority.

The toy set's answers use a word the rules do not know ("grapevine"), so the model's part is told
apart from the rules' part: the rules grade every toy answer A (the box says saw or heard).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contracts.events import Priority
from services.grader.assessment import grade_source
from services.grader.domain import GradeDecision, grade
from services.grader.labelled import LABELLED_DIR, load_cases
from services.grader.matching import Text
from services.grader.policy import ASSESSMENT_RULE_IDS, Policy, PolicyError, load_policy
from services.grader.second_opinion import assessment_terms, log_terms
from tests.grader_support import MINIMAL_POLICY, SAW_IT, default_policy, form, make_sanitised, rule_ids

pytestmark = pytest.mark.unit

STORIES = [
    "Bins were set alight behind the parade of shops.",
    "Youths were shouting outside the chip shop.",
    "A van has been parked on the verge all week.",
    "Music was playing loudly in the flat upstairs.",
    "Scooters were ridden through the precinct.",
    "Graffiti has appeared on the underpass wall.",
]
GRAPEVINE = {"how_known": "Heard it on the grapevine from people at the bus stop", "how_known_choice": "saw_or_heard"}
WATCHED = {"how_known": "Watched it from the office window", "how_known_choice": "saw_or_heard"}
SECTION = 'training = ["toy"]\nhigh_from = 0.9\ncrime_from = 0.9\nassessment_from = {threshold}\n'


def write_toy_set(folder: Path, doubtful: str = "E") -> None:
    """Six stories known first-hand (A) and the same six heard on the grapevine (`doubtful`)."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for n, story in enumerate(STORIES):
        for answers, assessment in ((WATCHED, "A"), (GRAPEVINE, doubtful)):
            case_id = f"{assessment}{n}"
            body = make_sanitised(story, reference=f"CPI-TOY-{case_id}", context=form(SAW_IT, **answers))
            priority = "NORMAL" if n % 2 else "CRIME_NOT_INTEL"  # the priority model needs two labels too
            expected = {"priority": priority, "categories": ["other"], "intelligence_assessment": assessment}
            lines.append(json.dumps({"id": case_id, "sanitised": body.model_dump(mode="json"), "expected": expected}))
    (folder / "set.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def toy_policy(tmp_path: Path, threshold: float = 0.5, extra: str = "") -> Policy:
    write_toy_set(tmp_path / "toy")
    path = tmp_path / "policy.toml"
    section = SECTION.format(threshold=threshold) + extra
    path.write_text(MINIMAL_POLICY + "\n[second_opinion]\n" + section, encoding="utf-8")
    return load_policy(path)


def grade_with(policy: Policy, text: str, **answers: object) -> GradeDecision:
    return grade(make_sanitised(text, context=form(SAW_IT, **answers)), policy)


def test_the_model_reads_each_form_answer_apart_from_the_text() -> None:
    sanitised = make_sanitised(
        "She told me about it.",
        context=form(SAW_IT, how_known="She told me", shared_with="DSL", how_known_choice=None),
    )

    terms = assessment_terms(sanitised, log_terms(sanitised))

    assert "told" in terms and "how:told" in terms and "how:she told" in terms and "shared:dsl" in terms
    assert "when:today" in terms
    assert "choice:none" in terms and "source_is_reporter:True" in terms
    assert "choice_reporter:none:True" in terms  # the pair as one term: together they tell A from C


def test_a_confident_reading_replaces_the_rules_grade_naming_the_words(tmp_path: Path) -> None:
    policy = toy_policy(tmp_path)

    decision = grade_with(policy, "Someone keeps leaving shopping trolleys in the brook.", **GRAPEVINE)

    assert decision.intelligence_assessment == "E"
    reason = next(r for r in decision.reasons if r.rule_id == "assessment.second_opinion.replaced")
    assert any("grapevine" in term for term in reason.evidence)
    assert all(term.startswith("how:") for term in reason.evidence)  # the stories say nothing either way
    assert "A becomes E" in reason.text
    assert policy.learned_assessment is not None and policy.learned_assessment.digest[:12] in reason.text
    assert "assessment.choice.saw_or_heard" in rule_ids(decision)  # the rules' own grade stays on record


def test_a_reading_that_agrees_or_is_unsure_keeps_the_rules_grade_on_record(tmp_path: Path) -> None:
    policy = toy_policy(tmp_path)

    agrees = grade_with(policy, "Someone keeps leaving shopping trolleys in the brook.", **WATCHED)

    assert agrees.intelligence_assessment == "A"
    assert "assessment.second_opinion" in rule_ids(agrees)
    assert "assessment.second_opinion.replaced" not in rule_ids(agrees)


def test_below_the_threshold_the_rules_grade_stands(tmp_path: Path) -> None:
    policy = toy_policy(tmp_path, threshold=0.999)

    decision = grade_with(policy, "Someone keeps leaving shopping trolleys in the brook.", **GRAPEVINE)

    assert decision.intelligence_assessment == "A"
    reason = next(r for r in decision.reasons if r.rule_id == "assessment.second_opinion")
    assert "keeps A: E at 0." in reason.text


def test_a_learned_e_never_lowers_the_priority(tmp_path: Path) -> None:
    # The rules' E would take suspected_false_penalty (4) off knife + tonight (8): below HIGH (5).
    policy = toy_policy(tmp_path)

    decision = grade_with(policy, "He has a knife and is going to the park tonight.", **GRAPEVINE)

    assert decision.intelligence_assessment == "E"
    assert decision.priority is Priority.HIGH


def test_without_assessment_from_no_assessment_model_is_trained(tmp_path: Path) -> None:
    write_toy_set(tmp_path / "toy")
    path = tmp_path / "policy.toml"
    path.write_text(MINIMAL_POLICY + '\n[second_opinion]\ntraining = ["toy"]\nhigh_from = 0.9\ncrime_from = 0.9\n')
    policy = load_policy(path)

    decision = grade_with(policy, "Someone keeps leaving shopping trolleys in the brook.", **GRAPEVINE)

    assert policy.learned is not None and policy.learned_assessment is None
    assert decision.intelligence_assessment == "A"
    assert not any(r.rule_id.startswith("assessment.second_opinion") for r in decision.reasons)


@pytest.mark.parametrize("threshold", ["0", "1.5", '"often"'])
def test_a_bad_assessment_threshold_is_refused(tmp_path: Path, threshold: str) -> None:
    write_toy_set(tmp_path / "toy")
    path = tmp_path / "policy.toml"
    path.write_text(MINIMAL_POLICY + "\n[second_opinion]\n" + SECTION.format(threshold=threshold), encoding="utf-8")

    with pytest.raises(PolicyError, match=r"second_opinion\.assessment_from"):
        load_policy(path)


def test_training_on_one_assessment_only_is_refused_naming_the_model(tmp_path: Path) -> None:
    write_toy_set(tmp_path / "toy", doubtful="A")
    path = tmp_path / "policy.toml"
    path.write_text(MINIMAL_POLICY + "\n[second_opinion]\n" + SECTION.format(threshold=0.5), encoding="utf-8")

    with pytest.raises(PolicyError, match=r"the intelligence_assessment model: .*at least two labels"):
        load_policy(path)


def test_the_default_policy_learns_the_assessment_from_the_same_sets_as_priority() -> None:
    policy = default_policy()

    assert policy.learned is not None and policy.learned_assessment is not None
    assert policy.learned_assessment.examples == policy.learned.examples
    assert set(policy.learned_assessment.labels) == {"A", "B", "C", "D", "E"}


def test_a_grade_from_a_rule_the_policy_keeps_is_never_replaced(tmp_path: Path) -> None:
    # The same confident reading that turns the rules' A into E above, under a policy that keeps the tick box's grade.
    policy = toy_policy(tmp_path, extra='assessment_keeps = ["assessment.choice.saw_or_heard"]\n')

    decision = grade_with(policy, "Someone keeps leaving shopping trolleys in the brook.", **GRAPEVINE)

    assert decision.intelligence_assessment == "A"
    reason = next(r for r in decision.reasons if r.rule_id == "assessment.second_opinion.kept")
    assert "keeps the grade of assessment.choice.saw_or_heard" in reason.text
    assert "assessment.second_opinion.replaced" not in rule_ids(decision)


def test_a_kept_rule_that_did_not_decide_leaves_the_model_free(tmp_path: Path) -> None:
    policy = toy_policy(tmp_path, extra='assessment_keeps = ["assessment.suspected_false"]\n')

    decision = grade_with(policy, "Someone keeps leaving shopping trolleys in the brook.", **GRAPEVINE)

    assert decision.intelligence_assessment == "E"
    assert "assessment.second_opinion.replaced" in rule_ids(decision)


@pytest.mark.parametrize("keeps", ['["assessment.made_up"]', '["indicator.knife"]', '"assessment.fallback"'])
def test_assessment_keeps_must_name_assessment_rules(tmp_path: Path, keeps: str) -> None:
    write_toy_set(tmp_path / "toy")
    path = tmp_path / "policy.toml"
    section = SECTION.format(threshold=0.5) + f"assessment_keeps = {keeps}\n"
    path.write_text(MINIMAL_POLICY + "\n[second_opinion]\n" + section, encoding="utf-8")

    with pytest.raises(PolicyError, match=r"second_opinion"):
        load_policy(path)


def test_every_rule_that_decides_an_assessment_can_be_kept() -> None:
    # Every assessment rule id the rules give over the labelled sets is one `assessment_keeps` may name.
    policy = default_policy()
    cases = load_cases([LABELLED_DIR, *sorted(path for path in LABELLED_DIR.iterdir() if path.is_dir())])
    given = {
        reason.rule_id
        for case in cases
        for reason in grade_source(
            policy, case.sanitised.source_context, Text.of(case.sanitised.intelligence_log.text)
        ).reasons
        if reason.rule_id.startswith("assessment.")
    }

    assert given <= ASSESSMENT_RULE_IDS, given - ASSESSMENT_RULE_IDS
    # and the sets reach every one, but a tick of "other", which the default policy grades from the free text
    assert ASSESSMENT_RULE_IDS - given == {"assessment.choice.other"}
    assert policy.second_opinion is not None
    assert set(policy.second_opinion.assessment_keeps) <= given
