"""Phrases in which the reporter describes their own job or relationship, and first-hand origin."""

from __future__ import annotations

import re

from contracts.submission import Submission
from services.sanitiser.scanning import prefix_tree, word_start
from services.sanitiser.spans import Span
from services.sanitiser.vocabulary import RELATION_NOUNS, ROLE_NOUNS


def _alternation(phrases: tuple[str, ...]) -> str:
    """The phrases, longest first, as one prefix tree."""
    return "(?:" + prefix_tree(phrases) + ")"


_ROLE = _alternation(ROLE_NOUNS)
_RELATION = _alternation(RELATION_NOUNS)
_PREMISES = _alternation(
    (
        "school",
        "academy",
        "college",
        "centre",
        "center",
        "hostel",
        "club",
        "project",
        "library",
        "pharmacy",
        "surgery",
        "practice",
        "clinic",
        "home",
        "office",
        "station",
        "estate",
        "café",
        "cafe",
        "church",
        "mosque",
        "store",
        "shop",
        "drop-in",
        "session",
        "group",
        "unit",
        "ward",
        "team",
        "service",
        "charity",
    )
)
_I = word_start(("I",))  # the word "I", found by scanning for the letter
_OWNER = r"(?:his|her|their|the|a|an|its)"
_FEW_WORDS = r"(?:[\w'’-]+\s+){0,3}?"
_CAPITALISED_PLACE = r"(?!I\b)[A-Z][\w'’-]*(?:\s+(?!I\b)[A-Z][\w'’-]*){0,2}"
_AT_PLACE = (
    rf"(?:\s+(?i:at|on|in)\s+(?:the\s+)?(?:{_CAPITALISED_PLACE}|[a-z]+)"
    rf"(?:\s+(?i:estate|school|hostel|centre|project|club|college|academy|home))?)?"
)
_GROUP_OF = r"(?:(?i:one|two|three|some|several|a\s+few|many)\s+of\s+)?"

_LEFT_OF_RELATION = re.compile(
    rf"\b{_GROUP_OF}(?i:the|a|an|two|three|some|several)\s+(?:[\w'’-]+\s+){{0,2}}?(?i:{_RELATION})\s+$"
)
_LEFT_ARTICLE = re.compile(r"\b(?i:a|an|one|the)\s+(?:[\w'’-]+\s+){0,2}?$")
_LEFT_GROUP_OF = re.compile(r"\b(?i:one|two|three|some|several|a\s+few|many)\s+of\s+$")

# Each pattern starts at a distinctive word (fast to scan for); the optional words before it
# ("one of", "a young person") are matched separately on the text to its left.
SELF_REFERENCES: tuple[tuple[re.Pattern[str], re.Pattern[str] | None, tuple[str, ...]], ...] = tuple(
    (re.compile(core), left, needles)
    for core, left, needles in (
        # "as his form tutor at Oakfield", "being their key worker"
        (
            rf"{word_start(('as', 'being'), ignore_case=True)}\s+(?i:{_OWNER})\s+{_FEW_WORDS}(?i:{_ROLE})\b{_AT_PLACE}",
            None,
            ("as ", "being "),
        ),
        # "I'm his key worker at the hostel", "I am the deputy head at Cantell"
        (
            rf"{_I}(?:'m|’m|\s+(?i:am|was))\s+(?i:{_OWNER})\s+{_FEW_WORDS}(?i:{_ROLE})\b{_AT_PLACE}",
            None,
            ("i'm", "i’m", "i am", "i was"),
        ),
        # "I work at the youth centre", "I run the Thursday drop-in"
        (
            rf"{_I}\s+(?i:work|volunteer|teach|run|help\s+out)\s+(?i:(?:at|in|for|on|with)\s+)?"
            rf"(?i:(?:the|a|an|our)\s+)?{_FEW_WORDS}(?i:{_PREMISES})\b",
            None,
            ("i work", "i volunteer", "i teach", "i run", "i help"),
        ),
        # "one of the children I mentor", "two children I am allocated to", "I supervise"
        (
            rf"{_I}\s+(?i:supervise|teach|mentor|support|manage|case[- ]manage|look\s+after"
            r"|care\s+for|am\s+allocated\s+to|work\s+with|key[- ]work)\b",
            _LEFT_OF_RELATION,
            ("i ",),
        ),
        # "my pupil", "one of my young people", "our resident"
        (
            rf"{word_start(('my', 'our'), ignore_case=True)}\s+(?:[\w'’-]+\s+){{0,2}}?(?i:{_RELATION})\b",
            _LEFT_GROUP_OF,
            ("my ", "our "),
        ),
        # "a young person on my caseload", "in my computing lesson"
        (
            rf"{word_start(('on', 'in', 'from'), ignore_case=True)}\s+(?i:my)\s+(?:[\w'’-]+\s+)?"
            r"(?i:caseload|class|lesson|form|group|session|list|books)\b",
            _LEFT_ARTICLE,
            ("my ",),
        ),
        # "a patient of mine", "a client of ours"
        (
            rf"{word_start(('a', 'an', 'one'), ignore_case=True)}\s+(?:[\w'’-]+\s+)?(?i:{_RELATION})"
            r"\s+(?i:of\s+(?:mine|ours))\b",
            None,
            ("of mine", "of ours"),
        ),
    )
)

_FIRST_HAND = re.compile(
    r"^\s*(?:me|myself|i|self|reporter|the\s+reporter)\b"
    r"|\bmyself\b|\bby\s+me\b|\bfirst[- ]hand\b"
    r"|\bI\s+(?:saw|heard|witnessed|found|observed|noticed|was\s+told|was\s+there)\b",
    re.IGNORECASE,
)


def find_self_references(text: str) -> list[Span]:
    """Spans where the text says who the reporter is by their job or their relationship."""
    spans: list[Span] = []
    lowered = text.lower()
    for pattern, left, needles in SELF_REFERENCES:
        if not any(needle in lowered for needle in needles):
            continue
        for match in pattern.finditer(text):
            start = match.start()
            if left is not None:
                extension = left.search(text, max(0, start - 60), start)
                if extension:
                    start = extension.start()
            spans.append(Span(start, match.end(), "SELF_REFERENCE"))
    return spans


def _normalised(value: str) -> str:
    return " ".join(value.lower().split())


def source_is_reporter(submission: Submission) -> bool:
    """True when the reporter is their own source: same name, or a first-hand origin and no name."""
    source = submission.source
    if source.name:
        return _normalised(source.name) == _normalised(submission.reporter.name)
    return bool(_FIRST_HAND.search(source.origin))
