"""Envelope encryption: data keys per submission, wrapped by a master key, bound to their reference."""

from __future__ import annotations

import base64
import os

import pytest

from services.common.sealing import MasterKeyring, SealingError, new_data_key, seal, unseal


def _keyring(*ids: str, active: str) -> MasterKeyring:
    return MasterKeyring({key_id: os.urandom(32) for key_id in ids}, active)


def test_sealed_payload_opens_with_its_key_and_reference_only() -> None:
    key_id, data_key = new_data_key()
    sealed = seal(b'{"name": "Harriet Quill"}', key_id, data_key, "CPI-AAAA-BBBB")
    assert b"Harriet" not in base64.b64decode(sealed.ciphertext)
    assert unseal(sealed, data_key, "CPI-AAAA-BBBB") == b'{"name": "Harriet Quill"}'
    with pytest.raises(SealingError):
        unseal(sealed, data_key, "CPI-CCCC-DDDD")
    with pytest.raises(SealingError):
        unseal(sealed, new_data_key()[1], "CPI-AAAA-BBBB")


def test_old_master_keys_still_unwrap_after_the_active_key_changes() -> None:
    old = _keyring("k1", active="k1")
    key_id, data_key = new_data_key()
    wrapped = old.wrap(key_id, data_key)
    rotated = MasterKeyring({"k1": old._keys["k1"], "k2": os.urandom(32)}, "k2")
    assert rotated.unwrap(wrapped) == data_key
    assert rotated.wrap(key_id, data_key).master_key_id == "k2"


def test_a_wrapped_key_moved_to_another_key_id_does_not_unwrap() -> None:
    ring = _keyring("k1", active="k1")
    key_id, data_key = new_data_key()
    wrapped = ring.wrap(key_id, data_key)
    other_id, _ = new_data_key()
    with pytest.raises(SealingError):
        ring.unwrap(type(wrapped)(other_id, wrapped.master_key_id, wrapped.wrapped))


def test_keyring_parses_settings_and_refuses_bad_keys() -> None:
    spec = "a:" + base64.b64encode(os.urandom(32)).decode() + ",b:" + base64.b64encode(os.urandom(32)).decode()
    assert MasterKeyring.parse(spec, "b").active_id == "b"
    with pytest.raises(ValueError, match="not among"):
        MasterKeyring.parse(spec, "c")
    with pytest.raises(ValueError, match="32 bytes"):
        MasterKeyring({"short": b"x" * 16}, "short")
