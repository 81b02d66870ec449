"""For the notifier's tests: graded submissions appended straight to the store, a webhook receiver, an SSE reader."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from sqlalchemy import text

from contracts.events import (
    Graded,
    GradeReason,
    Priority,
    Sanitised,
    SanitisedText,
    SealedPayload,
    SourceContext,
    SubmissionReceived,
)
from contracts.subjects import submission_stream_id
from eventstore.database import create_engine
from eventstore.store import NewEvent, append_events

REPORTER_DETAILS = ("Harriet Quill", "07700 900123", "Tobias Wrenfield")


def graded_events(reference: str, priority: Priority) -> list[NewEvent]:
    """SubmissionReceived, Sanitised and Graded for one fictional submission."""
    now = datetime.now(UTC)
    stream = submission_stream_id(reference)
    received = SubmissionReceived(
        reference=reference,
        received_at=now,
        review_due_at=now + timedelta(hours=2),
        sealed=SealedPayload(key_id=uuid.uuid4(), nonce="bm9uY2U=", ciphertext="Y2lwaGVy"),
    )
    sanitised = Sanitised(
        reference=reference,
        source_ref="src-test",
        intelligence_log=SanitisedText(
            text=f"Older boys said they will bring a knife to the park tonight ({reference})."
        ),
        partnership_summary=SanitisedText(text="Youths with a knife near a park."),
        redaction_counts={},
        location="Park gates, Westbrook Road",
        source_context=SourceContext(how_known="saw it", when_known="today", shared_with="nobody"),
        sanitiser_version="test",
    )
    graded = Graded(
        reference=reference,
        priority=priority,
        categories=["weapons"],
        reasons=[GradeReason(rule_id="weapon-imminent", text="A weapon and an imminent time.")],
        policy_version="test",
    )
    return [NewEvent(e, stream, correlation_id=reference, actor="test") for e in (received, sanitised, graded)]


async def append_graded(database_url: str, priorities: list[Priority]) -> list[str]:
    """One submission per priority, graded in list order (each its own commit); their references."""
    engine = create_engine(database_url, pool_size=1)
    references = []
    try:
        for priority in priorities:
            reference = f"CPI-T{uuid.uuid4().hex[:3].upper()}-{uuid.uuid4().hex[:4].upper()}"
            async with engine.begin() as conn:
                await append_events(conn, submission_stream_id(reference), graded_events(reference, priority), 0)
            references.append(reference)
    finally:
        await engine.dispose()
    return references


async def store_rows(database_url: str, sql: str, **params: Any) -> list[Any]:
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(text(sql), params)).all())
    finally:
        await engine.dispose()


def rows(database_url: str, sql: str, **params: Any) -> list[Any]:
    return asyncio.run(store_rows(database_url, sql, **params))


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self) -> dict[str, Any]:
        return dict(json.loads(self.body))


@dataclass
class WebhookReceiver:
    """A real HTTP server on a fixed port, in a thread: stop it to be "down", start it again on the same port."""

    port: int
    status: int = 200
    keep_alive: bool = False  # HTTP/1.1 persistent connections (the bench); tests stop it to be "down"
    received: list[Received] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if receiver.keep_alive else "HTTP/1.0"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver._lock:
                    receiver.received.append(Received(dict(self.headers.items()), body, time.time()))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                return

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def bodies(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r.json() for r in self.received]


@dataclass
class SseEvent:
    id: int
    event: str
    data: dict[str, Any]


def read_sse(
    url: str, headers: dict[str, str], until: int, timeout: float = 30.0, last_event_id: int | None = None
) -> list[SseEvent]:
    """Open the stream, read `until` events (or time out), then disconnect."""
    events: list[SseEvent] = []
    sent = dict(headers)
    if last_event_id is not None:
        sent["Last-Event-ID"] = str(last_event_id)
    deadline = time.monotonic() + timeout
    with (
        httpx.Client(timeout=httpx.Timeout(timeout, read=5.0)) as client,
        client.stream("GET", url, headers=sent) as response,
    ):
        assert response.status_code == 200, response.status_code
        for event in _parse(response.iter_lines()):
            if event is not None:
                events.append(event)
            if len(events) >= until or time.monotonic() > deadline:
                break
    return events


def _parse(lines: Iterator[str]) -> Iterator[SseEvent | None]:
    """Events as they complete; None at each keep-alive or other line, so the caller can watch the clock."""
    fields: dict[str, str] = {}
    for line in lines:
        if line == "":
            if "data" in fields:
                yield SseEvent(int(fields["id"]), fields.get("event", "message"), json.loads(fields["data"]))
            else:
                yield None
            fields = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")
        else:
            yield None
