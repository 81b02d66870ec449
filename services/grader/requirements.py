"""Which literals a regex's every match needs, as and/or of literals: a cue whose needs are unmet is skipped unrun.

`anchors.required_anchors` keeps one set of literals of which a match needs at least one; a cue made
of many alternatives then runs whenever any alternative's weakest literal ("with", "the") occurs.
A requirement keeps each alternative's own literals instead, all of those it needs, so a cue runs
only when some alternative could match. Everyday words and single characters are taken as always
present: the requirement only ever admits more texts than the regex matches, never fewer.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from services.grader.anchors import is_everyday, required_anchors

_parser: Any = importlib.import_module("re._parser")
_constants: Any = importlib.import_module("re._constants")


@dataclass(frozen=True)
class AllOf:
    """Every part must hold: literals that must all occur, and sub-requirements."""

    literals: frozenset[str]
    parts: tuple[AnyOf, ...] = ()


@dataclass(frozen=True)
class AnyOf:
    """At least one part must hold: a literal that occurs, or an alternative whose needs are met."""

    literals: frozenset[str]
    parts: tuple[AllOf, ...] = ()


# None stands for "no requirement": the regex may match any text.
Requirement = AllOf | AnyOf | None


def informative(literal: str) -> bool:
    """A literal worth looking for: found in few texts, so a cue needing it is often skipped.

    Not an everyday word, a stop or a piece of two letters ("he", "er", "re" occur in nearly every
    text and would make the anchor pass itself slow); digits and signs such as "£" are rare enough.
    """
    core = literal.strip()
    if core.isdecimal() or (len(core) == 1 and not core.isascii()):
        return True
    return len(core) >= 3 and not is_everyday(core)


def strong(anchors: frozenset[str] | None) -> frozenset[str] | None:
    """The anchors when each is informative, else None: a weak one would let the cue run anyway."""
    return anchors if anchors is not None and all(map(informative, anchors)) else None


def _all_of(parts: Iterable[Requirement]) -> Requirement:
    literals: set[str] = set()
    nested: list[AnyOf] = []
    for part in parts:
        if isinstance(part, AllOf):
            literals |= part.literals
            nested += part.parts
        elif isinstance(part, AnyOf):
            if not part.parts and len(part.literals) == 1:
                literals |= part.literals
            else:
                nested.append(part)
    if not literals and not nested:
        return None
    if not literals and len(nested) == 1:
        return nested[0]
    return AllOf(frozenset(literals), tuple(dict.fromkeys(nested)))


def _any_of(alternatives: Iterable[Requirement]) -> Requirement:
    literals: set[str] = set()
    nested: list[AllOf] = []
    for alternative in alternatives:
        if alternative is None:
            return None  # one alternative needs nothing, so neither does the whole
        if isinstance(alternative, AnyOf):
            literals |= alternative.literals
            nested += alternative.parts
        elif not alternative.parts and len(alternative.literals) == 1:
            literals |= alternative.literals
        else:
            nested.append(alternative)
    if not nested and len(literals) == 1:
        return AllOf(frozenset(literals))
    return AnyOf(frozenset(literals), tuple(dict.fromkeys(nested)))


def _literal(text: str) -> Requirement:
    return AllOf(frozenset({text})) if informative(text) else None


def _flattened(sequence: Iterable[tuple[Any, Any]]) -> Iterator[tuple[Any, Any]]:
    """The sequence with plain groups opened up: a group's content is part of the sequence around it."""
    for op, value in sequence:
        if op is _constants.SUBPATTERN and not value[1] and not value[2]:
            yield from _flattened(value[-1])
        elif op is _constants.ATOMIC_GROUP:
            yield from _flattened(value)
        else:
            yield op, value


def _sequence(sequence: Iterable[tuple[Any, Any]], prefix: str = "") -> Requirement:
    """What a sequence needs; `prefix` is literal text that comes just before it in every match."""
    needs: list[Requirement] = []
    run = [prefix]
    for op, value in _flattened(sequence):
        if op is _constants.LITERAL:
            run.append(chr(value))
            continue
        if op is _constants.BRANCH:
            # The literal run before the alternatives goes in front of each: "k" + "nife" | "nives".
            needs.append(_any_of(_sequence(alternative, "".join(run)) for alternative in value[1]))
            run = []
            continue
        needs.append(_literal("".join(run)))
        run = []
        needs.append(_item(op, value))
    needs.append(_literal("".join(run)))
    return _all_of(needs)


def _item(op: Any, value: Any) -> Requirement:
    if op in (_constants.MAX_REPEAT, _constants.MIN_REPEAT, _constants.POSSESSIVE_REPEAT):
        low, _high, item = value
        return _sequence(item) if low >= 1 else None
    if op is _constants.SUBPATTERN and not value[1]:
        return _sequence(value[-1])
    if op is _constants.IN:
        return _digits(value)
    return None  # a character class, an assertion, an inline-flag group: nothing known to be needed


def _digits(members: list[tuple[Any, Any]]) -> Requirement:
    """A class of ASCII digits only, such as [1-9]: one of them must occur. (\\d also matches other scripts.)"""
    chars: set[str] = set()
    for op, value in members:
        if op is _constants.LITERAL:
            chars.add(chr(value))
        elif op is _constants.RANGE and value[1] - value[0] < 10:
            chars.update(map(chr, range(value[0], value[1] + 1)))
        else:
            return None
    if not chars <= set("0123456789"):
        return None
    return _any_of(AllOf(frozenset({char})) for char in sorted(chars))


def requirement(pattern: str) -> Requirement:
    """What every match of `pattern` needs, as and/or of literals; None when nothing is known.

    When some alternative needs no informative literal, the pattern's anchors stand in (one of them is
    in every match) if they are informative.
    """
    need = _sequence(_parser.parse(pattern))
    if need is None and (anchors := strong(required_anchors(pattern))) is not None:
        return AnyOf(anchors)
    return need


def _one_of(need: Requirement) -> frozenset[str] | None:
    """Literals one of which every text meeting `need` contains (weaker than `need`, cheaper to test)."""
    if need is None:
        return None
    if isinstance(need, AllOf):
        if need.literals:
            return frozenset({max(sorted(need.literals), key=len)})
        options = [found for part in need.parts if (found := _one_of(part)) is not None]
        return min(options, key=lambda found: (-min(map(len, found)), len(found)), default=None)
    union = set(need.literals)
    for alternative in need.parts:
        found = _one_of(alternative)
        if found is None:
            return None
        union |= found
    return frozenset(union)


# One way a requirement may hold: all of `wanted` present, and one of each of `meets`.
Clause = tuple[frozenset[str], tuple[frozenset[str], ...]]


def clauses(need: Requirement) -> tuple[Clause, ...] | None:
    """Ways the requirement may hold, one of which a text it holds for meets (None: it may always hold).

    Never stronger than the requirement, so no text the regex matches is turned away. Clauses are
    tested for many cues of every grading, so they are sets, tested by set methods mapped in C; the
    requirement's deeper parts are weakened to literals one of which they need.
    """
    if need is None:
        return None
    if isinstance(need, AllOf):
        return ((need.literals, tuple(found for part in need.parts if (found := _one_of(part)) is not None)),)
    ways: list[Clause] = [(frozenset(), (need.literals,))] if need.literals else []
    for alternative in need.parts:
        expanded = _conjunctions(alternative)
        if not expanded:
            return None  # an alternative that needs no literal: the regex may match anything
        ways += [(conjunction, ()) for conjunction in expanded]
    return tuple(dict.fromkeys(ways))


def may_match_empty(pattern: str) -> bool:
    """True when some match of the pattern could be the empty string."""
    return bool(_parser.parse(pattern).getwidth()[0] == 0)


def clause_literals(found: Iterable[Clause]) -> frozenset[str]:
    """Every literal the clauses look for: each must be among those an anchor pass finds."""
    return frozenset().union(*(wanted.union(*meets) for wanted, meets in found))


_MOST_CONJUNCTIONS = 32


def _conjunctions(need: AllOf) -> list[frozenset[str]]:
    """Sets of literals, all of one of which a text meeting `need` contains: its own literals with one
    of each of its smallest parts' (a part is weakened to one of some literals), at most 32 sets."""
    choices = sorted(
        (found for part in need.parts if (found := _one_of(part)) is not None),
        key=lambda found: (len(found), sorted(found)),
    )
    expanded = [need.literals]
    for options in choices:
        if len(expanded) * len(options) > _MOST_CONJUNCTIONS:
            break
        expanded = [conjunction | {literal} for conjunction in expanded for literal in sorted(options)]
    return [conjunction for conjunction in expanded if conjunction]
