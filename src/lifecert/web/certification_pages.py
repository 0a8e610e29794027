"""Staff pages of certification: home visits, non-face verification, the review queue,
family-helper verification, and the payment changes for the paying agency."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from lifecert.audit.service import record
from lifecert.certification import access, family, service
from lifecert.certification.models import CaseStatus, Outcome
from lifecert.core.errors import NotFound
from lifecert.core.roles import Permission
from lifecert.core.storage import get_blob_store
from lifecert.enrollment.models import FaceTemplate, StoredPhoto
from lifecert.enrollment.policy import may_see_faces, require_face_access
from lifecert.identity.deps import SessionDep, verify_form_csrf
from lifecert.retirees.service import get_retiree
from lifecert.web.pages import page_actor
from lifecert.web.templating import render

router = APIRouter(include_in_schema=False)
MAX_ID = 2**63 - 1


@router.get("/retirees/{retiree_id}/visit", response_class=HTMLResponse)
def home_visit(request: Request, session: SessionDep, retiree_id: int) -> HTMLResponse:
    actor = page_actor(request, session)
    get_retiree(session, actor=actor, retiree_id=retiree_id, permission=Permission.WRITE_RETIREES)
    return render(request, "m/check.html", retiree_id=retiree_id, result_base="/certifications")


@router.get("/certifications/{certification_id}", response_class=HTMLResponse)
def certification_detail(
    request: Request, session: SessionDep, certification_id: int
) -> HTMLResponse:
    actor = page_actor(request, session)
    certification = service.get_certification(
        session, actor=actor, certification_id=certification_id
    )
    retiree = get_retiree(session, actor=actor, retiree_id=certification.retiree_id)
    # Reference photos beside the live frames, while their retention lasts.
    with_photo = set(
        session.scalars(
            select(FaceTemplate.id)
            .join(StoredPhoto, FaceTemplate.photo_id == StoredPhoto.id)
            .where(FaceTemplate.retiree_id == retiree.id, StoredPhoto.blob_key != "")
        )
    )
    return render(
        request,
        "certification.html",
        c=certification,
        retiree=retiree,
        Outcome=Outcome,
        with_photo=with_photo,
        can_see_frames=may_see_faces(actor),
    )


@router.get("/templates/{template_id}/photo")
def template_photo(request: Request, session: SessionDep, template_id: int) -> Response:
    actor = page_actor(request, session)
    require_face_access(actor)  # reviewers only: photos are biometric data
    template = session.get(FaceTemplate, template_id)
    photo = session.get(StoredPhoto, template.photo_id) if template and template.photo_id else None
    if template is None or photo is None or not photo.blob_key:
        raise NotFound("No such picture.")
    get_retiree(session, actor=actor, retiree_id=template.retiree_id)  # scope check
    record(session, actor=actor, action="face.photo_viewed", target_type="face_template",
           target_id=template.id, details={"retiree_id": template.retiree_id})
    return Response(
        get_blob_store().get(photo.blob_key),
        media_type=photo.content_type,
        headers={"Cache-Control": "no-store"},
    )


@router.get("/certifications/{certification_id}/frames/{index}")
def certification_frame(
    request: Request, session: SessionDep, certification_id: int, index: int
) -> Response:
    actor = page_actor(request, session)
    require_face_access(actor)  # reviewers only: frames are biometric data
    certification = service.get_certification(
        session, actor=actor, certification_id=certification_id
    )
    if not 0 <= index < len(certification.frame_keys):
        raise NotFound("No such picture.")
    data = get_blob_store().get(certification.frame_keys[index])
    record(session, actor=actor, action="face.frame_viewed", target_type="certification",
           target_id=certification.id,
           details={"retiree_id": certification.retiree_id, "frame": index})
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


@router.get("/reviews", response_class=HTMLResponse)
def review_queue(request: Request, session: SessionDep) -> HTMLResponse:
    actor = page_actor(request, session)
    return render(request, "reviews.html", rows=service.open_cases(session, actor=actor))


@router.post("/reviews/{case_id}")
def decide(
    request: Request,
    session: SessionDep,
    case_id: int,
    decision: Annotated[CaseStatus, Form()],
    note: Annotated[str, Form(max_length=2000)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    service.decide_case(session, actor=actor, case_id=case_id, decision=decision, note=note)
    return RedirectResponse("/reviews", status_code=303)


@router.get("/helpers", response_class=HTMLResponse)
def helpers(request: Request, session: SessionDep) -> HTMLResponse:
    """Helpers and link requests of elders in the worker's own regions only."""
    actor = page_actor(request, session)
    return render(request, "helpers.html", rows=family.links_to_check(session, actor=actor))


@router.post("/helpers/{helper_id}/verify")
def verify_helper(
    request: Request,
    session: SessionDep,
    helper_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    family.verify_helper(session, actor=actor, helper_id=helper_id)
    return RedirectResponse("/helpers", status_code=303)


@router.post("/helpers/links/{link_id}/confirm")
def confirm_link(
    request: Request,
    session: SessionDep,
    link_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    id_checked: Annotated[bool, Form()] = False,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """After checking the helper's ID card: the link may be used for proxy checks."""
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    family.confirm_link_by_staff(session, actor=actor, link_id=link_id, id_checked=id_checked)
    return RedirectResponse("/helpers", status_code=303)


@router.get("/retirees/{retiree_id}/invitation", response_class=HTMLResponse)
def invitation(request: Request, session: SessionDep, retiree_id: int) -> HTMLResponse:
    """A printable notice with the phone link as a QR code (no personal data in the link)."""
    import segno

    actor = page_actor(request, session)
    retiree = get_retiree(
        session, actor=actor, retiree_id=retiree_id, permission=Permission.WRITE_RETIREES
    )
    invite, token = access.new_invitation(session, actor=actor, retiree_id=retiree.id)
    link = f"{str(request.base_url).rstrip('/')}/m/i/{token}"
    qr_svg = segno.make(link, error="m").svg_inline(scale=6, dark="#000", light="#fff")
    return render(
        request, "invitation.html", retiree=retiree, link=link, qr_svg=qr_svg, invite=invite
    )


@router.post("/invitations/{invitation_id}/revoke")
def revoke_invitation(
    request: Request,
    session: SessionDep,
    invitation_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """A notice was lost or reached the wrong hands: its link stops working (logged)."""
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    invite = access.revoke_invitation(session, actor=actor, invitation_id=invitation_id)
    return RedirectResponse(f"/retirees/{invite.retiree_id}", status_code=303)
