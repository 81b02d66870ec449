"""Policy loader: the default policy loads, and each kind of bad policy is refused with a clear message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from services.grader.policy import DEFAULT_POLICY_PATH, PolicyError, load_policy, load_policy_text
from tests.grader_support import MINIMAL_POLICY as MINIMAL


def broken(old: str, new: str) -> str:
    assert old in MINIMAL
    return MINIMAL.replace(old, new, 1)


def test_default_policy_loads_with_a_version() -> None:
    policy = load_policy(DEFAULT_POLICY_PATH)

    assert policy.version
    assert {
        "child_exploitation",
        "drugs",
        "community_tension",
        "anti_social_behaviour",
        "theft",
        "mappa",
        "weapons",
        "missing_person",
        "online_harm",
        "hate",
        "modern_slavery",
        "other",
    } <= set(policy.categories)


def test_minimal_policy_loads_and_compiles_its_rules() -> None:
    policy = load_policy_text(MINIMAL, "minimal.toml")

    assert policy.version == "test-1"
    assert policy.indicators[0].regex.search("a knife")
    assert policy.compiled.indicators[0][0].id == "weapons.knife"


def test_policy_is_frozen() -> None:
    policy = load_policy_text(MINIMAL, "minimal.toml")

    with pytest.raises(ValueError, match="frozen"):
        policy.version = "changed"  # type: ignore[misc]


def test_star_word_matches_any_ending() -> None:
    policy = load_policy_text(broken('words = ["knife"]', 'words = ["stab*"]'), "p.toml")

    assert policy.indicators[0].regex.search("he was stabbed")
    assert policy.indicators[0].regex.search("stabbing")
    assert not policy.indicators[0].regex.search("a kebab")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (broken('version = "test-1"\n', ""), r"p\.toml: version: Field required"),
        (broken('version = "test-1"', 'version = ""'), r"p\.toml: version: .*at least 1 character"),
        (
            broken('words = ["knife"]', "patterns = ['(unclosed']"),
            r"p\.toml: indicators\.0 \(rule 'weapons\.knife'\): rule 'weapons\.knife': invalid regex '\(unclosed'",
        ),
        (
            broken('words = ["knife"]', "patterns = ['Knife']"),
            r"rule 'weapons\.knife': pattern 'Knife' must be lower case",
        ),
        (broken('category = "weapons"', 'category = "swords"'), r"rule 'weapons\.knife': unknown category 'swords'"),
        (broken('id = "time.tonight"', 'id = "weapons.knife"'), r"duplicate rule id 'weapons\.knife'"),
        (broken("high = 5.0", "high = 500.0"), r"thresholds\.high: Input should be less than or equal to 50"),
        (broken("crime = 3.0", "crime = -1.0"), r"thresholds\.crime: Input should be greater than 0"),
        (
            broken("weight = 5.0", "weight = 99.0"),
            r"indicators\.0\.weight \(rule 'weapons\.knife'\): Input should be less than or equal to 10",
        ),
        (
            broken('kind = "imminent"', 'kind = "soonish"'),
            r"time_cues\.0\.kind \(rule 'time\.tonight'\): Input should be",
        ),
        (
            broken('words = ["knife"]', 'wurds = ["knife"]'),
            r"indicators\.0\.wurds \(rule 'weapons\.knife'\): Extra inputs",
        ),
        (broken('words = ["knife"]', ""), r"rule 'weapons\.knife': needs at least one of words, phrases or patterns"),
        (
            broken("weight = 5.0", 'weight = 5.0\nrequires = ["nope"]'),
            r"rule 'weapons\.knife': requires unknown rule 'nope'",
        ),
        (broken('other = "Fallback"', ""), r"fallback_category 'other' is not in \[categories\]"),
        (broken('saw_or_heard = "A"', 'saw_or_heard = "Z"'), r"intelligence_assessment\.by_choice\.saw_or_heard"),
        (
            broken('id = "weapons.knife"', 'id = "Weapons Knife"'),
            r"indicators\.0\.id \(rule 'Weapons Knife'\): String should match",
        ),
        ("version = ", r"p\.toml: not valid TOML"),
        (
            broken("high = 5.0", 'high = 5.0\nuntimed_unless_categories = ["threats"]'),
            r"thresholds\.untimed_unless_categories: 'threats' is not in \[categories\]",
        ),
    ],
    ids=[
        "missing-version",
        "empty-version",
        "invalid-regex",
        "upper-case-pattern",
        "unknown-category",
        "duplicate-rule-id",
        "threshold-too-high",
        "threshold-negative",
        "weight-out-of-range",
        "unknown-time-kind",
        "unknown-key",
        "rule-without-matchers",
        "requires-unknown-rule",
        "missing-fallback-category",
        "bad-assessment-grade",
        "bad-rule-id",
        "not-toml",
        "untimed-unknown-category",
    ],
)
def test_bad_policy_is_refused_naming_file_and_key(text: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        load_policy_text(text, "p.toml")


def test_policy_error_is_a_value_error() -> None:
    assert issubclass(PolicyError, ValueError)


def test_missing_policy_file_is_a_policy_error(tmp_path: Path) -> None:
    missing = tmp_path / "absent.toml"

    with pytest.raises(PolicyError, match=re.escape(str(missing)) + ": cannot read policy file"):
        load_policy(missing)


def test_policy_file_on_disk_is_named_in_errors(tmp_path: Path) -> None:
    path = tmp_path / "force.toml"
    path.write_text(broken('category = "weapons"', 'category = "swords"'), encoding="utf-8")

    with pytest.raises(PolicyError, match=re.escape(str(path))):
        load_policy(path)


def test_a_companion_rule_must_stand_alone() -> None:
    # Rules that need a companion run after those that stand alone, so chains are refused.
    extra = (
        '\n[[indicators]]\nid = "weapons.a"\ntext = "A"\nwords = ["aaa"]\nrequires = ["weapons.knife"]\n'
        '\n[[indicators]]\nid = "weapons.b"\ntext = "B"\nwords = ["bbb"]\nrequires = ["weapons.a"]\n'
    )
    with pytest.raises(PolicyError, match=r"rule 'weapons\.b': requires 'weapons\.a', which itself requires a rule"):
        load_policy_text(MINIMAL + extra, "p.toml")


def test_danger_and_bonus_default_off() -> None:
    policy = load_policy_text(MINIMAL, "p.toml")

    assert policy.thresholds.at_risk_danger_bonus == 0.0
    assert policy.thresholds.habitual_crime_penalty == 0.0
    assert not any(indicator.danger for indicator in policy.indicators)
