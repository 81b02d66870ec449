"""Webhook signatures: HMAC-SHA256 over `timestamp + "." + body`, sent as `X-CPI-Signature: t=<unix>,v1=<hex>`.

A receiver recomputes the HMAC with its shared secret over the raw body it received and refuses
the request unless a `v1` value matches and `t` is within the replay window of its own clock
(300 s by default, `CPI_NOTIFIER_SIGNATURE_WINDOW_SECONDS`). It should also de-duplicate on
`X-CPI-Delivery-Id`, since a delivery whose outcome was lost is sent again.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-CPI-Signature"
DEFAULT_WINDOW_SECONDS = 300


def signature(secret: bytes, timestamp: int, body: bytes) -> str:
    return hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def signature_header(secret: bytes, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify_signature(
    secret: bytes | str, header: str, body: bytes, now: float, window: float = DEFAULT_WINDOW_SECONDS
) -> bool:
    """True if the header carries a v1 signature of this body by this secret, made within `window` s of `now`."""
    key = secret.encode() if isinstance(secret, str) else secret
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == "v1":
            candidates.append(value)
    if timestamp is None or not candidates or abs(now - timestamp) > window:
        return False
    expected = signature(key, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)
