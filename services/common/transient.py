"""Tells passing infrastructure failures (database or broker unreachable) from real errors."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

# SQLSTATEs of a server going away or not yet back: connection exceptions, shutdown, too many connections.
TRANSIENT_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")


def is_transient(exc: BaseException) -> bool:
    """True for failures that only delay work: retry later, never dead-letter, answer 503."""
    if isinstance(exc, (OSError, TimeoutError, OperationalError, InterfaceError)):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    sqlstate = getattr(exc, "sqlstate", None)  # asyncpg's errors, and SQLAlchemy's adapted copies of them
    if isinstance(sqlstate, str) and sqlstate.startswith(TRANSIENT_SQLSTATES):
        return True
    name = type(exc).__name__
    module = type(exc).__module__
    if module.startswith("asyncpg") and ("Connection" in name or "CannotConnectNow" in name):
        return True
    if module.startswith("asyncpg") and name == "InterfaceError" and "closed" in str(exc):
        return True  # "connection is closed": a connection lost with the server
    if module.startswith("asyncpg") and name == "InternalClientError":
        return True  # the protocol caught mid-operation by the server going away; the pool drops it
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        return is_transient(exc.orig)
    return module.startswith("nats") and ("Connection" in name or "Timeout" in name or "NoServers" in name)
