"""Narrowing a cue to the alternatives that could match never changes what it matches."""

from __future__ import annotations

import re
from itertools import combinations
from pathlib import Path

import pytest

from services.grader.anchors import AnchorIndex, may_match_in
from services.grader.labelled import LABELLED_DIR, load_cases
from services.grader.narrowing import Narrower, Narrowing, Part, merged_matches
from services.grader.policy import DEFAULT_POLICY_PATH, Policy, _join_parts, load_policy_text
from services.grader.requirements import AllOf, AnyOf, clauses, informative, requirement, strong


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy_text(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"), str(DEFAULT_POLICY_PATH))


def _spans(matches: object) -> list[tuple[int, int]]:
    return [match.span() for match in matches]  # type: ignore[attr-defined]


# --- what a pattern needs -------------------------------------------------------------------------


def test_a_literal_run_before_alternatives_goes_in_front_of_each() -> None:
    need = requirement(r"\btold (?:him|her) (?:not )?to (?:go|run)\b")
    assert need == AllOf(
        frozenset(), (AnyOf(frozenset({"told him", "told her"})), AnyOf(frozenset({"to go", "to run"})))
    )


def test_every_alternative_keeps_its_own_needs() -> None:
    need = requirement(r"\bknife\b|\b(?:was|were) (?:taken|stolen)\b")
    assert isinstance(need, AnyOf)
    assert need.literals == {"knife"}
    # "knife" alone, or one of was/were with one of taken/stolen.
    assert set(clauses(need) or ()) == {
        (frozenset(), (frozenset({"knife"}),)),
        (frozenset({"was", " taken"}), ()),
        (frozenset({"was", " stolen"}), ()),
        (frozenset({"were", " taken"}), ()),
        (frozenset({"were", " stolen"}), ()),
    }


def test_an_alternative_that_needs_nothing_informative_makes_the_whole_need_nothing() -> None:
    assert requirement(r"\bknife\b|\bthe\b") is None  # "the" is in almost every text
    assert clauses(requirement(r"\bknife\b|[a-z]+")) is None


def test_digit_classes_need_a_digit_but_other_scripts_digits_are_not_assumed() -> None:
    assert requirement(r"\baged [1-3]\b") == AllOf(frozenset({"aged "}), (AnyOf(frozenset({"1", "2", "3"})),))
    assert requirement(r"\b\d\d\b") is None  # \d also matches digits of other scripts


def test_weak_anchors_are_no_anchors() -> None:
    assert informative("knife") and informative("£") and informative("7") and informative("19")
    assert not informative("the") and not informative("he") and not informative("s") and not informative(",")
    assert strong(frozenset({"knife", "blade"})) == frozenset({"knife", "blade"})
    assert strong(frozenset({"knife", "er"})) is None
    assert strong(None) is None


# --- the merge finds what the one regex finds -------------------------------------------------------

PARTS: list[Part] = [
    (True, "(?:ab)"),
    (False, r"(?:b\w+)"),
    (True, "(?:abc)"),
    (False, r"(?:c\s?a)"),
    (True, r"(?:a\w*d)"),
]
TEXTS = ["abc bcd abcd", "cab ab abd", "", "zzz", "ab", "bca cad abab", "a b c ab bc ca"]


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5])
def test_merged_alternatives_match_exactly_as_their_joined_regex(size: int) -> None:
    for chosen in combinations(PARTS, size):
        joined = re.compile(_join_parts(chosen))
        alone = tuple(re.compile(_join_parts([part])) for part in chosen)
        for text in TEXTS:
            assert _spans(merged_matches(alone, text)) == _spans(joined.finditer(text)), (chosen, text)


def test_a_cue_with_an_alternative_that_could_match_empty_is_never_narrowed() -> None:
    parts: list[Part] = [(False, "(?:x*)"), (True, r"(?:knife)\b")]
    full = re.compile(_join_parts(parts))
    narrowing = Narrowing(parts, _join_parts, full)
    assert narrowing.could_match(set()) == (full,)


def test_alternatives_whose_needs_are_absent_are_left_out_and_none_means_no_regex() -> None:
    parts: list[Part] = [(True, r"(?:knife|blade)\b"), (True, r"(?:was|were)\s+stolen\b")]
    full = re.compile(_join_parts(parts))
    narrowing = Narrowing(parts, _join_parts, full)
    assert narrowing.could_match({"knife"}) == (re.compile(_join_parts(parts[:1])),)
    assert narrowing.could_match({"were", "stolen"}) == (re.compile(_join_parts(parts[1:])),)
    assert narrowing.could_match({"knife", "was", "stolen"}) == (full,)
    assert narrowing.could_match({"stolen"}) == ()  # "was" or "were" is needed too
    assert narrowing.could_match({"hammer"}) == ()


# --- the shipped policy: every cue, narrowed, matches what it matches whole ----------------------------


def _labelled_texts() -> list[str]:
    folders: list[Path] = [LABELLED_DIR, *sorted(path for path in LABELLED_DIR.iterdir() if path.is_dir())]
    cases = load_cases(folders)[::3]  # a third of every labelled set: about 700 texts and their answers
    texts = [case.sanitised.intelligence_log.text.lower() for case in cases]
    texts += [case.sanitised.source_context.how_known.lower() for case in cases]
    return texts


def test_every_cue_narrowed_matches_exactly_what_it_matches_whole(policy: Policy) -> None:
    rules = policy.compiled
    cues = (*rules.indicators, *rules.time_cues, *rules.form_cues)
    narrowed = 0
    for text in _labelled_texts():
        present = rules.anchor_index.present(text)
        for cue, anchors, narrower in cues:
            whole = _spans(cue.regex.finditer(text))
            if not may_match_in(anchors, present):
                assert whole == [], (cue.id, text)
                continue
            regexes = narrower(present)
            narrowed += regexes != (cue.regex,)
            assert _spans(merged_matches(regexes, text)) == whole, (cue.id, text)
    assert narrowed > 1000  # the narrowing did run, not just the whole regexes


def test_a_narrower_gives_the_same_answer_from_its_memory(policy: Policy) -> None:
    rules = policy.compiled
    cue, _, _ = next(entry for entry in rules.indicators if entry[0].id == "offence.theft")
    narrower = Narrower(cue.narrowing, rules.anchor_index.mask(cue.needs))
    text = "her purse was stolen from the locker room"
    present = rules.anchor_index.present(text)
    first = narrower(present)
    assert first and narrower(present) is first
    assert _spans(merged_matches(first, text)) == _spans(cue.regex.finditer(text)) != []


# --- the anchors found are also numbered ------------------------------------------------------------


def test_the_anchor_mask_is_the_set_found() -> None:
    index = AnchorIndex(["now", "know", "stab", "£", "taken to"])
    for text in ["i know he is stabbing now", "taken to £5", "", "nothing"]:
        present = index.present(text)
        assert present.mask == index.mask(present)
    joined = index.present_joined(index.present("stab"), "stab\nnow", "now")
    assert joined == {"stab", "now"} and joined.mask == index.mask({"stab", "now"})
    either = index.present_in_any(["know", "£"])
    assert either == {"know", "now", "£"} and either.mask == index.mask(either)
