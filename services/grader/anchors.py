"""Literal substrings every match of a regex must contain, so a cue whose anchors are absent is skipped unrun."""

from __future__ import annotations

import importlib
from typing import Any

# The standard library's own regex parser: the same tree `re` compiles, so the anchors are exact.
_parser: Any = importlib.import_module("re._parser")
_constants: Any = importlib.import_module("re._constants")

Anchors = frozenset[str]


def _better(current: Anchors | None, candidate: Anchors | None) -> Anchors | None:
    """The rarer requirement: longest shortest anchor, then fewest anchors."""
    if candidate is None:
        return current
    if current is None:
        return candidate
    key_current = (min(map(len, current)), -len(current))
    key_candidate = (min(map(len, candidate)), -len(candidate))
    return candidate if key_candidate > key_current else current


def _item_anchors(op: Any, value: Any) -> Anchors | None:
    if op is _constants.SUBPATTERN:
        # An inline flag such as (?i:...) changes what a literal matches: no anchors inside it.
        return _sequence_anchors(value[-1]) if not value[1] else None
    if op is _constants.ATOMIC_GROUP:
        return _sequence_anchors(value)
    if op is _constants.BRANCH:
        union: set[str] = set()
        for alternative in value[1]:
            found = _sequence_anchors(alternative)
            if found is None:
                return None
            union |= found
        return frozenset(union)
    if op in (_constants.MAX_REPEAT, _constants.MIN_REPEAT, _constants.POSSESSIVE_REPEAT):
        low, _high, item = value
        return _sequence_anchors(item) if low >= 1 else None
    return None


def _literal_prefix(sequence: Any) -> str:
    prefix: list[str] = []
    for op, value in sequence:
        if op is not _constants.LITERAL:
            break
        prefix.append(chr(value))
    return "".join(prefix)


def _run_then_branch(run: str, op: Any, value: Any) -> Anchors | None:
    """A literal run followed by alternatives that each start with literals: 'k(?:nife|nives)'."""
    if not run or op is not _constants.BRANCH:
        return None
    return frozenset(run + _literal_prefix(alternative) for alternative in value[1])


def _sequence_anchors(sequence: Any) -> Anchors | None:
    """The best requirement among a sequence's literal runs and its required sub-parts."""
    best: Anchors | None = None
    run: list[str] = []
    for op, value in sequence:
        if op is _constants.LITERAL:
            run.append(chr(value))
            continue
        if run:
            best = _better(best, frozenset({"".join(run)}))
            best = _better(best, _run_then_branch("".join(run), op, value))
            run = []
        best = _better(best, _item_anchors(op, value))
    if run:
        best = _better(best, frozenset({"".join(run)}))
    return best


def required_anchors(pattern: str) -> Anchors | None:
    """Substrings of which every match contains at least one; None when no such set is known."""
    found = _sequence_anchors(_parser.parse(pattern))
    if found is None or "" in found:
        return None
    return found


def starts_at_word_boundary(pattern: str) -> bool:
    """True when the pattern's first step is `\\b` and it has no alternation at its top level."""
    data = _parser.parse(pattern).data
    return bool(data) and data[0] == (_constants.AT, _constants.AT_BOUNDARY)


def may_match(anchors: Anchors | None, text: str) -> bool:
    """False only when no anchor occurs in `text`, so the regex cannot match it."""
    return anchors is None or any(map(text.__contains__, anchors))
