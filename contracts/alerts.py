"""What the control room receives: only what it needs to act, never reporter or source details."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from contracts.events import GradeReason, Priority


class ControlRoomAlert(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    schema_version: int = 1
    alert_id: UUID
    reference: str
    priority: Priority
    categories: list[str]
    intelligence_text: str
    location: str
    reasons: list[GradeReason]
    review_due_at: datetime
    graded_at: datetime
    escalation: bool = False
