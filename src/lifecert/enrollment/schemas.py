"""API shapes for enrollment. Encrypted vectors never appear here."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from lifecert.enrollment.models import (
    ConsentChannel,
    ReviewReason,
    ReviewStatus,
    TemplateSource,
    TemplateStatus,
)


class ConsentCreate(BaseModel):
    channel: ConsentChannel
    given_by: str = Field(min_length=1, max_length=100)


class ConsentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    text_version: str
    channel: ConsentChannel
    given_by: str
    given_at: datetime
    withdrawn_at: datetime | None


class TemplateRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    model_id: str
    source: TemplateSource
    status: TemplateStatus
    captured_at: datetime
    captured_by: int | None
    device: str
    quality: dict[str, float]


class EnrollmentResult(BaseModel):
    template: TemplateRead
    sent_to_review: bool
    duplicate_of: int | None


class ReviewRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    template_id: int
    reason: ReviewReason
    status: ReviewStatus
    other_retiree_id: int | None
    distance: float | None


class ReviewDecision(BaseModel):
    approve: bool
    note: str = Field(default="", max_length=2000)
