"""Sanitiser's wiring: one durable consumer of SubmissionReceived."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from fastapi import FastAPI

from contracts.events import SubmissionReceived
from services.common.consumer import EventConsumer
from services.common.runtime import ServiceContext, create_service_app
from services.common.sealing import MasterKeyring
from services.common.settings import PipelineSettings
from services.sanitiser.handlers import SanitiserKeys, sanitise_submission


def create_app(settings: PipelineSettings) -> FastAPI:
    keys = SanitiserKeys(
        MasterKeyring.parse(settings.require("master_keys"), settings.require("master_key_id")),
        settings.hmac_key_bytes(),
    )

    def consumers(context: ServiceContext) -> Sequence[EventConsumer]:
        handler = partial(sanitise_submission, keys=keys)
        return [
            EventConsumer("sanitiser", SubmissionReceived.event_type, handler, context.engine, settings.max_attempts)
        ]

    return create_service_app("sanitiser", settings, consumers=consumers, title="CPI sanitiser")
