"""Finds the running dev stack for `cpi` commands, unless the environment points elsewhere."""

from __future__ import annotations

import json
import os
from pathlib import Path

from cpi.devstack import SECRETS_FILE, STACK_FILE


class StackNotFound(RuntimeError):
    """No settings in the environment and no dev stack running here."""


def stack_root() -> Path:
    return Path(os.environ.get("CPI_STACK_DIR", ".cpi"))


def stack_description() -> dict[str, str]:
    path = stack_root() / STACK_FILE
    if not path.exists():
        raise StackNotFound(f"no {path}: start the dev stack with `make run`, or set DATABASE_URL and NATS_URL")
    return dict(json.loads(path.read_text()))


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or stack_description()["database_url"]


def secret(name: str) -> str:
    """A secret from the environment, else the dev stack's own secrets file."""
    if os.environ.get(name):
        return os.environ[name]
    path = stack_root() / SECRETS_FILE
    if not path.exists():
        raise StackNotFound(f"no {path} and no {name}: start the dev stack with `make run` first")
    return str(json.loads(path.read_text())[name])


def jwt_secret() -> str:
    return secret("CPI_JWT_SECRET")
