"""What keeps the public form safe to carry answers: CSRF tokens tied to a cookie, and sealed drafts."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

DRAFT_VERSION = b"cpi-form-draft-v1"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{22,64}$")


class DraftRefused(Exception):
    """A draft that was tampered with, belongs to another browser, or is too old to trust."""


@dataclass(frozen=True)
class Draft:
    """The answers between 'check your answers' and 'submit', and the token that makes submit idempotent."""

    answers: dict[str, str]
    submission_token: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_random_token() -> str:
    """128 random bits, URL-safe: a CSRF cookie value or a submission token."""
    return secrets.token_urlsafe(16)


def is_well_formed_token(value: str | None) -> bool:
    return value is not None and _TOKEN.fullmatch(value) is not None


@dataclass(frozen=True)
class FormKeys:
    """Keys derived from the intake HMAC key, so every replica (and a restart) accepts the same tokens."""

    csrf_key: bytes
    draft_key: bytes

    @classmethod
    def derive(cls, hmac_key: bytes) -> FormKeys:
        def derive(purpose: bytes) -> bytes:
            return hmac.new(hmac_key, b"cpi-form\x00" + purpose, hashlib.sha256).digest()

        return cls(derive(b"csrf"), derive(b"draft"))

    def csrf_token(self, cookie: str) -> str:
        """The hidden field's value: a MAC of this browser's cookie, which a third-party site cannot read."""
        return _b64(hmac.new(self.csrf_key, cookie.encode(), hashlib.sha256).digest())

    def csrf_matches(self, cookie: str | None, token: str | None) -> bool:
        if not is_well_formed_token(cookie) or not token:
            return False
        assert cookie is not None  # nosec B101 # type narrowing; None refused above
        return hmac.compare_digest(self.csrf_token(cookie), token)

    def seal_draft(self, draft: Draft, cookie: str, now: float) -> str:
        """AES-256-GCM over the answers, bound to this browser's cookie; opaque to anyone without the key."""
        plaintext = json.dumps(
            {"answers": draft.answers, "token": draft.submission_token, "issued": int(now)}, separators=(",", ":")
        ).encode()
        nonce = secrets.token_bytes(12)
        return _b64(nonce + AESGCM(self.draft_key).encrypt(nonce, plaintext, DRAFT_VERSION + cookie.encode()))

    def open_draft(self, sealed: str, cookie: str, now: float, max_age_seconds: int) -> Draft:
        try:
            raw = _unb64(sealed)
            plaintext = AESGCM(self.draft_key).decrypt(raw[:12], raw[12:], DRAFT_VERSION + cookie.encode())
        except (InvalidTag, ValueError, binascii.Error):
            raise DraftRefused("the draft cannot be opened") from None
        content = json.loads(plaintext)
        if not 0 <= now - content["issued"] <= max_age_seconds:
            raise DraftRefused("the draft has expired")
        answers = {str(key): str(value) for key, value in content["answers"].items()}
        return Draft(answers, str(content["token"]))
