"""The sanitiser's pure logic: a submission in, the intelligence log and partnership summary out."""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from dataclasses import dataclass
from datetime import date

from contracts.events import SanitisedText, SourceContext
from contracts.submission import Submission
from services.sanitiser.detectors import (
    find_addresses,
    find_dates_of_birth,
    find_emails,
    find_handles,
    find_ni_numbers,
    find_phones,
    find_postcodes,
)
from services.sanitiser.identity import IdentityMatcher
from services.sanitiser.invisible import VisibleText, with_visible_identities
from services.sanitiser.names import find_names
from services.sanitiser.self_reference import find_self_references, source_is_reporter
from services.sanitiser.spans import Span, render, render_plain
from services.sanitiser.vehicles import find_vehicles

SANITISER_VERSION = "sanitiser-1"


@dataclass(frozen=True)
class SanitisedProducts:
    """Both products of one submission, with the redaction tally and the cleaned context fields."""

    intelligence_log: SanitisedText
    partnership_summary: SanitisedText
    redaction_counts: dict[str, int]
    location: str
    occurred_text: str | None
    source_context: SourceContext


def _identifying_spans(text: str, identity: IdentityMatcher) -> list[Span]:
    """What the intelligence log removes: the reporter's and source's identifiers (searched in the
    text as it shows, so a zero-width character inside a name does not hide it)."""
    shown = VisibleText.of(text)
    return shown.in_original(identity.find(shown.text) + find_self_references(shown.text))


def _personal_spans(text: str, reference_year: int) -> list[Span]:
    """What the partnership summary also removes: everyone's names and personal details."""
    shown = VisibleText.of(text)
    text = shown.text
    return shown.in_original(
        find_emails(text)
        + find_phones(text)
        + find_handles(text)
        + find_vehicles(text)
        + find_ni_numbers(text)
        + find_postcodes(text)
        + find_addresses(text)
        + find_dates_of_birth(text, reference_year)
        + find_names(text)
    )


def sanitise(submission: Submission) -> SanitisedProducts:
    """Produce the intelligence log and the partnership summary of one submission."""
    is_reporter = source_is_reporter(submission)
    identity = IdentityMatcher(with_visible_identities(submission), source_is_reporter=is_reporter)
    information = submission.information
    text = information.text
    reference_year = information.occurred_at.year if information.occurred_at else date.today().year

    identifying = _identifying_spans(text, identity)
    intelligence_log = render(text, identifying)
    partnership_summary = render(text, identifying + _personal_spans(text, reference_year))
    counts = Counter(f"intelligence_log.{r.type}" for r in intelligence_log.redactions)
    counts.update(f"partnership_summary.{r.type}" for r in partnership_summary.redactions)

    def clean(value: str) -> str:
        return render_plain(value, _identifying_spans(value, identity))

    source = submission.source
    return SanitisedProducts(
        intelligence_log=intelligence_log,
        partnership_summary=partnership_summary,
        redaction_counts=dict(sorted(counts.items())),
        location=clean(information.location),
        occurred_text=clean(information.occurred_text) if information.occurred_text else None,
        source_context=SourceContext(
            how_known=clean(source.how_known),
            how_known_choice=source.how_known_choice,
            when_known=clean(source.when_known),
            shared_with=clean(submission.shared_with),
            can_recontact=source.can_recontact,
            source_is_reporter=is_reporter,
        ),
    )


def _normalised(value: str) -> str:
    return " ".join(value.lower().split())


def source_reference(submission: Submission, key: bytes) -> str:
    """A stable pseudonym for the source: the same person always gets the same reference."""
    source, reporter = submission.source, submission.reporter
    if source.name and not source_is_reporter(submission):
        identity = _normalised(source.name)
    else:
        identity = f"{_normalised(reporter.name)}|{_normalised(str(reporter.email))}"
    digest = hmac.new(key, identity.encode("utf-8"), hashlib.sha256).hexdigest()
    return "SRC-" + digest[:16]
