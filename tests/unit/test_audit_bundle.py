"""Export bundles verify offline and fail after any one byte is changed."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime

import pytest

from contracts.events import EventEnvelope
from eventstore.bundle import event_line, verify_bundle, write_bundle
from eventstore.chain import GENESIS_HASH, chain_hash
from eventstore.checkpoint_signing import generate_signing_key, load_signer, parse_public_keys

PRIVATE, PUBLIC = generate_signing_key()
SIGNER = load_signer(PRIVATE, "bundle-test")
KEYS = parse_public_keys(f"bundle-test:{PUBLIC}")


def _bundle(events: int = 3, first: int = 1) -> bytes:
    previous = GENESIS_HASH if first == 1 else bytes(range(32))
    lines = []
    for position in range(first, first + events):
        envelope = EventEnvelope(
            event_id=uuid.UUID(int=position),
            type="SubmissionReceived",
            schema_version=1,
            stream_id=f"submission-CPI-{position}",
            stream_version=1,
            position=position,
            recorded_at=datetime(2026, 1, 2, 3, 4, 5, position, tzinfo=UTC),
            correlation_id=f"CPI-{position}",
            actor="intake",
            payload={"reference": f"CPI-{position}", "sealed": {"ciphertext": "Y2lwaGVy"}, "score": 0.5},
        )
        digest = chain_hash(previous, envelope)
        lines.append(event_line(envelope, digest, previous))
        previous = digest
    out = io.BytesIO()
    write_bundle(lines, SIGNER, out)
    return out.getvalue()


def test_an_untouched_bundle_verifies_with_the_public_key_alone() -> None:
    report = verify_bundle(_bundle(first=41), KEYS)
    assert report.ok, report.problem
    assert (report.events, report.first_position, report.last_position) == (3, 41, 43)


def test_changing_any_single_byte_makes_the_bundle_fail() -> None:
    data = _bundle(events=2)
    for offset in range(len(data)):
        for replacement in {data[offset] ^ 0x01, data[offset] ^ 0x20}:
            changed = data[:offset] + bytes([replacement]) + data[offset + 1 :]
            assert not verify_bundle(changed, KEYS).ok, f"byte {offset} changed to {replacement} still verified"


@pytest.mark.parametrize(
    "cut", [lambda d: d[:-1], lambda d: d[: d.index(b"\n") + 1], lambda d: d[d.index(b"\n") + 1 :], lambda d: b""]
)
def test_a_truncated_or_shortened_bundle_fails(cut: object) -> None:
    assert not verify_bundle(cut(_bundle()), KEYS).ok  # type: ignore[operator]


def test_a_bundle_signed_by_another_key_fails() -> None:
    other = parse_public_keys(f"bundle-test:{generate_signing_key()[1]}")
    report = verify_bundle(_bundle(), other)
    assert not report.ok and report.problem == "the signature does not verify"
    assert "unknown signing key" in (verify_bundle(_bundle(), {}).problem or "")


def test_an_empty_range_still_gives_a_signed_bundle_that_verifies() -> None:
    out = io.BytesIO()
    write_bundle([], SIGNER, out)
    assert verify_bundle(out.getvalue(), KEYS).ok
