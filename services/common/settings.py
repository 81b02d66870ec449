"""Settings every service reads once at start-up, from the environment or mounted secret files."""

from __future__ import annotations

import base64
import os
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class MissingSetting(RuntimeError):
    """A service was started without a setting it cannot do without."""


class PipelineSettings(BaseSettings):
    """Shared settings. Secrets are optional here so each service holds only the ones it needs."""

    model_config = SettingsConfigDict(env_prefix="CPI_", extra="ignore")

    database_url: str = Field(validation_alias=AliasChoices("DATABASE_URL", "CPI_DATABASE_URL"))
    nats_url: str = Field(validation_alias=AliasChoices("NATS_URL", "CPI_NATS_URL"))
    master_keys: SecretStr | None = None
    master_key_id: str | None = None
    hmac_key: SecretStr | None = None
    jwt_secret: SecretStr | None = None
    jwt_audience: str = "cpi"
    review_window_minutes: float = Field(default=120, gt=0)
    review_check_seconds: float = Field(default=15, gt=0)
    max_attempts: int = Field(default=5, ge=1)
    stream_replicas: int = Field(default=1, ge=1, le=5)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    retention_days: float | None = Field(default=None, gt=0)
    retention_check_seconds: float = Field(default=3600, gt=0)
    run_relay: bool = False
    relay_lag_threshold: int = Field(default=10_000, ge=1)
    grading_policy: Path | None = None
    log_level: str = "INFO"

    def require(self, name: str) -> str:
        value = getattr(self, name)
        if value is None:
            raise MissingSetting(f"CPI_{name.upper()} must be set for this service")
        return value.get_secret_value() if isinstance(value, SecretStr) else str(value)

    def hmac_key_bytes(self) -> bytes:
        return base64.b64decode(self.require("hmac_key"))


def load_settings() -> PipelineSettings:
    """Read the environment (and CPI_SECRETS_DIR, where secrets are mounted as files)."""
    secrets_dir = os.environ.get("CPI_SECRETS_DIR")
    if secrets_dir:
        return PipelineSettings(_secrets_dir=secrets_dir)
    return PipelineSettings()
