"""The receipt a professional keeps: a short digest of exactly the canonical JSON that was accepted.

How the force verifies a receipt: open the submission's sealed payload (the sanitiser's key access
unseals `SubmissionReceived.sealed` to the same canonical bytes intake sealed), take SHA-256 of those
bytes, and compare its first 16 hex characters with the receipt, ignoring spaces and case.
"""

from __future__ import annotations

import hashlib

from contracts.submission import Submission
from services.intake.domain import canonical_submission

DIGEST_HEX_CHARS = 16


def receipt_digest(canonical: bytes) -> str:
    """The first 16 hex characters of SHA-256, upper case, in groups of four for reading aloud."""
    digest = hashlib.sha256(canonical).hexdigest()[:DIGEST_HEX_CHARS].upper()
    return " ".join(digest[start : start + 4] for start in range(0, DIGEST_HEX_CHARS, 4))


def submission_receipt_digest(submission: Submission) -> str:
    return receipt_digest(canonical_submission(submission))


def receipt_matches(receipt: str, canonical: bytes) -> bool:
    return receipt.replace(" ", "").upper() == receipt_digest(canonical).replace(" ", "")
