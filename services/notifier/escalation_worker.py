"""Finds HIGH alerts left unacknowledged past their time and escalates each once (row lock + deterministic id)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from services.common.transient import is_transient
from services.notifier.alert_store import due_escalations
from services.notifier.handlers import PushRoutes, escalate_alert

log = logging.getLogger("cpi.notifier.escalation")


async def escalate_due_alerts(engine: AsyncEngine, push: PushRoutes) -> int:
    """One pass; returns how many escalations this replica recorded."""
    async with engine.connect() as conn:
        due = await due_escalations(conn, datetime.now(UTC))
    recorded = 0
    for alert_id in due:
        try:
            async with engine.begin() as conn:
                number = await escalate_alert(conn, alert_id, push, datetime.now(UTC))
        except IntegrityError:
            continue  # that escalation number is already in the store: another replica recorded it
        if number is not None:
            recorded += 1
            log.info("alert escalated")
    return recorded


async def run_escalations(engine: AsyncEngine, push: PushRoutes, check_seconds: float, stopping: asyncio.Event) -> None:
    while not stopping.is_set():
        try:
            await escalate_due_alerts(engine, push)
        except Exception as exc:
            if not is_transient(exc):
                log.exception("escalation pass failed", extra={"error": type(exc).__name__})
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), check_seconds)
