"""Hypothesis strategies built from the Submission contract: valid documents in any Unicode, and broken ones.

Text comes with right-to-left marks, zero-width joiners, emoji (ZWJ sequences and flags),
combining characters and, now and then, the full 20,000 characters; never the control characters
the contract refuses. A broken document is a valid one with exactly one field made wrong, and the
`loc` pydantic must name for it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from contracts.submission import MAX_TEXT, HowKnown

RLM, LRM, ZWJ, ZWSP, RLO = "\u200f", "\u200e", "\u200d", "\u200b", "\u202e"
UNICODE_NOISE = (RLM, LRM, ZWJ, ZWSP, RLO, "\u2067", "\u2069", "\ufeff", "\u0301", "\u0308", "\u00a0")
EMOJI = ("😀", "👩\u200d👧\u200d👦", "🇬🇧", "🔪", "👍🏽", "❤\ufe0f")
# Letters of many scripts, digits, punctuation, spaces, symbols; no controls (Cc), surrogates or unassigned.
_PRINTABLE = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Co", "Cn"))
_ALLOWED_CONTROLS = st.sampled_from(("\t", "\n", "\r\n"))
_PIECE = st.one_of(_PRINTABLE, _PRINTABLE, _PRINTABLE, st.sampled_from(UNICODE_NOISE + EMOJI), _ALLOWED_CONTROLS)
_EDGE = st.characters(categories=("L", "N"))  # first and last characters: never trimmed away


@st.composite
def form_text(draw: st.DrawFn, max_length: int, *, long: bool = False) -> str:
    """Text of 1 to max_length characters after trimming; `long` sometimes repeats it up to max_length."""
    middle = draw(st.lists(_PIECE, max_size=min(60, max_length)).map("".join))
    text = draw(_EDGE) + middle + draw(_EDGE)
    if long and draw(st.booleans()):
        text = (text + " ") * draw(st.integers(1, max_length // max(1, len(text) + 1)))
        text = text.strip()
    return text[: max_length - 1].rstrip() + draw(_EDGE) if len(text) > max_length else text


telephones = st.builds(
    lambda first, middle, last: first + middle + last,
    st.sampled_from("0+("),
    st.text("0123456789+()-. ", min_size=1, max_size=36),
    st.sampled_from("0123456789"),
)
offsets = st.one_of(st.just(UTC), st.integers(-1439, 1439).map(lambda minutes: timezone(timedelta(minutes=minutes))))
emails = st.from_regex(r"\A[a-z][a-z0-9]{0,12}([._+-][a-z0-9]{1,8})?@[a-z][a-z0-9]{0,11}\.example\.org\Z")


def _optional(value: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), value)


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


reporters = st.fixed_dictionaries(
    {
        "name": form_text(200),
        "organisation": form_text(200),
        "role": _optional(form_text(200)),
        "telephone": telephones,
        "email": emails,
    }
).map(_without_none)
informations = st.fixed_dictionaries(
    {
        "text": form_text(MAX_TEXT, long=True),
        "occurred_at": _optional(st.datetimes(timezones=offsets).map(datetime.isoformat)),
        "occurred_text": _optional(form_text(200)),
        "location": form_text(2_000),
    }
).map(_without_none)
sources = st.fixed_dictionaries(
    {
        "origin": form_text(2_000),
        "name": _optional(form_text(200)),
        "date_of_birth": _optional(st.dates().map(lambda day: day.isoformat())),
        "address": _optional(form_text(2_000)),
        "can_recontact": _optional(st.booleans()),
        "telephone": _optional(telephones),
        "email": _optional(emails),
        "recontact_details": _optional(form_text(2_000)),
        "how_known": form_text(2_000),
        "how_known_choice": _optional(st.sampled_from([choice.value for choice in HowKnown])),
        "when_known": form_text(200),
    }
).map(_without_none)
valid_documents = st.fixed_dictionaries(
    {
        "reporter": reporters,
        "information": informations,
        "source": sources,
        "shared_with": form_text(2_000),
        "difficulties": _optional(form_text(2_000)),
        "mitigation": _optional(form_text(2_000)),
    }
).map(_without_none)

# Fields whose text the contract cleans (control characters refused), by path in the document.
CLEAN_TEXT_FIELDS: tuple[tuple[str, ...], ...] = (
    ("reporter", "name"),
    ("reporter", "organisation"),
    ("information", "text"),
    ("information", "location"),
    ("source", "origin"),
    ("source", "how_known"),
    ("source", "when_known"),
    ("shared_with",),
)
SHORT_TEXT_FIELDS = (("reporter", "name"), ("reporter", "organisation"), ("source", "when_known"))
REQUIRED_FIELDS = (*CLEAN_TEXT_FIELDS, ("reporter", "telephone"), ("reporter", "email"))
CONTROL_CHARACTERS = ("\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f")


@dataclass(frozen=True)
class BrokenDocument:
    """A document with one field made wrong, where pydantic must say so, and whether it is a control character."""

    document: dict[str, Any]
    loc: tuple[str, ...]
    control_character: bool = False


def _set(document: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    target = changed
    for key in path[:-1]:
        target = target[key]
    if value is _MISSING:
        target.pop(path[-1], None)
    else:
        target[path[-1]] = value
    return changed


_MISSING = object()


@st.composite
def broken_documents(draw: st.DrawFn) -> BrokenDocument:
    """A valid document with one thing wrong: a control character, a wrong type, a missing or unknown field,
    an over-long, blank, malformed email or telephone value."""
    document = draw(valid_documents)
    kind = draw(st.sampled_from(["control", "type", "missing", "unknown", "too_long", "blank", "email", "phone"]))
    if kind == "control":
        path = draw(st.sampled_from(CLEAN_TEXT_FIELDS))
        value = draw(form_text(100)) + draw(st.sampled_from(CONTROL_CHARACTERS)) + draw(form_text(50))
        return BrokenDocument(_set(document, path, value), path, control_character=True)
    if kind == "type":
        path = draw(st.sampled_from(REQUIRED_FIELDS))
        wrong = draw(st.one_of(st.integers(), st.lists(st.text(), max_size=2), st.dictionaries(st.text(), st.text())))
        return BrokenDocument(_set(document, path, wrong), path)
    if kind == "missing":
        path = draw(st.sampled_from(REQUIRED_FIELDS))
        return BrokenDocument(_set(document, path, _MISSING), path)
    if kind == "unknown":
        section = draw(st.sampled_from([(), ("reporter",), ("information",), ("source",)]))
        path = (*section, "x_" + draw(st.from_regex(r"\A[a-z]{1,10}\Z")))
        return BrokenDocument(_set(document, path, "anything"), path)
    if kind == "too_long":
        path = draw(st.sampled_from(CLEAN_TEXT_FIELDS))
        limit = MAX_TEXT if path == ("information", "text") else 200 if path in SHORT_TEXT_FIELDS else 2_000
        return BrokenDocument(_set(document, path, "x" * (limit + draw(st.integers(1, 50)))), path)
    if kind == "blank":
        path = draw(st.sampled_from(CLEAN_TEXT_FIELDS))
        return BrokenDocument(_set(document, path, draw(st.sampled_from(["", " ", "\n\t ", "\u3000"]))), path)
    if kind == "email":
        path = draw(st.sampled_from([("reporter", "email"), ("source", "email")]))
        value = draw(st.sampled_from(["not an email", "a@", "@b.example.org", "a@@b.org", "a b@c.org"]))
        return BrokenDocument(_set(document, path, value), path)
    path = draw(st.sampled_from([("reporter", "telephone"), ("source", "telephone")]))
    value = draw(st.sampled_from(["call me", "07700 900123 ext", "<script>", "0" * 41, "1"]))
    return BrokenDocument(_set(document, path, value), path)
