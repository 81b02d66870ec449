"""The history's redaction: sealed personal data is only ever a marker."""

from __future__ import annotations

from eventstore.history import ENCRYPTED, ERASED, redacted_payload, sealed_key_ids

SEALED = {"key_id": "0b1c", "nonce": "bm9uY2U=", "ciphertext": "Y2lwaGVy"}


def test_sealed_payload_is_shown_as_encrypted_while_its_key_exists() -> None:
    payload = redacted_payload("SubmissionReceived", {"reference": "CPI-1", "sealed": SEALED}, erased=False)
    assert payload == {"reference": "CPI-1", "sealed": ENCRYPTED}


def test_sealed_payload_is_shown_as_erased_once_the_key_is_gone() -> None:
    assert redacted_payload("SubmissionReceived", {"sealed": SEALED}, erased=True) == {"sealed": ERASED}


def test_other_events_are_shown_as_recorded() -> None:
    payload = {"reference": "CPI-1", "priority": "HIGH"}
    assert redacted_payload("Graded", payload, erased=True) == payload


def test_the_key_ids_come_from_sealed_payloads_only() -> None:
    rows = [
        {"type": "SubmissionReceived", "payload": {"sealed": SEALED}},
        {"type": "Graded", "payload": {"sealed": {"key_id": "ignored"}}},
    ]
    assert sealed_key_ids(rows) == {"0b1c"}
