"""The analysts' views: the timeline of a submission, linked intelligence by keyed digest, daily counts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx

from cpi.devstack import DevStack
from eventstore.database import asyncpg_dsn
from tests.factories import submission_json
from tests.stack import bearer, submit, wait_until


def _graded(stack: DevStack, secret: str, text: str) -> str:
    with httpx.Client() as client:
        reference = str(submit(client, stack.url("intake"), submission_json(text)).json()["reference"])

    def graded() -> bool:
        url = f"{stack.url('triage')}/api/v1/triage/{reference}"
        response = httpx.get(url, headers=bearer(secret, "analyst"))
        return response.status_code == 200 and response.json()["status"] == "graded"

    wait_until(graded, 30, "Graded")
    return reference


def test_a_submission_shows_the_timeline_of_its_events(stack: DevStack, jwt_secret: str) -> None:
    reference = _graded(stack, jwt_secret, "Youths drinking in the underpass most evenings.")
    view = httpx.get(f"{stack.url('triage')}/api/v1/triage/{reference}", headers=bearer(jwt_secret, "auditor")).json()
    types = [entry["type"] for entry in view["timeline"]]
    assert types[:3] == ["SubmissionReceived", "Sanitised", "Graded"]
    assert [entry["actor"] for entry in view["timeline"]][1:3] == ["sanitiser", "grader"]


def test_submissions_naming_the_same_vehicle_are_linked_without_storing_it(stack: DevStack, jwt_secret: str) -> None:
    first = _graded(stack, jwt_secret, "A silver Ford Focus, registration AB12 CDE, collects pupils after school.")
    second = _graded(stack, jwt_secret, "The car AB12CDE was parked outside the youth club again last night.")
    other = _graded(stack, jwt_secret, "A blue van, registration XY65 ZZT, parks by the gates.")
    url = f"{stack.url('triage')}/api/v1/triage/{first}/linked"
    links = httpx.get(url, headers=bearer(jwt_secret, "analyst")).json()["links"]
    assert [link["reference"] for link in links] == [second]
    assert links[0]["types"] == ["VRM"]
    assert other not in [link["reference"] for link in links]
    assert httpx.get(url, headers=bearer(jwt_secret, "auditor")).status_code == 403
    assert httpx.get(url, headers=bearer(jwt_secret, "control_room")).status_code == 403

    async def stored() -> str:
        conn = await asyncpg.connect(asyncpg_dsn(stack.database_url or ""))
        try:
            return " ".join(row["t"] for row in await conn.fetch("SELECT l::text AS t FROM linked_identifiers l"))
        finally:
            await conn.close()

    index = asyncio.run(stored())
    assert first in index
    assert "AB12" not in index.upper()
    assert "XY65" not in index.upper()


def test_daily_counts_by_priority_and_category(stack: DevStack, jwt_secret: str) -> None:
    _graded(stack, jwt_secret, "Two boys said they will bring a knife to the park tonight.")
    since = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    response = httpx.get(
        f"{stack.url('triage')}/api/v1/triage/stats/daily",
        params={"since": since},
        headers=bearer(jwt_secret, "supervisor"),
    )
    assert response.status_code == 200
    days = response.json()["days"]
    assert any(row["priority"] == "HIGH" and row["category"] == "weapons" and row["submissions"] >= 1 for row in days)
