"""Regex building blocks that scan fast in Python's engine without changing what they match.

Python's ``re`` only skips quickly through a text when a pattern starts with a literal or a
character class; a leading ``\\b`` or lookbehind makes it try a full match at every position,
and a long word alternation tries every word in turn. These helpers rewrite both into forms the
engine scans quickly and that match exactly the same spans.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Non-ASCII characters that case-insensitive matching equates with an ASCII letter.
_IGNORECASE_TWINS: dict[str, tuple[str, ...]] = {"i": ("İ", "ı"), "k": ("\u212a",), "s": ("ſ",)}
_FOLD_TABLE = str.maketrans({"İ": "i", "ı": "i", "ſ": "s", "\u212a": "k"})
_TWINS = tuple(twin for twins in _IGNORECASE_TWINS.values() for twin in twins)
# Before a character just consumed: "the one before it is no word character", which for a
# word character is exactly a \b in front of it.
AFTER_WORD_START = r"(?<!\w.)"


def folded(text: str) -> str:
    """Lower-cased text in which every ASCII word a case-insensitive pattern matches is present."""
    # Translating is slow (a table look-up per character): only done when a twin is present.
    if text.isascii() or not any(twin in text for twin in _TWINS):
        return text.lower()
    return text.translate(_FOLD_TABLE).lower()


def _phrase_units(phrase: str) -> list[str]:
    """A phrase as regex units: each character escaped, each run of spaces flexible."""
    units: list[str] = []
    for index, token in enumerate(phrase.split()):
        if index:
            units.append(r"\s+")
        units.extend(re.escape(char) for char in token)
    return units


_Node = dict[str, "_Node"]


def prefix_tree(phrases: Iterable[str]) -> str:
    """An alternation of literal phrases as a prefix tree: it matches what the alternation of
    the phrases, longest first, matches (spaces match any run of whitespace)."""
    tree: _Node = {}
    for phrase in phrases:
        node = tree
        for unit in _phrase_units(phrase):
            node = node.setdefault(unit, {})
        node[""] = {}
    return _tree_source(tree)


def _tree_source(node: _Node) -> str:
    """Each branch tried in turn (they start differently) and the longer ones before the end."""
    branches = [unit + _tree_source(child) for unit, child in sorted(node.items()) if unit]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:
        return (f"(?:{body})" if len(branches) == 1 else body) + "?"
    return body


def word_start(alternatives: Iterable[str], *, ignore_case: bool = False) -> str:
    """``\\b(?:alternatives)`` (case-insensitive if asked) for alternatives that each begin with
    a plain ASCII letter, rewritten to begin with that letter so the engine can scan for it."""
    groups: dict[str, list[str]] = {}
    for alternative in alternatives:
        first = alternative[0]
        if not (first.isascii() and first.isalpha()):
            raise ValueError(f"alternative must begin with an ASCII letter: {alternative!r}")
        groups.setdefault(first.lower() if ignore_case else first, []).append(alternative[1:])
    branches: list[str] = []
    for first, rests in groups.items():
        rest = "|".join(rests)
        rest = f"(?i:{rest})" if ignore_case else f"(?:{rest})"
        variants = (first, first.upper(), *_IGNORECASE_TWINS.get(first, ())) if ignore_case else (first,)
        branches += [re.escape(variant) + AFTER_WORD_START + rest for variant in variants]
    return "(?:" + "|".join(branches) + ")"


def words_at_word_start(phrases: Iterable[str], *, ignore_case: bool = False) -> str:
    """``\\b`` and the alternation of literal phrases (longest first), as one fast prefix tree."""
    groups: dict[str, list[str]] = {}
    for phrase in phrases:
        groups.setdefault(phrase[0].lower() if ignore_case else phrase[0], []).append(phrase[1:])
    return word_start((first + prefix_tree(rests) for first, rests in groups.items()), ignore_case=ignore_case)
