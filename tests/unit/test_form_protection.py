"""CSRF tokens, sealed drafts, the receipt digest and the token bucket of the public form."""

from __future__ import annotations

import hashlib

import pytest

from services.common.rate_limit import TokenBuckets
from services.intake.form.protection import Draft, DraftRefused, FormKeys, new_random_token
from services.intake.form.receipt import receipt_digest, receipt_matches

KEYS = FormKeys.derive(b"k" * 32)


def test_a_csrf_token_matches_only_its_own_cookie() -> None:
    cookie = new_random_token()
    token = KEYS.csrf_token(cookie)
    assert KEYS.csrf_matches(cookie, token)
    assert not KEYS.csrf_matches(new_random_token(), token)
    assert not KEYS.csrf_matches(cookie, None)
    assert not KEYS.csrf_matches(None, token)
    assert not FormKeys.derive(b"o" * 32).csrf_matches(cookie, token)


def test_a_sealed_draft_opens_only_in_the_same_browser_and_hides_the_answers() -> None:
    cookie = new_random_token()
    sealed = KEYS.seal_draft(Draft({"reporter-name": "Harriet Quill"}, "token-0123456789abcdefgh"), cookie, 1000.0)
    assert "Harriet" not in sealed
    assert KEYS.open_draft(sealed, cookie, 1001.0, 60).answers == {"reporter-name": "Harriet Quill"}
    with pytest.raises(DraftRefused):
        KEYS.open_draft(sealed, new_random_token(), 1001.0, 60)
    with pytest.raises(DraftRefused):
        KEYS.open_draft(sealed[:-2] + "AA", cookie, 1001.0, 60)
    with pytest.raises(DraftRefused):
        KEYS.open_draft("not base64!", cookie, 1001.0, 60)


def test_an_old_draft_is_refused() -> None:
    cookie = new_random_token()
    sealed = KEYS.seal_draft(Draft({}, "token-0123456789abcdefgh"), cookie, 1000.0)
    with pytest.raises(DraftRefused):
        KEYS.open_draft(sealed, cookie, 1000.0 + 61, 60)


def test_the_receipt_is_the_first_16_hex_of_sha256_grouped_for_reading() -> None:
    canonical = b'{"reporter":{}}'
    expected = hashlib.sha256(canonical).hexdigest()[:16].upper()
    digest = receipt_digest(canonical)
    assert digest.replace(" ", "") == expected and len(digest.split(" ")) == 4
    assert receipt_matches(digest.lower(), canonical)
    assert not receipt_matches(digest, canonical + b" ")


def test_a_bucket_allows_its_burst_then_refuses_with_a_retry_after() -> None:
    buckets = TokenBuckets(burst=3, per_minute=6)  # one token every 10 s
    assert [buckets.take("a", 0.0).allowed for _ in range(3)] == [True, True, True]
    refused = buckets.take("a", 0.0)
    assert not refused.allowed and refused.retry_after_seconds == 10
    assert buckets.take("b", 0.0).allowed, "each client has its own bucket"
    assert buckets.take("a", 10.0).allowed
    assert not buckets.take("a", 10.0).allowed


def test_idle_buckets_are_forgotten_and_the_client_count_stays_bounded() -> None:
    buckets = TokenBuckets(burst=2, per_minute=60, max_clients=4)
    for index in range(10):
        buckets.take(f"client-{index}", float(index) / 100)
    assert len(buckets) <= 4
    buckets.forget_idle(1_000.0)
    assert len(buckets) == 0


def test_a_bucket_needs_a_positive_rate() -> None:
    with pytest.raises(ValueError, match="burst"):
        TokenBuckets(burst=0, per_minute=1)
