"""The stack under chaos: its own PostgreSQL and nats-server, every service as N replica processes.

Which relay replica leads: each replica logs "relay lock acquired" when it takes the advisory
lock and "relay interrupted, retrying" when it loses it; the leader is the live replica whose latest
such line is an acquisition, and pg_locks must show the lock granted.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from cpi.devstack import ONE_CLIENT_FOR_MANY, SERVICES, DevStack
from eventstore.database import connect_raw
from eventstore.relay import RELAY_LOCK

CHAOS_ENV = {
    "CPI_NOTIFIER_ESCALATION_SECONDS": "86400",  # no re-pushes during a run: alerts are counted exactly
    **ONE_CLIENT_FOR_MANY,  # one driver stands in for thousands of partners
}
MAX_CONNECTIONS = 400  # 12 processes × (pool 16 + overflow 8) plus their lock and LISTEN sessions
ACQUIRED = "relay lock acquired"
INTERRUPTED = "relay interrupted, retrying"


@dataclass
class ChaosStack:
    devstack: DevStack
    replicas: int = 1

    @classmethod
    def start(cls, root: Path, replicas: int = 1) -> ChaosStack:
        """Own embedded servers (so PostgreSQL and NATS can be stopped), then every service × replicas."""
        for name in ("DATABASE_URL", "NATS_URL"):
            os.environ.pop(name, None)
        stack = cls(DevStack(root, extra_env=dict(CHAOS_ENV)), replicas)
        stack.devstack.start_servers()
        stack.allow_connections(MAX_CONNECTIONS)
        stack.devstack.start()  # the servers are up: this starts the services
        for replica in range(1, replicas):
            for name in SERVICES:
                stack.devstack.start_service(name, replica=replica, wait=False)
            for name in SERVICES:
                stack.devstack.services[f"{name}-{replica}"].wait_ready()
        return stack

    def allow_connections(self, count: int) -> None:
        """Raise max_connections (a restart): two replicas of six services outgrow PostgreSQL's default 100."""
        postgres = self.devstack.postgres
        assert postgres is not None
        asyncio.run(_alter_system(self.database_url, "max_connections", str(count)))
        postgres.stop()
        postgres.start()

    @property
    def database_url(self) -> str:
        assert self.devstack.database_url is not None
        return self.devstack.database_url

    def keys(self, name: str) -> list[str]:
        """Every replica of `name` started so far: `name`, `name-1`, …"""
        return sorted(key for key in self.devstack.services if key == name or key.startswith(f"{name}-"))

    def urls(self, name: str) -> list[str]:
        return [self.devstack.services[key].url for key in self.keys(name)]

    def kill_and_restart(self, key: str) -> None:
        """SIGKILL one replica, then start it again on the same port and wait until it is ready."""
        name, _, replica = key.partition("-")
        self.devstack.kill(key)
        self.devstack.start_service(name, replica=int(replica or 0))

    def is_alive(self, key: str) -> bool:
        process = self.devstack.services[key].process
        return process is not None and process.poll() is None

    def relay_leader(self) -> str | None:
        """The live relay replica whose log last says it acquired the lock (see the module docstring)."""
        leaders = [key for key in self.keys("relay") if self.is_alive(key) and _last_relay_state(self._log(key))]
        return leaders[0] if len(leaders) == 1 else None

    def wait_for_relay_leader(self, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            leader = self.relay_leader()
            if leader is not None and asyncio.run(relay_lock_held(self.database_url)):
                return leader
            time.sleep(0.2)
        raise RuntimeError("no single relay replica holds the lock")

    def _log(self, key: str) -> Path:
        return self.devstack.services[key].log_path

    def stop(self) -> None:
        self.devstack.stop()


def _last_relay_state(log_path: Path) -> bool:
    """True when the latest acquire/interrupt line in this replica's log is an acquisition."""
    leading = False
    if not log_path.exists():
        return False
    for line in log_path.read_text(errors="replace").splitlines():
        if ACQUIRED not in line and INTERRUPTED not in line:
            continue
        try:
            message = json.loads(line).get("message")
        except ValueError:
            continue
        if message == ACQUIRED:
            leading = True
        elif message == INTERRUPTED:
            leading = False
    return leading


async def _alter_system(database_url: str, setting: str, value: str) -> None:
    conn = await connect_raw(database_url)
    try:
        await conn.execute(f"ALTER SYSTEM SET {setting} = '{value}'")
    finally:
        await conn.close()


async def relay_lock_held(database_url: str) -> bool:
    conn = await connect_raw(database_url)
    try:
        held = await conn.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND granted",
            RELAY_LOCK & 0xFFFFFFFF,
        )
    finally:
        await conn.close()
    return bool(held)


def metric_total(url: str, metric: str) -> float:
    """The sum of one Prometheus counter over its labels, read from a service's /metrics."""
    total = 0.0
    for line in httpx.get(f"{url}/metrics", timeout=5.0).text.splitlines():
        if line.startswith(metric + "{") or line.startswith(metric + " "):
            total += float(line.rsplit(" ", 1)[1])
    return total


def cpi_command(database_url: str, *args: str) -> tuple[int, str]:
    """Run a `cpi` command against this stack's database; its exit code and output."""
    env = {**os.environ, "DATABASE_URL": database_url, "COLUMNS": "200"}
    done = subprocess.run(
        [sys.executable, "-m", "cpi", *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    return done.returncode, done.stdout + done.stderr
