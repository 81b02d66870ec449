"""Sanitiser's wiring: the consumer of SubmissionReceived, the source vault's API and the retention clock."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Path, Request

from contracts.events import SubmissionReceived
from services.common.auth import Principal, require_roles
from services.common.consumer import EventConsumer
from services.common.runtime import ServiceContext, create_service_app
from services.common.sealing import MasterKeyring
from services.common.settings import PipelineSettings
from services.sanitiser.handlers import SanitiserKeys, sanitise_submission
from services.sanitiser.vault import VaultError, erase_expired, read_source_details

SourceHandler = Annotated[Principal, Depends(require_roles("source_handler"))]


def create_app(settings: PipelineSettings) -> FastAPI:
    keys = SanitiserKeys(
        MasterKeyring.parse(settings.require("master_keys"), settings.require("master_key_id")),
        settings.hmac_key_bytes(),
    )
    router = APIRouter(prefix="/api/v1/sources", tags=["source vault"])

    @router.get("/{reference}")
    async def source_details(
        request: Request,
        who: SourceHandler,
        reference: Annotated[str, Path(max_length=40)],
        reason: Annotated[str | None, Header(alias="X-Access-Reason", max_length=500)] = None,
    ) -> dict[str, Any]:
        """Reporter and source details, for the source_handler role only; the reason is recorded."""
        if reason is None or len(reason.strip()) < 5:
            raise HTTPException(400, "say why you need the source details in the X-Access-Reason header")
        try:
            return await read_source_details(request.app.state.engine, keys.keyring, reference, who, reason.strip())
        except VaultError as exc:
            raise HTTPException(exc.status, str(exc)) from None

    def consumers(context: ServiceContext) -> Sequence[EventConsumer]:
        handler = partial(sanitise_submission, keys=keys)
        return [
            EventConsumer(
                "sanitiser",
                SubmissionReceived.event_type,
                handler,
                context.engine,
                settings.max_attempts,
                reads_only=True,
            )
        ]

    async def retention(context: ServiceContext, stopping: asyncio.Event) -> None:
        """Erases submissions past the retention period (CPI_RETENTION_DAYS), checked hourly."""
        while settings.retention_days is not None and not stopping.is_set():
            await erase_expired(context.engine, settings.retention_days, datetime.now(UTC))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), settings.retention_check_seconds)

    return create_service_app(
        "sanitiser", settings, consumers=consumers, routers=[router], background=[retention], title="CPI sanitiser"
    )
