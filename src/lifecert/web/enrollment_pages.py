"""Staff pages for reference faces: consent, camera capture, and the review queue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from lifecert.core.roles import Permission
from lifecert.enrollment import service
from lifecert.enrollment.models import ConsentChannel, EnrollmentReview, FaceTemplate, ReviewStatus
from lifecert.identity.deps import SessionDep, verify_form_csrf
from lifecert.organisation.models import Region
from lifecert.retirees.models import Retiree
from lifecert.retirees.service import get_retiree
from lifecert.web.pages import page_actor
from lifecert.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/retirees/{retiree_id}/enroll", response_class=HTMLResponse)
def enroll_page(request: Request, session: SessionDep, retiree_id: int) -> HTMLResponse:
    actor = page_actor(request, session)
    retiree = get_retiree(
        session, actor=actor, retiree_id=retiree_id, permission=Permission.WRITE_RETIREES
    )
    return render(
        request,
        "enroll.html",
        retiree=retiree,
        consent=service.active_consent(session, retiree_id=retiree.id),
        consent_version=service.CONSENT_TEXT_VERSION,
        templates=service.list_templates(session, actor=actor, retiree_id=retiree.id),
    )


@router.post("/retirees/{retiree_id}/consent")
def give_consent(
    request: Request,
    session: SessionDep,
    retiree_id: int,
    given_by: Annotated[str, Form(max_length=100)],
    channel: Annotated[ConsentChannel, Form()] = ConsentChannel.COUNTER,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    service.record_consent(
        session, actor=actor, retiree_id=retiree_id, channel=channel, given_by=given_by
    )
    return RedirectResponse(f"/retirees/{retiree_id}/enroll", status_code=303)


@router.post("/retirees/{retiree_id}/consent/withdraw")
def withdraw_consent(
    request: Request, session: SessionDep, retiree_id: int, csrf: Annotated[str, Form()] = ""
) -> Response:
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    service.withdraw_consent(session, actor=actor, retiree_id=retiree_id)
    return RedirectResponse(f"/retirees/{retiree_id}/enroll", status_code=303)


@router.get("/enrollment-reviews", response_class=HTMLResponse)
def review_queue(request: Request, session: SessionDep) -> HTMLResponse:
    actor = page_actor(request, session)
    actor.require(Permission.READ_FULL_ID_NUMBER)
    from lifecert.core.scoping import scope_filter

    rows = session.execute(
        select(EnrollmentReview, FaceTemplate, Retiree)
        .join(FaceTemplate, EnrollmentReview.template_id == FaceTemplate.id)
        .join(Retiree, FaceTemplate.retiree_id == Retiree.id)
        .join(Region, Retiree.community_id == Region.id)
        .where(
            EnrollmentReview.status == ReviewStatus.OPEN,
            scope_filter(actor, Permission.READ_RETIREES, Region.path),
        )
        .order_by(EnrollmentReview.created_at)
        .limit(200)
    ).all()
    return render(request, "enrollment_reviews.html", rows=rows)


@router.post("/enrollment-reviews/{review_id}")
def decide_review(
    request: Request,
    session: SessionDep,
    review_id: int,
    approve: Annotated[bool, Form()],
    note: Annotated[str, Form(max_length=2000)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    service.decide_review(session, actor=actor, review_id=review_id, approve=approve, note=note)
    return RedirectResponse("/enrollment-reviews", status_code=303)
