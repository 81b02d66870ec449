"""Text without its invisible characters (zero-width, bidi controls, soft hyphens), with offsets mapped back.

"Qu<ZWJ>ill" shows as "Quill" but defeats a search for "Quill"; the detectors therefore search the
visible text, and the spans they find are moved back onto the original text, where they then also
cover the invisible characters inside them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import BaseModel

from contracts.submission import Submission
from services.sanitiser.spans import Span

# Unicode format characters that render as nothing (Cf: soft hyphen, Arabic letter mark, Mongolian
# vowel separator, zero-width space/non-joiner/joiner, LRM/RLM, bidi embeddings, overrides and
# isolates, word joiner and invisible operators, BOM, tags), the combining grapheme joiner and the
# variation selectors.
INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
    "\ufe00-\ufe0f\ufeff\U000e0001\U000e0020-\U000e007f]"
)


@dataclass(frozen=True)
class VisibleText:
    """The text as it shows, and where each of its characters is in the original."""

    text: str
    original_positions: tuple[int, ...] | None  # None: nothing was removed, offsets are the same

    @classmethod
    def of(cls, original: str) -> VisibleText:
        if INVISIBLE.search(original) is None:
            return cls(original, None)
        kept = [index for index, char in enumerate(original) if not INVISIBLE.match(char)]
        return cls("".join(original[index] for index in kept), tuple(kept))

    def in_original(self, spans: Iterable[Span]) -> list[Span]:
        """The spans found in the visible text, as spans of the original (invisible characters inside kept in)."""
        positions = self.original_positions
        if positions is None:
            return list(spans)
        return [
            Span(positions[span.start], positions[span.end - 1] + 1, span.kind)
            for span in spans
            if span.end > span.start
        ]


def visible(value: str) -> str:
    return INVISIBLE.sub("", value)


def with_visible_identities(submission: Submission) -> Submission:
    """The submission with invisible characters removed from the reporter's and source's own answers
    (kept where nothing else would be left), so their values match the visible text."""

    def cleaned(model: BaseModel) -> dict[str, str]:
        return {
            name: visible(value)
            for name, value in model
            if isinstance(value, str) and INVISIBLE.search(value) and visible(value).strip()
        }

    reporter, source = cleaned(submission.reporter), cleaned(submission.source)
    if not reporter and not source:
        return submission
    return submission.model_copy(
        update={
            "reporter": submission.reporter.model_copy(update=reporter),
            "source": submission.source.model_copy(update=source),
        }
    )
