"""Finds the reporter's and the source's own identifiers (from their form fields) in any text."""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import NamedTuple

from contracts.submission import Submission
from services.sanitiser.dates import date_of_birth_pattern
from services.sanitiser.literals import Phrase, SearchText, phrase_matches
from services.sanitiser.spans import Span
from services.sanitiser.vocabulary import (
    ORG_TYPE_WORDS,
    PLACE_NAMES,
    PLACE_NOUNS,
    PUBLIC_BODY_WORDS,
    ROLE_NOUNS,
    SHORT_FORMS,
    TITLES,
    WORD_NAMES,
    WORD_SURNAMES,
    words,
)

_NOT_DIGITS = re.compile(r"\D+")
_POSTCODE_IN_LINE = re.compile(r"(?i)\b(?P<district>[A-Z]{1,2}\d[A-Z\d]?)\s*(?P<inward>\d[A-Z]{2})\b")
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*(?:-[^\W\d_]+(?:['’][^\W\d_]+)*)*")
_PHONE_IN_TEXT = re.compile(r"(?:\+|\(?\b0)[\d\s\-.()]{8,18}\d")
_EMAIL_IN_TEXT = re.compile(r"[\w.%+'-]+@[\w-]+(?:\.[\w-]+)+")
# A title or initial just before a name is removed with it ("Ms Smith", "J. Smith").
_TITLE_OR_INITIAL_BEFORE = re.compile(r"(?:\b(?:" + "|".join(sorted(TITLES)) + r")\.?\s+)?(?:\b[A-Z]\.?\s+)?$")
_NAME_KINDS = frozenset({"REPORTER_NAME", "SOURCE_NAME"})
# A name part that is also a word is not a name when a place noun follows ("Hill Road").
_PLACE_NOUN_NEXT = re.compile(r"\s+(?:" + "|".join(sorted(PLACE_NOUNS)) + r")\b")
_WORD_NAME_PARTS = frozenset(word.lower() for word in WORD_NAMES | WORD_SURNAMES)
_COMMON_PREFIXES = words("the and for but not can may her his its our out you was are all any one had has")
_ROLE_NOUN_WORDS = frozenset(noun.split()[-1] for noun in ROLE_NOUNS)


def _word_phrase(value: str, *, case_sensitive: bool = False) -> Phrase:
    """A literal that must stand alone as a word, spacing flexible."""
    return Phrase.of(value, ignore_case=not case_sensitive, whole_word=True)


def _phrase(value: str) -> Phrase:
    """A value, spacing flexible; short values must stand alone as words."""
    return Phrase.of(value, whole_word=len(value) < 6)


def name_parts(name: str) -> list[str]:
    """Every part of a name of two letters or more, hyphenated parts also split, titles dropped."""
    parts: list[str] = []
    for token in _TOKEN.findall(name):
        if token.rstrip(".").title() in TITLES:
            continue
        pieces = [token, *token.split("-")] if "-" in token else [token]
        parts.extend(piece for piece in pieces if len(piece) >= 2 and piece not in parts)
    return parts


def organisation_core(organisation: str) -> str | None:
    """The distinctive part of an organisation's name ("Oakfield" of "Oakfield Academy")."""
    tokens = organisation.split()
    if any(token.lower() in PUBLIC_BODY_WORDS for token in tokens):
        return None
    while tokens and tokens[-1].lower() in ORG_TYPE_WORDS - {"st", "st.", "saint"}:
        tokens.pop()
    while tokens and tokens[0].lower() in {"the", "a"}:
        tokens.pop(0)
    core = " ".join(tokens)
    if not core or core == organisation or core.lower() in PLACE_NAMES or len(core) < 3:
        return None
    return core


def role_variants(role: str) -> tuple[list[str], list[str]]:
    """Case-insensitive phrasings of a job title, and its case-sensitive acronym."""
    words = role.split()
    phrases = [role]
    if len(words) >= 3 and words[-1].lower() in _ROLE_NOUN_WORDS:
        phrases.append(" ".join(words[-2:]))
    if words and words[-1].lower() in _ROLE_NOUN_WORDS and len(words) >= 3:
        prefix = words[:-1]
        if not any(char.isdigit() for char in " ".join(prefix)):
            phrases.append(" ".join(prefix))
    acronyms = ["".join(word[0] for word in words).upper()] if 2 <= len(words) <= 4 else []
    return phrases, [acronym for acronym in acronyms if acronym.isalpha()]


def national_digits(telephone: str) -> str:
    """The national significant number: digits without 0, +44, 0044 or +44 (0) in front."""
    digits = re.sub(r"\D", "", telephone)
    if telephone.lstrip().startswith(("+", "00")) and digits.lstrip("0").startswith("44"):
        return digits.lstrip("0")[2:].lstrip("0")
    return digits.lstrip("0")


def phone_pattern(national: str) -> str:
    """The national digits in any spacing, with 0, +44, 0044 or +44 (0) in front."""
    spaced = r"[\s\-.()]*".join(national)
    return rf"(?<!\d)(?:(?:\+|00)\s*44\s*(?:\(\s*0\s*\)\s*)?|\(?0\s*)?{spaced}(?!\d)"


class _Term(NamedTuple):
    """One identifier: literal phrases (any of them) or a regex, and a literal that any text it
    matches must contain."""

    kind: str
    pattern: str | tuple[Phrase, ...]
    needle: str
    case_sensitive: bool = False
    in_digits: bool = False
    not_before_place: bool = False


class IdentityMatcher:
    """The identifiers of one submission's reporter and source, ready to search any text."""

    def __init__(self, submission: Submission, *, source_is_reporter: bool) -> None:
        reporter, source = submission.reporter, submission.source
        terms: list[_Term] = []
        terms += _name_terms(reporter.name, "REPORTER_NAME")
        if source.name:
            kind = "REPORTER_NAME" if source_is_reporter else "SOURCE_NAME"
            terms += _name_terms(source.name, kind)
        terms.append(_literal_term("REPORTER_ORG", reporter.organisation))
        core = organisation_core(reporter.organisation)
        if core:
            terms.append(_literal_term("REPORTER_ORG", core, bounded=True))
        if reporter.role:
            phrases, acronyms = role_variants(reporter.role)
            terms += [_literal_term("REPORTER_ROLE", phrase) for phrase in phrases]
            terms += [
                _Term("REPORTER_ROLE", (_word_phrase(a, case_sensitive=True),), a, case_sensitive=True)
                for a in acronyms
            ]
        free_text = " ".join(filter(None, (source.recontact_details, source.address)))
        phones = [reporter.telephone, source.telephone, *_PHONE_IN_TEXT.findall(free_text)]
        emails = [reporter.email, source.email, *_EMAIL_IN_TEXT.findall(free_text)]
        for phone in filter(None, phones):
            terms.append(_literal_term("PHONE", phone))
            national = national_digits(phone)
            if len(national) >= 6:
                terms.append(_Term("PHONE", phone_pattern(national), national, in_digits=True))
        terms += [_literal_term("EMAIL", str(email)) for email in emails if email]
        if source.address:
            terms += _address_terms(source.address)
        if source.date_of_birth:
            born = source.date_of_birth
            terms.append(_Term("DOB", date_of_birth_pattern(born), f"{born.year % 100:02d}"))
        if source.recontact_details:
            terms.append(_literal_term("RECONTACT_DETAILS", source.recontact_details))
        self._terms = terms

    def find(self, text: str) -> list[Span]:
        """Every occurrence of the reporter's or source's identifiers in the text."""
        lowered = text.lower()
        searched = SearchText(text)
        digits: str | None = None
        spans: list[Span] = []
        for term in self._terms:
            if term.in_digits:
                if digits is None:
                    digits = _NOT_DIGITS.sub("", text)
                if term.needle.lower() not in digits:
                    continue
            elif term.needle.lower() not in lowered:
                continue
            for start, end in _term_matches(term, searched):
                if term.kind in _NAME_KINDS:
                    before = _TITLE_OR_INITIAL_BEFORE.search(text, max(0, start - 12), start)
                    start = before.start() if before else start
                spans.append(Span(start, end, term.kind))
        return spans


def _term_matches(term: _Term, searched: SearchText) -> Iterator[tuple[int, int]]:
    """The term's matches, as ``re.finditer`` of its pattern would give them; with
    not_before_place, those followed by a place noun are skipped and the search goes on from the
    next character, as a negative lookahead would."""
    text = searched.text
    if isinstance(term.pattern, str):
        pattern = _compiled(term.pattern, 0 if term.case_sensitive else re.IGNORECASE)
        candidates: Iterator[tuple[int, int]] = (match.span() for match in pattern.finditer(text))
    elif len(term.pattern) == 1:
        candidates = phrase_matches(term.pattern[0], searched)
    else:
        candidates = heapq.merge(*(phrase_matches(phrase, searched) for phrase in term.pattern))
    position = 0
    for start, end in candidates:
        if start < position or (term.not_before_place and _PLACE_NOUN_NEXT.match(text, end)):
            continue
        yield start, end
        position = end if end > start else start + 1


@lru_cache(maxsize=4096)
def _compiled(source: str, flags: int) -> re.Pattern[str]:
    """Identity patterns recur (the same reporter writes again): compile each once."""
    return re.compile(source, flags)


def _literal_term(kind: str, value: str, *, bounded: bool = False) -> _Term:
    phrase = _word_phrase(value) if bounded else _phrase(value)
    return _Term(kind, (phrase,), value.split()[0] if value.split() else value)


def _name_terms(name: str, kind: str) -> list[_Term]:
    """The full name and each part, capitalised-only for parts that are also everyday words."""
    terms = [_Term(kind, (_phrase(name),), name.split()[0])]
    for part in name_parts(name):
        if part.lower() in _WORD_NAME_PARTS:
            forms = tuple(
                _word_phrase(form, case_sensitive=True) for form in dict.fromkeys((part.title(), part.upper(), part))
            )
            terms.append(_Term(kind, forms, part, case_sensitive=True, not_before_place=True))
        else:
            terms.append(_Term(kind, (_word_phrase(part),), part))
    for given in name_parts(name)[:1]:
        for short in _short_forms(given):
            terms.append(_Term(kind, (_word_phrase(short, case_sensitive=True),), short, case_sensitive=True))
    return terms


def _short_forms(given: str) -> set[str]:
    """Shortened given names a text may use instead ("Jess" for Jessica, "Bill" for William)."""
    title = given.title()
    forms = {title[:length] for length in range(3, len(title))} if len(title) > 4 else set()
    forms |= SHORT_FORMS.get(title, set())
    return {form for form in forms if form.lower() not in _COMMON_PREFIXES}


def _address_terms(address: str) -> list[_Term]:
    """The whole address, each line holding a house or flat number, and the postcode's inward code."""
    terms = [_literal_term("ADDRESS", address)]
    for line in re.split(r"[,\n;]+", address):
        postcode = _POSTCODE_IN_LINE.search(line)
        if postcode:
            inward = postcode.group("inward")
            pattern = rf"(?<={re.escape(postcode.group('district'))})\s*{re.escape(inward)}(?![^\W_])"
            terms.append(_Term("POSTCODE", pattern, inward))
            line = line[: postcode.start()] + line[postcode.end() :]
        line = line.strip()
        if any(char.isdigit() for char in line):
            terms.append(_literal_term("ADDRESS", line, bounded=True))
    return terms


def _longest_first(sources: Iterable[str]) -> list[str]:
    return sorted(set(sources), key=len, reverse=True)
