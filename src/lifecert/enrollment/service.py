"""Consent and reference faces: every template passes the quality gate, is encrypted at rest,
and is searched against everyone else's before it counts."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lifecert.audit.service import record
from lifecert.certification.models import Certification
from lifecert.core.crypto import get_keyring
from lifecert.core.db import utcnow
from lifecert.core.errors import Conflict, InvalidInput, NotFound
from lifecert.core.faces import get_face_engine
from lifecert.core.i18n import N_, get_locale
from lifecert.core.roles import Permission
from lifecert.core.scoping import Actor
from lifecert.core.settings import get_settings
from lifecert.core.storage import get_blob_store
from lifecert.enrollment.models import (
    BiometricConsent,
    ConsentChannel,
    EnrollmentReview,
    FaceTemplate,
    ReviewReason,
    ReviewStatus,
    StoredPhoto,
    TemplateSource,
    TemplateStatus,
)
from lifecert.enrollment.templates import decrypt_template as decrypt_template  # re-exported
from lifecert.enrollment.templates import encrypt_embedding as encrypt_embedding  # re-exported
from lifecert.face_engine import Embedding, FaceEngineError, message
from lifecert.retirees.models import CertRoute, Retiree
from lifecert.retirees.service import get_retiree

CONSENT_TEXT_VERSION = "2026-11-v1"


@dataclass(frozen=True)
class Enrolled:
    template: FaceTemplate
    duplicate_of: int | None  # another retiree whose face this is, if any
    distance: float | None


def record_consent(
    session: Session, *, actor: Actor, retiree_id: int, channel: ConsentChannel, given_by: str
) -> BiometricConsent:
    """A staff member records consent given at the counter, at home or on a paper form."""
    retiree = get_retiree(
        session, actor=actor, retiree_id=retiree_id, permission=Permission.WRITE_RETIREES
    )
    if not given_by.strip():
        raise InvalidInput("Write who gave the consent (the retiree or a named guardian).")
    consent = _consent(session, retiree, channel, given_by.strip(), actor.staff_id or None)
    record(session, actor=actor, action="consent.given", target_type="retiree",
           target_id=retiree.id, details={"channel": channel.value})
    return consent


def record_own_consent(session: Session, *, retiree: Retiree) -> BiometricConsent:
    """The retiree consents on their own phone, after reading the consent screen."""
    return _consent(session, retiree, ConsentChannel.APP, retiree.name, None)


def _consent(session: Session, retiree: Retiree, channel: ConsentChannel, given_by: str,
             recorded_by: int | None) -> BiometricConsent:
    existing = active_consent(session, retiree_id=retiree.id)
    if existing is not None:
        return existing
    consent = BiometricConsent(
        retiree_id=retiree.id, text_version=CONSENT_TEXT_VERSION, channel=channel,
        given_by=given_by[:100], recorded_by=recorded_by,
    )
    session.add(consent)
    retiree.route = CertRoute.FACE
    session.flush()
    return consent


def active_consent(session: Session, *, retiree_id: int) -> BiometricConsent | None:
    return session.scalar(
        select(BiometricConsent).where(
            BiometricConsent.retiree_id == retiree_id, BiometricConsent.withdrawn_at.is_(None)
        )
    )


def withdraw_consent(session: Session, *, actor: Actor, retiree_id: int) -> int:
    """Deletes every template and photo; the person certifies without a face from now on."""
    retiree = get_retiree(
        session, actor=actor, retiree_id=retiree_id, permission=Permission.WRITE_RETIREES
    )
    consent = active_consent(session, retiree_id=retiree.id)
    if consent is None:
        raise Conflict("There is no consent to withdraw.")
    consent.withdrawn_at, consent.withdrawn_by = utcnow(), actor.staff_id or None
    frames = delete_check_frames(session, retiree_id=retiree.id)
    removed = delete_biometrics(session, retiree_id=retiree.id)
    retiree.route = CertRoute.NON_FACE
    record(session, actor=actor, action="consent.withdrawn", target_type="retiree",
           target_id=retiree.id,
           details={"templates_deleted": removed, "check_pictures_deleted": frames})
    return removed


def delete_check_frames(session: Session, *, retiree_id: int) -> int:
    """The face pictures kept from certification checks (decisions and scores stay)."""
    store, deleted = get_blob_store(), 0
    rows = session.scalars(select(Certification).where(Certification.retiree_id == retiree_id))
    for certification in rows:
        if not certification.frame_keys:
            continue
        for key in certification.frame_keys:
            store.delete(key)
        deleted += len(certification.frame_keys)
        certification.frame_keys, certification.frames_purge_after = [], None
    return deleted


def delete_biometrics(session: Session, *, retiree_id: int) -> int:
    store = get_blob_store()
    photos = session.scalars(select(StoredPhoto).where(StoredPhoto.retiree_id == retiree_id)).all()
    for photo in photos:
        if photo.blob_key:
            store.delete(photo.blob_key)
    count = session.execute(delete(FaceTemplate).where(FaceTemplate.retiree_id == retiree_id))
    session.execute(delete(StoredPhoto).where(StoredPhoto.retiree_id == retiree_id))
    return int(count.rowcount)  # type: ignore[attr-defined]


def quality_refusal(reasons: Sequence[str]) -> InvalidInput:
    locale = "zh-CN" if get_locale() == "zh_CN" else "en"
    advice = "；".join(message(code, locale) for code in reasons)
    return InvalidInput(
        "This photo cannot be used as a reference: {advice}",
        params={"advice": advice},
        fields={"photo": ",".join(reasons)},
    )


# What to tell the user for each image error of the face engine.
IMAGE_PROBLEMS = {
    "image_too_large": N_("The photo is too large; use one under 8 MB and 24 megapixels."),
    "unsupported_format": N_("Use a JPEG, PNG or WebP photo."),
    "corrupt_image": N_("The photo file is damaged; take or export it again."),
}


def image_refusal(exc: FaceEngineError) -> InvalidInput:
    text = IMAGE_PROBLEMS.get(exc.code, N_("The file is not a photo we can read."))
    return InvalidInput(text, fields={"photo": exc.code})


def _embed_reference(image_bytes: bytes) -> tuple[Embedding, dict[str, float]]:
    engine = get_face_engine()
    try:
        image = engine.decode(image_bytes)
    except FaceEngineError as exc:
        raise image_refusal(exc) from exc
    quality = engine.quality(image)
    if not quality.ok:
        raise quality_refusal(quality.reasons)
    return engine.embed(image, quality.face), dict(quality.measures)


def embed_reference(image_bytes: bytes) -> tuple[Embedding, dict[str, float]]:
    """A reference photo's embedding and quality measures (refused when not usable): for
    other people's templates kept by other domains (a caregiver's face)."""
    return _embed_reference(image_bytes)


def enroll_photo(
    session: Session,
    *,
    actor: Actor,
    retiree_id: int,
    image_bytes: bytes,
    source: TemplateSource,
    device: str = "",
    content_type: str = "image/jpeg",
) -> Enrolled:
    retiree = get_retiree(
        session, actor=actor, retiree_id=retiree_id, permission=Permission.WRITE_RETIREES
    )
    if active_consent(session, retiree_id=retiree.id) is None:
        raise Conflict("Record the retiree's biometric consent before taking a reference photo.")
    embedding, measures = _embed_reference(image_bytes)
    photo = _store_photo(session, retiree, image_bytes, content_type)
    template = FaceTemplate(
        retiree_id=retiree.id,
        model_id=embedding.model_id,
        embedding_enc=encrypt_embedding(embedding),
        key_id=get_keyring().current.key_id,
        source=source,
        captured_by=actor.staff_id or None,
        device=device[:200],
        quality={k: round(float(v), 4) for k, v in measures.items()},
        photo_id=photo.id,
    )
    session.add(template)
    session.flush()
    other, distance = find_duplicate(session, embedding=embedding, exclude_retiree=retiree.id)
    if other is not None:
        _send_to_review(session, template, ReviewReason.DUPLICATE_IDENTITY, other, distance)
        from lifecert.fraud.service import raise_duplicate_alert

        raise_duplicate_alert(session, retiree_id=retiree.id, other_retiree_id=other,
                              distance=distance or 0.0, context="enrollment",
                              template_id=template.id)
    elif source == TemplateSource.CERTIFICATION and not _has_active_template(
        session, retiree.id, template.id
    ):
        _send_to_review(session, template, ReviewReason.FIRST_CERTIFICATION, None, None)
    record(session, actor=actor, action="template.enrolled", target_type="face_template",
           target_id=template.id, details={"retiree_id": retiree.id, "source": source.value,
                                           "status": template.status.value})
    return Enrolled(template=template, duplicate_of=other, distance=distance)


def _has_active_template(session: Session, retiree_id: int, except_id: int) -> bool:
    return (
        session.scalar(
            select(FaceTemplate.id)
            .where(
                FaceTemplate.retiree_id == retiree_id,
                FaceTemplate.status == TemplateStatus.ACTIVE,
                FaceTemplate.id != except_id,
            )
            .limit(1)
        )
        is not None
    )


def _send_to_review(
    session: Session,
    template: FaceTemplate,
    reason: ReviewReason,
    other: int | None,
    distance: float | None,
) -> None:
    template.status = TemplateStatus.PENDING_REVIEW
    session.add(
        EnrollmentReview(
            template_id=template.id, reason=reason, other_retiree_id=other, distance=distance
        )
    )


def _store_photo(session: Session, retiree: Retiree, data: bytes, content_type: str) -> StoredPhoto:
    days = get_settings().retention.raw_photo_days
    photo = StoredPhoto(
        retiree_id=retiree.id,
        blob_key=get_blob_store().put(data, prefix="photos"),
        key_id=get_keyring().current.key_id,
        sha256=hashlib.sha256(data).hexdigest(),
        content_type=content_type[:32],
        size_bytes=len(data),
        purge_after=utcnow() + timedelta(days=days),
    )
    session.add(photo)
    session.flush()
    return photo


def find_duplicate(
    session: Session, *, embedding: Embedding, exclude_retiree: int
) -> tuple[int | None, float | None]:
    """1:N search (the FAISS index of ``lifecert.fraud``) over every other person's active or
    pending template.

    The match threshold is the model's accept distance: a hit means "same face, other identity".
    """
    from lifecert.fraud.service import find_face_duplicate

    # The engine decides with the model's own calibrated thresholds.
    hit = find_face_duplicate(session, embedding=embedding, exclude_retiree=exclude_retiree)
    return (hit.retiree_id, hit.distance) if hit is not None else (None, None)


def list_templates(session: Session, *, actor: Actor, retiree_id: int) -> Sequence[FaceTemplate]:
    retiree = get_retiree(session, actor=actor, retiree_id=retiree_id)
    return session.scalars(
        select(FaceTemplate)
        .where(FaceTemplate.retiree_id == retiree.id)
        .order_by(FaceTemplate.captured_at)
    ).all()


def decide_review(
    session: Session, *, actor: Actor, review_id: int, approve: bool, note: str = ""
) -> EnrollmentReview:
    actor.require(Permission.READ_FULL_ID_NUMBER)  # bureau officers and admins decide
    review = session.get(EnrollmentReview, review_id)
    if review is None:
        raise NotFound("No such review.")
    template = session.get_one(FaceTemplate, review.template_id)
    get_retiree(session, actor=actor, retiree_id=template.retiree_id)  # scope check
    if review.status != ReviewStatus.OPEN:
        raise Conflict("This review was already decided.")
    review.status = ReviewStatus.APPROVED if approve else ReviewStatus.REJECTED
    review.decided_by, review.decided_at = actor.staff_id or None, utcnow()
    review.note = note[:2000]
    template.status = TemplateStatus.ACTIVE if approve else TemplateStatus.REJECTED
    record(session, actor=actor, action="enrollment_review.decided",
           target_type="enrollment_review", target_id=review.id,
           details={"approved": approve, "template_id": template.id})
    return review


def remove_template(
    session: Session, *, actor: Actor, template_id: int, reason: str
) -> FaceTemplate:
    """An officer takes a reference out (a suspicious refresh, a wrong photo): deleted, with
    the reason in the audit trail."""
    actor.require(Permission.READ_FULL_ID_NUMBER)  # bureau officers and admins
    template = session.get(FaceTemplate, template_id)
    if template is None:
        raise NotFound("No such reference face.")
    get_retiree(session, actor=actor, retiree_id=template.retiree_id)  # scope check
    if len(reason.strip()) < 2:
        raise InvalidInput("Write why the reference face is removed.")
    record(session, actor=actor, action="template.removed", target_type="face_template",
           target_id=template.id, details={"retiree_id": template.retiree_id,
                                           "source": template.source.value,
                                           "reason": reason.strip()[:200]})
    session.delete(template)
    session.flush()
    return template
