"""Finds vehicle registration marks in any case: full current, prefix and suffix marks, and
partial marks after words like "reg"."""

from __future__ import annotations

import re

from services.sanitiser.scanning import word_start
from services.sanitiser.spans import Span
from services.sanitiser.vocabulary import words

# Every UK mark holds digits, so the scan starts at a digit (fast to scan for) and looks back at
# the letters before it: exactly 2 (current "AB12 CDE"), 1 (prefix "A123 BCD") or 3 (suffix
# "ABC 123D", with or without the space), at the start of a word.
_FULL_MARK = re.compile(
    r"[0-9](?:"
    r"(?<=[A-Za-z]{2}[0-9])(?<!\w[A-Za-z]{2}[0-9])(?P<current>[0-9]\s?(?P<current_letters>[A-Za-z]{3}))"
    r"|(?<=[A-Za-z][0-9])(?<!\w[A-Za-z][0-9])(?P<prefix>[0-9]{0,2}\s?(?P<prefix_letters>[A-Za-z]{3}))"
    r"|(?<=[A-Za-z]{3}[0-9])(?<!\w[A-Za-z]{3}[0-9])(?P<suffix>[0-9]{0,2}[A-Za-z])"
    r"|(?<=[A-Za-z]{3}\s[0-9])(?<!\w[A-Za-z]{3}\s[0-9])(?P<spaced_suffix>[0-9]{0,2}[A-Za-z])"
    r")\b"
)
# How many characters of each format lie before its first digit.
_LETTERS_BEFORE = {"current": 2, "prefix": 1, "suffix": 3, "spaced_suffix": 4}

_CONTEXT = re.compile(
    word_start((r"reg(?:istration)?", "index", "plates?", "vrm", r"number\s+plate"), ignore_case=True)
    + r"(?i:\s+(?:number|no\.?|mark|is|was|of|reads?|reading|like|ending|starting|beginning|in|with"
    r"|partial|partially|seen|as|similar|to|style|possibly|maybe|includes?|containing))*"
    r"[\s:,]*[\"“']?\b(?P<vrm>[A-Za-z0-9]{2,4}(?:\s[A-Za-z0-9]{1,3})?)\b"
)

# Short words that, written in lower case next to a number, make a road ("the m27 and"), a
# distance ("ran 10k") or a postcode district ("in so15 the") look like a mark, or follow one.
_ORDINARY_WORDS = words("""
a i am an as at be by do go he if in is it me my no of on or pm so to up us we
the and for are but not you all any can had her was one our out day get has him his how man new
now old see two way who boy did its let put say she too use ago age bus car cab van yes ran run
got off per via etc yrs hrs min mph kph top mid men lot far few own why end job saw met sat set
lad kid mum dad son gym pub bar sun mon tue wed thu fri jan feb mar apr may jun jul aug sep oct
nov dec ave big bad due try add ask buy fee tax pay net box bag gun war hit cut led ten six yet
hey nor nah yep bed tot
""")


def _is_capitalised_only(value: str) -> bool:
    """No lower-case letters: such marks are taken as written (the formats cannot be words)."""
    return not any(char.islower() for char in value)


def find_vehicles(text: str) -> list[Span]:
    """Registration marks: full current, prefix and suffix formats, and partial ones after 'reg'."""
    spans = find_full_marks(text)
    for match in _CONTEXT.finditer(text):
        found = _partial_mark(match.group("vrm"))
        if found:
            spans.append(Span(match.start("vrm"), match.start("vrm") + len(found), "VRM"))
    return spans


def find_full_marks(text: str) -> list[Span]:
    """Current, prefix and suffix marks: as written in capitals, and in lower or mixed case
    where they cannot be a road, distance or district beside an ordinary word."""
    spans: list[Span] = []
    for match in _FULL_MARK.finditer(text):
        kind = next(name for name in _LETTERS_BEFORE if match.group(name) is not None)
        start = match.start() - _LETTERS_BEFORE[kind]
        if _is_capitalised_only(text[start : match.end()]) or _plausible_lower_case(match, kind):
            spans.append(Span(start, match.end(), "VRM"))
    return spans


def _plausible_lower_case(match: re.Match[str], kind: str) -> bool:
    """A mark written in lower or mixed case, unless its three letters are an ordinary word that
    a road, distance or district could stand next to ("m27 the", "the 10k"); a current mark
    written as one word ("ab12cde") always counts."""
    if kind == "current":
        letters = match.group("current_letters")
        return not match.group("current")[1].isspace() or letters.lower() not in _ORDINARY_WORDS
    if kind == "prefix":
        return match.group("prefix_letters").lower() not in _ORDINARY_WORDS
    start = match.start() - _LETTERS_BEFORE[kind]
    return match.string[start : start + 3].lower() not in _ORDINARY_WORDS


def _partial_mark(value: str) -> str | None:
    """The part of a value after 'reg' that is a mark: one with a digit, or three capitals; in
    lower case the first word must hold a digit and an ordinary word after it is left out."""
    first, *rest = value.split(maxsplit=1)
    # A lower-case word after a mark in capitals was never part of it; after one in lower case,
    # only an ordinary word is left out.
    lower_case_after = bool(rest) and not _is_capitalised_only(rest[0])
    if lower_case_after and (_is_capitalised_only(first) or rest[0].lower() in _ORDINARY_WORDS):
        value = first
    if _is_capitalised_only(value):
        return value if any(c.isdigit() for c in value) or (value.isalpha() and len(value) == 3) else None
    return value if any(c.isdigit() for c in first) and any(c.isalpha() for c in value) else None
