"""Small pure rules of the services: references, retries, channels, tokens, the chain's canonical form."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import jwt
import pytest

from contracts.events import EventEnvelope, Priority
from eventstore.chain import GENESIS_HASH, chain_hash
from services.common.auth import TokenVerifier, issue_token
from services.common.consumer import retry_delay
from services.common.transient import is_transient
from services.intake.domain import keyed_digest, new_reference
from services.notifier.domain import alert_id_for, channel_for


def test_references_are_unambiguous_and_distinct() -> None:
    references = {new_reference() for _ in range(1_000)}
    assert len(references) == 1_000
    assert all(re.fullmatch(r"CPI-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", r) for r in references)


def test_keyed_digests_depend_on_key_and_purpose() -> None:
    assert keyed_digest(b"k1", "a", b"v") != keyed_digest(b"k2", "a", b"v")
    assert keyed_digest(b"k1", "a", b"v") != keyed_digest(b"k1", "b", b"v")


def test_retry_delay_grows_and_is_capped() -> None:
    delays = [retry_delay(n) for n in range(1, 10)]
    assert delays == sorted(delays)
    assert delays[0] == 0.5
    assert delays[-1] == 30.0


def test_database_and_network_failures_are_transient_but_bugs_are_not() -> None:
    assert is_transient(ConnectionRefusedError())
    assert is_transient(TimeoutError())
    assert not is_transient(KeyError("x"))
    assert not is_transient(ValueError("x"))


class _DriverError(Exception):
    """Stands in for SQLAlchemy's adapted copy of an asyncpg error: it keeps only the SQLSTATE."""

    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def test_a_server_shutting_down_or_a_dropped_connection_is_transient_but_a_constraint_is_not() -> None:
    from sqlalchemy.exc import DBAPIError

    for sqlstate in ("57P03", "57P01", "08003", "08006"):
        assert is_transient(DBAPIError("INSERT", None, _DriverError(sqlstate)))
    assert not is_transient(DBAPIError("INSERT", None, _DriverError("23505")))


def test_only_high_and_crime_gradings_become_alerts_each_with_a_stable_id() -> None:
    assert channel_for(Priority.HIGH) == "high"
    assert channel_for(Priority.CRIME_NOT_INTEL) == "crime"
    assert channel_for(Priority.NORMAL) is None
    cause = uuid.uuid4()
    assert alert_id_for(cause, "high") == alert_id_for(cause, "high")
    assert alert_id_for(cause, "high") != alert_id_for(uuid.uuid4(), "high")


def test_tokens_carry_a_role_and_are_checked_for_signature_and_audience() -> None:
    verifier = TokenVerifier("s" * 32, "cpi")
    assert verifier.verify(issue_token("s" * 32, "analyst")).roles == {"analyst"}
    with pytest.raises(jwt.InvalidSignatureError):
        verifier.verify(issue_token("t" * 32, "analyst"))
    with pytest.raises(jwt.InvalidAudienceError):
        verifier.verify(issue_token("s" * 32, "analyst", audience="other"))
    with pytest.raises(jwt.ExpiredSignatureError):
        verifier.verify(issue_token("s" * 32, "analyst", ttl=-10))
    with pytest.raises(ValueError, match="unknown role"):
        issue_token("s" * 32, "superuser")


def _envelope(**over: object) -> EventEnvelope:
    values: dict[str, object] = {
        "event_id": uuid.UUID(int=1),
        "type": "Graded",
        "schema_version": 1,
        "stream_id": "submission-X",
        "stream_version": 3,
        "position": 7,
        "recorded_at": datetime(2026, 11, 24, 12, 0, 0, 123456, tzinfo=UTC),
        "correlation_id": "X",
        "actor": "grader",
        "payload": {"b": 1, "a": "é"},
    }
    values.update(over)
    return EventEnvelope.model_validate(values)


def test_chain_hash_covers_every_envelope_field_and_the_previous_hash() -> None:
    base = chain_hash(GENESIS_HASH, _envelope())
    assert chain_hash(GENESIS_HASH, _envelope(payload={"a": "é", "b": 1})) == base  # key order is not content
    for change in ({"actor": "mallory"}, {"position": 8}, {"payload": {"b": 2, "a": "é"}}, {"stream_version": 4}):
        assert chain_hash(GENESIS_HASH, _envelope(**change)) != base
    assert chain_hash(base, _envelope()) != base
