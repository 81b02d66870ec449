"""The dev stack: embedded servers, generated secrets, migrations, and every service as its own process."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import secrets
import signal
import subprocess  # nosec B404 # starts our own servers, fixed commands
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from cpi.embedded import EmbeddedNats, EmbeddedPostgres, EmbeddedServerError, free_port
from eventstore.checkpoint_signing import generate_signing_key
from eventstore.migrate import apply_migrations

SERVICES = ("relay", "intake", "sanitiser", "grader", "notifier", "triage")
STACK_FILE = "dev-stack.json"
SECRETS_FILE = "secrets.json"


def load_or_create_secrets(root: Path) -> dict[str, str]:
    """Secrets the dev stack makes for itself on first run, kept private to this user."""
    path = root / SECRETS_FILE
    if path.exists():
        return dict(json.loads(path.read_text()))
    root.mkdir(parents=True, exist_ok=True)
    values = {
        "CPI_MASTER_KEY_ID": "dev-1",
        "CPI_MASTER_KEYS": "dev-1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "CPI_HMAC_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "CPI_JWT_SECRET": secrets.token_urlsafe(48),
    }
    audit_private, audit_public = generate_signing_key()  # Ed25519: the relay signs checkpoints, auditors verify
    values.update(
        {
            "CPI_AUDIT_SIGNING_KEY_ID": "dev-audit-1",
            "CPI_AUDIT_SIGNING_KEY": audit_private,
            "CPI_AUDIT_PUBLIC_KEYS": f"dev-audit-1:{audit_public}",
        }
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(values, handle, indent=2)
    return values


@dataclass
class ServiceProcess:
    name: str
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, env: dict[str, str]) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 - kept open by the child
        self.process = subprocess.Popen(  # nosec B603 # fixed argv, no shell, no user input
            [sys.executable, "-m", "cpi", "serve", self.name, "--port", str(self.port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def signal(self, signum: int) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signum)
            self.process.wait(15)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise EmbeddedServerError(f"{self.name} exited with {self.process.returncode}; see {self.log_path}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise EmbeddedServerError(f"{self.name} was not ready within {timeout:.0f} s; see {self.log_path}")


# For `make bench`, `make load` and `make chaos`: one load generator stands in for many partners,
# so intake's per-client API limit must not throttle it.
ONE_CLIENT_FOR_MANY = {
    "CPI_API_RATE_BURST": "1000000",
    "CPI_API_RATE_PER_MINUTE": "6000000",
    "CPI_API_GLOBAL_RATE_PER_SECOND": "100000",
}


@dataclass
class DevStack:
    """Everything `make run` starts; the tests start the same thing in a temporary folder."""

    root: Path
    database_url: str | None = None
    nats_url: str | None = None
    postgres: EmbeddedPostgres | None = None
    nats: EmbeddedNats | None = None
    services: dict[str, ServiceProcess] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)

    def start_servers(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "logs").mkdir(exist_ok=True)
        self.database_url = self.database_url or os.environ.get("DATABASE_URL")
        self.nats_url = self.nats_url or os.environ.get("NATS_URL")
        if not self.database_url:
            self.postgres = EmbeddedPostgres(self.root / "postgres")
            self.database_url = self.postgres.start()
        if not self.nats_url:
            self.nats = EmbeddedNats(self.root / "jetstream", free_port())
            self.nats.start()
            self.nats_url = self.nats.url
        asyncio.run(apply_migrations(self.database_url))

    def service_env(self) -> dict[str, str]:
        assert self.database_url and self.nats_url  # nosec B101 # type narrowing; start_servers set both
        env = dict(os.environ)
        env.update(load_or_create_secrets(self.root))
        env.update({"DATABASE_URL": self.database_url, "NATS_URL": self.nats_url, "CPI_RUN_RELAY": "false"})
        env.update(self.extra_env)
        return env

    def start_service(self, name: str, *, replica: int = 0, wait: bool = True) -> ServiceProcess:
        key = name if replica == 0 else f"{name}-{replica}"
        existing = self.services.get(key)
        port = existing.port if existing else free_port()
        service = ServiceProcess(name, port, self.root / "logs" / f"{key}.log")
        service.start(self.service_env())
        self.services[key] = service
        if wait:
            service.wait_ready()
        return service

    def start(self, names: tuple[str, ...] = SERVICES) -> None:
        self.start_servers()
        for name in names:
            self.start_service(name, wait=False)
        for name in names:
            self.services[name].wait_ready()
        self.write_stack_file()

    def url(self, name: str) -> str:
        return self.services[name].url

    def write_stack_file(self) -> Path:
        described = {f"{name}_url": proc.url for name, proc in self.services.items()}
        described.update({"nats_url": self.nats_url or "", "database_url": self.database_url or ""})
        path = self.root / STACK_FILE
        path.write_text(json.dumps(described, indent=2) + "\n")
        return path

    def kill(self, key: str) -> None:
        self.services[key].signal(signal.SIGKILL)

    def stop(self) -> None:
        for service in reversed(list(self.services.values())):
            service.stop()
        if self.nats is not None:
            self.nats.stop()
        if self.postgres is not None:
            self.postgres.stop()
        stack_file = self.root / STACK_FILE
        if stack_file.exists():
            stack_file.unlink()
