"""The faults a chaos run injects; each returns when the system has been put back (restarted, started)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from chaos.stack import ChaosStack
from chaos.verdict import FaultWindow

NATS_DOWN_SECONDS = 2.0


@dataclass(frozen=True)
class Fault:
    name: str
    inject: Callable[[ChaosStack], None]  # injects the fault and undoes it (restart) before returning

    def run(self, stack: ChaosStack) -> FaultWindow:
        started_at = time.time()
        self.inject(stack)
        return FaultWindow(self.name, started_at, time.time())


def kill_service(name: str) -> Fault:
    """SIGKILL one replica of a service (a random one when there are several) and start it again."""

    def inject(stack: ChaosStack) -> None:
        stack.kill_and_restart(random.choice(stack.keys(name)))  # noqa: S311 - a fault, not a secret

    return Fault(f"SIGKILL {name}", inject)


def kill_relay_leader() -> Fault:
    """SIGKILL whichever relay replica holds the advisory lock; it comes back as the standby."""

    def inject(stack: ChaosStack) -> None:
        stack.kill_and_restart(stack.wait_for_relay_leader())

    return Fault("SIGKILL relay leader", inject)


def kill_nats(down_seconds: float = NATS_DOWN_SECONDS) -> Fault:
    def inject(stack: ChaosStack) -> None:
        server = stack.devstack.nats
        assert server is not None, "the chaos stack runs its own nats-server"
        server.kill()
        time.sleep(down_seconds)
        server.start()

    return Fault("SIGKILL nats-server", inject)


def stop_postgres(down_seconds: float) -> Fault:
    """Stop PostgreSQL (fast shutdown: every session cut), keep it down, start it on the same data."""

    def inject(stack: ChaosStack) -> None:
        postgres = stack.devstack.postgres
        assert postgres is not None, "the chaos stack runs its own PostgreSQL"
        postgres.stop()
        time.sleep(down_seconds)
        postgres.start()

    return Fault(f"PostgreSQL down {down_seconds:.0f} s", inject)


def all_faults(postgres_seconds: float = 10.0) -> list[Fault]:
    return [
        kill_service("intake"),
        kill_service("sanitiser"),
        kill_service("grader"),
        kill_service("notifier"),
        kill_relay_leader(),
        kill_nats(),
        stop_postgres(postgres_seconds),
    ]
