"""Fixtures: real PostgreSQL and NATS JetStream for every test that touches storage or delivery."""

from __future__ import annotations

import base64
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from eventstore.database import create_engine
from services.common.settings import PipelineSettings
from tests.servers import RunningServers, empty_jetstream, fresh_database, running_servers


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServers]:
    with running_servers(tmp_path_factory.mktemp("servers")) as running:
        yield running


@pytest.fixture
async def database_url(servers: RunningServers) -> str:
    return await fresh_database(servers.database_url)


@pytest.fixture
async def nats_url(servers: RunningServers) -> str:
    await empty_jetstream(servers.nats_url)
    return servers.nats_url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def secret_env() -> dict[str, str]:
    return {
        "CPI_MASTER_KEY_ID": "test-1",
        "CPI_MASTER_KEYS": "test-1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "CPI_HMAC_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "CPI_JWT_SECRET": secrets.token_urlsafe(32),
    }


@pytest.fixture
def settings(database_url: str, nats_url: str, secret_env: dict[str, str]) -> PipelineSettings:
    return PipelineSettings(
        database_url=database_url,
        nats_url=nats_url,
        master_keys=secret_env["CPI_MASTER_KEYS"],
        master_key_id=secret_env["CPI_MASTER_KEY_ID"],
        hmac_key=secret_env["CPI_HMAC_KEY"],
        jwt_secret=secret_env["CPI_JWT_SECRET"],
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        folder = Path(str(item.fspath)).parent.name
        if folder in ("integration", "e2e", "fault", "unit"):
            item.add_marker(getattr(pytest.mark, folder))
