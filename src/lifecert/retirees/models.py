"""The retiree registry. The ID number is stored encrypted, with a keyed hash for lookup."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lifecert.core.db import Base, BigIntPK, IdMixin, TimestampMixin, UTCDateTime, str_enum, utcnow
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


class CertRoute(StrEnum):
    """How this person certifies: by face, or in person without a face check (no consent,
    consent withdrawn, or a face that cannot be matched)."""

    FACE = "face"
    NON_FACE = "non_face"


class ImportKind(StrEnum):
    ROSTER = "roster"
    PHOTOS = "photos"
    DEATHS = "deaths"  # death registrations (lifecert.fraud.deaths)
    LIFE_SIGNALS = "life_signals"  # partner events (lifecert.life_signals.imports)


class ImportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


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
    # Which data key encrypted id_number_enc (rotation finds old rows by this).
    key_id: Mapped[str] = mapped_column(String(16), default="", index=True)
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
    # Fixed when the person certifies, from their region's cycle policy: the nightly job then
    # only compares dates (reminders from due_soon_from, suspension after suspend_after).
    due_soon_from: Mapped[date | None] = mapped_column(Date)
    suspend_after: Mapped[date | None] = mapped_column(Date)
    last_certified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notes: Mapped[str] = mapped_column(Text, default="")
    route: Mapped[CertRoute] = mapped_column(str_enum(CertRoute, 16), default=CertRoute.FACE)

    community: Mapped[Region] = relationship(lazy="joined")


class RetireeTransfer(IdMixin, Base):
    """History of moves between communities (and cities): never overwritten, only appended."""

    __tablename__ = "retiree_transfer"

    retiree_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE"), index=True
    )
    from_community_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("region.id"))
    to_community_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("region.id"))
    moved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    moved_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))
    reason: Mapped[str] = mapped_column(String(255), default="")

    from_community: Mapped[Region] = relationship(foreign_keys=[from_community_id], lazy="joined")
    to_community: Mapped[Region] = relationship(foreign_keys=[to_community_id], lazy="joined")


class ImportJob(IdMixin, TimestampMixin, Base):
    """A bulk import (roster rows or reference photos) run in the background, with progress."""

    __tablename__ = "import_job"

    kind: Mapped[ImportKind] = mapped_column(str_enum(ImportKind, 16))
    status: Mapped[ImportStatus] = mapped_column(
        str_enum(ImportStatus, 16), default=ImportStatus.QUEUED
    )
    filename: Mapped[str] = mapped_column(String(255))
    source_key: Mapped[str] = mapped_column(String(255))  # encrypted upload in the blob store
    started_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))
    # The importer's scope: rows outside these regions are rejected, as on the pages.
    region_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("region.id"))
    total: Mapped[int] = mapped_column(Integer, default=0)
    processed: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    report_key: Mapped[str] = mapped_column(String(255), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    options: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
