"""Senior-university staff pages: the institution's overview (demand against places,
attendance), a class (roster, sessions, lessons, upload), the tablet at the classroom door
(face check-in, 1:N within the roster; QR code; roll call), and the lesson player."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from lifecert.academy import attendance, lessons, policy, reports, service
from lifecert.academy.labels import academy_label
from lifecert.academy.models import AcademyClass, ClassSession
from lifecert.core.db import utcnow
from lifecert.identity.deps import SessionDep, verify_form_csrf
from lifecert.web.pages import page_actor
from lifecert.web.templating import render, templates

router = APIRouter(include_in_schema=False)
templates.env.globals["academy_label"] = academy_label


@router.get("/academy", response_class=HTMLResponse)
def academy_home(request: Request, session: SessionDep) -> HTMLResponse:
    actor = page_actor(request, session)
    boards = []
    for inst in service.my_institutions(session, actor=actor):
        board = reports.institution_dashboard(session, actor=actor, institution_id=inst.id)
        boards.append((inst, board))
    return render(request, "academy_home.html", boards=boards)


@router.get("/academy/classes/{class_id}", response_class=HTMLResponse)
def class_page(request: Request, session: SessionDep, class_id: int) -> HTMLResponse:
    actor = page_actor(request, session)
    row = policy.scoped(session, actor, AcademyClass, class_id)
    return render(request, "academy_class.html", row=row,
                  students=attendance.roster(session, class_id=row.id),
                  sessions=attendance.sessions_of_class(session, actor=actor, class_id=row.id),
                  lessons=lessons.lessons_of_class(session, class_id=row.id))


@router.get("/academy/classes/{class_id}/certificates", response_class=HTMLResponse)
def certificates(request: Request, session: SessionDep, class_id: int) -> HTMLResponse:
    actor = page_actor(request, session)
    row, earned = reports.certificates(session, actor=actor, class_id=class_id)
    institution = service.get_institution(session, actor=actor, institution_id=row.institution_id)
    return render(request, "academy_certificates.html", row=row, earned=earned,
                  institution=institution)


@router.post("/academy/classes/{class_id}/sessions")
def start_session(request: Request, session: SessionDep, class_id: int,
                  csrf: Annotated[str, Form()] = "") -> Response:
    actor = page_actor(request, session)
    verify_form_csrf(request, csrf)
    item = attendance.create_session(session, actor=actor, class_id=class_id,
                                     starts_at=utcnow() - timedelta(minutes=5))
    return RedirectResponse(f"/academy/sessions/{item.id}/door", status_code=303)


@router.get("/academy/sessions/{session_id}/door", response_class=HTMLResponse)
def door(request: Request, session: SessionDep, session_id: int) -> HTMLResponse:
    actor = page_actor(request, session)
    item, people, marks = attendance.attendance_of(session, actor=actor, session_id=session_id)
    row = session.get_one(AcademyClass, item.class_id)
    return render(request, "academy_door.html", item=item, row=row, people=people, marks=marks,
                  qr=attendance.current_qr(session, actor=actor, session_id=item.id))


@router.post("/academy/sessions/{session_id}/roll-call")
def roll_call(request: Request, session: SessionDep, session_id: int,
              present: Annotated[list[int] | None, Form()] = None,
              csrf: Annotated[str, Form()] = "") -> Response:
    actor = page_actor(request, session)
    verify_form_csrf(request, csrf)
    attendance.roll_call(session, actor=actor, session_id=session_id, present=present or [])
    item = policy.scoped(session, actor, ClassSession, session_id)
    return RedirectResponse(f"/academy/sessions/{item.id}/door", status_code=303)


@router.post("/academy/classes/{class_id}/lessons")
def upload(request: Request, session: SessionDep, class_id: int,
           video: Annotated[UploadFile, File()], title: Annotated[str, Form()],
           csrf: Annotated[str, Form()] = "") -> Response:
    actor = page_actor(request, session)
    verify_form_csrf(request, csrf)
    lesson = lessons.upload_lesson(session, actor=actor, class_id=class_id, title=title,
                                   filename=video.filename or "", stream=video.file)
    return RedirectResponse(f"/academy/lessons/{lesson.id}", status_code=303)


@router.get("/academy/lessons/{lesson_id}", response_class=HTMLResponse)
def lesson_page(request: Request, session: SessionDep, lesson_id: int) -> HTMLResponse:
    actor = page_actor(request, session)
    lesson = lessons.lesson_for_staff(session, actor=actor, lesson_id=lesson_id)
    return render(request, "academy_lesson.html", lesson=lesson,
                  base=f"/academy/lessons/{lesson.id}/hls/")


@router.get("/academy/lessons/{lesson_id}/hls/{name:path}")
def lesson_file(request: Request, session: SessionDep, lesson_id: int,
                name: str) -> FileResponse:
    actor = page_actor(request, session)
    lesson = lessons.lesson_for_staff(session, actor=actor, lesson_id=lesson_id)
    return lessons.file_response(lessons.lesson_file(lesson, name))
