"""One trace per submission across every process, no personal data in any span; metrics to scrape."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cpi.devstack import DevStack
from tests.factories import submission_json
from tests.servers import RunningServers
from tests.stack import event_counts, stack_on, submit, wait_until

KNIFE = "Two older boys said they will bring a knife to the skate park tonight."
PERSONAL = ("Harriet", "Quill", "Oakfield", "07700", "Tobias", "Wrenfield", "Larkspur", "01632", "example.org")


@pytest.fixture(scope="module")
def traced(servers: RunningServers, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DevStack, Path]]:
    spans = tmp_path_factory.mktemp("spans")
    with stack_on(servers, tmp_path_factory.mktemp("traced"), env={"CPI_TRACE_DIR": str(spans)}) as devstack:
        yield devstack, spans


def _spans(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for path in folder.glob("spans-*.jsonl") for line in path.read_text().splitlines()]


def test_one_trace_runs_from_intake_through_relay_and_every_worker(traced: tuple[DevStack, Path]) -> None:
    stack, folder = traced
    with httpx.Client() as client:
        reference = submit(client, stack.url("intake"), submission_json(KNIFE)).json()["reference"]
    wait_until(lambda: event_counts(stack.database_url or "")["AlertDispatched"][reference] == 1, 30, "the alert")

    def whole_trace() -> set[str]:
        spans = _spans(folder)
        roots = [
            s for s in spans if s["attributes"].get("cpi.reference") == reference and s["name"].startswith("intake")
        ]
        if not roots:
            return set()
        return {s["service"] for s in spans if s["trace_id"] == roots[0]["trace_id"]}

    wanted = {"cpi-intake", "cpi-relay", "cpi-sanitiser", "cpi-grader", "cpi-notifier"}
    wait_until(lambda: wanted <= whole_trace(), 30, "spans from every service in one trace")
    text = json.dumps(_spans(folder))
    assert [value for value in PERSONAL if value in text] == []


def test_the_trace_id_is_stored_in_every_envelope_of_the_submission(traced: tuple[DevStack, Path]) -> None:
    import asyncio

    from eventstore.database import create_engine
    from eventstore.store import read_stream

    stack, _ = traced
    with httpx.Client() as client:
        reference = submit(client, stack.url("intake"), submission_json(KNIFE)).json()["reference"]
    wait_until(lambda: event_counts(stack.database_url or "")["AlertDispatched"][reference] == 1, 30, "the alert")

    async def trace_ids() -> set[str]:
        engine = create_engine(stack.database_url or "", pool_size=1)
        try:
            async with engine.connect() as conn:
                envelopes = await read_stream(conn, f"submission-{reference}")
        finally:
            await engine.dispose()
        return {envelope.trace_context.get("traceparent", "").split("-")[1] for envelope in envelopes}

    ids = asyncio.run(trace_ids())
    assert len(ids) == 1
    assert ids != {""}


def _exposes(url: str, metric: str) -> Callable[[], bool]:
    return lambda: metric in httpx.get(f"{url}/metrics").text


def test_every_service_exposes_prometheus_metrics(traced: tuple[DevStack, Path]) -> None:
    stack, _ = traced
    with httpx.Client() as client:
        submit(client, stack.url("intake"), submission_json(KNIFE))
    expectations = {
        "intake": "cpi_submissions_received",
        "grader": "cpi_receipt_to_graded_seconds_bucket",
        "relay": "cpi_relay_lag_events",
    }
    for service, metric in expectations.items():
        wait_until(_exposes(stack.url(service), metric), 30, f"{metric} on {service}")
    graded = httpx.get(f"{stack.url('grader')}/metrics").text
    assert 'priority="HIGH"' in graded
