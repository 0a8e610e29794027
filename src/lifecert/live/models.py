"""Live sessions (a lesson or a community event streamed by one scheduled host), who may watch
them, who did watch (attendance per resident), and the questions viewers ask."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lifecert.core.db import Base, BigIntPK, IdMixin, TimestampMixin, UTCDateTime, str_enum, utcnow


class AudienceKind(StrEnum):
    COMMUNITY = "community"  # every resident of one community (an open event)
    CLASS = "class"  # the enrolment list of a class (academy; checked through a registered hook)
    LIST = "list"  # an explicit list of viewers (LiveViewer rows)


class LiveStatus(StrEnum):
    SCHEDULED = "scheduled"
    LIVE = "live"
    ENDED = "ended"
    CANCELLED = "cancelled"


class RecordingStatus(StrEnum):
    NONE = "none"  # nothing recorded yet
    RECORDED = "recorded"  # the engine closed the FLV file; conversion queued
    CONVERTED = "converted"  # HLS ready, waiting for the host's approval
    PUBLISHED = "published"  # approved: an on-demand lesson the audience may watch
    FAILED = "failed"


class QuestionStatus(StrEnum):
    PENDING = "pending"  # waits for the host
    SHOWN = "shown"  # the host put it on screen / answered it
    HIDDEN = "hidden"  # the host declined it


class LiveSession(IdMixin, TimestampMixin, Base):
    """One scheduled stream. The stream key's secret part is stored as a SHA-256 hash only: the
    host sees it once (and may reset it); the engine's on_publish callback checks it."""

    __tablename__ = "live_session"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="window_ordered"),)

    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    host_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("staff.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    audience_kind: Mapped[AudienceKind] = mapped_column(str_enum(AudienceKind, 16))
    # The community whose residents may watch (COMMUNITY), and the region that scopes staff
    # access for every kind; a class's id as an opaque reference ("academy_class:12").
    community_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("region.id"), index=True)
    audience_ref: Mapped[str] = mapped_column(String(100), default="")
    # A community event this stream belongs to, when it is one (attendance shows there too).
    event_id: Mapped[int | None] = mapped_column(
        BigIntPK, ForeignKey("community_event.id", ondelete="SET NULL")
    )
    stream_key_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[LiveStatus] = mapped_column(
        str_enum(LiveStatus, 16), default=LiveStatus.SCHEDULED
    )
    went_live_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recording_status: Mapped[RecordingStatus] = mapped_column(
        str_enum(RecordingStatus, 16), default=RecordingStatus.NONE
    )
    recording_path: Mapped[str] = mapped_column(String(500), default="")  # the engine's FLV
    vod_path: Mapped[str] = mapped_column(String(500), default="")  # master playlist, relative
    recording_error: Mapped[str] = mapped_column(String(500), default="")
    published_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def stream_name(self) -> str:
        """The public stream name: HLS folders and URLs carry it, never the key."""
        return f"s{self.id}"


class LiveViewer(IdMixin, Base):
    """A resident explicitly invited to a LIST session."""

    __tablename__ = "live_viewer"
    __table_args__ = (UniqueConstraint("session_id", "retiree_id"),)

    session_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("live_session.id", ondelete="CASCADE")
    )
    retiree_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE"))


class LiveAttendance(IdMixin, Base):
    """A resident watching one session: first play URL, last renewal (the player renews its
    short-lived URL while it plays, so last_seen_at tracks presence), how many renewals."""

    __tablename__ = "live_attendance"
    __table_args__ = (UniqueConstraint("session_id", "retiree_id"),)

    session_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("live_session.id", ondelete="CASCADE")
    )
    retiree_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE"), index=True
    )
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    renewals: Mapped[int] = mapped_column(Integer, default=0)
    on_demand: Mapped[bool] = mapped_column(default=False)  # watched the recording, not live


class LiveQuestion(IdMixin, Base):
    """A question or a raised hand from a viewer, moderated by the host."""

    __tablename__ = "live_question"

    session_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("live_session.id", ondelete="CASCADE"), index=True
    )
    retiree_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(300))  # "" for a raised hand
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[QuestionStatus] = mapped_column(
        str_enum(QuestionStatus, 16), default=QuestionStatus.PENDING
    )


class LiveBlock(IdMixin, Base):
    """A viewer the host has blocked from asking in one session."""

    __tablename__ = "live_block"
    __table_args__ = (UniqueConstraint("session_id", "retiree_id"),)

    session_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("live_session.id", ondelete="CASCADE")
    )
    retiree_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE"))
    blocked_by: Mapped[int] = mapped_column(BigIntPK, ForeignKey("staff.id"))
    blocked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
