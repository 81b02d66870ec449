"""Pure intake rules: references, the review clock, and keyed digests for idempotency."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from contracts.submission import Submission

# Crockford's base32 without I, L, O, U: unambiguous when read out over a phone.
_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class IdempotencyConflict(Exception):
    """The Idempotency-Key was used before with a different request body."""


def new_reference() -> str:
    """A random, unguessable reference such as CPI-7K3M-Q9TD (40 bits)."""
    chars = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"CPI-{chars[:4]}-{chars[4:]}"


def review_due_at(received_at: datetime, window_minutes: float) -> datetime:
    return received_at + timedelta(minutes=window_minutes)


def canonical_submission(submission: Submission) -> bytes:
    return submission.model_dump_json().encode()


def keyed_digest(key: bytes, purpose: str, value: bytes) -> bytes:
    """HMAC-SHA256, so a stored digest reveals nothing of a guessable value."""
    return hmac.new(key, purpose.encode() + b"\x00" + value, hashlib.sha256).digest()
