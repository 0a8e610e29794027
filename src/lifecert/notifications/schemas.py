"""API shapes for notifications and campaigns (kept apart from the tables)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from lifecert.notifications.models import ChannelName, DeliveryStatus, MessageKind


class NotificationRead(BaseModel):
    """One outbox row as staff (retiree page) and the API see it."""

    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: int
    created_at: datetime
    kind: MessageKind
    channel: ChannelName
    status: DeliveryStatus
    text: str
    campaign_name: str | None = None
    attempts: int = 0
    last_error: str = ""
    sent_at: datetime | None = None
    read_at: datetime | None = None


class AudienceGroup(StrEnum):
    ALL = "all"  # everyone active in the chosen area
    DUE_WITHIN = "due_within"  # certification expires within N days
    OVERDUE = "overdue"
    SUSPENDED = "suspended"
    UNDER_REVIEW = "under_review"
    NEVER_CERTIFIED = "never_certified"


class Audience(BaseModel):
    """Who a campaign reaches, always further limited to the sender's regions."""

    group: AudienceGroup = AudienceGroup.ALL
    due_within_days: int = Field(30, ge=1, le=366)
    age_min: int | None = Field(None, ge=0, le=130)
    age_max: int | None = Field(None, ge=0, le=130)
    region_id: int | None = None  # a community or a larger region (its whole subtree)
    # Optional: only people who have not yet read that campaign's inbox message.
    unread_campaign_id: int | None = None


class CampaignCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    audience: Audience = Audience()
    template_zh: str = Field(min_length=1, max_length=500)
    template_en: str = Field("", max_length=500)
    channels: list[ChannelName] = Field(default_factory=lambda: [ChannelName.INBOX])

    @field_validator("channels")
    @classmethod
    def _some_channel(cls, value: list[ChannelName]) -> list[ChannelName]:
        if not value:
            raise ValueError("choose at least one channel")
        return list(dict.fromkeys(value))


class PreviewSample(BaseModel):
    retiree_id: int
    name: str
    language: str
    text: str


class CampaignPreview(BaseModel):
    count: int
    samples: list[PreviewSample]
    text_zh: str  # the templates rendered for the first recipient (or example values)
    text_en: str
    # The template uses {phone_of_community} but no worker of these communities has a phone.
    communities_without_phone: list[str] = []


class CampaignRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    region_id: int | None
    audience: dict[str, object]
    template_zh: str
    template_en: str
    channels: list[str]
    recipient_count: int
    created_by: int | None
    created_at: datetime
    sent_at: datetime | None


class RecipientResult(BaseModel):
    retiree_id: int
    name: str
    community: str
    statuses: dict[str, DeliveryStatus]  # channel -> status
    errors: dict[str, str]
    read: bool


class CampaignResults(BaseModel):
    campaign: CampaignRead
    totals: dict[str, dict[str, int]]  # channel -> status -> count
    read_count: int
    recipients: list[RecipientResult]
    recipients_total: int
