"""Enrollment API: consent, reference photos, reviews, access-request export."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, UploadFile
from pydantic import BaseModel, Field

from lifecert.core.faces import get_face_engine
from lifecert.core.settings import get_settings
from lifecert.core.uploads import check_image_header, read_upload
from lifecert.core.workpool import run_face_work
from lifecert.enrollment import photo_import, privacy, service
from lifecert.enrollment.models import TemplateSource, TemplateStatus
from lifecert.enrollment.schemas import (
    ConsentCreate,
    ConsentRead,
    EnrollmentResult,
    ReviewDecision,
    ReviewRead,
    TemplateRead,
)
from lifecert.identity.deps import CurrentActor, SessionDep
from lifecert.retirees.schemas import ImportJobRead

router = APIRouter(prefix="/api/v1", tags=["enrollment"])


@router.post("/retirees/{retiree_id}/consent", response_model=ConsentRead, status_code=201)
def give_consent(
    retiree_id: int, body: ConsentCreate, session: SessionDep, actor: CurrentActor
) -> ConsentRead:
    consent = service.record_consent(
        session, actor=actor, retiree_id=retiree_id, channel=body.channel, given_by=body.given_by
    )
    return ConsentRead.model_validate(consent)


@router.delete("/retirees/{retiree_id}/consent")
def withdraw_consent(retiree_id: int, session: SessionDep, actor: CurrentActor) -> dict[str, int]:
    removed = service.withdraw_consent(session, actor=actor, retiree_id=retiree_id)
    return {"templates_deleted": removed}


@router.post("/retirees/{retiree_id}/templates", response_model=EnrollmentResult, status_code=201)
def upload_reference(
    retiree_id: int,
    photo: UploadFile,
    session: SessionDep,
    actor: CurrentActor,
    device: Annotated[str, Form(max_length=200)] = "",
) -> EnrollmentResult:
    data = read_upload(photo, max_bytes=get_face_engine().config.max_image_bytes)
    face = get_settings().face
    check_image_header(data, max_pixels=face.max_image_pixels, max_side=face.max_image_side)
    enrolled = run_face_work(
        service.enroll_photo,
        session,
        actor=actor,
        retiree_id=retiree_id,
        image_bytes=data,
        source=TemplateSource.STAFF_CAPTURE,
        device=device,
        content_type=photo.content_type or "image/jpeg",
    )
    return EnrollmentResult(
        template=TemplateRead.model_validate(enrolled.template),
        sent_to_review=enrolled.template.status == TemplateStatus.PENDING_REVIEW,
        duplicate_of=enrolled.duplicate_of,
    )


@router.get("/retirees/{retiree_id}/templates", response_model=list[TemplateRead])
def list_templates(retiree_id: int, session: SessionDep, actor: CurrentActor) -> list[TemplateRead]:
    rows = service.list_templates(session, actor=actor, retiree_id=retiree_id)
    return [TemplateRead.model_validate(t) for t in rows]


@router.get("/retirees/{retiree_id}/export")
def export_data(retiree_id: int, session: SessionDep, actor: CurrentActor) -> dict[str, Any]:
    return privacy.export_retiree_data(session, actor=actor, retiree_id=retiree_id)


@router.post("/enrollment-reviews/{review_id}", response_model=ReviewRead)
def decide_review(
    review_id: int, body: ReviewDecision, session: SessionDep, actor: CurrentActor
) -> ReviewRead:
    review = service.decide_review(
        session, actor=actor, review_id=review_id, approve=body.approve, note=body.note
    )
    return ReviewRead.model_validate(review)


@router.post("/imports/photos", response_model=ImportJobRead, status_code=202)
def upload_photos(
    file: UploadFile,
    session: SessionDep,
    actor: CurrentActor,
    consent_collected: Annotated[bool, Form()] = False,
) -> ImportJobRead:
    data = read_upload(file, max_bytes=photo_import.MAX_ZIP_BYTES)
    job = photo_import.start_photo_import(
        session,
        actor=actor,
        filename=file.filename or "photos.zip",
        data=data,
        consent_collected=consent_collected,
    )
    return ImportJobRead.model_validate(job)


class TemplateRemoval(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


@router.post("/templates/{template_id}/remove")
def remove_template(
    template_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    body: TemplateRemoval,
    session: SessionDep,
    actor: CurrentActor,
) -> dict[str, Any]:
    """An officer removes a reference face (e.g. a refresh they do not trust); audited."""
    template = service.remove_template(
        session, actor=actor, template_id=template_id, reason=body.reason
    )
    return {"id": template_id, "retiree_id": template.retiree_id, "removed": True}
