"""The outbox (one row per recipient, message and channel), campaigns and language choices."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lifecert.core.db import Base, BigIntPK, IdMixin, TimestampMixin, UTCDateTime, str_enum, utcnow
from lifecert.organisation.models import Region


class ChannelName(StrEnum):
    INBOX = "inbox"  # the retiree's phone pages
    SMS = "sms"
    VOICE = "voice"  # interface only until a voice provider is configured


class DeliveryStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"  # claimed by a worker; a crash leaves it here until the sweep retries
    RETRYING = "retrying"  # a transient failure; next_attempt_at says when
    SENT = "sent"  # handed to the gateway (no delivery receipt)
    DELIVERED = "delivered"  # in the inbox
    FAILED = "failed"  # gave up: permanent error or attempts exhausted
    NOT_CONFIGURED = "not_configured"  # the channel has no provider: nothing was sent


FINAL_STATUSES = frozenset(
    {
        DeliveryStatus.SENT,
        DeliveryStatus.DELIVERED,
        DeliveryStatus.FAILED,
        DeliveryStatus.NOT_CONFIGURED,
    }
)


class MessageKind(StrEnum):
    CAMPAIGN = "campaign"
    REMINDER = "reminder"  # from the certification cycle
    ADHOC = "adhoc"  # one reminder sent by a worker from the retiree page
    FAMILY = "family"  # to a family contact about the retiree (marketplace orders)


class Campaign(IdMixin, TimestampMixin, Base):
    __tablename__ = "notification_campaign"

    name: Mapped[str] = mapped_column(String(100))
    # The targeted region subtree; None: all regions of the creator.
    region_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("region.id"), index=True)
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    template_zh: Mapped[str] = mapped_column(Text)
    template_en: Mapped[str] = mapped_column(Text, default="")
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    recipient_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"), index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    region: Mapped[Region | None] = relationship(lazy="joined")


class OutboxMessage(IdMixin, TimestampMixin, Base):
    __tablename__ = "notification_outbox"
    __table_args__ = (
        Index("ix_notification_outbox_retiree_created", "retiree_id", "created_at"),
        Index("ix_notification_outbox_status_next", "status", "next_attempt_at"),
    )

    # Unique: a rerun job (or a double click) finds the row and sends nothing twice.
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    retiree_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE"))
    campaign_id: Mapped[int | None] = mapped_column(
        BigIntPK, ForeignKey("notification_campaign.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[MessageKind] = mapped_column(str_enum(MessageKind, 16))
    channel: Mapped[ChannelName] = mapped_column(str_enum(ChannelName, 16))
    language: Mapped[str] = mapped_column(String(8), default="zh_CN")
    text: Mapped[str] = mapped_column(Text)
    # A family contact's phone when the message is about the retiree, not to them ("": them).
    to_phone: Mapped[str] = mapped_column(String(20), default="")
    status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus, 16), default=DeliveryStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(String(255), default="")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # inbox only
    created_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))

    campaign: Mapped[Campaign | None] = relationship(lazy="joined")


class NotificationPreference(Base):
    """The language a retiree reads (set when they use the phone pages); zh-CN otherwise."""

    __tablename__ = "notification_preference"

    retiree_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(8), default="zh_CN")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
