"""Engines and raw connections from one database URL, whether TCP or a Unix socket directory."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def asyncpg_dsn(url: str) -> str:
    """A plain postgresql:// DSN that asyncpg accepts."""
    parts = urlsplit(url)
    scheme = "postgresql"
    return urlunsplit((scheme, parts.netloc, parts.path, parts.query, parts.fragment))


def sqlalchemy_url(url: str) -> str:
    """The same database as a SQLAlchemy asyncpg URL (host=/socket/dir is kept as a query)."""
    parts = urlsplit(asyncpg_dsn(url))
    query = urlencode(parse_qsl(parts.query))
    return urlunsplit(("postgresql+asyncpg", parts.netloc, parts.path, query, ""))


def create_engine(url: str, *, pool_size: int = 16) -> AsyncEngine:
    """A pooled engine. No pre-ping: a dead connection fails its transaction, which callers retry anyway."""
    return create_async_engine(
        sqlalchemy_url(url),
        pool_size=pool_size,
        max_overflow=pool_size // 2,
        pool_recycle=1800,
    )


async def connect_raw(url: str, *, timeout: float = 10.0) -> asyncpg.Connection:
    """A dedicated asyncpg connection, for LISTEN and for session advisory locks."""
    return await asyncpg.connect(asyncpg_dsn(url), timeout=timeout)


def with_database(url: str, name: str) -> str:
    """The same server, another database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))
