"""Community events with sign-ups and attendance, notes on a retiree, planned home visits."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lifecert.core.db import Base, BigIntPK, IdMixin, TimestampMixin, UTCDateTime, str_enum, utcnow
from lifecert.organisation.models import Region


class EventKind(StrEnum):
    HEALTH_TALK = "health_talk"
    BIRTHDAY_PARTY = "birthday_party"
    CLASS = "class"
    OUTING = "outing"
    OTHER = "other"


class EventStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class SignupStatus(StrEnum):
    SIGNED_UP = "signed_up"
    CANCELLED = "cancelled"


class SignupChannel(StrEnum):
    MOBILE = "mobile"  # the retiree on their own phone page
    STAFF = "staff"  # a worker signed them up (signed_up_by says who)


class Attendance(StrEnum):
    ATTENDED = "attended"
    ABSENT = "absent"


class VisitStatus(StrEnum):
    PLANNED = "planned"
    DONE = "done"
    CANCELLED = "cancelled"


class CommunityEvent(IdMixin, TimestampMixin, Base):
    """A health talk, birthday party, class... organised by one community: its retirees may
    sign up, and staff whose regions cover it manage it."""

    __tablename__ = "community_event"
    __table_args__ = (CheckConstraint("capacity > 0", name="capacity_positive"),)

    community_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("region.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind, 16))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(200))
    capacity: Mapped[int] = mapped_column(Integer)
    status: Mapped[EventStatus] = mapped_column(
        str_enum(EventStatus, 16), default=EventStatus.SCHEDULED
    )
    created_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))

    community: Mapped[Region] = relationship(lazy="joined")


class EventSignup(IdMixin, Base):
    """One retiree on one event. A single row per pair (the unique constraint stops double
    sign-ups); cancelling keeps the row, signing up again reuses it. Attendance recorded by a
    worker is a life signal that data-based certification may use later."""

    __tablename__ = "event_signup"
    __table_args__ = (
        UniqueConstraint("event_id", "retiree_id"),
        Index("ix_event_signup_retiree_attendance", "retiree_id", "attendance"),
    )

    # No separate index: the unique (event_id, retiree_id) constraint serves event lookups.
    event_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("community_event.id", ondelete="CASCADE")
    )
    retiree_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE"))
    status: Mapped[SignupStatus] = mapped_column(
        str_enum(SignupStatus, 16), default=SignupStatus.SIGNED_UP
    )
    channel: Mapped[SignupChannel] = mapped_column(str_enum(SignupChannel, 16))
    signed_up_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    signed_up_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))
    attendance: Mapped[Attendance | None] = mapped_column(str_enum(Attendance, 16))
    attendance_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attendance_recorded_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))


class RetireeNote(IdMixin, Base):
    """A worker's note on a retiree. Append-only: the service has no edit, and the database
    refuses updates and deletes (a wrong note is corrected by a newer one)."""

    __tablename__ = "retiree_note"

    retiree_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))
    author_name: Mapped[str] = mapped_column(String(100))  # as it read when written
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    text: Mapped[str] = mapped_column(Text)


class HomeVisit(IdMixin, TimestampMixin, Base):
    """A planned visit to a retiree's home (to help certify, check on them...)."""

    __tablename__ = "home_visit"

    retiree_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE"), index=True
    )
    scheduled_for: Mapped[date] = mapped_column(Date, index=True)
    assigned_to: Mapped[int] = mapped_column(BigIntPK, ForeignKey("staff.id"), index=True)
    status: Mapped[VisitStatus] = mapped_column(
        str_enum(VisitStatus, 16), default=VisitStatus.PLANNED
    )
    purpose: Mapped[str] = mapped_column(String(500), default="")
    outcome: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))
