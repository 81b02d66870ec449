"""Found spans of personal data: merging overlaps and rendering a product with typed placeholders."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from contracts.events import SanitisedText

PLACEHOLDERS: dict[str, str] = {
    "REPORTER_NAME": "[REPORTER]",
    "REPORTER_ORG": "[REPORTER_ORG]",
    "REPORTER_ROLE": "[REPORTER_ROLE]",
    "SOURCE_NAME": "[SOURCE]",
    "SELF_REFERENCE": "[SELF_REFERENCE]",
    "RECONTACT_DETAILS": "[SOURCE_CONTACT]",
    "PHONE": "[PHONE]",
    "EMAIL": "[EMAIL]",
    "ADDRESS": "[ADDRESS]",
    "DOB": "[DOB]",
    "NAME": "[NAME]",
    "VRM": "[VRM]",
    "NI_NUMBER": "[NI_NUMBER]",
    "HANDLE": "[HANDLE]",
    "POSTCODE": "[POSTCODE]",
}

# When spans overlap the merged span keeps the most protective type: who reported it comes first.
_PRIORITY = {
    kind: rank
    for rank, kind in enumerate(
        (
            "REPORTER_NAME",
            "SOURCE_NAME",
            "REPORTER_ORG",
            "REPORTER_ROLE",
            "SELF_REFERENCE",
            "RECONTACT_DETAILS",
            "EMAIL",
            "PHONE",
            "ADDRESS",
            "DOB",
            "NI_NUMBER",
            "VRM",
            "HANDLE",
            "NAME",
            "POSTCODE",
        )
    )
}


class Span(NamedTuple):
    """A half-open range [start, end) of a text and the kind of personal data it holds."""

    start: int
    end: int
    kind: str


def _sort_key(span: Span) -> tuple[int, int]:
    return span.start, -span.end


def merge_spans(spans: Iterable[Span], text: str) -> list[Span]:
    """Sort spans and fuse overlapping ones, and same-kind ones only whitespace apart."""
    merged: list[Span] = []
    last: Span | None = None
    for span in sorted(spans, key=_sort_key):
        if span.end <= span.start:
            continue
        if last is not None and (
            span.start < last.end or (last.kind == span.kind and not text[last.end : span.start].strip())
        ):
            # The more protective kind wins; on a tie, the one already there.
            kind = last.kind
            if span.kind != kind and _PRIORITY.get(span.kind, 99) < _PRIORITY.get(kind, 99):
                kind = span.kind
            last = merged[-1] = Span(last.start, max(last.end, span.end), kind)
        else:
            merged.append(span)
            last = span
    return merged


def render(text: str, spans: Iterable[Span]) -> SanitisedText:
    """Replace each merged span with its placeholder; offsets stay those of the original text."""
    pieces: list[str] = []
    redactions: list[dict[str, str | int]] = []
    cursor = 0
    for span in merge_spans(spans, text):
        pieces.append(text[cursor : span.start])
        pieces.append(PLACEHOLDERS.get(span.kind, "[REDACTED]"))
        redactions.append({"type": span.kind, "start": span.start, "end": span.end})
        cursor = span.end
    pieces.append(text[cursor:])
    # Validated in one call rather than one model at a time.
    return SanitisedText.model_validate({"text": "".join(pieces), "redactions": redactions})


def render_plain(text: str, spans: Iterable[Span]) -> str:
    """The same replacement for short fields whose offsets nobody needs."""
    pieces: list[str] = []
    cursor = 0
    for span in merge_spans(spans, text):
        pieces.append(text[cursor : span.start])
        pieces.append(PLACEHOLDERS.get(span.kind, "[REDACTED]"))
        cursor = span.end
    pieces.append(text[cursor:])
    return "".join(pieces)
