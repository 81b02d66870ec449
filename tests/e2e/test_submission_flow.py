"""One submission through every service, each its own process, on real NATS and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import nats

from contracts.subjects import CONTROL_ROOM_STREAM
from cpi.devstack import DevStack
from tests.factories import submission_json
from tests.stack import bearer, event_counts, submit, wait_until

HIGH_TEXT = (
    "Two older boys are carrying a knife and told a Year 9 pupil they will stab him at the park "
    "gates after school tomorrow. The pupil is 14 and frightened."
)


def _triage(stack: DevStack, secret: str, reference: str) -> dict[str, object]:
    response = httpx.get(f"{stack.url('triage')}/api/v1/triage/{reference}", headers=bearer(secret, "analyst"))
    return dict(response.json()) if response.status_code == 200 else {}


async def _control_room_alerts(nats_url: str) -> list[dict[str, object]]:
    client = await nats.connect(nats_url)
    try:
        js = client.jetstream()
        sub = await js.pull_subscribe("cpi.control_room.>", durable="e2e-check", stream=CONTROL_ROOM_STREAM)
        messages = await sub.fetch(50, timeout=3)
        return [json.loads(m.data) for m in messages]
    except nats.errors.TimeoutError:
        return []
    finally:
        await client.close()


def test_a_high_priority_submission_is_sanitised_graded_pushed_and_auditable(stack: DevStack, jwt_secret: str) -> None:
    document = submission_json(HIGH_TEXT)
    with httpx.Client() as client:
        response = submit(client, stack.url("intake"), document)
    assert response.status_code == 202, response.text
    reference = response.json()["reference"]
    assert response.json()["received_at"]

    wait_until(
        lambda: _triage(stack, jwt_secret, reference).get("status") == "graded", 30, "the triage view to show Graded"
    )
    wait_until(lambda: _triage(stack, jwt_secret, reference).get("alert_state") == "dispatched", 30, "AlertDispatched")
    view = _triage(stack, jwt_secret, reference)
    grade = view["grade"]
    assert isinstance(grade, dict)
    assert grade["priority"] == "HIGH"
    assert grade["reasons"], "a grade always says why"
    assert view["received_at"] and view["graded_at"]
    log_text = view["intelligence_log"]["text"]  # type: ignore[index]
    assert "knife" in log_text
    for value in ("Harriet", "Quill", "Oakfield Academy", "07700 900123", "Tobias", "Wrenfield", "01632 960456"):
        assert value not in log_text

    counts = event_counts(stack.database_url or "")
    for event_type in ("SubmissionReceived", "Sanitised", "Graded", "AlertDispatched"):
        assert counts[event_type][reference] == 1, event_type

    alerts = asyncio.run(_control_room_alerts(stack.nats_url or ""))
    mine = [a for a in alerts if a["reference"] == reference]
    assert len(mine) == 1 and mine[0]["priority"] == "HIGH"
    assert "Harriet" not in json.dumps(mine[0]) and "Tobias" not in json.dumps(mine[0])

    verify = subprocess.run(
        [sys.executable, "-m", "cpi", "audit", "verify"],
        env={**os.environ, "DATABASE_URL": stack.database_url or ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "chain intact" in verify.stdout


def test_triage_filters_by_priority_and_needs_a_reader_role(stack: DevStack, jwt_secret: str) -> None:
    with httpx.Client() as client:
        reference = submit(client, stack.url("intake"), submission_json(HIGH_TEXT)).json()["reference"]
        wait_until(lambda: _triage(stack, jwt_secret, reference).get("status") == "graded", 30, "Graded")
        url = f"{stack.url('triage')}/api/v1/triage"
        high = client.get(url, params={"priority": "HIGH"}, headers=bearer(jwt_secret, "analyst")).json()
        normal = client.get(url, params={"priority": "NORMAL"}, headers=bearer(jwt_secret, "analyst")).json()
        assert reference in [item["reference"] for item in high["items"]]
        assert reference not in [item["reference"] for item in normal["items"]]
        assert client.get(url).status_code == 401
        assert client.get(url, headers={"Authorization": "Bearer not-a-token"}).status_code == 401
        assert client.get(url, headers=bearer(jwt_secret, "control_room")).status_code == 403
        assert client.get(url, params={"priority": "URGENT"}, headers=bearer(jwt_secret, "analyst")).status_code == 422
        assert client.get(f"{url}/CPI-0000-0000", headers=bearer(jwt_secret, "analyst")).status_code == 404


def test_every_service_answers_health_and_readiness(stack: DevStack) -> None:
    for name, service in stack.services.items():
        assert httpx.get(f"{service.url}/healthz").json() == {"status": "alive"}, name
        assert httpx.get(f"{service.url}/readyz").status_code == 200, name


def test_stack_file_names_every_url(stack: DevStack) -> None:
    described = json.loads((Path(stack.root) / "dev-stack.json").read_text())
    for key in ("intake_url", "triage_url", "notifier_url", "nats_url", "database_url"):
        assert described[key], key
