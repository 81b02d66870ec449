"""Bearer tokens with a role claim, and the FastAPI dependency that demands a role."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import jwt
from fastapi import HTTPException, Request, status

ROLES = ("analyst", "supervisor", "control_room", "auditor", "source_handler", "admin")
ISSUER = "cpi-dev-stack"


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: frozenset[str]


def issue_token(
    secret: str, role: str, *, subject: str | None = None, audience: str = "cpi", ttl: int = 8 * 3600
) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    now = int(time.time())
    claims = {
        "sub": subject or f"dev-{role}",
        "role": role,
        "aud": audience,
        "iss": ISSUER,
        "iat": now,
        "exp": now + ttl,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


class TokenVerifier:
    """Verifies HS256 tokens for the dev stack (production swaps in its issuer's keys)."""

    def __init__(self, secret: str, audience: str) -> None:
        self._secret = secret
        self._audience = audience

    def verify(self, token: str) -> Principal:
        claims = jwt.decode(
            token,
            self._secret,
            algorithms=["HS256"],
            audience=self._audience,
            options={"require": ["exp", "sub", "aud"]},
        )
        role = claims.get("role")
        roles = {role} if isinstance(role, str) else set(claims.get("roles") or [])
        return Principal(subject=str(claims["sub"]), roles=frozenset(r for r in roles if r in ROLES))


def verify_bearer(verifier: TokenVerifier, token: str) -> Principal:
    """The token's principal, or 401 naming only the kind of failure."""
    try:
        return verifier.verify(token)
    except jwt.PyJWTError as exc:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, f"invalid token: {type(exc).__name__}", {"WWW-Authenticate": "Bearer"}
        ) from None


def check_roles(principal: Principal, allowed: Sequence[str]) -> Principal:
    """The principal if it holds one of the allowed roles, else 403."""
    if not principal.roles & set(allowed):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"this needs one of the roles: {', '.join(allowed)}")
    return principal


def require_roles(*allowed: str) -> Callable[[Request], Awaitable[Principal]]:
    """401 without a valid token, 403 with a token whose roles are not allowed here."""

    async def dependency(request: Request) -> Principal:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED, "a bearer token is required", {"WWW-Authenticate": "Bearer"}
            )
        return check_roles(verify_bearer(request.app.state.token_verifier, token), allowed)

    return dependency
