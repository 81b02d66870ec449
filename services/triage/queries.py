"""Reads of the triage view, shaped as the API returns them."""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

VIEW_COLUMNS = (
    "reference, status, received_at, review_due_at, sanitised_at, graded_at, priority, categories, grade, "
    "intelligence_log, partnership_summary, redaction_counts, alert_state, reviewed_at, breached, "
    "assigned_team, outcome, erased"
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
        "reviewed_at": _iso(row.reviewed_at),
        "breached": row.breached,
        "assigned_team": row.assigned_team,
        "outcome": row.outcome,
        "erased": row.erased,
    }


async def get_submission(conn: AsyncConnection, reference: str) -> dict[str, Any] | None:
    query = f"SELECT {VIEW_COLUMNS} FROM triage_submissions WHERE reference = :r"  # nosec B608 # constants only
    row = (await conn.execute(text(query), {"r": reference})).first()
    return submission_view(row) if row else None


def encode_cursor(due: datetime, reference: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([due.isoformat(), reference]).encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        due, reference = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return datetime.fromisoformat(due), str(reference)
    except (ValueError, TypeError) as exc:
        raise BadCursor("the cursor is not valid") from exc


@dataclass(frozen=True)
class QueueFilter:
    priority: str | None = None
    status: str | None = None
    category: str | None = None
    breached: bool | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None


# Each filter's SQL; only these fixed strings are ever put into the query, values are bound.
_FILTER_SQL = {
    "priority": "priority = :priority",
    "status": "status = :status",
    "category": "categories @> jsonb_build_array(CAST(:category AS text))",
    "breached": "breached = :breached",
    "received_from": "received_at >= :received_from",
    "received_to": "received_at < :received_to",
}


async def list_submissions(
    conn: AsyncConnection, queue: QueueFilter, *, limit: int, cursor: str | None
) -> dict[str, Any]:
    """Deadline first, then reference; a cursor continues after the last row of the previous page."""
    clauses: list[str] = []
    params: dict[str, Any] = {"limit": limit + 1}
    for name, value in asdict(queue).items():
        if value is not None:
            clauses.append(_FILTER_SQL[name])
            params[name] = value
    if cursor:
        due, reference = decode_cursor(cursor)
        clauses.append("(review_due_at, reference) > (:due, :after)")
        params.update({"due": due, "after": reference})
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    order = "ORDER BY review_due_at, reference LIMIT :limit"
    query = f"SELECT {VIEW_COLUMNS} FROM triage_submissions {where} {order}"  # nosec B608 # fixed clauses, bound values
    rows = (await conn.execute(text(query), params)).all()
    page = rows[:limit]
    next_cursor = encode_cursor(page[-1].review_due_at, page[-1].reference) if len(rows) > limit else None
    return {"items": [submission_view(row) for row in page], "next_cursor": next_cursor}


async def linked_submissions(conn: AsyncConnection, reference: str) -> list[dict[str, Any]]:
    """Other submissions that share an identifier digest with this one, most shared first."""
    rows = await conn.execute(
        text(
            "SELECT other.reference, array_agg(DISTINCT other.type ORDER BY other.type) AS types, count(*) AS shared "
            "FROM linked_identifiers mine JOIN linked_identifiers other "
            "ON other.digest = mine.digest AND other.reference <> mine.reference "
            "WHERE mine.reference = :r GROUP BY other.reference ORDER BY shared DESC, other.reference LIMIT 100"
        ),
        {"r": reference},
    )
    return [{"reference": row.reference, "types": list(row.types), "shared": row.shared} for row in rows]


async def daily_counts(conn: AsyncConnection, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Submissions received per day, by priority and category."""
    rows = await conn.execute(
        text(
            "SELECT date(received_at AT TIME ZONE 'UTC') AS day, coalesce(priority, 'UNGRADED') AS priority, "
            "category, count(*) AS submissions FROM triage_submissions "
            "LEFT JOIN LATERAL jsonb_array_elements_text(categories) AS category ON true "
            "WHERE received_at >= :since AND received_at < :until "
            "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
        ),
        {"since": since, "until": until},
    )
    return [
        {"day": row.day.isoformat(), "priority": row.priority, "category": row.category, "submissions": row.submissions}
        for row in rows
    ]
