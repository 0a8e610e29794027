"""The public-service directory (per region, inherited downwards, overridable by a community),
online applications with their steps, and the allowance payments they start."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from lifecert.core.db import Base, BigIntPK, IdMixin, TimestampMixin, UTCDateTime, str_enum, utcnow


class ServiceCategory(StrEnum):
    SOCIAL_INSURANCE = "social_insurance"  # 社会保险
    MEDICAL_INSURANCE = "medical_insurance"  # 医疗保险
    HOUSEHOLD = "household"  # 户籍
    CIVIL_AFFAIRS = "civil_affairs"  # 民政福利
    ALLOWANCE = "allowance"  # 高龄津贴, 助餐补贴 ...


class ApplicationStatus(StrEnum):
    SUBMITTED = "submitted"
    MORE_INFO = "more_info"  # the community asked for more; the elder answers
    APPROVED = "approved"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


OPEN_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.MORE_INFO)


class PublicService(IdMixin, TimestampMixin, Base):
    """One service as data. A row at a city or district applies to every community below it;
    a row with the same ``code`` lower down overrides it (``active`` False hides it there)."""

    __tablename__ = "public_service"
    __table_args__ = (UniqueConstraint("region_id", "code"),)

    region_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("region.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), index=True)
    category: Mapped[ServiceCategory] = mapped_column(str_enum(ServiceCategory, 32))
    name: Mapped[str] = mapped_column(String(100))
    initials: Mapped[str] = mapped_column(String(50), default="")  # pinyin initials: gljt
    summary: Mapped[str] = mapped_column(Text, default="")
    who_qualifies: Mapped[str] = mapped_column(Text, default="")
    documents: Mapped[list[str]] = mapped_column(JSON, default=list)
    address: Mapped[str] = mapped_column(String(255), default="")
    hours: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    # Eligibility as data: {"min_age": 80, "residence": true, "certified": true}.
    rules: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    monthly_amount: Mapped[int] = mapped_column(Integer, default=0)  # yuan; 0: no payment
    review_days: Mapped[int] = mapped_column(Integer, default=15)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ServiceApplication(IdMixin, TimestampMixin, Base):
    __tablename__ = "service_application"

    service_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("public_service.id"))
    retiree_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE"), index=True
    )
    community_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("region.id"), index=True)
    status: Mapped[ApplicationStatus] = mapped_column(
        str_enum(ApplicationStatus, 16), default=ApplicationStatus.SUBMITTED, index=True
    )
    channel: Mapped[str] = mapped_column(String(16), default="phone")  # phone / helper / staff
    form: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # prefilled + answers
    eligibility: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # rules checked
    respond_by: Mapped[date] = mapped_column(Date)  # the community's deadline
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")  # refusal or what is missing


class ApplicationStep(IdMixin, Base):
    """The application's history, shown to the elder as progress."""

    __tablename__ = "service_application_step"

    application_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("service_application.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[ApplicationStatus] = mapped_column(str_enum(ApplicationStatus, 16))
    note: Mapped[str] = mapped_column(Text, default="")
    staff_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AllowancePayment(IdMixin, Base):
    """What the paying agency must start: one row per approved allowance, exported by cursor."""

    __tablename__ = "allowance_payment"
    __table_args__ = (UniqueConstraint("application_id"),)

    application_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("service_application.id", ondelete="CASCADE")
    )
    retiree_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE"), index=True
    )
    service_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("public_service.id"))
    monthly_amount: Mapped[int] = mapped_column(Integer)
    start_month: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
