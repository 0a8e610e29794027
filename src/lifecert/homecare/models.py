"""Home-care supervision: providers and their caregivers, the bureau's priced catalogue, plans,
work orders, visits proven by face and place, anomalies, and the monthly settlement."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from lifecert.core.db import Base, BigIntPK, IdMixin, TimestampMixin, UTCDateTime, str_enum


class ProviderStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    SUSPENDED = "suspended"


class OrderStatus(StrEnum):
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class VisitStatus(StrEnum):
    OPEN = "open"  # created with its order; nobody has checked in
    CHECKED_IN = "checked_in"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class SettlementStatus(StrEnum):
    DRAFT = "draft"  # prepared by one officer
    SIGNED = "signed"  # signed off by a second, different officer: exportable


class Provider(IdMixin, TimestampMixin, Base):
    __tablename__ = "homecare_provider"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    licence_no: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str] = mapped_column(String(30), default="")
    status: Mapped[ProviderStatus] = mapped_column(
        str_enum(ProviderStatus, 16), default=ProviderStatus.PENDING)
    rating: Mapped[float | None] = mapped_column(Float)  # the bureau's grade, 1-5
    decided_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))


class ProviderRegion(Base):
    """A region the provider is commissioned to serve (its whole subtree)."""

    __tablename__ = "homecare_provider_region"

    provider_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("homecare_provider.id", ondelete="CASCADE"), primary_key=True)
    region_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("region.id", ondelete="CASCADE"), primary_key=True)
    region_path: Mapped[str] = mapped_column(String(255))


class ServiceItem(IdMixin, TimestampMixin, Base):
    """The bureau's catalogue: one price per visit, the minimum duration that counts."""

    __tablename__ = "homecare_service_item"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    unit_price_cents: Mapped[int] = mapped_column(Integer)
    min_minutes: Mapped[int] = mapped_column(Integer, default=30)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Caregiver(IdMixin, TimestampMixin, Base):
    """A provider's staff account (role PROVIDER_STAFF) with its own encrypted face template."""

    __tablename__ = "homecare_caregiver"

    staff_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("staff.id", ondelete="CASCADE"), unique=True)
    provider_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("homecare_provider.id", ondelete="CASCADE"), index=True)
    is_manager: Mapped[bool] = mapped_column(Boolean, default=False)
    certificate: Mapped[str] = mapped_column(String(100), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    template_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    template_model: Mapped[str] = mapped_column(String(64), default="")


class ElderHome(IdMixin, Base):
    """The registered address's coordinates (the registry keeps only the text); staff fix pins."""

    __tablename__ = "homecare_elder_home"

    retiree_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE"), unique=True)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    set_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Absence(IdMixin, Base):
    """The elder is away (in hospital, travelling): visits in this period are anomalies."""

    __tablename__ = "homecare_absence"

    retiree_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="hospital")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))


class CarePlan(IdMixin, TimestampMixin, Base):
    """An elder's eligibility: so many subsidised visits of a service a month, for a period."""

    __tablename__ = "homecare_plan"

    retiree_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE"), index=True)
    provider_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("homecare_provider.id"))
    service_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("homecare_service_item.id"))
    visits_per_month: Mapped[int] = mapped_column(Integer)
    assessment_level: Mapped[str] = mapped_column(String(16), default="")
    subsidy_level: Mapped[str] = mapped_column(String(16), default="")
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    refused: Mapped[bool] = mapped_column(Boolean, default=False)  # the elder said no
    family_contact: Mapped[str] = mapped_column(String(100), default="")
    set_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))


class WorkOrder(IdMixin, TimestampMixin, Base):
    __tablename__ = "homecare_order"
    __table_args__ = (Index("ix_homecare_order_caregiver_start", "caregiver_id",
                            "scheduled_start"),)

    plan_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("homecare_plan.id"))
    provider_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("homecare_provider.id"), index=True)
    retiree_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("retiree.id"), index=True)
    service_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("homecare_service_item.id"))
    caregiver_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("homecare_caregiver.id"))
    scheduled_start: Mapped[datetime] = mapped_column(UTCDateTime)
    scheduled_end: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[OrderStatus] = mapped_column(
        str_enum(OrderStatus, 16), default=OrderStatus.SCHEDULED)
    requested_by: Mapped[str] = mapped_column(String(16), default="plan")  # plan, elder, family...


class Visit(IdMixin, TimestampMixin, Base):
    """The proof of one visit. Generic: ``order_kind``/``order_id`` name what was ordered (a
    home-care work order, a marketplace home-service order); ``worker_staff_id`` who came."""

    __tablename__ = "homecare_visit"
    __table_args__ = (
        UniqueConstraint("order_kind", "order_id"),
        Index("ix_homecare_visit_worker_in", "worker_staff_id", "checkin_at"),
        Index("ix_homecare_visit_provider_in", "provider_id", "checkin_at"),
    )

    order_kind: Mapped[str] = mapped_column(String(16), default="homecare")
    order_id: Mapped[int] = mapped_column(BigInteger)
    provider_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("homecare_provider.id"))
    worker_staff_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("staff.id"))
    retiree_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("retiree.id"), index=True)
    region_path: Mapped[str] = mapped_column(String(255), index=True)  # the elder's community
    service_code: Mapped[str] = mapped_column(String(32), default="")
    price_cents: Mapped[int] = mapped_column(Integer, default=0)  # the bureau's price, at order
    min_minutes: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[VisitStatus] = mapped_column(
        str_enum(VisitStatus, 16), default=VisitStatus.OPEN, index=True)
    scheduled_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    visit_date: Mapped[date | None] = mapped_column(Date, index=True)  # local date of check-in
    duration_s: Mapped[int | None] = mapped_column(Integer)
    challenge_nonce: Mapped[str] = mapped_column(String(64), default="")
    challenge_actions: Mapped[list[str]] = mapped_column(JSON, default=list)
    challenge_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    worker_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checkin_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    checkin_lat: Mapped[float | None] = mapped_column(Float)
    checkin_lon: Mapped[float | None] = mapped_column(Float)
    checkin_accuracy_m: Mapped[float | None] = mapped_column(Float)
    checkin_distance_m: Mapped[float | None] = mapped_column(Float)
    checkout_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checkout_lat: Mapped[float | None] = mapped_column(Float)
    checkout_lon: Mapped[float | None] = mapped_column(Float)
    checkout_distance_m: Mapped[float | None] = mapped_column(Float)
    worker_verdict: Mapped[str] = mapped_column(String(16), default="")
    elder_verdict: Mapped[str] = mapped_column(String(16), default="")
    elder_route: Mapped[str] = mapped_column(String(16), default="face")  # face, non_face
    # Face and liveness evidence (distances, thresholds, actions seen); no images, no vectors.
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    needs_confirmation: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmed_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    elder_response: Mapped[str] = mapped_column(String(16), default="")  # confirmed, disputed
    rating: Mapped[int | None] = mapped_column(Integer)  # 1-5 by the elder or family
    billable: Mapped[bool] = mapped_column(Boolean, default=False, index=True)


class VisitPhoto(IdMixin, Base):
    __tablename__ = "homecare_visit_photo"

    visit_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("homecare_visit.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    blob_key: Mapped[str] = mapped_column(String(255), default="")


class AnomalyRule(Base):
    """A rule as data: the bureau switches it and sets its threshold and severity."""

    __tablename__ = "homecare_rule"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    threshold: Mapped[float] = mapped_column(Float, default=0.0)
    severity: Mapped[str] = mapped_column(String(8), default="medium")


class Anomaly(IdMixin, Base):
    """One rule hit on one visit, linked to its alert in the fraud triage."""

    __tablename__ = "homecare_anomaly"
    __table_args__ = (UniqueConstraint("visit_id", "rule"),)

    visit_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("homecare_visit.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(32))
    provider_id: Mapped[int | None] = mapped_column(BigIntPK, index=True)
    retiree_id: Mapped[int] = mapped_column(BigIntPK)
    month: Mapped[str] = mapped_column(String(7), default="")
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    alert_id: Mapped[int | None] = mapped_column(
        BigIntPK, ForeignKey("fraud_alert.id", ondelete="SET NULL"), index=True)
    closed_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")


class Settlement(IdMixin, TimestampMixin, Base):
    __tablename__ = "homecare_settlement"

    month: Mapped[str] = mapped_column(String(7), unique=True)
    status: Mapped[SettlementStatus] = mapped_column(
        str_enum(SettlementStatus, 16), default=SettlementStatus.DRAFT)
    visits: Mapped[int] = mapped_column(Integer, default=0)
    total_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    prepared_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))
    signed_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class KpiRollup(Base):
    """A month's visit counts per provider and community, rebuilt set-based by every rules run
    over the month (nightly, and before settlement): the KPI page reads these few rows instead
    of a million visits."""

    __tablename__ = "homecare_kpi"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    provider_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    region_path: Mapped[str] = mapped_column(String(255), primary_key=True)
    visits: Mapped[int] = mapped_column(Integer, default=0)
    checked_in: Mapped[int] = mapped_column(Integer, default=0)
    completed: Mapped[int] = mapped_column(Integer, default=0)
    billable: Mapped[int] = mapped_column(Integer, default=0)
    flagged: Mapped[int] = mapped_column(Integer, default=0)
    disputes: Mapped[int] = mapped_column(Integer, default=0)
    rating_sum: Mapped[int] = mapped_column(Integer, default=0)
    rating_n: Mapped[int] = mapped_column(Integer, default=0)
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
