"""Signed JSON Lines export bundles of the store, and their offline verification (no database needed)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.events import EventEnvelope
from eventstore.chain import GENESIS_HASH, chain_hash
from eventstore.checkpoint_signing import CheckpointSigner, bundle_message, signature_is_valid
from eventstore.store import _COLUMNS, envelope_from_row

_SIGNATURE_FIELDS = {"count", "sha256", "signature", "signing_key_id"}


def canonical_line(document: Mapping[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


def event_line(envelope: EventEnvelope, digest: bytes, previous: bytes) -> bytes:
    return canonical_line(
        {"envelope": envelope.model_dump(mode="json"), "hash": digest.hex(), "previous_hash": previous.hex()}
    )


def signature_line(body_digest: bytes, count: int, signer: CheckpointSigner) -> bytes:
    signature = signer.sign(bundle_message(body_digest))
    return canonical_line(
        {"count": count, "sha256": body_digest.hex(), "signature": signature.hex(), "signing_key_id": signer.key_id}
    )


class BundleWriter:
    """Writes event lines as they come, then the signature line over the SHA-256 of all of them."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self._body = hashlib.sha256()
        self.count = 0

    def add(self, line: bytes) -> None:
        self._out.write(line)
        self._body.update(line)
        self.count += 1

    def sign(self, signer: CheckpointSigner) -> int:
        self._out.write(signature_line(self._body.digest(), self.count, signer))
        return self.count


def write_bundle(lines: Iterable[bytes], signer: CheckpointSigner, out: BinaryIO) -> int:
    writer = BundleWriter(out)
    for line in lines:
        writer.add(line)
    return writer.sign(signer)


async def export_bundle(
    conn: AsyncConnection, start: int, end: int | None, signer: CheckpointSigner, out: BinaryIO, batch: int = 2_000
) -> int:
    """Stored rows start..end (default: the head), each with its stored hash and the one before it."""
    previous = GENESIS_HASH
    if start > 1:
        row = (await conn.execute(text("SELECT hash FROM events WHERE position = :p"), {"p": start - 1})).first()
        previous = bytes(row.hash) if row is not None else GENESIS_HASH
    head = int((await conn.execute(text("SELECT position FROM event_store_head"))).scalar_one())
    last = head if end is None else min(end, head)
    writer = BundleWriter(out)
    after = start - 1
    while after < last:
        found = (
            await conn.execute(
                text(
                    f"SELECT {_COLUMNS}, hash FROM events WHERE position > :a AND position <= :l "  # nosec B608 # constants only, values bound
                    "ORDER BY position LIMIT :n"
                ),
                {"a": after, "l": last, "n": batch},
            )
        ).all()
        if not found:
            break
        for row in found:
            digest = bytes(row.hash)
            writer.add(event_line(envelope_from_row(row), digest, previous))
            previous = digest
        after = int(found[-1].position)
    return writer.sign(signer)


@dataclass(frozen=True)
class BundleReport:
    events: int
    first_position: int | None = None
    last_position: int | None = None
    broken_at_line: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _parse_canonical(line: bytes) -> dict[str, Any] | None:
    """The line as JSON, only if it is written exactly as the exporter writes it."""
    try:
        document = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(document, dict) or canonical_line(document) != line:
        return None
    return document


def _lower_hex(value: object) -> bytes | None:
    if not isinstance(value, str) or value != value.lower():
        return None
    try:
        return bytes.fromhex(value)
    except ValueError:
        return None


def verify_bundle(data: bytes, public_keys: Mapping[str, Ed25519PublicKey]) -> BundleReport:
    """The signature must cover every byte before it, and each line must chain to the one before."""
    if not data.endswith(b"\n"):
        return BundleReport(0, problem="the bundle does not end with its signature line")
    lines = data[:-1].split(b"\n")
    lines = [line + b"\n" for line in lines]
    *events, final = lines
    signed = _parse_canonical(final)
    if signed is None or set(signed) != _SIGNATURE_FIELDS:
        return BundleReport(0, broken_at_line=len(lines), problem="the signature line is malformed")
    body = b"".join(events)
    digest = hashlib.sha256(body).digest()
    signature = _lower_hex(signed["signature"])
    if _lower_hex(signed["sha256"]) != digest or signed["count"] != len(events):
        return BundleReport(0, broken_at_line=len(lines), problem="the bundle's content does not match its digest")
    key_id = signed["signing_key_id"]
    if not isinstance(key_id, str) or key_id not in public_keys:
        return BundleReport(0, broken_at_line=len(lines), problem=f"unknown signing key {key_id!r}")
    if signature is None or not signature_is_valid(public_keys, key_id, bundle_message(digest), signature):
        return BundleReport(0, broken_at_line=len(lines), problem="the signature does not verify")
    return _verify_chain_lines(events)


def _verify_chain_lines(lines: list[bytes]) -> BundleReport:
    previous: bytes | None = None
    first = last = None
    for number, line in enumerate(lines, start=1):
        document = _parse_canonical(line)
        if document is None or set(document) != {"envelope", "hash", "previous_hash"}:
            return BundleReport(number - 1, first, last, number, "the line is malformed")
        try:
            envelope = EventEnvelope.model_validate(document["envelope"])
        except ValidationError:
            return BundleReport(number - 1, first, last, number, "the envelope is malformed")
        stated_previous, stated = _lower_hex(document["previous_hash"]), _lower_hex(document["hash"])
        if stated_previous is None or (previous is not None and stated_previous != previous):
            return BundleReport(number - 1, first, last, number, "the line does not follow the one before it")
        if last is not None and envelope.position != last + 1:
            return BundleReport(number - 1, first, last, number, "a position is missing or out of order")
        if stated != chain_hash(stated_previous, envelope):
            return BundleReport(number - 1, first, last, number, "the event's hash does not match its content")
        previous, last = stated, envelope.position
        first = envelope.position if first is None else first
    return BundleReport(len(lines), first, last)


def verify_bundle_file(path: str, public_keys: Mapping[str, Ed25519PublicKey]) -> BundleReport:
    with open(path, "rb") as handle:
        return verify_bundle(handle.read(), public_keys)
