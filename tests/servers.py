"""Real servers for the tests: embedded by default, external or containers where the environment says."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import nats

from contracts.subjects import AUDIT_STREAM, CONTROL_ROOM_STREAM, EVENTS_STREAM
from cpi.embedded import EmbeddedNats, EmbeddedPostgres, free_port
from eventstore.database import asyncpg_dsn, with_database
from eventstore.migrate import apply_migrations


@dataclass
class RunningServers:
    database_url: str
    nats_url: str
    nats: EmbeddedNats | None = None
    postgres: EmbeddedPostgres | None = None


@contextmanager
def running_servers(root: Path) -> Iterator[RunningServers]:
    database_url = os.environ.get("CPI_TEST_DATABASE_URL")
    nats_url = os.environ.get("CPI_TEST_NATS_URL")
    if os.environ.get("CPI_TEST_CONTAINERS") == "1" and not (database_url and nats_url):
        with _containers() as (database_url, nats_url):
            yield RunningServers(database_url, nats_url)
        return
    postgres = nats_server = None
    if not database_url:
        postgres = EmbeddedPostgres(root / "postgres")
        database_url = postgres.start()
    if not nats_url:
        nats_server = EmbeddedNats(root / "jetstream", free_port())
        nats_server.start()
        nats_url = nats_server.url
    try:
        yield RunningServers(database_url, nats_url, nats_server, postgres)
    finally:
        if nats_server is not None:
            nats_server.stop()
        if postgres is not None:
            postgres.stop()


@contextmanager
def _containers() -> Iterator[tuple[str, str]]:
    """PostgreSQL and NATS in containers, where a Docker engine is reachable (CPI_TEST_CONTAINERS=1)."""
    from testcontainers.core.container import DockerContainer
    from testcontainers.postgres import PostgresContainer

    with (
        PostgresContainer("postgres:16-alpine", driver=None) as pg,
        DockerContainer("nats:2.10").with_command("-js").with_exposed_ports(4222) as broker,
    ):
        nats_url = f"nats://{broker.get_container_host_ip()}:{broker.get_exposed_port(4222)}"
        yield pg.get_connection_url(), nats_url


async def fresh_database(server_url: str) -> str:
    """A new, migrated database on the test server, so each test starts from an empty store."""
    name = f"cpi_test_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(asyncpg_dsn(server_url))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    url = with_database(server_url, name)
    await apply_migrations(url)
    return url


async def empty_jetstream(nats_url: str) -> None:
    """Delete the pipeline's streams (and so their consumers) left by an earlier test."""
    client = await nats.connect(nats_url)
    try:
        js = client.jetstream()
        for stream in (EVENTS_STREAM, CONTROL_ROOM_STREAM, AUDIT_STREAM):
            with suppress(nats.js.errors.NotFoundError):
                await js.delete_stream(stream)
    finally:
        await client.close()
