"""Ed25519 signing of audit checkpoints and bundles: keys from settings, messages, signatures (no I/O)."""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

DEFAULT_CHECKPOINT_EVERY = 1000


class SigningKeyError(ValueError):
    """A signing or public key setting is missing or malformed."""


@dataclass(frozen=True)
class CheckpointSigner:
    """The active private key and the id verifiers look it up by."""

    key_id: str
    private_key: Ed25519PrivateKey

    def sign(self, message: bytes) -> bytes:
        return self.private_key.sign(message)

    def public_key_b64(self) -> str:
        raw = self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return base64.b64encode(raw).decode()


def checkpoint_message(position: int, chain_hash: bytes) -> bytes:
    """What a checkpoint signature covers: a domain tag, the position and the chain hash there."""
    return b"cpi-audit-checkpoint:v1:" + str(position).encode() + b":" + chain_hash.hex().encode()


def bundle_message(digest: bytes) -> bytes:
    """What an export bundle's signature covers: a domain tag and the SHA-256 of the bundle's body."""
    return b"cpi-audit-bundle:v1:" + digest.hex().encode()


def generate_signing_key() -> tuple[str, str]:
    """A new key as (private base64, public base64), raw 32 bytes each."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(private).decode(), base64.b64encode(public).decode()


def _raw_key(value: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise SigningKeyError(f"{what} is not base64") from None
    if len(raw) != 32:
        raise SigningKeyError(f"{what} must be 32 raw bytes, got {len(raw)}")
    return raw


def load_signer(private_b64: str, key_id: str) -> CheckpointSigner:
    if not key_id:
        raise SigningKeyError("CPI_AUDIT_SIGNING_KEY_ID must be set with CPI_AUDIT_SIGNING_KEY")
    return CheckpointSigner(key_id, Ed25519PrivateKey.from_private_bytes(_raw_key(private_b64, "the signing key")))


def parse_public_keys(setting: str) -> dict[str, Ed25519PublicKey]:
    """`id:base64,id:base64` into public keys by id."""
    keys: dict[str, Ed25519PublicKey] = {}
    for item in filter(None, (part.strip() for part in setting.split(","))):
        key_id, sep, value = item.partition(":")
        if not sep or not key_id:
            raise SigningKeyError("public keys are written id:base64, separated by commas")
        keys[key_id] = Ed25519PublicKey.from_public_bytes(_raw_key(value, f"public key {key_id!r}"))
    return keys


def signature_is_valid(
    public_keys: Mapping[str, Ed25519PublicKey], key_id: str, message: bytes, signature: bytes
) -> bool:
    key = public_keys.get(key_id)
    if key is None:
        return False
    try:
        key.verify(signature, message)
    except InvalidSignature:
        return False
    return True


def signer_from_environment(environ: Mapping[str, str] | None = None) -> CheckpointSigner | None:
    """The signer named by CPI_AUDIT_SIGNING_KEY / _KEY_ID, or None where no key is configured."""
    env = os.environ if environ is None else environ
    private = env.get("CPI_AUDIT_SIGNING_KEY")
    if not private:
        return None
    return load_signer(private, env.get("CPI_AUDIT_SIGNING_KEY_ID", ""))


def public_keys_from_environment(environ: Mapping[str, str] | None = None) -> dict[str, Ed25519PublicKey]:
    env = os.environ if environ is None else environ
    return parse_public_keys(env.get("CPI_AUDIT_PUBLIC_KEYS", ""))


def checkpoint_every(environ: Mapping[str, str] | None = None) -> int:
    env = os.environ if environ is None else environ
    value = int(env.get("CPI_CHECKPOINT_EVERY", str(DEFAULT_CHECKPOINT_EVERY)))
    if value < 1:
        raise ValueError("CPI_CHECKPOINT_EVERY must be at least 1")
    return value
