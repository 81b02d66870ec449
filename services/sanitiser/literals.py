"""Finds a literal phrase in a text with plain string search, matching exactly what its regex would.

Each submission brings identifiers no earlier one had, and compiling a regex for each costs more
than searching for it. A phrase here is its words (any run of whitespace between them), searched
case-sensitively or case-insensitively and, if asked, only where it stands alone as a word: the
spans are those ``re.finditer`` gives for the regex ``pattern`` builds, with or without
``re.IGNORECASE``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

from services.sanitiser.scanning import folded


class Phrase(NamedTuple):
    """Words to find in order, whitespace between them; whole-word at either end if asked."""

    words: tuple[str, ...]
    ignore_case: bool = True
    word_start: bool = False
    word_end: bool = False

    @classmethod
    def of(cls, value: str, *, ignore_case: bool = True, whole_word: bool = False) -> Phrase:
        """The phrase of a value; whole-word ends apply only where the value ends in a letter or digit."""
        words = tuple(value.split())
        return cls(
            words,
            ignore_case,
            whole_word and bool(words) and words[0][0].isalnum(),
            whole_word and bool(words) and words[-1][-1].isalnum(),
        )

    def pattern(self) -> str:
        """The regex this phrase stands for (letters and digits standing alone at bounded ends)."""
        body = r"\s+".join(re.escape(word) for word in self.words)
        first = self.words[0]
        if self.word_start:
            # Start with the first character so the engine can scan for it, then look back.
            body = re.escape(first[0]) + rf"(?<![^\W_]{re.escape(first[0])})" + body[len(re.escape(first[0])) :]
        return body + (r"(?![^\W_])" if self.word_end else "")

    def searchable(self) -> bool:
        """Whether plain search gives the regex's matches: ASCII words when case is ignored (their
        case-insensitive twins are all folded into ASCII letters by ``folded``)."""
        if not self.words:
            return False
        return not self.ignore_case or all(word.isascii() for word in self.words)


class SearchText:
    """A text, and its case-folded copy made on first need."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._folded: str | None = None

    @property
    def folded(self) -> str | None:
        """The folded copy, or None where folding changed the length (offsets would not line up)."""
        if self._folded is None:
            self._folded = folded(self.text)
        return self._folded if len(self._folded) == len(self.text) else None


def phrase_matches(phrase: Phrase, text: SearchText) -> Iterator[tuple[int, int]]:
    """Start and end of the match at every position the phrase matches, left to right (matches
    may overlap: the caller picks, as ``re.finditer`` would, and may skip some)."""
    if not phrase.searchable():
        yield from _regex_matches(phrase, text.text)
        return
    haystack, words = text.text, phrase.words
    if phrase.ignore_case:
        folded_text = text.folded
        if folded_text is None:
            yield from _regex_matches(phrase, text.text)
            return
        haystack, words = folded_text, tuple(word.lower() for word in words)
    first = words[0]
    position = haystack.find(first)
    while position != -1:
        end = _match_end(haystack, text.text, words, position, phrase)
        if end is not None:
            yield position, end
        position = haystack.find(first, position + 1)


def _match_end(haystack: str, original: str, words: tuple[str, ...], start: int, phrase: Phrase) -> int | None:
    """Where the phrase found at `start` ends, or None if it does not match there."""
    if phrase.word_start and start > 0 and original[start - 1].isalnum():
        return None
    end = start + len(words[0])
    for word in words[1:]:
        gap = end
        while gap < len(haystack) and haystack[gap].isspace():
            gap += 1
        if gap == end or not haystack.startswith(word, gap):
            return None
        end = gap + len(word)
    if phrase.word_end and end < len(original) and original[end].isalnum():
        return None
    return end


def _regex_matches(phrase: Phrase, text: str) -> Iterator[tuple[int, int]]:
    """The regex's match at every position it matches (one regex per phrase, compiled once)."""
    if not phrase.words:
        return
    pattern = _compiled(phrase)
    match = pattern.search(text)
    while match is not None:
        yield match.start(), match.end()
        match = pattern.search(text, match.start() + 1)


@lru_cache(maxsize=1024)
def _compiled(phrase: Phrase) -> re.Pattern[str]:
    return re.compile(phrase.pattern(), re.IGNORECASE if phrase.ignore_case else 0)
