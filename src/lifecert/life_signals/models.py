"""Partner sources, their dated life signals, region policies, and what certified silently."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lifecert.core.db import Base, BigIntPK, IdMixin, TimestampMixin, UTCDateTime, str_enum, utcnow


class SourceKind(StrEnum):
    HOSPITAL = "hospital"  # a visit paid with the medical-insurance card
    BANK = "bank"  # a transaction at a bank counter
    TRANSPORT = "transport"  # a senior transport card tap
    CARE_VISIT = "care_visit"  # a verified home-care visit
    CLASS = "class"  # a face-verified class attendance


class SignalSource(IdMixin, TimestampMixin, Base):
    """A named partner. ``trust_level`` 1 (weak) – 3 (strong); the API key is kept hashed."""

    __tablename__ = "life_signal_source"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[SourceKind] = mapped_column(str_enum(SourceKind, 16))
    trust_level: Mapped[int] = mapped_column(Integer, default=1)
    partner_key_hash: Mapped[str] = mapped_column(String(64), default="", index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class LifeSignal(IdMixin, Base):
    """One dated event: the person was seen alive by ``source`` on ``occurred_on``."""

    __tablename__ = "life_signal"
    # One index: the evaluation reads a person's signals by source and date range.
    __table_args__ = (UniqueConstraint("retiree_id", "source_id", "occurred_on"),)

    retiree_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE")
    )
    source_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("life_signal_source.id"))
    occurred_on: Mapped[date] = mapped_column(Date)
    import_job_id: Mapped[int | None] = mapped_column(
        BigIntPK, ForeignKey("import_job.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SilentPolicy(IdMixin, Base):
    """Per region (the nearest ancestor's applies): which sources, how recent, how many may
    certify silently, and how often a face check is still required."""

    __tablename__ = "silent_policy"

    region_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("region.id"), unique=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Source codes allowed; empty: every active source with at least ``min_trust``.
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    min_trust: Mapped[int] = mapped_column(Integer, default=2)
    max_age_days: Mapped[int] = mapped_column(Integer, default=90)
    min_signals: Mapped[int] = mapped_column(Integer, default=2)
    min_sources: Mapped[int] = mapped_column(Integer, default=1)
    face_every_years: Mapped[int] = mapped_column(Integer, default=3)


class SilentEvidence(IdMixin, Base):
    """Which source's signals a silent certification used (for reports and source quality)."""

    __tablename__ = "silent_evidence"

    certification_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("certification.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("life_signal_source.id"), index=True
    )
    signals: Mapped[int] = mapped_column(Integer)
    last_on: Mapped[date] = mapped_column(Date)
