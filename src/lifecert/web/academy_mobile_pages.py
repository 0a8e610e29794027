"""The student's phone pages for the senior university: my classes (next session, where,
join online, recorded lessons), offers to accept, applications (a family member's waits for
the elder's confirmation), check-in by the door's QR code. Same login as certification."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from lifecert.academy import attendance, enrolment, lessons, student
from lifecert.academy.labels import academy_label
from lifecert.academy.models import EnrolmentStatus
from lifecert.core.security import csrf_matches
from lifecert.identity.deps import SessionDep, verify_form_csrf
from lifecert.web.mobile_service_pages import current_retiree
from lifecert.web.templating import render, templates

router = APIRouter(include_in_schema=False, prefix="/m/academy")
templates.env.globals["academy_label"] = academy_label


@router.get("", response_class=HTMLResponse)
def home(request: Request, session: SessionDep) -> HTMLResponse:
    retiree = current_retiree(request, session)
    return render(request, "m/academy.html", retiree=retiree,
                  classes=student.my_classes(session, retiree=retiree),
                  applications=student.my_applications(session, retiree=retiree),
                  open_classes=student.open_classes(session, retiree=retiree),
                  Offered=EnrolmentStatus.OFFERED, by_family=bool(request.session.get("helper_id")))


@router.post("/apply/{class_id}")
def apply(request: Request, session: SessionDep, class_id: int,
          csrf: Annotated[str, Form()] = "") -> Response:
    verify_form_csrf(request, csrf)
    retiree = current_retiree(request, session)
    channel = "family" if request.session.get("helper_id") else "phone"
    enrolment.apply(session, retiree=retiree, class_id=class_id, channel=channel)
    return RedirectResponse("/m/academy", status_code=303)


@router.post("/applications/{application_id}/confirm")
def confirm(request: Request, session: SessionDep, application_id: int,
            csrf: Annotated[str, Form()] = "") -> Response:
    verify_form_csrf(request, csrf)
    if request.session.get("helper_id"):  # only the elder confirms what family applied for
        return RedirectResponse("/m/academy", status_code=303)
    retiree = current_retiree(request, session)
    enrolment.confirm_application(session, retiree=retiree, application_id=application_id)
    return RedirectResponse("/m/academy", status_code=303)


@router.post("/offers/{enrolment_id}/{answer}")
def answer_offer(request: Request, session: SessionDep, enrolment_id: int, answer: str,
                 csrf: Annotated[str, Form()] = "") -> Response:
    verify_form_csrf(request, csrf)
    retiree = current_retiree(request, session)
    if answer == "accept":
        enrolment.accept_offer(session, retiree=retiree, enrolment_id=enrolment_id)
    elif answer == "decline":
        enrolment.decline_offer(session, retiree=retiree, enrolment_id=enrolment_id)
    return RedirectResponse("/m/academy", status_code=303)


@router.get("/checkin/{session_id}/{code}", response_class=HTMLResponse)
def checkin(request: Request, session: SessionDep, session_id: int, code: str) -> HTMLResponse:
    retiree = current_retiree(request, session)
    attendance.check_in_by_qr(session, retiree=retiree, session_id=session_id, code=code)
    return render(request, "m/academy_checked_in.html")


@router.get("/lessons/{lesson_id}", response_class=HTMLResponse)
def lesson(request: Request, session: SessionDep, lesson_id: int) -> HTMLResponse:
    retiree = current_retiree(request, session)
    row = lessons.lesson_for_student(session, retiree=retiree, lesson_id=lesson_id)
    return render(request, "m/academy_lesson.html", lesson=row,
                  base=f"/m/academy/lessons/{row.id}/hls/")


@router.get("/lessons/{lesson_id}/hls/{name:path}")
def lesson_file(request: Request, session: SessionDep, lesson_id: int,
                name: str) -> FileResponse:
    retiree = current_retiree(request, session)
    row = lessons.lesson_for_student(session, retiree=retiree, lesson_id=lesson_id)
    return lessons.file_response(lessons.lesson_file(row, name))


@router.post("/lessons/{lesson_id}/progress")
def progress(request: Request, session: SessionDep, lesson_id: int,
             position: Annotated[float, Form(ge=0, le=86400)]) -> dict[str, bool]:
    if not csrf_matches(request.session.get("csrf"), request.headers.get("x-csrf-token")):
        verify_form_csrf(request, None)
    retiree = current_retiree(request, session)
    row = lessons.save_progress(session, retiree=retiree, lesson_id=lesson_id,
                                position_s=position)
    return {"completed": row.completed}
