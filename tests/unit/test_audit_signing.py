"""Checkpoint signatures: what they cover, and how keys are read from settings."""

from __future__ import annotations

import base64

import pytest

from eventstore.checkpoint_signing import (
    SigningKeyError,
    checkpoint_every,
    checkpoint_message,
    generate_signing_key,
    load_signer,
    parse_public_keys,
    signature_is_valid,
    signer_from_environment,
)


def test_a_checkpoint_signature_verifies_only_for_its_own_position_and_hash() -> None:
    private, public = generate_signing_key()
    signer = load_signer(private, "k1")
    keys = parse_public_keys(f"k1:{public}")
    signature = signer.sign(checkpoint_message(1000, b"\x01" * 32))
    assert signer.public_key_b64() == public
    assert signature_is_valid(keys, "k1", checkpoint_message(1000, b"\x01" * 32), signature)
    assert not signature_is_valid(keys, "k1", checkpoint_message(1001, b"\x01" * 32), signature)
    assert not signature_is_valid(keys, "k1", checkpoint_message(1000, b"\x02" * 32), signature)
    assert not signature_is_valid(keys, "k2", checkpoint_message(1000, b"\x01" * 32), signature)


@pytest.mark.parametrize("setting", ["k1", "k1:not-base64!", ":" + base64.b64encode(bytes(32)).decode(), "k1:AAAA"])
def test_malformed_public_keys_are_refused_with_a_reason(setting: str) -> None:
    with pytest.raises(SigningKeyError):
        parse_public_keys(setting)


def test_several_public_keys_are_read_by_id() -> None:
    first, second = generate_signing_key()[1], generate_signing_key()[1]
    assert set(parse_public_keys(f"old:{first}, new:{second}")) == {"old", "new"}


def test_signer_and_interval_come_from_the_environment() -> None:
    private, _ = generate_signing_key()
    assert signer_from_environment({}) is None
    signer = signer_from_environment({"CPI_AUDIT_SIGNING_KEY": private, "CPI_AUDIT_SIGNING_KEY_ID": "k9"})
    assert signer is not None and signer.key_id == "k9"
    with pytest.raises(SigningKeyError):
        signer_from_environment({"CPI_AUDIT_SIGNING_KEY": private})
    assert checkpoint_every({}) == 1000
    assert checkpoint_every({"CPI_CHECKPOINT_EVERY": "50"}) == 50
