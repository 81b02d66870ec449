"""Structured JSON logs: a message and references (never form content), one object a line."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

# Only these extra fields are written; anything else passed to a logger is dropped, by construction.
ALLOWED_FIELDS = (
    "service",
    "reference",
    "consumer",
    "reason",
    "error",
    "sequence",
    "failures",
    "replayed",
    "projection",
    "trace_id",
)


# Loggers whose arguments are ours or the server's own (host, port), never request content.
TRUSTED_LOGGERS = ("cpi", "uvicorn.error")


def _message(record: logging.LogRecord) -> str:
    """Other libraries' messages are kept as templates: their arguments could carry message content."""
    if record.name.startswith(TRUSTED_LOGGERS):
        return record.getMessage()
    return record.msg if isinstance(record.msg, str) else type(record.msg).__name__


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": _message(record),
        }
        entry.update({name: getattr(record, name) for name in ALLOWED_FIELDS if hasattr(record, name)})
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = record.exc_info[0].__name__
        return json.dumps(entry, default=str)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Library loggers may format message bodies; keep them at warnings.
    for noisy in ("faststream", "uvicorn.access", "nats"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
