"""The retiree registry. The ID number is stored encrypted, with a keyed hash for lookup."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lifecert.core.db import Base, BigIntPK, IdMixin, TimestampMixin, UTCDateTime, str_enum
from lifecert.organisation.models import Region


class RetireeStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DECEASED = "deceased"
    TRANSFERRED_OUT = "transferred_out"


class CertState(StrEnum):
    NEVER = "never"
    CERTIFIED = "certified"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    UNDER_REVIEW = "under_review"


class Gender(StrEnum):
    MALE = "male"
    FEMALE = "female"


class Retiree(IdMixin, TimestampMixin, Base):
    __tablename__ = "retiree"
    __table_args__ = (
        Index("ix_retiree_community_state", "community_id", "cert_state"),
        Index("ix_retiree_valid_until", "valid_until"),
    )

    id_number_hash: Mapped[str] = mapped_column(String(64), unique=True)
    id_number_enc: Mapped[bytes] = mapped_column(LargeBinary)
    id_number_masked: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(50), index=True)
    gender: Mapped[Gender] = mapped_column(str_enum(Gender, 8))
    birth_date: Mapped[date] = mapped_column(Date)
    phone: Mapped[str] = mapped_column(String(20), default="")
    address: Mapped[str] = mapped_column(String(255), default="")
    community_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("region.id"))
    pension_account: Mapped[str] = mapped_column(String(32), default="")
    paying_agency: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[RetireeStatus] = mapped_column(
        str_enum(RetireeStatus, 16), default=RetireeStatus.ACTIVE
    )
    cert_state: Mapped[CertState] = mapped_column(str_enum(CertState, 16), default=CertState.NEVER)
    valid_until: Mapped[date | None] = mapped_column(Date)
    last_certified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notes: Mapped[str] = mapped_column(Text, default="")

    community: Mapped[Region] = relationship(lazy="joined")
