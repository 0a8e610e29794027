"""Regions (province → city → district → street → community) and staff accounts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lifecert.core.db import Base, BigIntPK, IdMixin, TimestampMixin, UTCDateTime, str_enum
from lifecert.core.roles import Role


class RegionLevel(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"


LEVEL_ORDER = list(RegionLevel)


class Region(IdMixin, TimestampMixin, Base):
    __tablename__ = "region"

    parent_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("region.id"), index=True)
    level: Mapped[RegionLevel] = mapped_column(str_enum(RegionLevel, 16))
    name: Mapped[str] = mapped_column(String(100))
    # Administrative division code (GB/T 2260 prefix plus local suffix); unique nationwide.
    code: Mapped[str] = mapped_column(String(20), unique=True)
    # Materialised path of ids, e.g. "/1/4/9/": subtree queries are one indexed prefix match.
    path: Mapped[str] = mapped_column(String(255), index=True)

    parent: Mapped[Region | None] = relationship(remote_side="Region.id")


class Staff(IdMixin, TimestampMixin, Base):
    __tablename__ = "staff"

    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role, 32))
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on password change or forced logout: older session cookies stop working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    regions: Mapped[list[Region]] = relationship(secondary="staff_region", lazy="selectin")


class StaffRegion(Base):
    __tablename__ = "staff_region"  # the composite primary key keeps each pair unique

    staff_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True
    )
    region_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("region.id", ondelete="CASCADE"), primary_key=True
    )
