"""API shapes for the services directory and applications."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from lifecert.services.applications import Decision
from lifecert.services.models import ApplicationStatus, ServiceCategory


class ServiceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    region_id: int
    code: str
    category: ServiceCategory
    name: str
    initials: str
    summary: str
    who_qualifies: str
    documents: list[str]
    address: str
    hours: str
    phone: str
    latitude: float | None
    longitude: float | None
    online: bool
    rules: dict[str, Any]
    monthly_amount: int
    review_days: int
    active: bool


class ServiceUpdate(BaseModel):
    """Fields to set at this region (the rest is inherited from the region above)."""

    category: ServiceCategory | None = None
    name: str | None = Field(default=None, max_length=100)
    summary: str | None = None
    who_qualifies: str | None = None
    documents: list[str] | None = None
    address: str | None = Field(default=None, max_length=255)
    hours: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=30)
    latitude: float | None = None
    longitude: float | None = None
    online: bool | None = None
    rules: dict[str, Any] | None = None
    monthly_amount: int | None = Field(default=None, ge=0)
    review_days: int | None = Field(default=None, ge=1, le=90)
    active: bool | None = None


class ApplicationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    service_id: int
    retiree_id: int
    community_id: int
    status: ApplicationStatus
    channel: str
    form: dict[str, Any]
    eligibility: dict[str, Any]
    respond_by: date
    decided_at: datetime | None
    reason: str


class ApplicationDecision(BaseModel):
    decision: Decision
    note: str = Field(default="", max_length=1000)
