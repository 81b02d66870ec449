"""Envelope encryption of personal data: AES-256-GCM per submission, data keys wrapped by a master key."""

from __future__ import annotations

import base64
import os
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from contracts.events import SealedPayload
from eventstore.data_keys import WrappedKey

NONCE_BYTES = 12
KEY_BYTES = 32


class SealingError(Exception):
    """A payload or a wrapped key could not be opened (wrong key, tampered, or erased)."""


class MasterKeyring:
    """Master keys by id; new data keys are wrapped by the active one, old ones still unwrap."""

    def __init__(self, keys: dict[str, bytes], active_id: str) -> None:
        if active_id not in keys:
            raise ValueError(f"the active master key {active_id!r} is not among the configured keys")
        for key_id, key in keys.items():
            if len(key) != KEY_BYTES:
                raise ValueError(f"master key {key_id!r} must be {KEY_BYTES} bytes")
        self._keys = dict(keys)
        self.active_id = active_id

    @classmethod
    def parse(cls, spec: str, active_id: str) -> MasterKeyring:
        """From 'id:base64,id:base64', as settings hold it."""
        keys = {}
        for item in filter(None, (part.strip() for part in spec.split(","))):
            key_id, _, encoded = item.partition(":")
            keys[key_id] = base64.b64decode(encoded)
        return cls(keys, active_id)

    def wrap(self, key_id: uuid.UUID, data_key: bytes) -> WrappedKey:
        nonce = os.urandom(NONCE_BYTES)
        wrapped = nonce + AESGCM(self._keys[self.active_id]).encrypt(nonce, data_key, key_id.bytes)
        return WrappedKey(key_id, self.active_id, wrapped)

    def unwrap(self, wrapped: WrappedKey) -> bytes:
        try:
            master = self._keys[wrapped.master_key_id]
        except KeyError:
            raise SealingError(f"master key {wrapped.master_key_id!r} is not configured") from None
        nonce, body = wrapped.wrapped[:NONCE_BYTES], wrapped.wrapped[NONCE_BYTES:]
        try:
            return AESGCM(master).decrypt(nonce, body, wrapped.key_id.bytes)
        except InvalidTag:
            raise SealingError("the data key does not unwrap under its master key") from None


def new_data_key() -> tuple[uuid.UUID, bytes]:
    return uuid.uuid4(), AESGCM.generate_key(bit_length=256)


def seal(plaintext: bytes, key_id: uuid.UUID, data_key: bytes, reference: str) -> SealedPayload:
    """Encrypt; the reference is bound as associated data so a payload cannot be moved to another submission."""
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(data_key).encrypt(nonce, plaintext, reference.encode())
    return SealedPayload(
        key_id=key_id,
        nonce=base64.b64encode(nonce).decode(),
        ciphertext=base64.b64encode(ciphertext).decode(),
    )


def unseal(sealed: SealedPayload, data_key: bytes, reference: str) -> bytes:
    try:
        return AESGCM(data_key).decrypt(
            base64.b64decode(sealed.nonce), base64.b64decode(sealed.ciphertext), reference.encode()
        )
    except InvalidTag:
        raise SealingError("the sealed payload does not open with its data key") from None
