"""Fictional test data: Ofcom drama phone ranges, example.org addresses, invented people and places."""

from __future__ import annotations

from typing import Any

from contracts.events import SealedPayload, SubmissionReceived
from eventstore.store import NewEvent


def submission_json(
    text: str = "A group of older youths are meeting Year 9 pupils at the park gates after school.", **over: Any
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "reporter": {
            "name": "Harriet Quill",
            "organisation": "Oakfield Academy",
            "role": "Designated safeguarding lead",
            "telephone": "07700 900123",
            "email": "h.quill@oakfield.example.org",
        },
        "information": {
            "text": text,
            "occurred_text": "most weekdays around 3.30pm",
            "location": "Park gates opposite Oakfield Academy, Southampton SO15 2AB",
        },
        "source": {
            "origin": "A pupil told me",
            "name": "Tobias Wrenfield",
            "date_of_birth": "2011-04-02",
            "address": "14 Larkspur Road, Southampton SO15 5QT",
            "can_recontact": True,
            "telephone": "01632 960456",
            "how_known": "He saw it himself on his way home",
            "how_known_choice": "saw_or_heard",
            "when_known": "Yesterday",
        },
        "shared_with": "Only the head teacher",
    }
    document.update(over)
    return document


def received_event(reference: str, n: int = 0) -> NewEvent:
    from datetime import UTC, datetime
    from uuid import uuid4

    now = datetime.now(UTC)
    event = SubmissionReceived(
        reference=reference,
        received_at=now,
        review_due_at=now,
        sealed=SealedPayload(key_id=uuid4(), nonce="bm9uY2U=", ciphertext=f"Y2lwaGVy{n}"),
    )
    return NewEvent(event, f"submission-{reference}", correlation_id=reference, actor="test")
