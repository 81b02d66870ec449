"""Reads of the triage view, shaped as the API returns them."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

_COLUMNS = (
    "reference, status, received_at, review_due_at, sanitised_at, graded_at, priority, categories, grade, "
    "intelligence_log, partnership_summary, redaction_counts, alert_state"
)


class BadCursor(ValueError):
    """The cursor was not one this API issued."""


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def submission_view(row: Any) -> dict[str, Any]:
    log = _json(row.intelligence_log) or {}
    summary = _json(row.partnership_summary) or {}
    return {
        "reference": row.reference,
        "status": row.status,
        "received_at": _iso(row.received_at),
        "review_due_at": _iso(row.review_due_at),
        "sanitised_at": _iso(row.sanitised_at),
        "graded_at": _iso(row.graded_at),
        "intelligence_log": {"text": log.get("text")},
        "partnership_summary": {"text": summary.get("text")},
        "redactions": _json(row.redaction_counts) or {},
        "grade": _json(row.grade),
        "alert_state": row.alert_state,
    }


async def get_submission(conn: AsyncConnection, reference: str) -> dict[str, Any] | None:
    row = (
        await conn.execute(text(f"SELECT {_COLUMNS} FROM triage_submissions WHERE reference = :r"), {"r": reference})
    ).first()
    return submission_view(row) if row else None


def encode_cursor(due: datetime, reference: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([due.isoformat(), reference]).encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        due, reference = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return datetime.fromisoformat(due), str(reference)
    except (ValueError, TypeError) as exc:
        raise BadCursor("the cursor is not valid") from exc


async def list_submissions(
    conn: AsyncConnection, *, priority: str | None, status: str | None, limit: int, cursor: str | None
) -> dict[str, Any]:
    """Deadline first, then reference; a cursor continues after the last row of the previous page."""
    clauses: list[str] = []
    params: dict[str, Any] = {"limit": limit + 1}
    if priority:
        clauses.append("priority = :priority")
        params["priority"] = priority
    if status:
        clauses.append("status = :status")
        params["status"] = status
    if cursor:
        due, reference = decode_cursor(cursor)
        clauses.append("(review_due_at, reference) > (:due, :after)")
        params.update({"due": due, "after": reference})
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = (
        await conn.execute(
            text(f"SELECT {_COLUMNS} FROM triage_submissions {where} ORDER BY review_due_at, reference LIMIT :limit"),
            params,
        )
    ).all()
    page = rows[:limit]
    next_cursor = encode_cursor(page[-1].review_due_at, page[-1].reference) if len(rows) > limit else None
    return {"items": [submission_view(row) for row in page], "next_cursor": next_cursor}
