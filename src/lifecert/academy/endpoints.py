"""Senior-university API: institutions (tenants) and their staff, campuses, rooms, terms,
courses, classes, the lottery, sessions and attendance, recorded lessons. Every route is
scoped to the caller's institutions (``academy.policy``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import FileResponse

from lifecert.academy import attendance, enrolment, lessons, reports, service
from lifecert.academy import schemas as s
from lifecert.academy.models import LotteryDraw
from lifecert.academy.policy import scoped
from lifecert.core.errors import InvalidInput
from lifecert.core.settings import get_settings
from lifecert.core.uploads import check_image_header, read_upload
from lifecert.identity.deps import CurrentActor, SessionDep

router = APIRouter(prefix="/api/v1/academy", tags=["academy"])


@router.get("/institutions", response_model=list[s.InstitutionRead])
def institutions(session: SessionDep, actor: CurrentActor) -> Any:
    return service.my_institutions(session, actor=actor)


@router.post("/institutions", response_model=s.InstitutionRead, status_code=201)
def add_institution(body: s.InstitutionIn, session: SessionDep, actor: CurrentActor) -> Any:
    return service.create_institution(session, actor=actor, **body.model_dump())


@router.get("/institutions/{institution_id}", response_model=s.InstitutionRead)
def institution(institution_id: int, session: SessionDep, actor: CurrentActor) -> Any:
    return service.get_institution(session, actor=actor, institution_id=institution_id)


@router.put("/institutions/{institution_id}/members")
def set_member(institution_id: int, body: s.MemberIn, session: SessionDep,
               actor: CurrentActor) -> dict[str, Any]:
    row = service.add_member(session, actor=actor, institution_id=institution_id,
                             staff_id=body.staff_id, role=body.role)
    return {"staff_id": row.staff_id, "role": row.role.value}


@router.post("/institutions/{institution_id}/campuses", response_model=s.IdRead,
             status_code=201)
def add_campus(institution_id: int, body: s.NamedIn, session: SessionDep,
               actor: CurrentActor) -> Any:
    return service.create_campus(session, actor=actor, institution_id=institution_id,
                                 name=body.name, address=body.address)


@router.post("/campuses/{campus_id}/rooms", response_model=s.IdRead, status_code=201)
def add_room(campus_id: int, body: s.RoomIn, session: SessionDep, actor: CurrentActor) -> Any:
    return service.create_room(session, actor=actor, campus_id=campus_id, name=body.name,
                               capacity=body.capacity)


@router.get("/institutions/{institution_id}/terms", response_model=list[s.TermRead])
def terms(institution_id: int, session: SessionDep, actor: CurrentActor) -> Any:
    return service.terms_of(session, actor=actor, institution_id=institution_id)


@router.post("/institutions/{institution_id}/terms", response_model=s.TermRead, status_code=201)
def add_term(institution_id: int, body: s.TermIn, session: SessionDep,
             actor: CurrentActor) -> Any:
    return service.create_term(session, actor=actor, institution_id=institution_id,
                               **body.model_dump())


@router.post("/terms/{term_id}/status", response_model=s.TermRead)
def term_status(term_id: int, body: s.TermStatusIn, session: SessionDep,
                actor: CurrentActor) -> Any:
    return service.set_term_status(session, actor=actor, term_id=term_id, status=body.status)


@router.get("/institutions/{institution_id}/courses", response_model=list[s.CourseRead])
def courses(institution_id: int, session: SessionDep, actor: CurrentActor) -> Any:
    return service.courses_of(session, actor=actor, institution_id=institution_id)


@router.post("/institutions/{institution_id}/courses", response_model=s.CourseRead,
             status_code=201)
def add_course(institution_id: int, body: s.CourseIn, session: SessionDep,
               actor: CurrentActor) -> Any:
    return service.create_course(session, actor=actor, institution_id=institution_id,
                                 **body.model_dump())


@router.get("/terms/{term_id}/classes", response_model=list[s.ClassRead])
def classes(term_id: int, session: SessionDep, actor: CurrentActor) -> Any:
    return service.classes_of_term(session, actor=actor, term_id=term_id)


@router.post("/terms/{term_id}/classes", response_model=s.ClassRead, status_code=201)
def add_class(term_id: int, body: s.ClassIn, session: SessionDep, actor: CurrentActor) -> Any:
    return service.create_class(session, actor=actor, term_id=term_id, **body.model_dump())


@router.post("/terms/{term_id}/draw", response_model=s.DrawRead, status_code=201)
def draw(term_id: int, body: s.DrawIn, session: SessionDep, actor: CurrentActor) -> Any:
    return enrolment.run_draw(session, actor=actor, term_id=term_id, seed=body.seed)


@router.get("/draws/{draw_id}")
def draw_document(draw_id: int, session: SessionDep, actor: CurrentActor) -> dict[str, Any]:
    row = scoped(session, actor, LotteryDraw, draw_id)
    return {"seed": row.seed, "method": row.method, "inputs": row.inputs,
            "inputs_sha256": row.inputs_sha256, "result": row.result,
            "result_sha256": row.result_sha256,
            "reproduced": enrolment.verify_draw(session, draw_id=row.id)}


@router.post("/enrolments/{enrolment_id}/fee-paid")
def fee_paid(enrolment_id: int, session: SessionDep, actor: CurrentActor) -> dict[str, Any]:
    row = enrolment.record_fee_paid(session, actor=actor, enrolment_id=enrolment_id)
    return {"id": row.id, "fee_yuan": row.fee_yuan, "fee_paid_at": row.fee_paid_at}


@router.post("/classes/{class_id}/sessions", response_model=s.SessionRead, status_code=201)
def add_session(class_id: int, body: s.SessionIn, session: SessionDep,
                actor: CurrentActor) -> Any:
    return attendance.create_session(session, actor=actor, class_id=class_id,
                                     starts_at=body.starts_at, minutes=body.minutes)


@router.get("/sessions/{session_id}/attendance")
def session_attendance(session_id: int, session: SessionDep,
                       actor: CurrentActor) -> dict[str, Any]:
    item, people, marks = attendance.attendance_of(session, actor=actor, session_id=session_id)
    return {"session_id": item.id, "students": [
        {"retiree_id": p.id, "name": p.name,
         "method": marks[p.id].method.value if p.id in marks else None} for p in people]}


@router.post("/sessions/{session_id}/roll-call")
def roll_call(session_id: int, body: s.RollCallIn, session: SessionDep,
              actor: CurrentActor) -> dict[str, int]:
    return {"marked": attendance.roll_call(session, actor=actor, session_id=session_id,
                                           present=body.present)}


@router.get("/sessions/{session_id}/qr")
def session_qr(session_id: int, session: SessionDep, actor: CurrentActor) -> dict[str, Any]:
    code = attendance.current_qr(session, actor=actor, session_id=session_id)
    return {"url": f"/m/academy/checkin/{session_id}/{code}",
            "changes_every_s": attendance.QR_WINDOW_S}


@router.post("/sessions/{session_id}/face")
def face_checkin(session_id: int, session: SessionDep, actor: CurrentActor,
                 photo: Annotated[UploadFile, File()]) -> dict[str, Any]:
    face = get_settings().face
    data = read_upload(photo, max_bytes=face.max_image_bytes)
    check_image_header(data, max_pixels=face.max_image_pixels, max_side=8000)
    row = attendance.check_in_by_face(session, actor=actor, session_id=session_id,
                                      image_bytes=data)
    if row is None:
        return {"matched": False}
    from lifecert.retirees.models import Retiree

    person = session.get_one(Retiree, row.retiree_id)
    return {"matched": True, "retiree_id": row.retiree_id, "name": person.name}


@router.post("/classes/{class_id}/lessons", response_model=s.LessonRead, status_code=201)
def upload_lesson(class_id: int, session: SessionDep, actor: CurrentActor,
                  video: Annotated[UploadFile, File()],
                  title: Annotated[str, Form()]) -> Any:
    return lessons.upload_lesson(session, actor=actor, class_id=class_id, title=title,
                                 filename=video.filename or "", stream=video.file)


@router.post("/lessons/{lesson_id}/subtitles", response_model=s.LessonRead)
def upload_subtitles(lesson_id: int, session: SessionDep, actor: CurrentActor,
                     subtitles: Annotated[UploadFile, File()]) -> Any:
    data = read_upload(subtitles, max_bytes=2 * 1024 * 1024)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput("Subtitles must be a WebVTT file (it starts with WEBVTT).") from exc
    return lessons.add_subtitles(session, actor=actor, lesson_id=lesson_id, text=text)


@router.get("/lessons/{lesson_id}", response_model=s.LessonRead)
def lesson(lesson_id: int, session: SessionDep, actor: CurrentActor) -> Any:
    return lessons.lesson_for_staff(session, actor=actor, lesson_id=lesson_id)


@router.get("/lessons/{lesson_id}/hls/{name:path}")
def lesson_file(lesson_id: int, name: str, session: SessionDep,
                actor: CurrentActor) -> FileResponse:
    """A file of a ready lesson's HLS (master, playlists, segments)."""
    row = lessons.lesson_for_staff(session, actor=actor, lesson_id=lesson_id)
    return lessons.file_response(lessons.lesson_file(row, name))


@router.get("/institutions/{institution_id}/dashboard")
def dashboard(institution_id: int, session: SessionDep, actor: CurrentActor) -> dict[str, Any]:
    return reports.institution_dashboard(session, actor=actor, institution_id=institution_id)
