"""Who may call what: every police-side route, read from the apps themselves, against an explicit rule table.

The routes come from each service's own OpenAPI document (built from `create_app`, nothing started),
so a new endpoint without a rule here fails with "no rule for METHOD PATH". Every route is then called
on the running services with each role's token and with every kind of bad token.
"""

from __future__ import annotations

import base64
import importlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
import pytest

from cpi.devstack import DevStack, load_or_create_secrets
from services.common.auth import ISSUER, ROLES, issue_token
from services.common.settings import PipelineSettings
from services.notifier.access import COOKIE_NAME
from tests.servers import RunningServers
from tests.stack import stack_on

POLICE_SERVICES = ("triage", "notifier", "sanitiser")
FAKE_REFERENCE = "CPI-0000-0000"
FAKE_UUID = "00000000-0000-0000-0000-000000000000"
PUBLIC: frozenset[str] = frozenset()

READERS = frozenset({"analyst", "supervisor", "auditor"})
DECIDERS = frozenset({"analyst", "supervisor"})


@dataclass(frozen=True)
class Rule:
    """The roles allowed; `public` routes take no token at all; `without_token` is the answer to none."""

    roles: frozenset[str]
    public: bool = False
    without_token: int = 401
    request: dict[str, Any] = field(default_factory=dict)


RULES: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/triage"): Rule(READERS),
    ("GET", "/api/v1/triage/stats/daily"): Rule(READERS, request={"params": {"since": "2024-01-01T00:00:00Z"}}),
    ("GET", "/api/v1/triage/{reference}"): Rule(READERS),
    ("GET", "/api/v1/triage/teams"): Rule(READERS),
    ("GET", "/api/v1/triage/teams/{team}"): Rule(READERS),
    ("GET", "/api/v1/triage/{reference}/linked"): Rule(DECIDERS),
    ("POST", "/api/v1/triage/{reference}/review"): Rule(DECIDERS),
    ("POST", "/api/v1/triage/{reference}/status"): Rule(DECIDERS),
    ("GET", "/api/v1/audit/verify"): Rule(frozenset({"auditor"})),
    ("GET", "/api/v1/audit/{reference}/events"): Rule(frozenset({"auditor", "supervisor", "admin"})),
    ("GET", "/api/v1/sources/{reference}"): Rule(
        frozenset({"source_handler"}), request={"headers": {"X-Access-Reason": "authorisation matrix check"}}
    ),
    ("GET", "/api/v1/control-room/alerts"): Rule(frozenset({"control_room"})),
    ("POST", "/api/v1/control-room/alerts/{alert_id}/ack"): Rule(frozenset({"control_room"})),
    ("GET", "/api/v1/control-room/stream"): Rule(frozenset({"control_room"})),
    # A browser page: without a token it sends you to its login form; a bad token is still 401.
    ("GET", "/control-room"): Rule(frozenset({"control_room"}), without_token=303),
    ("GET", "/control-room/login"): Rule(PUBLIC, public=True),
    ("POST", "/control-room/login"): Rule(PUBLIC, public=True),
    ("POST", "/control-room/logout"): Rule(PUBLIC, public=True),
}


def _offline_settings() -> PipelineSettings:
    """Enough to build every app; nothing connects until a lifespan runs, and none does here."""
    key = base64.b64encode(bytes(32)).decode()
    return PipelineSettings(
        database_url="postgresql://unused/unused",
        nats_url="nats://127.0.0.1:1",
        master_keys=f"offline:{key}",
        master_key_id="offline",
        hmac_key=key,
        jwt_secret="offline",  # a placeholder: the app is never started
    )


def police_routes() -> list[tuple[str, str, str]]:
    """(service, METHOD, path) of every route under /api/ and the control-room pages, from the apps' schemas."""
    found: list[tuple[str, str, str]] = []
    for service in POLICE_SERVICES:
        app = importlib.import_module(f"services.{service}.app").create_app(_offline_settings())
        for path, operations in app.openapi()["paths"].items():
            if path.startswith("/api/") or path.startswith("/control-room"):
                found.extend((service, method.upper(), path) for method in operations)
    return sorted(found)


ROUTES = police_routes()


def test_every_rule_names_a_route_that_exists() -> None:
    stale = sorted(set(RULES) - {(method, path) for _, method, path in ROUTES})
    assert not stale, f"rules for routes no service has: {stale}"


@pytest.fixture(scope="module")
def stack(servers: RunningServers, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    with stack_on(servers, tmp_path_factory.mktemp("auth-matrix"), names=POLICE_SERVICES) as devstack:
        yield devstack


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30, follow_redirects=False) as http:
        yield http


def _claims(role: str, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    return {
        "sub": f"matrix-{role}",
        "role": role,
        "aud": "cpi",
        "iss": ISSUER,
        "iat": now,
        "exp": now + 600,
    } | overrides


def bad_tokens(secret: str, role: str) -> dict[str, str | None]:
    """Each way a caller can fail to prove who it is, carrying a role the route would otherwise allow."""
    past = int(time.time()) - 3600
    return {
        "no token": None,
        "expired": jwt.encode(_claims(role, iat=past - 600, exp=past), secret, algorithm="HS256"),
        "wrong signature": jwt.encode(_claims(role), "not-the-stack-secret-" * 3, algorithm="HS256"),
        "wrong audience": jwt.encode(_claims(role, aud="someone-else"), secret, algorithm="HS256"),
        "alg none": jwt.encode(_claims(role), "", algorithm="none"),
        "not a JWT": "not.a.jwt",
    }


def _status(client: httpx.Client, method: str, url: str, credential: tuple[str, str | None], rule: Rule) -> int:
    headers = dict(rule.request.get("headers", {}))
    carrier, token = credential
    if token is not None:
        headers.update(
            {"Authorization": f"Bearer {token}"} if carrier == "bearer" else {"Cookie": f"{COOKIE_NAME}={token}"}
        )
    body: dict[str, Any] | None = {} if method == "POST" else None
    with client.stream(method, url, headers=headers, params=rule.request.get("params"), json=body) as response:
        return response.status_code  # a stream is closed unread


@pytest.mark.parametrize(("service", "method", "path"), ROUTES, ids=[f"{m} {p}" for _, m, p in ROUTES])
def test_each_route_answers_every_role_and_every_bad_token_as_its_rule_says(
    stack: DevStack, client: httpx.Client, service: str, method: str, path: str
) -> None:
    rule = RULES.get((method, path))
    assert rule is not None, f"no rule for {method} {path}: add it to RULES with the roles it allows"
    secret = load_or_create_secrets(stack.root)["CPI_JWT_SECRET"]
    url = stack.url(service) + path.format(reference=FAKE_REFERENCE, alert_id=FAKE_UUID, team="intelligence-unit")
    wrong: list[str] = []

    def expect(
        carrier: str, case: str, token: str | None, allowed: set[int] | None, refused: set[int] | None = None
    ) -> None:
        status = _status(client, method, url, (carrier, token), rule)
        if (allowed is not None and status not in allowed) or (refused is not None and status in refused):
            wrong.append(f"{carrier}, {case}: {status}")

    # The control room also takes its token from the login form's cookie (EventSource sends no header).
    for carrier in ("bearer", "cookie") if service == "notifier" else ("bearer",):
        for role in ROLES:
            token = issue_token(secret, role, ttl=600)
            if rule.public or role in rule.roles:
                expect(carrier, f"role {role}", token, None, refused={401, 403})
            else:
                expect(carrier, f"role {role}", token, {403})
        some_allowed_role = min(rule.roles) if rule.roles else "analyst"
        for case, bad in bad_tokens(secret, some_allowed_role).items():
            if rule.public:
                expect(carrier, case, bad, None, refused={401, 403})
            else:
                expect(carrier, case, bad, {rule.without_token if bad is None else 401})
    assert not wrong, f"{method} {path} answered against its rule: {'; '.join(wrong)}"
