"""Finds people's names and nicknames in free text without a language model: titles, naming
phrases, quoted nicknames, relationship words, a given-name list and ages after a name."""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache

from services.sanitiser.scanning import word_start, words_at_word_start
from services.sanitiser.spans import Span
from services.sanitiser.vocabulary import (
    BUSINESS_WORDS,
    CAR_MAKES,
    GIVEN_NAMES,
    LOCATIVE_WORDS,
    NAMING_PHRASES,
    NOT_NAMES,
    PERSON_CONTEXT_WORDS,
    PLACE_NAMES,
    PLACE_NOUNS,
    TITLES,
    WORD_NAMES,
    words,
)

_WORD = r"[A-Z][A-Za-z'’]*(?:-[A-Z][A-Za-z'’]*)*"
# "(?<![\w'’-])WORD(?![\w-])", written to start with the capital (fast to scan for) and look back past it.
_CAPITALISED = re.compile(r"[A-Z](?<![\w'’-][A-Z])[A-Za-z'’]*(?:-[A-Z][A-Za-z'’]*)*(?![\w-])")
_SEQUENCE = rf"{_WORD}(?:\s+{_WORD}){{0,2}}"
_TITLED = re.compile(rf"{word_start(sorted(TITLES))}\.?\s+(?:[A-Z]\.?\s+)?(?P<name>{_WORD}(?:\s+{_WORD})?)")
# Context words are found in the lower-cased text (much faster than case-insensitive matching);
# the name itself is then read from the original text at the same offset.
_PHRASE_END = re.compile(rf"{words_at_word_start(NAMING_PHRASES)}\s+")
_QUOTED_OR_NAME = re.compile(rf"[\"“](?P<quoted>[^\"”\n]{{1,30}})[\"”]|(?P<name>{_SEQUENCE})")
_QUOTED = re.compile(r"[\"“](?P<name>[A-Z][A-Za-z'’.\-]*(?:\s+[A-Z][A-Za-z'’.\-]*){0,2})[\"”]")
_NICKNAMED = re.compile(rf"(?P<first>{_WORD})\s+[\"“][^\"”\n]{{1,25}}[\"”]\s+(?P<last>{_WORD})")
_CONTEXT_END = re.compile(rf"{words_at_word_start(PERSON_CONTEXT_WORDS)}\s*,?\s+(?:(?:is|called|named)\s+)?")
_NAME_AT = re.compile(rf"(?P<name>{_SEQUENCE})")
_BEFORE_AGE = re.compile(rf"(?P<name>{_SEQUENCE})(?:,\s*|\s+\()(?i:aged\s+|age\s+)?\d{{1,2}}\b(?![:.]\d|\s*(?i:am|pm))")
_BEFORE_RELATIVE = re.compile(
    rf"(?P<name>{_WORD})['’]s\s+(?i:mum|mother|dad|father|brother|sister|cousin|boyfriend"
    rf"|girlfriend|partner|friend|nan|phone|number|mobile|car|house|flat|address|boys|girls)\b"
)
_BEFORE_PHONE = re.compile(rf"(?P<name>{_WORD})\s+(?=(?:\+44|0)\d{{3}})")
_SPEECH_VERBS = words(
    "says said told tells has had is was lives drives goes went takes took uses keeps asked "
    "wants owns works carries sells deals texts messaged posted called"
)
_SENTENCE_START = re.compile(r"(?:^|[.!?\n:;]\s*|[\"“(]\s*)$")


@lru_cache(maxsize=8192)
def _base(token: str) -> str:
    for suffix in ("'s", "’s", "'", "’"):
        if token.endswith(suffix):
            return token[: -len(suffix)]
    return token


@lru_cache(maxsize=8192)
def _is_given_name(token: str) -> bool:
    return any(part in GIVEN_NAMES or part in WORD_NAMES for part in _base(token).split("-"))


@lru_cache(maxsize=8192)
def _is_word_name(token: str) -> bool:
    base = _base(token)
    return base in WORD_NAMES and not any(part in GIVEN_NAMES - WORD_NAMES for part in base.split("-"))


@lru_cache(maxsize=8192)
def _not_a_name(token: str) -> bool:
    base = _base(token)
    return base in NOT_NAMES or base in PLACE_NOUNS or base.lower() in PLACE_NAMES or len(base) < 2


class _Text:
    """The text with its capitalised tokens indexed by position."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = [(m.start(), m.end()) for m in _CAPITALISED.finditer(text)]
        self.starts = [start for start, _ in self.tokens]
        self.words = [text[start:end] for start, end in self.tokens]
        self.bases = [_base(word) for word in self.words]
        self._blocked: dict[int, bool] = {}

    def word(self, i: int) -> str:
        return self.words[i]

    def next_adjacent(self, i: int) -> int | None:
        """The next capitalised token if only spaces separate it from token i."""
        if i + 1 >= len(self.tokens):
            return None
        gap = self.text[self.tokens[i][1] : self.tokens[i + 1][0]]
        return i + 1 if gap.isspace() and "\n" not in gap else None

    def previous_word(self, i: int) -> str:
        start = self.tokens[i][0]
        before = self.text[max(0, start - 30) : start].split()
        return before[-1] if before else ""

    def following_word(self, i: int) -> str:
        end = self.tokens[i][1]
        after = self.text[end : end + 30].split(maxsplit=1)
        return after[0].strip('.,;:!?"”)') if after else ""

    def inside(self, start: int, end: int) -> range:
        """Indexes of the tokens lying within [start, end)."""
        first = bisect_left(self.starts, start)
        last = first
        while last < len(self.tokens) and self.tokens[last][1] <= end:
            last += 1
        return range(first, last)

    def blocked(self, i: int) -> bool:
        """A place, a vehicle model, a saint or a heading rather than a person."""
        if i not in self._blocked:
            following, previous = self.following_word(i), self.previous_word(i)
            self._blocked[i] = (
                following in PLACE_NOUNS
                or previous in CAR_MAKES
                or previous in {"St", "St."}
                or _not_a_name(self.words[i])
            )
        return self._blocked[i]

    def sentence_initial(self, i: int) -> bool:
        return bool(_SENTENCE_START.search(self.text[max(0, self.tokens[i][0] - 3) : self.tokens[i][0]]))


def _extend_surname(text: _Text, i: int) -> int:
    """Index of the last token of a name starting at token i (adds up to two surnames)."""
    last = i
    for _ in range(2):
        following = text.next_adjacent(last)
        if following is None or text.blocked(following):
            break
        last = following
    return last


def _given_name_spans(text: _Text) -> list[Span]:
    spans: list[Span] = []
    for i in range(len(text.tokens)):
        token = text.word(i)
        if not _is_given_name(token) or text.blocked(i):
            continue
        surname = text.next_adjacent(i)
        has_surname = surname is not None and not text.blocked(surname)
        if text.previous_word(i).lower() in LOCATIVE_WORDS and not has_surname:
            continue
        if (
            _is_word_name(token)
            and not has_surname
            and text.sentence_initial(i)
            and text.following_word(i) not in _SPEECH_VERBS
            and not token.endswith(("'s", "’s"))
        ):
            continue
        last = _extend_surname(text, i) if has_surname else i
        spans.append(Span(text.tokens[i][0], text.tokens[last][1], "NAME"))
    return spans


def _sequence_span(text: _Text, start: int, end: int) -> Span | None:
    """The name tokens inside [start, end), trimmed of tokens that cannot be names."""
    inside = list(text.inside(start, end))
    names = [i for i in inside if not text.blocked(i)]
    if not names or names[0] != inside[0]:
        return None
    last = names[0]
    while last + 1 in names and text.next_adjacent(last) == last + 1:
        last += 1
    return Span(text.tokens[names[0]][0], text.tokens[last][1], "NAME")


def find_names(raw: str) -> list[Span]:
    """Spans of people's names and nicknames; every capitalised repeat of a found name too."""
    text = _Text(raw)
    spans = _given_name_spans(text)
    for match in _TITLED.finditer(raw):
        spans.append(Span(match.start(), match.end(), "NAME"))
    for pattern in (_BEFORE_AGE, _BEFORE_RELATIVE, _BEFORE_PHONE):
        for match in pattern.finditer(raw):
            span = _sequence_span(text, match.start("name"), match.end("name"))
            if span:
                spans.append(span)
    lowered = raw.lower()
    if len(lowered) == len(raw):
        spans += _after_context(text, lowered)
    for match in _QUOTED.finditer(raw):
        words = match.group("name").split()
        if (
            len(match.group("name")) >= 2
            and words[-1] not in BUSINESS_WORDS
            and any(c.islower() for c in match.group("name"))
            and not all(_not_a_name(word) for word in words)
        ):
            spans.append(Span(match.start("name"), match.end("name"), "NAME"))
    for match in _NICKNAMED.finditer(raw):
        for group in ("first", "last"):
            if not _not_a_name(match.group(group)):
                spans.append(Span(match.start(group), match.end(group), "NAME"))
    return spans + _repeats(text, spans)


def _after_context(text: _Text, lowered: str) -> list[Span]:
    """Names after relationship words ("her partner Darren") and naming phrases ("known as")."""
    spans: list[Span] = []
    for context in _CONTEXT_END.finditer(lowered):
        name = _NAME_AT.match(text.text, context.end())
        span = name and _sequence_span(text, name.start(), name.end())
        if span:
            spans.append(span)
    for phrase in _PHRASE_END.finditer(lowered):
        found = _QUOTED_OR_NAME.match(text.text, phrase.end())
        if found is None:
            continue
        if found.group("quoted"):
            spans.append(Span(found.start("quoted"), found.end("quoted"), "NAME"))
        else:
            span = _sequence_span(text, found.start("name"), found.end("name"))
            if span:
                spans.append(span)
    return spans


def _repeats(text: _Text, spans: list[Span]) -> list[Span]:
    """Other capitalised occurrences of any word already found as part of a name."""
    found = {
        text.bases[i]
        for span in spans
        for i in text.inside(span.start, span.end)
        if not _not_a_name(text.words[i]) and text.words[i] not in TITLES
    }
    return [
        Span(s, s + len(text.bases[i]), "NAME")
        for i, (s, _) in enumerate(text.tokens)
        if text.bases[i] in found and not text.blocked(i)
    ]
