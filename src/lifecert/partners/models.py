"""Partners, their keys, idempotent answers, the event outbox, webhook subscriptions and
deliveries."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from lifecert.core.db import Base, BigIntPK, IdMixin, TimestampMixin, UTCDateTime, str_enum, utcnow


class PartnerScope(StrEnum):
    """What a key may do, one scope per action."""

    READ_STATUS = "read_status"
    PUSH_SIGNALS = "push_signals"
    PUSH_DEATHS = "push_deaths"
    EXPORT_PAYMENTS = "export_payments"
    START_CERTIFICATION = "start_certification"


class EventType(StrEnum):
    CERTIFIED = "certified"
    SUSPENDED = "suspended"
    RESUMED = "resumed"
    DEATH_RECORDED = "death_recorded"
    REVIEW_DECIDED = "review_decided"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"  # retried for the whole retry window; an admin may replay it


class Partner(IdMixin, TimestampMixin, Base):
    """An organisation. Its signing secret (webhooks, verification requests and results) is
    kept encrypted: LifeCert must sign with it, so a hash would not do."""

    __tablename__ = "partner"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    signing_key_id: Mapped[str] = mapped_column(String(32), unique=True)
    signing_secret_enc: Mapped[bytes] = mapped_column(LargeBinary)
    # Where a verified retiree may be sent back to: exact URLs, one per line.
    return_urls: Mapped[str] = mapped_column(Text, default="")
    # The life-signal source its pushed signals count as (trust level lives there).
    signal_source_code: Mapped[str] = mapped_column(String(32), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class PartnerKey(IdMixin, TimestampMixin, Base):
    """An API key: ``lcp_<key_id>_<secret>``; only SHA-256 of the 256-bit secret is kept."""

    __tablename__ = "partner_key"

    partner_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("partner.id"), index=True)
    key_id: Mapped[str] = mapped_column(String(24), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(100), default="")
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    region_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    rate_per_minute: Mapped[int] = mapped_column(Integer, default=600)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IdempotentAnswer(IdMixin, Base):
    """The stored answer of a POST made with an ``Idempotency-Key``."""

    __tablename__ = "partner_idempotency"
    __table_args__ = (UniqueConstraint("key_id", "idempotency_key"),)

    key_id: Mapped[str] = mapped_column(String(24))
    idempotency_key: Mapped[str] = mapped_column(String(128))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class PartnerEvent(IdMixin, Base):
    """The outbox: written in the transaction that made the change, fanned out afterwards."""

    __tablename__ = "partner_event"

    event_id: Mapped[str] = mapped_column(String(40), unique=True)
    type: Mapped[EventType] = mapped_column(str_enum(EventType, 24))
    retiree_id: Mapped[int | None] = mapped_column(BigIntPK)
    region_path: Mapped[str] = mapped_column(String(255), default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    fanned_out: Mapped[bool] = mapped_column(Boolean, default=False, index=True)


class WebhookSubscription(IdMixin, TimestampMixin, Base):
    __tablename__ = "webhook_subscription"

    partner_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("partner.id"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    event_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    region_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class WebhookDelivery(IdMixin, Base):
    """One event to one subscription; its attempts are the delivery log."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (UniqueConstraint("subscription_id", "event_id"),)

    subscription_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("webhook_subscription.id"), index=True
    )
    event_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("partner_event.id"))
    status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus, 16), default=DeliveryStatus.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(String(255), default="")


class WebhookAttempt(IdMixin, Base):
    __tablename__ = "webhook_attempt"

    delivery_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("webhook_delivery.id"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(String(255), default="")
    ms: Mapped[int] = mapped_column(Integer, default=0)


class PartnerVerification(IdMixin, Base):
    """One certification-as-a-service request: opened once (its nonce is single-use), answered
    once with a signed result that names the certification's outcome, never face data."""

    __tablename__ = "partner_verification"
    __table_args__ = (UniqueConstraint("partner_id", "nonce"),)

    partner_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("partner.id"), index=True)
    retiree_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("retiree.id"))
    nonce: Mapped[str] = mapped_column(String(64))
    return_url: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    certification_id: Mapped[int | None] = mapped_column(BigIntPK)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
