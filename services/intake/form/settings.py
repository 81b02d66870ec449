"""The form's own settings: rate limit and draft lifetime, read once at start-up (CPI_FORM_*)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[3]


class FormSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CPI_FORM_", extra="ignore")

    rate_burst: int = Field(default=30, ge=1)
    rate_per_minute: float = Field(default=20.0, gt=0)
    draft_max_age_seconds: int = Field(default=2 * 60 * 60, ge=60)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    # Where `make frontend` installs govuk-frontend (npm); not committed.
    frontend_dir: Path = PROJECT_ROOT / "build" / "frontend" / "node_modules" / "govuk-frontend" / "dist" / "govuk"
