"""Proof-of-life certification: challenge sessions, decisions, reviews, payment changes."""

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


class CertMode(StrEnum):
    SELF = "self"  # the retiree's own phone
    PROXY = "proxy"  # a registered family helper's phone
    HOME_VISIT = "home_visit"  # a community worker's device at the elder's home
    COUNTER = "counter"  # at the bureau or community counter
    NON_FACE = "non_face"  # in-person verification without a face check
    SILENT = "silent"  # from life signals of trusted sources (lifecert.life_signals)


class Outcome(StrEnum):
    CERTIFIED = "certified"
    RETRY = "retry"  # try again: the reason is given in plain words
    REVIEW = "review"  # a person will look; the pension is not touched meanwhile
    SYSTEM_FAULT = "system_fault"  # our failure: never counts against the retiree
    REJECTED = "rejected"  # a reviewer refused


class ChallengeStatus(StrEnum):
    OPEN = "open"
    USED = "used"


class ReviewSource(StrEnum):
    AUTOMATIC = "automatic"
    APPEAL = "appeal"
    NON_FACE = "non_face"


class CaseStatus(StrEnum):
    OPEN = "open"
    APPROVED = "approved"
    REJECTED = "rejected"
    HOME_VISIT = "home_visit"  # the reviewer asked for a visit instead


class PaymentAction(StrEnum):
    SUSPEND = "suspend"
    RESUME = "resume"
    HOLD = "hold"  # a reported death awaits an officer's approval: pay nothing meanwhile


class CyclePolicy(IdMixin, Base):
    """Per-region certification cycle; the nearest ancestor's policy applies."""

    __tablename__ = "cycle_policy"

    region_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("region.id"), unique=True)
    cycle_days: Mapped[int] = mapped_column(Integer)
    due_soon_days: Mapped[int] = mapped_column(Integer)
    grace_days: Mapped[int] = mapped_column(Integer)


class FamilyHelper(IdMixin, TimestampMixin, Base):
    """A relative who certifies for elders from their own phone (代他人认证)."""

    __tablename__ = "family_helper"

    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    id_number_hash: Mapped[str] = mapped_column(String(64))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))


class FamilyLink(IdMixin, Base):
    __tablename__ = "family_link"
    __table_args__ = (UniqueConstraint("helper_id", "retiree_id"),)

    helper_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("family_helper.id", ondelete="CASCADE"), index=True
    )
    retiree_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE"), index=True
    )
    relation: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A request gives no proxy access until the retiree (own phone session) or staff of the
    # retiree's community (after an ID check) confirms it.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))
    confirmed_how: Mapped[str] = mapped_column(String(16), default="")


class Invitation(IdMixin, Base):
    """A phone link on a notice: one certification, short-lived, revocable, logged."""

    __tablename__ = "invitation"

    retiree_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE"), index=True
    )
    issued_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    certification_id: Mapped[int | None] = mapped_column(
        BigIntPK, ForeignKey("certification.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))


class ChallengeSession(IdMixin, Base):
    """A server-issued liveness challenge: random actions, a single-use nonce, an expiry."""

    __tablename__ = "challenge_session"

    retiree_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE"), index=True
    )
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    actions: Mapped[list[str]] = mapped_column(JSON)
    mode: Mapped[CertMode] = mapped_column(str_enum(CertMode, 16))
    status: Mapped[ChallengeStatus] = mapped_column(
        str_enum(ChallengeStatus, 16), default=ChallengeStatus.OPEN
    )
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Binding: the nonce only works for the browser session that asked for it.
    client_binding: Mapped[str] = mapped_column(String(64))
    helper_staff_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))
    helper_family_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("family_helper.id"))


class Certification(IdMixin, Base):
    """One decision, with everything a reviewer needs to see why."""

    __tablename__ = "certification"

    retiree_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE"), index=True
    )
    challenge_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("challenge_session.id"))
    mode: Mapped[CertMode] = mapped_column(str_enum(CertMode, 16))
    outcome: Mapped[Outcome] = mapped_column(str_enum(Outcome, 16), index=True)
    reason: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    valid_until: Mapped[date | None] = mapped_column(Date)
    # Scores, thresholds, model ids, deciding template, liveness evidence (never raw vectors).
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    frame_keys: Mapped[list[str]] = mapped_column(JSON, default=list)  # encrypted blobs
    frames_purge_after: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    helper_staff_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))
    helper_family_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("family_helper.id"))
    device: Mapped[str] = mapped_column(String(200), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    counts_as_attempt: Mapped[bool] = mapped_column(Boolean, default=True)


class ReviewCase(IdMixin, TimestampMixin, Base):
    """Manual review: automatic referrals, appeals, and non-face verifications to approve."""

    __tablename__ = "review_case"

    certification_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("certification.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[ReviewSource] = mapped_column(str_enum(ReviewSource, 16))
    status: Mapped[CaseStatus] = mapped_column(
        str_enum(CaseStatus, 16), default=CaseStatus.OPEN, index=True
    )
    summary: Mapped[str] = mapped_column(Text, default="")
    assigned_to: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))
    decided_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(Text, default="")


class PaymentChange(IdMixin, Base):
    """What the paying agency must do: explicit, idempotent (one row per event), traceable."""

    __tablename__ = "payment_change"
    __table_args__ = (UniqueConstraint("idempotency_key"),)

    retiree_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[PaymentAction] = mapped_column(str_enum(PaymentAction, 16))
    effective_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))
    arrears_from: Mapped[date | None] = mapped_column(Date)
    arrears_to: Mapped[date | None] = mapped_column(Date)
    certification_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("certification.id"))
    idempotency_key: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class LoginCode(IdMixin, Base):
    """A one-time SMS code for a retiree (or helper) to open the phone flow."""

    __tablename__ = "login_code"

    phone: Mapped[str] = mapped_column(String(20), index=True)
    retiree_id: Mapped[int | None] = mapped_column(
        BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE")
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
