"""Attendance per session: the student's face at the tablet by the door (1:N only within the
class roster, only students with biometric consent), a rotating QR code scanned with the
student's own phone, or the teacher's roll call. A face-verified attendance is also a life
signal (source ``academy_face``), its evidence kept on the attendance row."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.academy import policy
from lifecert.academy.models import (
    AcademyClass,
    Attendance,
    AttendanceMethod,
    ClassSession,
    Enrolment,
    EnrolmentStatus,
)
from lifecert.audit import service as audit
from lifecert.core.db import utcnow
from lifecert.core.errors import Conflict, InvalidInput, NotFound
from lifecert.core.faces import get_face_engine
from lifecert.core.scoping import Actor
from lifecert.core.workpool import run_face_work
from lifecert.enrollment import service as enrollment
from lifecert.enrollment.models import FaceTemplate, TemplateSource, TemplateStatus
from lifecert.face_engine import Embedding, FaceEngineError
from lifecert.face_engine.matching import AGED_REFERENCE
from lifecert.life_signals import service as life_signals
from lifecert.retirees.models import Retiree

QR_WINDOW_S = 30  # the code on the door screen changes every 30 s: a forwarded photo expires
SIGNAL_SOURCE = ("academy_face", "Senior university: face-verified class attendance")


def create_session(session: Session, *, actor: Actor, class_id: int, starts_at: datetime,
                   minutes: int | None = None) -> ClassSession:
    row = policy.teaching_class(session, actor, class_id)
    length = timedelta(minutes=minutes or row.minutes)
    item = ClassSession(institution_id=row.institution_id, class_id=row.id, starts_at=starts_at,
                        ends_at=starts_at + length, qr_secret=secrets.token_hex(16))
    session.add(item)
    session.flush()
    return item


def _session_for(session: Session, actor: Actor, session_id: int) -> ClassSession:
    item = policy.scoped(session, actor, ClassSession, session_id)
    policy.teaching_class(session, actor, item.class_id)
    return item


def roster(session: Session, *, class_id: int) -> list[Retiree]:
    return list(session.scalars(
        select(Retiree).join(Enrolment, Enrolment.retiree_id == Retiree.id)
        .where(Enrolment.class_id == class_id, Enrolment.status == EnrolmentStatus.ACCEPTED)
        .order_by(Retiree.name, Retiree.id)))


def attendance_of(session: Session, *, actor: Actor, session_id: int
                  ) -> tuple[ClassSession, list[Retiree], dict[int, Attendance]]:
    item = _session_for(session, actor, session_id)
    marks = session.scalars(select(Attendance).where(Attendance.session_id == item.id))
    return item, roster(session, class_id=item.class_id), {m.retiree_id: m for m in marks}


def _mark(session: Session, item: ClassSession, retiree_id: int, method: AttendanceMethod,
          actor: Actor | None, evidence: dict[str, Any]) -> Attendance:
    if retiree_id not in {r.id for r in roster(session, class_id=item.class_id)}:
        raise NotFound("This person is not on the class roster.")
    row = session.scalar(select(Attendance).where(
        Attendance.session_id == item.id, Attendance.retiree_id == retiree_id))
    if row is None:
        row = Attendance(institution_id=item.institution_id, session_id=item.id,
                         retiree_id=retiree_id, method=method,
                         marked_by=actor.staff_id if actor and actor.staff_id else None,
                         evidence=evidence)
        session.add(row)
        session.flush()
    audit.record(session, actor=actor, action="academy.attendance", target_type="academy_session",
                 target_id=item.id, details={"retiree_id": retiree_id, "method": method.value})
    return row


def roll_call(session: Session, *, actor: Actor, session_id: int,
              present: Sequence[int]) -> int:
    item = _session_for(session, actor, session_id)
    for retiree_id in present:
        _mark(session, item, retiree_id, AttendanceMethod.ROLL_CALL, actor, {})
    return len(present)


def qr_code(item: ClassSession, now: datetime | None = None) -> str:
    window = int((now or utcnow()).timestamp()) // QR_WINDOW_S
    return hmac.new(item.qr_secret.encode(), f"{item.id}:{window}".encode(),
                    hashlib.sha256).hexdigest()[:20]


def current_qr(session: Session, *, actor: Actor, session_id: int) -> str:
    return qr_code(_session_for(session, actor, session_id))


def check_in_by_qr(session: Session, *, retiree: Retiree, session_id: int, code: str,
                   now: datetime | None = None) -> Attendance:
    """The student scans the door's code with their own phone: valid for the current or the
    previous window, only during the session, only for a student of the class."""
    item = session.get(ClassSession, session_id)
    if item is None:
        raise NotFound("No such session.")
    moment = now or utcnow()
    if not item.starts_at - timedelta(minutes=30) <= moment <= item.ends_at:
        raise Conflict("Check-in is open from half an hour before the class until it ends.")
    valid = {qr_code(item, moment), qr_code(item, moment - timedelta(seconds=QR_WINDOW_S))}
    if not any(hmac.compare_digest(code, v) for v in valid):
        raise InvalidInput("This code has expired. Please scan the code on the screen again.")
    return _mark(session, item, retiree.id, AttendanceMethod.QR, None, {"qr_window_s": QR_WINDOW_S})


def _probe(image_bytes: bytes) -> Embedding:
    engine = get_face_engine()
    try:
        image = engine.decode(image_bytes)
        faces = engine.detect(image)
    except FaceEngineError as exc:
        raise enrollment.image_refusal(exc) from exc
    if not faces:
        raise InvalidInput("No face found. Please look at the screen.")
    return engine.embed(image, faces[0])


def _candidates(session: Session, class_id: int, model_id: str) -> list[FaceTemplate]:
    """Active templates of the roster's students who have given biometric consent."""
    ids = [r.id for r in roster(session, class_id=class_id)
           if enrollment.active_consent(session, retiree_id=r.id) is not None]
    if not ids:
        return []
    return list(session.scalars(select(FaceTemplate).where(
        FaceTemplate.retiree_id.in_(ids), FaceTemplate.status == TemplateStatus.ACTIVE,
        FaceTemplate.model_id == model_id)))


def _best_match(probe: Embedding, templates: list[FaceTemplate]) -> dict[str, Any] | None:
    """The closest template within the model's shipped accept threshold, else None."""
    engine = get_face_engine()
    best: dict[str, Any] | None = None
    for template in templates:
        band = AGED_REFERENCE if template.source == TemplateSource.ID_PHOTO_IMPORT else None
        match = engine.compare(probe, enrollment.decrypt_template(template), band)
        if match.decision == "accept" and (best is None or match.distance < best["distance"]):
            best = {"retiree_id": template.retiree_id, "template_id": template.id,
                    "distance": round(match.distance, 4), "model_id": match.model_id,
                    "thresholds": {"accept": match.thresholds.accept,
                                   "review": match.thresholds.review}}
    return best


def check_in_by_face(session: Session, *, actor: Actor, session_id: int,
                     image_bytes: bytes) -> Attendance | None:
    """1:N within the class roster only. None: the face is nobody on the roster (never the
    nearest student by default: only a distance within the accept threshold counts)."""
    item = _session_for(session, actor, session_id)
    probe = run_face_work(_probe, image_bytes)
    templates = _candidates(session, item.class_id, probe.model_id)
    best = run_face_work(_best_match, probe, templates)
    audit.record(session, actor=actor, action="academy.face_checkin", target_type="academy_session",
                 target_id=item.id, details={"matched": best is not None,
                                             "candidates": len(templates),
                                             "distance": best["distance"] if best else None})
    if best is None:
        return None
    evidence = {**best, "candidates": len(templates), "at": utcnow().isoformat()}
    row = _mark(session, item, int(best["retiree_id"]), AttendanceMethod.FACE, actor, evidence)
    life_signals.record_signal(session, retiree_id=row.retiree_id, code=SIGNAL_SOURCE[0],
                               name=SIGNAL_SOURCE[1], occurred_on=row.at.date())
    return row


def sessions_of_class(session: Session, *, actor: Actor, class_id: int) -> Sequence[ClassSession]:
    row = policy.scoped(session, actor, AcademyClass, class_id)
    return session.scalars(select(ClassSession).where(ClassSession.class_id == row.id)
                           .order_by(ClassSession.starts_at)).all()
