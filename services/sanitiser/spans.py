"""Found spans of personal data: merging overlaps and rendering a product with typed placeholders."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from contracts.events import Redaction, SanitisedText

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


def merge_spans(spans: Iterable[Span], text: str) -> list[Span]:
    """Sort spans and fuse overlapping ones, and same-kind ones only whitespace apart."""
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if span.end <= span.start:
            continue
        joins_same_kind = merged and merged[-1].kind == span.kind and not text[merged[-1].end : span.start].strip()
        if merged and (span.start < merged[-1].end or joins_same_kind):
            last = merged[-1]
            kind = min(last.kind, span.kind, key=lambda k: _PRIORITY.get(k, 99))
            merged[-1] = Span(last.start, max(last.end, span.end), kind)
        else:
            merged.append(span)
    return merged


def render(text: str, spans: Iterable[Span]) -> SanitisedText:
    """Replace each merged span with its placeholder; offsets stay those of the original text."""
    pieces: list[str] = []
    redactions: list[Redaction] = []
    cursor = 0
    for span in merge_spans(spans, text):
        pieces.append(text[cursor : span.start])
        pieces.append(PLACEHOLDERS.get(span.kind, "[REDACTED]"))
        redactions.append(Redaction(type=span.kind, start=span.start, end=span.end))
        cursor = span.end
    pieces.append(text[cursor:])
    return SanitisedText(text="".join(pieces), redactions=redactions)


def render_plain(text: str, spans: Iterable[Span]) -> str:
    """The same replacement for short fields whose offsets nobody needs."""
    return render(text, spans).text
