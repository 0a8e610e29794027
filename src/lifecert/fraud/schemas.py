"""API shapes for alerts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from lifecert.fraud.models import (
    AlertKind,
    AlertOutcome,
    AlertStatus,
    DeathStatus,
    LinkKind,
    Severity,
)


class AlertLinkRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: LinkKind
    ref: str
    label: str  # empty for retirees outside the caller's regions


class AlertRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: AlertKind
    severity: Severity
    status: AlertStatus
    outcome: AlertOutcome | None
    evidence: dict[str, Any]
    assigned_to: int | None
    created_at: datetime
    resolved_at: datetime | None
    resolution_note: str
    links: list[AlertLinkRead] = []


class AlertList(BaseModel):
    items: list[AlertRead]
    total: int
    offset: int
    limit: int


class AlertAssign(BaseModel):
    staff_id: int


class AlertResolve(BaseModel):
    outcome: AlertOutcome
    note: str = Field(min_length=1, max_length=2000)


class DeathRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    retiree_id: int
    date_of_death: date
    source: str
    status: DeathStatus
    recorded_by: int | None
    approved_by: int | None
    reversed_by: int | None
    reversal_reason: str


class DeathReport(BaseModel):
    retiree_id: int = Field(ge=1, le=2**63 - 1)
    date_of_death: date
    source: str = Field(default="", max_length=100)
    certificate_no: str = Field(default="", max_length=64)


class DeathReverse(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)
