"""Grader's wiring: the policy file is read and validated once, at start-up."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from fastapi import FastAPI

from contracts.events import Sanitised
from services.common.consumer import EventConsumer
from services.common.runtime import ServiceContext, create_service_app
from services.common.settings import PipelineSettings
from services.grader.handlers import grade_submission
from services.grader.policy import DEFAULT_POLICY_PATH, load_policy


def create_app(settings: PipelineSettings) -> FastAPI:
    policy = load_policy(settings.grading_policy or DEFAULT_POLICY_PATH)

    def consumers(context: ServiceContext) -> Sequence[EventConsumer]:
        handler = partial(grade_submission, policy=policy)
        return [
            EventConsumer(
                "grader", Sanitised.event_type, handler, context.engine, settings.max_attempts, reads_only=True
            )
        ]

    return create_service_app("grader", settings, consumers=consumers, title="CPI grader")
