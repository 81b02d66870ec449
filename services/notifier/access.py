"""Who may use the control room: a bearer token, or the same token kept in an HttpOnly cookie by the login form.

EventSource cannot send an Authorization header, so the page's login form takes the bearer token
once and keeps it in an HttpOnly, SameSite=Strict cookie; the API accepts either. A cookie-borne
POST must come from this origin (SameSite plus an Origin check).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import HTTPException, Request, status

from services.common.auth import Principal, TokenVerifier, check_roles, verify_bearer

COOKIE_NAME = "cpi_control_room"
CONTROL_ROOM_ROLE = "control_room"


def bearer_or_cookie(request: Request) -> tuple[str | None, bool]:
    """The token and whether it came from the cookie."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token:
        return token, False
    cookie = request.cookies.get(COOKIE_NAME)
    return (cookie, True) if cookie else (None, False)


def verify_control_room_token(verifier: TokenVerifier, token: str) -> Principal:
    """401 for a bad token, 403 for a good one without the control_room role."""
    return check_roles(verify_bearer(verifier, token), (CONTROL_ROOM_ROLE,))


async def control_room_principal(request: Request) -> Principal:
    """FastAPI dependency for every control-room endpoint."""
    token, from_cookie = bearer_or_cookie(request)
    if token is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "a bearer token is required", {"WWW-Authenticate": "Bearer"})
    principal = verify_control_room_token(request.app.state.token_verifier, token)
    if from_cookie and request.method not in ("GET", "HEAD") and not _same_origin(request):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "a cross-site request cannot use the control-room cookie")
    return principal


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", "")
