"""Find a cue's matches in lower-cased text, setting aside those a nearby negation cancels."""

from __future__ import annotations

from dataclasses import dataclass

from services.grader.narrowing import Regexes, merged_matches
from services.grader.policy import CompiledNegation

MAX_EVIDENCE = 5
_LOOKBACK_CHARS = 160


@dataclass(frozen=True)
class Matches:
    """What a cue matched: counted evidence and evidence set aside as negated."""

    evidence: tuple[str, ...] = ()
    negated: tuple[str, ...] = ()

    @property
    def fired(self) -> bool:
        return bool(self.evidence)


NO_MATCHES = Matches()


@dataclass(frozen=True, slots=True)
class Text:
    """Text as written (for evidence) and lower-cased once (for matching)."""

    original: str
    lower: str

    @classmethod
    def of(cls, text: str) -> Text:
        lower = text.lower()
        # A few characters change length when lower-cased; then evidence comes from the lower copy.
        return cls(text if len(lower) == len(text) else lower, lower)


def _is_negated(text: str, start: int, end: int, negation: CompiledNegation) -> bool:
    before = text[max(0, start - _LOOKBACK_CHARS) : start]
    clause_start = 0
    for brk in negation.breaks.finditer(before):
        clause_start = brk.end()
    words = before[clause_start:].split()[-negation.window_words :]
    if words and negation.before.search(" ".join(words)):
        return True
    clause_end = negation.breaks.search(text, end)
    after = text[end : clause_end.start() if clause_end else len(text)]
    return bool(after) and negation.after.match(after) is not None


def _add(found: list[str], value: str) -> None:
    value = " ".join(value.split())
    if value and value not in found and len(found) < MAX_EVIDENCE:
        found.append(value)


def find_matches(regexes: Regexes, text: Text, negation: CompiledNegation | None) -> Matches:
    """Every match in `text` of the regex these alternatives make (see `narrowing`); with `negation`,
    negated matches are kept apart."""
    evidence: list[str] = []
    negated: list[str] = []
    lower = text.lower
    # One regex (most runs): its own finditer, without the merge's generator around it.
    for match in regexes[0].finditer(lower) if len(regexes) == 1 else merged_matches(regexes, lower):
        start, end = match.span()
        if negation is not None and _is_negated(lower, start, end, negation):
            _add(negated, text.original[start:end])
        else:
            _add(evidence, text.original[start:end])
    if not evidence and not negated:
        return NO_MATCHES
    return Matches(tuple(evidence), tuple(negated))
