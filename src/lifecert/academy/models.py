"""Senior university (老年大学) as a SaaS: institutions are tenants. Every row carries its
``institution_id`` so one scoping rule (``academy.policy``) keeps institutions apart."""

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


class InstitutionRole(StrEnum):
    ADMIN = "admin"  # everything in the institution, staff included
    REGISTRAR = "registrar"  # terms, courses, classes, applications, the lottery
    TEACHER = "teacher"  # own classes: sessions, attendance, lessons


class TermStatus(StrEnum):
    PLANNING = "planning"
    APPLYING = "applying"  # the application window is open
    DRAWN = "drawn"  # the lottery ran; offers out
    RUNNING = "running"
    CLOSED = "closed"


class ApplicationStatus(StrEnum):
    AWAITING_CONFIRMATION = "awaiting_confirmation"  # a family member applied; the elder confirms
    APPLIED = "applied"
    WON = "won"
    WAITLISTED = "waitlisted"
    OVER_LIMIT = "over_limit"  # the person already won the most courses allowed
    WITHDRAWN = "withdrawn"


class EnrolmentStatus(StrEnum):
    OFFERED = "offered"  # a place is held until ``accept_by``
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"  # not accepted in time: the place goes to the waitlist
    WITHDRAWN = "withdrawn"


class AttendanceMethod(StrEnum):
    FACE = "face"  # face at the tablet by the door, 1:N within the class roster only
    QR = "qr"
    ROLL_CALL = "roll_call"


class LessonStatus(StrEnum):
    UPLOADED = "uploaded"
    TRANSCODING = "transcoding"
    READY = "ready"
    FAILED = "failed"


class Institution(IdMixin, TimestampMixin, Base):
    __tablename__ = "academy_institution"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    region_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("region.id"), index=True)
    phone: Mapped[str] = mapped_column(String(30), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Membership(IdMixin, TimestampMixin, Base):
    """A staff account's role in one institution (an account may serve several)."""

    __tablename__ = "academy_membership"
    __table_args__ = (UniqueConstraint("institution_id", "staff_id"),)

    institution_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("academy_institution.id", ondelete="CASCADE"), index=True
    )
    staff_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("staff.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[InstitutionRole] = mapped_column(str_enum(InstitutionRole, 16))


class Campus(IdMixin, TimestampMixin, Base):
    __tablename__ = "academy_campus"

    institution_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("academy_institution.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(255), default="")


class Room(IdMixin, TimestampMixin, Base):
    __tablename__ = "academy_room"

    institution_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("academy_institution.id", ondelete="CASCADE"), index=True
    )
    campus_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("academy_campus.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    capacity: Mapped[int] = mapped_column(Integer)


class Term(IdMixin, TimestampMixin, Base):
    __tablename__ = "academy_term"

    institution_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("academy_institution.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    apply_from: Mapped[date] = mapped_column(Date)
    apply_until: Mapped[date] = mapped_column(Date)
    status: Mapped[TermStatus] = mapped_column(
        str_enum(TermStatus, 16), default=TermStatus.PLANNING
    )
    max_courses: Mapped[int] = mapped_column(Integer, default=2)  # per person, this term
    accept_days: Mapped[int] = mapped_column(Integer, default=3)  # to accept an offered place
    # The lottery's priorities as data, in order (see academy.lottery.PRIORITY_RULES).
    priorities: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class Course(IdMixin, TimestampMixin, Base):
    __tablename__ = "academy_course"

    institution_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("academy_institution.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(32), default="")  # calligraphy, singing ...
    level: Mapped[int] = mapped_column(Integer, default=1)
    description: Mapped[str] = mapped_column(Text, default="")
    materials: Mapped[str] = mapped_column(Text, default="")
    fee_yuan: Mapped[int] = mapped_column(Integer, default=0)  # per term, recorded only
    prerequisite_id: Mapped[int | None] = mapped_column(
        BigIntPK, ForeignKey("academy_course.id", ondelete="SET NULL")
    )


class AcademyClass(IdMixin, TimestampMixin, Base):
    """One class of a course in a term: a teacher, a room, a weekly time, a number of places."""

    __tablename__ = "academy_class"

    institution_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("academy_institution.id", ondelete="CASCADE"), index=True
    )
    term_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("academy_term.id", ondelete="CASCADE"), index=True
    )
    course_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("academy_course.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    teacher_id: Mapped[int | None] = mapped_column(
        BigIntPK, ForeignKey("staff.id", ondelete="SET NULL"), index=True
    )
    room_id: Mapped[int | None] = mapped_column(
        BigIntPK, ForeignKey("academy_room.id", ondelete="SET NULL")
    )
    capacity: Mapped[int] = mapped_column(Integer)
    weekday: Mapped[int] = mapped_column(Integer, default=1)  # ISO: 1 Monday .. 7 Sunday
    start_time: Mapped[str] = mapped_column(String(5), default="09:00")  # local HH:MM
    minutes: Mapped[int] = mapped_column(Integer, default=90)
    min_age: Mapped[int | None] = mapped_column(Integer)
    max_age: Mapped[int | None] = mapped_column(Integer)
    # The class of an earlier term this one continues: its students are "continuing".
    continues_id: Mapped[int | None] = mapped_column(
        BigIntPK, ForeignKey("academy_class.id", ondelete="SET NULL")
    )
    online_url: Mapped[str] = mapped_column(String(255), default="")


class Application(IdMixin, TimestampMixin, Base):
    __tablename__ = "academy_application"
    __table_args__ = (UniqueConstraint("class_id", "retiree_id"),)

    institution_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("academy_institution.id", ondelete="CASCADE"), index=True
    )
    term_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("academy_term.id", ondelete="CASCADE"), index=True
    )
    class_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("academy_class.id", ondelete="CASCADE"), index=True
    )
    retiree_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE"), index=True
    )
    preference: Mapped[int] = mapped_column(Integer, default=1)  # 1: first choice
    channel: Mapped[str] = mapped_column(String(16), default="phone")  # phone / family / staff
    status: Mapped[ApplicationStatus] = mapped_column(
        str_enum(ApplicationStatus, 24), default=ApplicationStatus.APPLIED, index=True
    )
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LotteryDraw(IdMixin, Base):
    """A published draw: the seed, the method, the inputs' hash and the result, so anyone can
    re-run :func:`academy.lottery.draw` and get exactly the same lists."""

    __tablename__ = "academy_draw"

    institution_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("academy_institution.id", ondelete="CASCADE"), index=True
    )
    term_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("academy_term.id", ondelete="CASCADE"), unique=True
    )
    seed: Mapped[str] = mapped_column(String(128))
    method: Mapped[str] = mapped_column(String(32))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)  # pseudonymous; published
    inputs_sha256: Mapped[str] = mapped_column(String(64))
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    result_sha256: Mapped[str] = mapped_column(String(64))
    drawn_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Enrolment(IdMixin, TimestampMixin, Base):
    __tablename__ = "academy_enrolment"
    __table_args__ = (UniqueConstraint("class_id", "retiree_id"),)

    institution_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("academy_institution.id", ondelete="CASCADE"), index=True
    )
    class_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("academy_class.id", ondelete="CASCADE"), index=True
    )
    retiree_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[EnrolmentStatus] = mapped_column(
        str_enum(EnrolmentStatus, 16), default=EnrolmentStatus.OFFERED, index=True
    )
    source: Mapped[str] = mapped_column(String(16), default="lottery")  # lottery / waitlist
    accept_by: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    fee_yuan: Mapped[int] = mapped_column(Integer, default=0)
    fee_paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # recorded only


class WaitlistEntry(IdMixin, Base):
    __tablename__ = "academy_waitlist"
    __table_args__ = (UniqueConstraint("class_id", "retiree_id"),)

    institution_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("academy_institution.id", ondelete="CASCADE"), index=True
    )
    class_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("academy_class.id", ondelete="CASCADE"), index=True
    )
    retiree_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ClassSession(IdMixin, Base):
    __tablename__ = "academy_session"

    institution_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("academy_institution.id", ondelete="CASCADE"), index=True
    )
    class_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("academy_class.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    qr_secret: Mapped[str] = mapped_column(String(64))  # signs the session's rotating QR code


class Attendance(IdMixin, Base):
    __tablename__ = "academy_attendance"
    __table_args__ = (UniqueConstraint("session_id", "retiree_id"),)

    institution_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("academy_institution.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("academy_session.id", ondelete="CASCADE"), index=True
    )
    retiree_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE"), index=True
    )
    method: Mapped[AttendanceMethod] = mapped_column(str_enum(AttendanceMethod, 16))
    marked_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Face: model, distance, thresholds, deciding template (never vectors or pictures).
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Lesson(IdMixin, TimestampMixin, Base):
    """A recorded lesson: the teacher's upload, transcoded to HLS by a job."""

    __tablename__ = "academy_lesson"

    institution_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("academy_institution.id", ondelete="CASCADE"), index=True
    )
    class_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("academy_class.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[LessonStatus] = mapped_column(
        str_enum(LessonStatus, 16), default=LessonStatus.UPLOADED
    )
    source_name: Mapped[str] = mapped_column(String(255), default="")
    duration_s: Mapped[float | None] = mapped_column(Float)
    error: Mapped[str] = mapped_column(Text, default="")
    has_subtitles: Mapped[bool] = mapped_column(Boolean, default=False)
    uploaded_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))


class LessonProgress(IdMixin, Base):
    __tablename__ = "academy_progress"
    __table_args__ = (UniqueConstraint("lesson_id", "retiree_id"),)

    lesson_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("academy_lesson.id", ondelete="CASCADE"), index=True
    )
    retiree_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE"), index=True
    )
    position_s: Mapped[float] = mapped_column(Float, default=0.0)
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
