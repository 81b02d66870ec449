"""Literal substrings every match of a regex must contain, so a cue whose anchors are absent is skipped unrun."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from functools import reduce
from itertools import chain
from operator import or_
from typing import Any

# The standard library's own regex parser: the same tree `re` compiles, so the anchors are exact.
_parser: Any = importlib.import_module("re._parser")
_constants: Any = importlib.import_module("re._constants")

Anchors = frozenset[str]


# Words in almost every report: as anchors they let a cue run on nearly every text, so a requirement
# made of them ranks below any other (it is still used when a pattern requires nothing better).
_EVERYDAY = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "he",
        "her",
        "him",
        "his",
        "i",
        "in",
        "is",
        "it",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "she",
        "so",
        "the",
        "them",
        "they",
        "to",
        "u",
        "us",
        "we",
        "y",
        "you",
    ]
)


def is_everyday(anchor: str) -> bool:
    """A word found in almost every report (surrounding spaces aside)."""
    return anchor.strip() in _EVERYDAY


def _rarity(anchor: str) -> int:
    return 0 if is_everyday(anchor) else len(anchor)


def _better(current: Anchors | None, candidate: Anchors | None) -> Anchors | None:
    """The rarer requirement: longest shortest anchor (everyday words count as none), then fewest anchors."""
    if candidate is None:
        return current
    if current is None:
        return candidate
    key_current = (min(map(_rarity, current)), -len(current))
    key_candidate = (min(map(_rarity, candidate)), -len(candidate))
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


def _trie_regex(anchors: list[str]) -> str:
    """One regex for many literals, as a trie: greedy, so it matches the longest one at a position."""
    tree: dict[str, Any] = {}
    for anchor in anchors:
        node = tree
        for char in anchor:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(tree)


class Present(set[str]):
    """The anchors found in a text, and the same as bits of the index's numbering (`AnchorIndex.mask`)."""

    __slots__ = ("mask",)
    mask: int


def _present(anchors: Iterable[str], mask: int) -> Present:
    found = Present(anchors)  # set's own constructor, in C: made for every text of every grading
    found.mask = mask
    return found


class AnchorIndex:
    """Which of many anchors occur in a text, in one pass instead of one substring search per anchor.

    Two literals that both occur at the same position are prefixes of one another, so the longest
    anchor starting at each position (read through a lookahead, so overlapping ones are all seen)
    names every anchor that occurs: itself and those of its prefixes that are anchors. The answer is
    exactly the set of anchors `a` with `a in text`.
    """

    def __init__(self, anchors: Iterable[str]) -> None:
        known = sorted({anchor for anchor in anchors if anchor})
        every = set(known)
        self._bits = {anchor: 1 << n for n, anchor in enumerate(known)}
        self._prefixes = {
            anchor: tuple(anchor[:end] for end in range(1, len(anchor) + 1) if anchor[:end] in every)
            for anchor in known
        }
        self._prefix_bits = {anchor: self.mask(prefixes) for anchor, prefixes in self._prefixes.items()}
        self._regex = re.compile(f"(?=({_trie_regex(known)}))") if known else None
        # An anchor with a newline in it could span two texts joined by one: then search the join.
        self._spans_lines = any("\n" in anchor for anchor in known)
        self._spans_nul = any("\0" in anchor for anchor in known)

    def mask(self, anchors: Iterable[str]) -> int:
        """These anchors as bits (anchors the index does not know are left out)."""
        bits = 0
        for anchor in anchors:
            bits |= self._bits.get(anchor, 0)
        return bits

    def present(self, text: str) -> Present:
        if self._regex is None:
            return _present((), 0)
        hits = set(self._regex.findall(text))
        # Mapped in C: these run on every text of every grading.
        return _present(
            chain.from_iterable(map(self._prefixes.__getitem__, hits)),
            reduce(or_, map(self._prefix_bits.__getitem__, hits), 0),
        )

    def present_in_any(self, texts: Iterable[str]) -> Present:
        """Anchors that occur in at least one of the texts, in one pass when no anchor could span two."""
        if self._spans_nul:
            return _union(map(self.present, texts))
        return self.present("\0".join(texts))

    def present_joined(self, first: Present, joined: str, second: str) -> Present:
        """Anchors in `joined` (a text, a newline, then `second`) given those already found in the text."""
        if not second:
            return first
        if self._spans_lines:
            return self.present(joined)
        return _union((first, self.present(second)))


def _union(found: Iterable[Present]) -> Present:
    union = _present((), 0)
    for present in found:
        union |= present
        union.mask |= present.mask
    return union


def may_match_in(anchors: int | None, present: Present) -> bool:
    """False only when none of the anchors (as `AnchorIndex.mask` bits) is among those present in the text."""
    return anchors is None or bool(anchors & present.mask)
