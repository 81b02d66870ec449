"""The auditors' endpoints on the real triage app: history with personal data hidden, verify, and roles."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.events import SubmissionErased
from eventstore.data_keys import WrappedKey, store_data_key
from eventstore.store import NewEvent, append_events
from services.common.auth import ROLES, issue_token
from services.common.settings import PipelineSettings
from services.triage.app import create_app
from tests.factories import received_event
from tests.integration.audit_history_builder import graded_event, sanitised_event

ENDPOINTS = {
    "/api/v1/audit/CPI-AAAA-0001/events": ("auditor", "supervisor", "admin"),
    "/api/v1/audit/verify": ("auditor",),
}


@pytest.fixture
def client(settings: PipelineSettings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def bearer(settings: PipelineSettings, role: str) -> dict[str, str]:
    return {"Authorization": "Bearer " + issue_token(settings.require("jwt_secret"), role)}


async def _submission(engine: AsyncEngine, reference: str, *, keep_key: bool) -> str:
    received = received_event(reference)
    sealed = received.event.sealed  # type: ignore[attr-defined]
    async with engine.begin() as conn:
        await append_events(
            conn, f"submission-{reference}", [received, sanitised_event(reference), graded_event(reference, 0)], 0
        )
        if keep_key:
            await store_data_key(conn, reference, WrappedKey(sealed.key_id, "test-1", b"wrapped"))
    return str(sealed.ciphertext)


async def test_history_lists_every_event_in_order_with_sealed_data_shown_as_encrypted(
    engine: AsyncEngine, client: TestClient, settings: PipelineSettings
) -> None:
    ciphertext = await _submission(engine, "CPI-AAAA-0001", keep_key=True)
    await _submission(engine, "CPI-BBBB-0002", keep_key=True)
    response = client.get("/api/v1/audit/CPI-AAAA-0001/events", headers=bearer(settings, "auditor"))
    assert response.status_code == 200
    events = response.json()["events"]
    assert [e["type"] for e in events] == ["SubmissionReceived", "Sanitised", "Graded"]
    assert [e["position"] for e in events] == [1, 2, 3]
    assert events[0]["payload"]["sealed"] == "[encrypted]"
    assert {"event_id", "stream_id", "stream_version", "recorded_at", "actor", "hash"} <= set(events[0])
    assert ciphertext not in response.text


async def test_history_shows_erased_once_the_data_key_is_gone_or_an_erasure_is_recorded(
    engine: AsyncEngine, client: TestClient, settings: PipelineSettings
) -> None:
    ciphertext = await _submission(engine, "CPI-AAAA-0001", keep_key=False)
    response = client.get("/api/v1/audit/CPI-AAAA-0001/events", headers=bearer(settings, "supervisor"))
    assert response.json()["events"][0]["payload"]["sealed"] == "[erased]"
    assert ciphertext not in response.text
    await _submission(engine, "CPI-CCCC-0003", keep_key=True)
    erased = SubmissionErased(reference="CPI-CCCC-0003", key_id=uuid.uuid4(), reason="request", erased_by="admin-1")
    async with engine.begin() as conn:
        await append_events(
            conn, "erasures", [NewEvent(erased, "erasures", correlation_id="CPI-CCCC-0003", actor="admin-1")], -1
        )
    events = client.get("/api/v1/audit/CPI-CCCC-0003/events", headers=bearer(settings, "admin")).json()["events"]
    assert events[0]["payload"]["sealed"] == "[erased]"
    assert events[-1]["type"] == "SubmissionErased" and events[-1]["stream_id"] == "erasures"


async def test_history_of_an_unknown_reference_is_404(client: TestClient, settings: PipelineSettings) -> None:
    response = client.get("/api/v1/audit/CPI-NONE-0000/events", headers=bearer(settings, "auditor"))
    assert response.status_code == 404


async def test_verify_endpoint_reports_an_intact_chain_then_the_tampered_position(
    engine: AsyncEngine, client: TestClient, settings: PipelineSettings
) -> None:
    await _submission(engine, "CPI-AAAA-0001", keep_key=True)
    body = client.get("/api/v1/audit/verify", headers=bearer(settings, "auditor")).json()
    assert body == {
        "ok": True,
        "verified": 3,
        "first_position": 1,
        "last_position": 3,
        "broken_at": None,
        "problem": None,
    }
    async with engine.begin() as conn:
        await conn.execute(text("ALTER TABLE events DISABLE TRIGGER USER"))
        await conn.execute(text("UPDATE events SET actor = 'mallory' WHERE position = 2"))
        await conn.execute(text("ALTER TABLE events ENABLE TRIGGER USER"))
    body = client.get("/api/v1/audit/verify?from=2&to=3", headers=bearer(settings, "auditor")).json()
    assert body["ok"] is False and body["broken_at"] == 2 and body["first_position"] == 2
    assert client.get("/api/v1/audit/verify?from=3&to=2", headers=bearer(settings, "auditor")).status_code == 422


@pytest.mark.parametrize("path", list(ENDPOINTS))
async def test_audit_endpoints_need_a_token_and_one_of_their_roles(
    client: TestClient, settings: PipelineSettings, path: str
) -> None:
    assert client.get(path).status_code == 401
    for role in ROLES:
        status = client.get(path, headers=bearer(settings, role)).status_code
        if role in ENDPOINTS[path]:
            assert status in (200, 404), role
        else:
            assert status == 403, role
