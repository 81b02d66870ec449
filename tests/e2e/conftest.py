"""The whole stack, each service its own process, shared by the tests of one module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cpi.devstack import DevStack, load_or_create_secrets
from tests.servers import RunningServers
from tests.stack import stack_on


@pytest.fixture(scope="module")
def stack(servers: RunningServers, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    with stack_on(servers, tmp_path_factory.mktemp("stack")) as devstack:
        yield devstack


@pytest.fixture(scope="module")
def jwt_secret(stack: DevStack) -> str:
    return load_or_create_secrets(stack.root)["CPI_JWT_SECRET"]
