"""The notifier's own settings (env prefix CPI_NOTIFIER_), read once at start-up."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from contracts.subjects import CRIME_CHANNEL, HIGH_CHANNEL
from services.common.settings import MissingSetting


class WebhookEndpoint(BaseModel):
    """One receiver: its secret given inline (`secret`) or named by an environment variable (`secret_env`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    url: HttpUrl
    secret: SecretStr | None = None
    secret_env: str | None = None
    channels: list[str] = Field(default_factory=lambda: [HIGH_CHANNEL, CRIME_CHANNEL], min_length=1)
    # Overrides CPI_NOTIFIER_WEBHOOK_MAX_ATTEMPTS for this endpoint.
    max_attempts: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _one_secret(self) -> WebhookEndpoint:
        if (self.secret is None) == (self.secret_env is None):
            raise ValueError("give exactly one of secret or secret_env")
        unknown = set(self.channels) - {HIGH_CHANNEL, CRIME_CHANNEL}
        if unknown:
            raise ValueError(f"unknown channels: {', '.join(sorted(unknown))}")
        return self


@dataclass(frozen=True)
class WebhookTarget:
    """A configured endpoint with its secret resolved."""

    name: str
    url: str
    secret: bytes
    channels: frozenset[str]
    max_attempts: int


class NotifierSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CPI_NOTIFIER_", extra="ignore")

    # JSON list of {name, url, secret | secret_env, channels}.
    webhooks: list[WebhookEndpoint] = Field(default_factory=list)
    webhook_max_attempts: int = Field(default=8, ge=1)
    webhook_backoff_seconds: float = Field(default=0.5, gt=0)
    webhook_backoff_cap_seconds: float = Field(default=60.0, gt=0)
    webhook_timeout_seconds: float = Field(default=5.0, gt=0)
    # Receivers should refuse signatures older (or newer) than this; documented to them.
    signature_window_seconds: int = Field(default=300, ge=1)
    escalation_seconds: float = Field(default=300.0, gt=0)
    escalation_check_seconds: float = Field(default=1.0, gt=0)
    sse_keepalive_seconds: float = Field(default=15.0, gt=0)
    cookie_secure: bool = False

    def webhook_targets(self, environ: Mapping[str, str] | None = None) -> list[WebhookTarget]:
        """Every endpoint with its secret; a secret_env that is not set stops the service at start-up."""
        env = os.environ if environ is None else environ
        targets = []
        for endpoint in self.webhooks:
            if endpoint.secret is not None:
                secret = endpoint.secret.get_secret_value()
            else:
                assert endpoint.secret_env is not None  # nosec B101 # type narrowing for mypy
                if not env.get(endpoint.secret_env):
                    raise MissingSetting(f"{endpoint.secret_env} must hold the secret of webhook {endpoint.name}")
                secret = env[endpoint.secret_env]
            attempts = endpoint.max_attempts or self.webhook_max_attempts
            channels = frozenset(endpoint.channels)
            targets.append(WebhookTarget(endpoint.name, str(endpoint.url), secret.encode(), channels, attempts))
        return targets
