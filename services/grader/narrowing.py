"""Run only those of a cue's alternatives that could match a text, with the matches of the whole cue.

A cue is one regex made of alternatives (its words, then each of its patterns), and the regex
engine tries every alternative at every word boundary. An alternative whose needed literals (see
`requirements`) are absent from a text cannot match anywhere in it. The others, each compiled on
its own when the policy loads, are searched and their matches merged as the one regex would find
them: leftmost first, at one place the first alternative in the policy's order, then on from the
end of that match. So a cue of twenty patterns of which two could match costs two small searches.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

from services.grader.anchors import Present
from services.grader.requirements import Clause, clause_literals, clauses, may_match_empty, requirement

# (starts with \b, the rest): one alternative of a cue, as the policy compiles it.
Part = tuple[bool, str]
Join = Callable[[Sequence[Part]], str]
Regexes = tuple[re.Pattern[str], ...]
# The outcome of every set test of a cue's clauses on one text: which alternatives could match.
Key = tuple[tuple[bool, ...], tuple[bool, ...]]

# Outcomes kept per cue: texts seldom differ in which of a cue's literals they contain, and past
# this many a new outcome is worked out for the text at hand (set tests; nothing is compiled) and not kept.
_MOST_KEPT = 4096


class Narrower:
    """A cue's narrowing under one policy's anchor index: what it found for each set of the cue's
    literals present is kept, so a text with the same ones costs one AND of two numbers."""

    __slots__ = ("_kept", "_mask", "_narrowing")

    def __init__(self, narrowing: Narrowing, mask: int) -> None:
        self._narrowing = narrowing
        self._mask = mask  # the cue's literals, numbered by the index that finds them in a text
        self._kept: dict[int, Regexes] = {}

    def __call__(self, present: Present) -> Regexes:
        """The regexes to run on a text with these anchors: none when no alternative could match."""
        key = present.mask & self._mask
        try:
            return self._kept[key]
        except KeyError:
            regexes = self._narrowing.could_match(present)
            if len(self._kept) < _MOST_KEPT:
                self._kept[key] = regexes
            return regexes


class Narrowing:
    """From the literals present in a text, the regexes of the cue's alternatives that could match it."""

    def __init__(self, parts: Sequence[Part], join: Join, full: re.Pattern[str]) -> None:
        sources = [join([part]) for part in parts]
        self._full: Regexes = (full,)
        self._regexes = tuple(map(re.compile, sources))
        found = [clauses(requirement(source)) for source in sources]
        if any(map(may_match_empty, sources)):
            found = [None] * len(sources)  # the merge below needs non-empty matches: run the whole cue
        # Every clause's sets in two flat lists, so that one C-mapped set method tests each list.
        wanted: list[frozenset[str]] = []
        meets: list[frozenset[str]] = []

        def place(clause: Clause) -> tuple[int | None, int, int]:
            at = None
            if clause[0]:
                at = len(wanted)
                wanted.append(clause[0])
            start = len(meets)
            meets.extend(clause[1])
            return at, start, len(meets)

        # Per alternative: None (it may always match), or per clause where its sets sit in the lists:
        # its wanted set's place (None: nothing wanted) and the span of its meets.
        self._layout = [None if ways is None else [place(clause) for clause in ways] for ways in found]
        self._wanted, self._meets = tuple(wanted), tuple(meets)
        # Outcomes by which of the clauses' set tests held: far fewer than sets of literals present.
        self._kept: dict[Key, Regexes] = {}
        self.needs = clause_literals(clause for ways in found for clause in ways or ())

    def could_match(self, present: set[str]) -> Regexes:
        """The regexes to run on a text with these literals: none when no alternative could match."""
        key = (tuple(map(present.issuperset, self._wanted)), tuple(map(present.isdisjoint, self._meets)))
        try:
            return self._kept[key]
        except KeyError:
            regexes = self._could_match(key)
            if len(self._kept) < _MOST_KEPT:
                self._kept[key] = regexes
            return regexes

    def _could_match(self, key: Key) -> Regexes:
        held, disjoint = key
        kept: list[re.Pattern[str]] = []
        for regex, layout in zip(self._regexes, self._layout, strict=True):
            if layout is None:
                kept.append(regex)
                continue
            for at, start, stop in layout:
                if (at is None or held[at]) and True not in disjoint[start:stop]:
                    kept.append(regex)
                    break
        return self._full if len(kept) == len(self._regexes) else tuple(kept)


def merged_matches(regexes: Regexes, text: str) -> Iterator[re.Match[str]]:
    """The matches of one regex made of these alternatives in this order, as its `finditer` gives them.

    That regex matches leftmost first, at one place the first alternative that matches there, then
    searches on from the end of the match. No alternative here matches the empty string (a cue with
    one that could is never narrowed), so a search from a match's end never steps over an empty one.
    """
    if len(regexes) == 1:
        yield from regexes[0].finditer(text)
        return
    pending = [regex.search(text) for regex in regexes]
    while True:
        first: re.Match[str] | None = None
        for match in pending:
            if match is not None and (first is None or match.start() < first.start()):
                first = match
        if first is None:
            return
        yield first
        end = first.end()
        pending = [
            match if match is None or match.start() >= end else regex.search(text, end)
            for match, regex in zip(pending, regexes, strict=True)
        ]
