"""Reference faces: biometric consent, encrypted templates, encrypted photos, reviews."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lifecert.core.db import Base, BigIntPK, IdMixin, TimestampMixin, UTCDateTime, str_enum, utcnow


class ConsentChannel(StrEnum):
    COUNTER = "counter"
    HOME_VISIT = "home_visit"
    APP = "app"
    PAPER_IMPORT = "paper_import"  # signed paper forms collected with bureau ID-photo imports


class TemplateSource(StrEnum):
    ID_PHOTO_IMPORT = "id_photo_import"
    STAFF_CAPTURE = "staff_capture"
    CERTIFICATION = "certification"  # a refresh from a clean automatic pass (bounded)
    FIRST_CERTIFICATION = "first_certification"  # approved first certification (reviewed)


class TemplateStatus(StrEnum):
    ACTIVE = "active"
    PENDING_REVIEW = "pending_review"  # duplicate suspicion or first-certification enrollment
    REJECTED = "rejected"


class ReviewReason(StrEnum):
    DUPLICATE_IDENTITY = "duplicate_identity"
    FIRST_CERTIFICATION = "first_certification"


class ReviewStatus(StrEnum):
    OPEN = "open"
    APPROVED = "approved"
    REJECTED = "rejected"


class BiometricConsent(IdMixin, Base):
    """Separate consent for face processing (PIPL: sensitive personal information)."""

    __tablename__ = "biometric_consent"

    retiree_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE"), index=True
    )
    text_version: Mapped[str] = mapped_column(String(32))
    channel: Mapped[ConsentChannel] = mapped_column(str_enum(ConsentChannel, 16))
    given_by: Mapped[str] = mapped_column(String(100))  # the retiree, or a named guardian
    recorded_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))


class StoredPhoto(IdMixin, Base):
    """A raw photo, encrypted in the blob store, purged after the retention period."""

    __tablename__ = "stored_photo"

    retiree_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE"), index=True
    )
    blob_key: Mapped[str] = mapped_column(String(255), default="")
    key_id: Mapped[str] = mapped_column(String(16), default="")
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int] = mapped_column(Integer)
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    purge_after: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FaceTemplate(IdMixin, TimestampMixin, Base):
    """One reference embedding with its provenance. The vector is encrypted at rest."""

    __tablename__ = "face_template"

    retiree_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE"), index=True
    )
    model_id: Mapped[str] = mapped_column(String(64), index=True)
    embedding_enc: Mapped[bytes] = mapped_column(LargeBinary)
    key_id: Mapped[str] = mapped_column(String(16), index=True)
    source: Mapped[TemplateSource] = mapped_column(str_enum(TemplateSource, 24))
    status: Mapped[TemplateStatus] = mapped_column(
        str_enum(TemplateStatus, 16), default=TemplateStatus.ACTIVE
    )
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    captured_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))
    device: Mapped[str] = mapped_column(String(200), default="")
    quality: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    photo_id: Mapped[int | None] = mapped_column(
        BigIntPK, ForeignKey("stored_photo.id", ondelete="SET NULL")
    )


class EnrollmentReview(IdMixin, TimestampMixin, Base):
    """A template that needs a person's look before it counts."""

    __tablename__ = "enrollment_review"

    template_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("face_template.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[ReviewReason] = mapped_column(str_enum(ReviewReason, 24))
    status: Mapped[ReviewStatus] = mapped_column(
        str_enum(ReviewStatus, 16), default=ReviewStatus.OPEN
    )
    other_retiree_id: Mapped[int | None] = mapped_column(
        BigIntPK, ForeignKey("retiree.id", ondelete="SET NULL")
    )
    distance: Mapped[float | None] = mapped_column(Float)
    decided_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")
