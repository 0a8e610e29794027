"""Fraud alerts with their evidence and linked people/devices, and death registrations."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lifecert.core.db import Base, BigIntPK, IdMixin, TimestampMixin, UTCDateTime, str_enum


class AlertKind(StrEnum):
    DUPLICATE_FACE = "duplicate_face"  # the same face under another identity (1:N search)
    SHARED_PHONE = "shared_phone"
    SHARED_ACCOUNT = "shared_account"  # several retirees paid into one pension account
    CERTIFIED_AFTER_DEATH = "certified_after_death"
    # Certification-behaviour rules (raised by the certification code):
    HELPER_MANY = "helper_many"
    DEVICE_MANY = "device_many"
    IP_MANY = "ip_many"
    WORKER_OUTLIER = "worker_outlier"
    BURST = "burst"
    NIGHT_TIME = "night_time"
    # A confident passive-PAD attack: blocks automatic certification until an officer decides.
    PRESENTATION_ATTACK = "presentation_attack"
    # Marketplace anti-scam rules (marketplace/rules.py): the merchant's payouts wait.
    MARKET_COMMUNITY_SWEEP = "market_community_sweep"
    MARKET_COMPLAINTS = "market_complaints"
    MARKET_NEAR_CAP = "market_near_cap"
    MARKET_AFTER_CALL = "market_after_call"
    MARKET_SPEND_SPIKE = "market_spend_spike"
    # A home-care visit broke a rule (homecare.rules): not billable until an officer decides.
    HOMECARE_VISIT = "homecare_visit"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class AlertStatus(StrEnum):
    OPEN = "open"
    ASSIGNED = "assigned"
    RESOLVED = "resolved"


class AlertOutcome(StrEnum):
    FRAUD_CONFIRMED = "fraud_confirmed"
    FALSE_ALARM = "false_alarm"


class LinkKind(StrEnum):
    RETIREE = "retiree"
    HELPER = "helper"
    DEVICE = "device"
    IP = "ip"
    STAFF = "staff"
    MERCHANT = "merchant"


class Alert(IdMixin, TimestampMixin, Base):
    __tablename__ = "fraud_alert"

    kind: Mapped[AlertKind] = mapped_column(str_enum(AlertKind, 32), index=True)
    severity: Mapped[Severity] = mapped_column(str_enum(Severity, 8))
    status: Mapped[AlertStatus] = mapped_column(
        str_enum(AlertStatus, 16), default=AlertStatus.OPEN, index=True
    )
    outcome: Mapped[AlertOutcome | None] = mapped_column(str_enum(AlertOutcome, 16))
    # Why the rule fired, in data: thresholds, counts, distances, masked values. No biometrics.
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The same finding is raised once (nightly rules rerun every night).
    dedup_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    assigned_to: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))
    resolved_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_note: Mapped[str] = mapped_column(Text, default="")

    links: Mapped[list[AlertLink]] = relationship(
        back_populates="alert", lazy="selectin", cascade="all, delete-orphan"
    )


class AlertLink(IdMixin, Base):
    """A person or thing an alert is about. Retiree links carry the region path for scoping."""

    __tablename__ = "fraud_alert_link"

    alert_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("fraud_alert.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[LinkKind] = mapped_column(str_enum(LinkKind, 16))
    ref: Mapped[str] = mapped_column(String(64))  # retiree id, helper id, device id, IP...
    retiree_id: Mapped[int | None] = mapped_column(
        BigIntPK, ForeignKey("retiree.id", ondelete="SET NULL"), index=True
    )
    region_path: Mapped[str] = mapped_column(String(255), default="", index=True)
    label: Mapped[str] = mapped_column(String(100), default="")

    alert: Mapped[Alert] = relationship(back_populates="links")


class DeathStatus(StrEnum):
    PENDING = "pending"  # payment on hold until an officer (not the reporter) approves
    APPROVED = "approved"  # payment stopped
    REVERSED = "reversed"  # a wrong report: payment restored with arrears


class DeathRecord(IdMixin, TimestampMixin, Base):
    """A registered death (civil affairs, hospital, funeral home), one per retiree."""

    __tablename__ = "death_record"

    retiree_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE"), unique=True
    )
    date_of_death: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(100), default="")
    certificate_no: Mapped[str] = mapped_column(String(64), default="")
    import_job_id: Mapped[int | None] = mapped_column(
        BigIntPK, ForeignKey("import_job.id", ondelete="SET NULL")
    )
    recorded_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))
    status: Mapped[DeathStatus] = mapped_column(
        str_enum(DeathStatus, 16), default=DeathStatus.PENDING, index=True
    )
    approved_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reversed_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))
    reversed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reversal_reason: Mapped[str] = mapped_column(Text, default="")
