"""The learned second opinion: it learns, explains, may only raise, and a bad setup is a policy error.

The model here learns from a small labelled set written for these tests, in words the rules do not
know ("flare", "leaflet", "receipt"), so what the model does is told apart from what the rules do.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from contracts.events import Priority
from services.grader import evaluate
from services.grader.domain import grade
from services.grader.labelled import load_cases, set_files
from services.grader.policy import DEFAULT_POLICY_PATH, Policy, PolicyError, load_policy
from services.grader.second_opinion import Example, Settings, _softmax, _term_weights, train, words_and_pairs
from tests.grader_support import MINIMAL_POLICY, default_policy, grade_text, make_sanitised, rule_ids, rules_policy

pytestmark = pytest.mark.unit

TOY = {
    "HIGH": [
        "A red flare has gone up over the yard by the flats.",
        "Staff saw a flare lit beside the bins behind the hall.",
        "Another flare was set off by the gate of the depot.",
        "There is a flare burning on the footbridge over the canal.",
        "Someone is holding a flare at the bus shelter near the park.",
        "A flare is going off on the roof of the garages.",
    ],
    "NORMAL": [
        "A leaflet about the fun run was left in the staff room.",
        "Parents were given a leaflet on the new parking rules.",
        "The leaflet for the summer scheme has the wrong dates.",
        "We printed a leaflet for the coffee morning on Friday.",
        "A leaflet on healthy eating went out with the newsletter.",
        "The leaflet about bin days was posted through every door.",
    ],
    "CRIME_NOT_INTEL": [
        "The receipt shows the till was short by forty pounds on Monday.",
        "A receipt was forged to return goods that were never bought.",
        "The shop has the receipt for the stolen bike from last week.",
        "A receipt proves the cash was taken from the tin on Tuesday.",
        "The receipt for the damaged door was sent to the landlord.",
        "Her receipt shows the card was used after it went missing.",
    ],
}
# A completed-offence indicator beside MINIMAL's knife and "tonight", so the rules can propose a crime.
THEFT = '\n[[indicators]]\nid = "offence.theft"\ntext = "Theft"\nweight = 0.0\ncrime_weight = 3.0\nwords = ["stolen"]\n'


def labelled_line(case_id: str, text: str, priority: str) -> str:
    body = make_sanitised(text, reference=f"CPI-TOY-{case_id}").model_dump(mode="json")
    expected = {"priority": priority, "categories": ["other"], "intelligence_assessment": "A"}
    return json.dumps({"id": case_id, "sanitised": body, "expected": expected})


def write_set(folder: Path, cases: dict[str, list[str]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        labelled_line(f"{priority[:1]}{n}", text, priority)
        for priority, texts in cases.items()
        for n, text in enumerate(texts)
    ]
    (folder / "set.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def policy_file(tmp_path: Path, section: str, extra: str = THEFT) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(MINIMAL_POLICY + extra + "\n[second_opinion]\n" + section, encoding="utf-8")
    return path


@pytest.fixture
def toy_policy(tmp_path: Path) -> Policy:
    write_set(tmp_path / "toy", TOY)
    return load_policy(policy_file(tmp_path, 'training = ["toy"]\nhigh_from = 0.5\ncrime_from = 0.5\n'))


# --- the model on its own ---------------------------------------------------------------------


def test_words_and_pairs_are_lower_cased_words_then_adjacent_pairs() -> None:
    assert words_and_pairs("Knife at the GATE, now.") == [
        "knife",
        "at",
        "the",
        "gate",
        "now",
        "knife at",
        "at the",
        "the gate",
        "gate now",
    ]


def toy_examples() -> list[Example]:
    return [Example(tuple(words_and_pairs(text)), label) for label, texts in TOY.items() for text in texts]


def test_it_learns_words_it_was_shown_and_reads_new_text_by_them() -> None:
    model = train(toy_examples())

    flare = model.probabilities(words_and_pairs("A flare near the school fence."))
    leaflet = model.probabilities(words_and_pairs("A leaflet near the school fence."))

    assert max(flare, key=flare.__getitem__) == "HIGH"
    assert max(leaflet, key=leaflet.__getitem__) == "NORMAL"
    assert sum(flare.values()) == pytest.approx(1.0)


def test_the_same_examples_train_the_same_model() -> None:
    examples = toy_examples()

    first, second = train(examples), train(list(examples))

    assert first.digest == second.digest
    assert first.probabilities(["flare"]) == second.probabilities(["flare"])
    assert train(examples, Settings(epochs=3)).digest != first.digest


def test_a_reading_weighs_repeated_words_as_training_does() -> None:
    model = train(toy_examples())
    text = words_and_pairs("A flare, a flare and a flare by the leaflet stand; the leaflet again.")

    weights = _term_weights(text, model.vocabulary, model.idf)
    scores = [b + sum(column[i] * w for i, w in weights) for b, column in zip(model.bias, model.columns, strict=True)]
    expected = dict(zip(model.labels, _softmax(scores), strict=True))

    assert any(n > 1 for n in model.read(text).counts.values())
    assert model.probabilities(text) == pytest.approx(expected, abs=1e-12)


def test_the_strongest_terms_are_those_that_pushed_towards_the_label() -> None:
    model = train(toy_examples())
    reading = model.read(words_and_pairs("A flare was seen by the leaflet stand."))

    assert model.strongest_terms(reading, "HIGH")[0] == "flare"
    assert "flare" not in model.strongest_terms(reading, "NORMAL")


def test_one_label_is_not_enough_to_learn_from() -> None:
    with pytest.raises(ValueError, match="at least two labels"):
        train([Example(("a", "flare"), "HIGH"), Example(("another", "flare"), "HIGH")])


# --- in the grader: raise, never lower --------------------------------------------------------


def test_it_raises_what_the_rules_left_normal_to_high_naming_the_words(toy_policy: Policy) -> None:
    decision = grade_text(toy_policy, "A flare is lit behind the sports hall.")

    assert decision.priority is Priority.HIGH
    reason = next(r for r in decision.reasons if r.rule_id == "priority.second_opinion.high")
    assert "flare" in reason.evidence
    assert toy_policy.learned is not None
    assert toy_policy.learned.digest[:12] in reason.text
    assert f"learned from {len(TOY) * 6} labelled submissions" in reason.text
    assert "priority.normal" in rule_ids(decision)  # the rules' own proposal stays on record


def test_it_raises_normal_to_a_crime_report(toy_policy: Policy) -> None:
    decision = grade_text(toy_policy, "The receipt shows money was taken from the kitty.")

    assert decision.priority is Priority.CRIME_NOT_INTEL
    assert "priority.second_opinion.crime_not_intel" in rule_ids(decision)


def test_it_never_lowers_a_high_from_the_rules(toy_policy: Policy) -> None:
    decision = grade_text(toy_policy, "He has a knife tonight. A leaflet, a leaflet, a leaflet.")

    assert decision.priority is Priority.HIGH
    assert not any(r.rule_id.startswith("priority.second_opinion") for r in decision.reasons)


def test_it_never_lowers_a_crime_from_the_rules(toy_policy: Policy) -> None:
    decision = grade_text(toy_policy, "A bike was stolen yesterday. The leaflet about the leaflet.")

    assert decision.priority is Priority.CRIME_NOT_INTEL
    assert "priority.second_opinion" in rule_ids(decision)  # consulted; it did not raise


def test_a_crime_from_the_rules_can_still_be_raised_to_high(toy_policy: Policy) -> None:
    decision = grade_text(toy_policy, "A bike was stolen; now a flare is lit by the flare stand.")

    assert decision.priority is Priority.HIGH


def test_when_it_does_not_raise_its_reading_is_on_record(toy_policy: Policy) -> None:
    decision = grade_text(toy_policy, "A leaflet about the leaflet rota.")

    reason = next(r for r in decision.reasons if r.rule_id == "priority.second_opinion")
    assert decision.priority is Priority.NORMAL
    assert re.search(r"HIGH 0\.\d\d", reason.text) and re.search(r"NORMAL 0\.\d\d", reason.text)


def test_with_nothing_saying_when_it_needs_to_be_surer_to_raise_to_high(tmp_path: Path) -> None:
    write_set(tmp_path / "toy", TOY)
    section = 'training = ["toy"]\nhigh_from = 0.5\nhigh_from_untimed = 0.99\ncrime_from = 0.5\n'
    policy = load_policy(policy_file(tmp_path, section))

    untimed = grade_text(policy, "A flare is lit behind the sports hall.")
    timed = grade_text(policy, "A flare is lit behind the sports hall tonight.")

    assert untimed.priority is Priority.NORMAL
    reason = next(r for r in untimed.reasons if r.rule_id == "priority.second_opinion")
    assert "HIGH from 0.99: nothing says when" in reason.text
    assert timed.priority is Priority.HIGH
    assert "priority.second_opinion.high" in rule_ids(timed)


def test_a_higher_high_from_still_governs_when_nothing_says_when(tmp_path: Path) -> None:
    write_set(tmp_path / "toy", TOY)
    section = 'training = ["toy"]\nhigh_from = 0.99\nhigh_from_untimed = 0.5\ncrime_from = 0.5\n'
    policy = load_policy(policy_file(tmp_path, section))

    decision = grade_text(policy, "A flare is lit behind the sports hall.")

    assert decision.priority is Priority.NORMAL
    assert "priority.second_opinion" in rule_ids(decision)


def test_without_a_second_opinion_section_the_rules_decide_alone(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(MINIMAL_POLICY, encoding="utf-8")
    policy = load_policy(path)

    decision = grade_text(policy, "A flare is lit behind the sports hall.")

    assert policy.learned is None
    assert decision.priority is Priority.NORMAL
    assert not any(r.rule_id.startswith("priority.second_opinion") for r in decision.reasons)


def test_over_the_labelled_sets_the_second_opinion_only_ever_raises() -> None:
    # Trained without the set it grades, so it has something of its own to say about it.
    full = default_policy().with_second_opinion(
        DEFAULT_POLICY_PATH.parent, leaving_out=set_files(evaluate.DEFAULT_CORPUS)
    )
    rules = rules_policy()
    order = [Priority.NORMAL, Priority.CRIME_NOT_INTEL, Priority.HIGH]
    raised = 0
    for case in evaluate.load_corpus(evaluate.DEFAULT_CORPUS):
        before = grade(case.sanitised, rules).priority
        after = grade(case.sanitised, full).priority
        assert order.index(after) >= order.index(before), case.case_id
        raised += after is not before and after is Priority.HIGH
    assert raised > 0


# --- the default policy's model and measuring without a set --------------------------------


def test_the_default_policy_learns_from_every_listed_set() -> None:
    policy = default_policy()
    assert policy.second_opinion is not None and policy.learned is not None
    listed = [(DEFAULT_POLICY_PATH.parent / entry).resolve() for entry in policy.second_opinion.training]

    assert policy.learned.examples == len(load_cases(listed))
    assert policy.learned.examples >= 1_000


SEALED_DIR = Path(__file__).parents[1] / "corpus" / "grader"


def test_the_sealed_sets_are_labelled_cases_no_model_learns_from() -> None:
    policy = default_policy()
    assert policy.second_opinion is not None
    sealed = sorted(path for path in SEALED_DIR.iterdir() if path.is_dir())
    listed = {(DEFAULT_POLICY_PATH.parent / entry).resolve() for entry in policy.second_opinion.training}
    trained_ids = {case.case_id for case in load_cases(sorted(listed))}

    assert sealed, "no sealed set under tests/corpus/grader/"
    for folder in sealed:
        cases = load_cases([folder])
        assert len(cases) >= 80, folder.name
        assert trained_ids.isdisjoint(case.case_id for case in cases), folder.name
        assert not any(path == folder or folder in path.parents for path in listed), folder.name


def test_a_set_can_be_left_out_so_it_is_measured_by_a_model_that_never_saw_it(tmp_path: Path) -> None:
    write_set(tmp_path / "toy", TOY)
    write_set(tmp_path / "more", {"HIGH": ["A flare again."], "NORMAL": ["A leaflet again."]})
    path = policy_file(tmp_path, 'training = ["toy", "more"]\nhigh_from = 0.5\ncrime_from = 0.5\n')
    policy = load_policy(path)

    without = policy.with_second_opinion(tmp_path, leaving_out=set_files(tmp_path / "more"))

    assert policy.learned is not None and without.learned is not None
    assert policy.learned.examples == 20 and without.learned.examples == 18
    assert without.learned.digest != policy.learned.digest
    assert without.compiled is policy.compiled


def test_evaluate_measures_a_training_set_without_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_set(tmp_path / "toy", TOY)
    write_set(tmp_path / "more", {"HIGH": ["A flare again."], "NORMAL": ["A leaflet again."]})
    path = policy_file(tmp_path, 'training = ["toy", "more"]\nhigh_from = 0.5\ncrime_from = 0.5\n')

    evaluate.main(["--policy", str(path), "--corpus", str(tmp_path / "more")])

    assert "18 examples, none from this set" in capsys.readouterr().out


# --- a bad setup is a policy error naming what is wrong --------------------------------------


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ('training = ["absent"]\nhigh_from = 0.3\ncrime_from = 0.5\n', r"second_opinion\.training: .*absent"),
        ("training = []\nhigh_from = 0.3\ncrime_from = 0.5\n", r"second_opinion\.training"),
        ('training = ["toy"]\nhigh_from = 0\ncrime_from = 0.5\n', r"second_opinion\.high_from"),
        ('training = ["toy"]\nhigh_from = 0.3\ncrime_from = 1.5\n', r"second_opinion\.crime_from"),
        ('training = ["toy"]\nhigh_from = 0.3\n', r"second_opinion\.crime_from"),
        ('training = ["toy"]\nhigh_from = 0.3\ncrime_from = 0.5\nepochs = 0\n', r"second_opinion\.epochs"),
        ('training = ["toy"]\nhigh_from = 0.3\ncrime_from = 0.5\nshape = "deep"\n', r"second_opinion\.shape"),
    ],
)
def test_a_bad_second_opinion_section_is_refused(tmp_path: Path, section: str, message: str) -> None:
    write_set(tmp_path / "toy", TOY)

    with pytest.raises(PolicyError, match=message):
        load_policy(policy_file(tmp_path, section))


def test_training_on_one_priority_only_is_refused(tmp_path: Path) -> None:
    write_set(tmp_path / "toy", {"HIGH": TOY["HIGH"]})

    with pytest.raises(PolicyError, match=r"the priority model: .*at least two labels"):
        load_policy(policy_file(tmp_path, 'training = ["toy"]\nhigh_from = 0.3\ncrime_from = 0.5\n'))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", r"set\.jsonl:2: not JSON"),
        ('{"id": "x"}', r"set\.jsonl:2: not a labelled case: missing 'expected'"),
        ('["a list"]', r"set\.jsonl:2: not a labelled case"),
    ],
)
def test_a_broken_labelled_line_is_refused_naming_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    folder = write_set(tmp_path / "toy", TOY)
    lines = (folder / "set.jsonl").read_text(encoding="utf-8").splitlines()
    (folder / "set.jsonl").write_text("\n".join([lines[0], line, *lines[1:]]) + "\n", encoding="utf-8")

    with pytest.raises(PolicyError, match=message):
        load_policy(policy_file(tmp_path, 'training = ["toy"]\nhigh_from = 0.3\ncrime_from = 0.5\n'))
