"""The notifier's pure rules: signatures, back-off, escalation timing, SSE framing, which gradings alert."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.events import AlertDispatched, Priority
from services.common.settings import MissingSetting
from services.notifier.delivery_policy import AttemptResult, backoff_delay, exhausted
from services.notifier.domain import alert_id_for, already_alerted, derived_event_id, safe_trace_headers
from services.notifier.escalation import escalation_key, first_escalation_at, next_escalation_at
from services.notifier.settings import NotifierSettings, WebhookEndpoint
from services.notifier.signatures import signature_header, verify_signature
from services.notifier.sse import BadLastEventId, resume_position, sse_message

SECRET = b"a shared secret"


@given(st.binary(max_size=2000), st.integers(min_value=1_600_000_000, max_value=2_000_000_000))
def test_a_signature_verifies_for_its_body_and_secret_within_the_window(body: bytes, timestamp: int) -> None:
    header = signature_header(SECRET, timestamp, body)
    assert verify_signature(SECRET, header, body, timestamp + 299, 300)
    assert not verify_signature(SECRET, header, body + b"x", timestamp, 300)
    assert not verify_signature(b"another secret", header, body, timestamp, 300)


def test_a_signature_outside_the_replay_window_or_malformed_is_refused() -> None:
    header = signature_header(SECRET, 1_700_000_000, b"{}")
    assert not verify_signature(SECRET, header, b"{}", 1_700_000_301, 300)
    assert not verify_signature(SECRET, header, b"{}", 1_699_999_699, 300)
    for bad in ("", "t=,v1=", "v1=abc", "t=1700000000", "t=abc,v1=00"):
        assert not verify_signature(SECRET, bad, b"{}", 1_700_000_000, 300)
    assert verify_signature(SECRET.decode(), header, b"{}", 1_700_000_000, 300), "a str secret works too"


def test_backoff_grows_exponentially_with_jitter_and_is_capped() -> None:
    rand = random.Random(7)
    for attempts in range(1, 12):
        ceiling = min(30.0, 0.5 * 2 ** (attempts - 1))
        delay = backoff_delay(attempts, 0.5, 30.0, rand)
        assert ceiling / 2 <= delay <= ceiling
    assert exhausted(3, 3) and not exhausted(2, 3)


def test_an_attempt_result_names_its_status_or_error_kind_never_a_body() -> None:
    assert AttemptResult(204, None, 3).delivered
    assert not AttemptResult(503, None, 3).delivered
    assert AttemptResult(503, None, 3).describe() == "HTTPStatus 503"
    assert AttemptResult(None, "ConnectError", 1).describe() == "ConnectError"


def test_only_high_alerts_escalate_each_interval_after_the_last_push() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    assert first_escalation_at(Priority.HIGH, at, 300) == at + timedelta(minutes=5)
    assert first_escalation_at(Priority.CRIME_NOT_INTEL, at, 300) is None
    assert next_escalation_at(at, 2) == at + timedelta(seconds=2)
    alert = uuid.uuid4()
    assert derived_event_id(alert, escalation_key(1)) != derived_event_id(alert, escalation_key(2))
    assert derived_event_id(alert, escalation_key(1)) == derived_event_id(alert, escalation_key(1))


def test_one_alert_per_submission_and_channel() -> None:
    assert alert_id_for("CPI-AAAA-BBBB", "high") == alert_id_for("CPI-AAAA-BBBB", "high")
    assert alert_id_for("CPI-AAAA-BBBB", "high") != alert_id_for("CPI-AAAA-BBBB", "crime")
    dispatched = AlertDispatched(
        reference="CPI-AAAA-BBBB", alert_id=uuid.uuid4(), channel="high", priority=Priority.HIGH, subject="s"
    )
    assert already_alerted([dispatched], "high") and not already_alerted([dispatched], "crime")


def test_sse_messages_are_one_data_line_with_the_position_as_id() -> None:
    text = sse_message(42, "alert", {"text": "line one\nline two\r\nid: 99"})
    lines = text.split("\n")
    assert lines[:2] == ["id: 42", "event: alert"]
    assert lines[2].startswith("data: ") and json.loads(lines[2][6:]) == {"text": "line one\nline two\r\nid: 99"}
    assert text.endswith("\n\n") and text.count("\n") == 4


def test_resume_position_prefers_last_event_id_and_refuses_a_non_position() -> None:
    assert resume_position("17", 5) == 17
    assert resume_position(None, 5) == 5
    assert resume_position(None, None) == 0
    for bad in ("-1", "abc", "1e3", "9" * 30):
        with pytest.raises(BadLastEventId):
            resume_position(bad, None)


def test_trace_headers_go_out_only_when_well_formed() -> None:
    good = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    assert safe_trace_headers({"traceparent": good}) == {"traceparent": good}
    assert safe_trace_headers({"traceparent": good + "\r\nX-Evil: 1"}) == {}
    assert safe_trace_headers({"traceparent": good, "tracestate": "a=b\r\nX: y"}) == {"traceparent": good}


def test_webhook_settings_need_exactly_one_secret_and_known_channels() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        WebhookEndpoint(name="a", url="https://example.org/h")
    with pytest.raises(ValueError, match="unknown channels"):
        WebhookEndpoint(name="a", url="https://example.org/h", secret="s", channels=["normal"])
    settings = NotifierSettings(
        webhooks=[
            WebhookEndpoint(name="a", url="https://example.org/h", secret_env="HOOK_A"),
            WebhookEndpoint(name="b", url="https://example.org/i", secret="s", max_attempts=2),
        ]
    )
    a, b = settings.webhook_targets({"HOOK_A": "from-env"})
    assert a.secret == b"from-env" and a.max_attempts == 8 and a.channels == {"high", "crime"}
    assert b.secret == b"s" and b.max_attempts == 2
    with pytest.raises(MissingSetting):
        settings.webhook_targets({})
