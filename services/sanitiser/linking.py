"""Keyed digests of the identifiers in a text, so submissions naming the same vehicle or number can be linked.

Only digests leave the sanitiser: HMAC-SHA256 under a secret key, so the index holds no plaintext and
cannot be reversed by guessing without the key. Reporter and source details are never linked.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Sequence

from contracts.events import LinkedIdentifier, Redaction

_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]")
_NOT_DIGIT = re.compile(r"\D")
_SPACES = re.compile(r"\s+")


def _vrm(value: str) -> str:
    return _NOT_ALNUM.sub("", value).upper()


def _phone(value: str) -> str:
    digits = _NOT_DIGIT.sub("", value)
    return "0" + digits[2:] if digits.startswith("44") else digits


def _handle(value: str) -> str:
    return value.strip().lstrip("@").lower()


def _name(value: str) -> str:
    return _SPACES.sub(" ", value.strip().strip("\"'“”‘’")).lower()


NORMALISE: dict[str, Callable[[str], str]] = {"VRM": _vrm, "PHONE": _phone, "HANDLE": _handle, "NAME": _name}
PROTECTED_PREFIXES = ("REPORTER", "SOURCE", "SELF_REFERENCE", "RECONTACT")


def linked_identifiers(
    text: str, found: Sequence[Redaction], protected: Sequence[Redaction], key: bytes
) -> list[LinkedIdentifier]:
    """Digests of the linkable identifiers `found` in `text`, skipping any span that overlaps a protected one."""
    shielded = [(r.start, r.end) for r in protected if r.type.startswith(PROTECTED_PREFIXES)]
    digests: dict[tuple[str, str], LinkedIdentifier] = {}
    for redaction in found:
        normalise = NORMALISE.get(redaction.type)
        if normalise is None or any(start < redaction.end and redaction.start < end for start, end in shielded):
            continue
        value = normalise(text[redaction.start : redaction.end])
        if len(value) < 3:
            continue
        digest = hmac.new(key, f"{redaction.type}:{value}".encode(), hashlib.sha256).hexdigest()[:32]
        digests[(redaction.type, digest)] = LinkedIdentifier(type=redaction.type, digest=digest)
    return sorted(digests.values(), key=lambda item: (item.type, item.digest))
