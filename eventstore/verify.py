"""Recomputes the hash chain over a range of positions and reports the first break."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from eventstore.chain import GENESIS_HASH, chain_hash
from eventstore.store import _COLUMNS, envelope_from_row


@dataclass(frozen=True)
class ChainReport:
    verified: int
    first_position: int
    last_position: int
    broken_at: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


async def verify_chain(
    conn: AsyncConnection, start: int = 1, end: int | None = None, batch: int = 2_000
) -> ChainReport:
    """Walk positions start..end (default: the head); every row must be present, in place and hash-true."""
    head = (await conn.execute(text("SELECT position, hash FROM event_store_head"))).one()
    last = int(head.position) if end is None else min(end, int(head.position))
    previous = GENESIS_HASH
    if start > 1:
        row = (await conn.execute(text("SELECT hash FROM events WHERE position = :p"), {"p": start - 1})).first()
        if row is None:
            return ChainReport(0, start, last, start - 1, "the row before the range is missing")
        previous = bytes(row.hash)
    expected = start
    verified = 0
    while expected <= last:
        rows = (
            await conn.execute(
                text(
                    f"SELECT {_COLUMNS}, hash FROM events WHERE position >= :p AND position <= :last "  # nosec B608 # constants only, values bound
                    "ORDER BY position LIMIT :n"
                ),
                {"p": expected, "last": last, "n": batch},
            )
        ).all()
        if not rows:
            return ChainReport(verified, start, last, expected, "rows are missing up to the head")
        for row in rows:
            if row.position != expected:
                return ChainReport(verified, start, last, expected, "a position is missing")
            envelope = envelope_from_row(row)
            digest = chain_hash(previous, envelope)
            if digest != bytes(row.hash):
                return ChainReport(verified, start, last, expected, "the row's hash does not match its content")
            previous = digest
            expected += 1
            verified += 1
    if end is None and last > 0 and previous != bytes(head.hash):
        return ChainReport(verified, start, last, last, "the head hash does not match the last row")
    tail = (await conn.execute(text("SELECT max(position) FROM events"))).scalar_one()
    if end is None and tail is not None and int(tail) > last:
        return ChainReport(verified, start, last, last + 1, "rows exist beyond the recorded head")
    return ChainReport(verified, start, last)
