"""Intake refuses bad input precisely and writes nothing; duplicates by Idempotency-Key are one submission."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import httpx
import pytest

from cpi.devstack import DevStack
from tests.factories import submission_json
from tests.servers import RunningServers
from tests.stack import event_counts, stack_on, submit


@pytest.fixture(scope="module")
def intake(servers: RunningServers, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    with stack_on(servers, tmp_path_factory.mktemp("intake"), ("intake",)) as devstack:
        yield devstack


def _recorded(stack: DevStack) -> int:
    return sum(counter.total() for counter in event_counts(stack.database_url or "").values())


def _post(stack: DevStack, body: bytes, content_type: str = "application/json") -> httpx.Response:
    return httpx.post(
        f"{stack.url('intake')}/api/v1/submissions", content=body, headers={"Content-Type": content_type}, timeout=30
    )


def test_malformed_json_is_422_and_records_nothing(intake: DevStack) -> None:
    before = _recorded(intake)
    response = _post(intake, b'{"reporter": ')
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"
    assert _recorded(intake) == before


def test_schema_errors_name_every_bad_field_without_echoing_values(intake: DevStack) -> None:
    document = submission_json()
    document["reporter"] = {**document["reporter"], "email": "not-an-email", "shoe_size": 9}
    document["information"] = {**document["information"], "text": "x" * 20_001}
    del document["shared_with"]
    response = _post(intake, json.dumps(document).encode())
    assert response.status_code == 422
    locations = {tuple(error["loc"]) for error in response.json()["detail"]}
    assert {
        ("body", "reporter", "email"),
        ("body", "reporter", "shoe_size"),
        ("body", "information", "text"),
        ("body", "shared_with"),
    } <= locations
    assert "not-an-email" not in response.text


def test_control_characters_are_refused(intake: DevStack) -> None:
    response = _post(intake, json.dumps(submission_json("A knife\u0000 was seen")).encode())
    assert response.status_code == 422
    assert ["body", "information", "text"] in [error["loc"] for error in response.json()["detail"]]


def test_oversized_body_is_413(intake: DevStack) -> None:
    before = _recorded(intake)
    assert _post(intake, b"{" + b" " * (65 * 1024) + b"}").status_code == 413
    assert _recorded(intake) == before


def test_wrong_content_type_is_415(intake: DevStack) -> None:
    assert _post(intake, b"reporter=x", "application/x-www-form-urlencoded").status_code == 415


def test_same_idempotency_key_and_body_gives_the_same_reference_once(intake: DevStack) -> None:
    with httpx.Client() as client:
        first = submit(client, intake.url("intake"), submission_json(), **{"Idempotency-Key": "retry-1"})
        second = submit(client, intake.url("intake"), submission_json(), **{"Idempotency-Key": "retry-1"})
    assert first.status_code == second.status_code == 202
    assert first.json()["reference"] == second.json()["reference"]
    assert event_counts(intake.database_url or "")["SubmissionReceived"][first.json()["reference"]] == 1


def test_same_idempotency_key_with_another_body_is_409(intake: DevStack) -> None:
    with httpx.Client() as client:
        submit(client, intake.url("intake"), submission_json(), **{"Idempotency-Key": "retry-2"})
        other = submit(
            client, intake.url("intake"), submission_json("Something else entirely."), **{"Idempotency-Key": "retry-2"}
        )
    assert other.status_code == 409


def test_no_personal_data_reaches_the_store_in_plaintext(intake: DevStack) -> None:
    with httpx.Client() as client:
        reference = submit(client, intake.url("intake"), submission_json()).json()["reference"]

    async def dump() -> str:
        import asyncpg

        from eventstore.database import asyncpg_dsn

        conn = await asyncpg.connect(asyncpg_dsn(intake.database_url or ""))
        try:
            rows = await conn.fetch("SELECT payload::text AS p FROM events WHERE correlation_id = $1", reference)
            keys = await conn.fetch("SELECT wrapped_key::text AS k FROM data_keys")
        finally:
            await conn.close()
        return " ".join(r["p"] for r in rows) + " ".join(r["k"] for r in keys)

    stored = asyncio.run(dump())
    assert reference in stored
    for value in ("Harriet", "Quill", "Oakfield", "07700 900123", "Tobias", "Larkspur", "park gates"):
        assert value not in stored
