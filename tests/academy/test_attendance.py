"""Attendance routes with the deterministic fake face engine: 1:N only within the roster,
consent enforced, an unknown face matched to nobody; the face check-in is a life signal;
QR codes rotate; roll call marks only students of the class."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.academy import attendance, enrolment, reports
from lifecert.academy.models import Attendance, AttendanceMethod, Enrolment, EnrolmentStatus
from lifecert.core.db import utcnow
from lifecert.core.errors import InvalidInput, NotFound
from lifecert.enrollment import service as enrollment
from lifecert.life_signals.models import LifeSignal
from tests.academy.helpers import World, make_world
from tests.builders import admin_actor, make_city, make_community
from tests.certification.helpers import enrolled_retiree, jpeg


def _class_with(session: Session, people: list) -> tuple[World, int]:  # type: ignore[type-arg]
    world = make_world(session, city=make_city(session, code="431000", name="郴州市"),
                       capacities=(10,))
    for person in people:
        enrolment.apply(session, retiree=person, class_id=world.classes[0].id)
    enrolment.run_draw(session, actor=world.actor, term_id=world.term.id, seed="door" * 4)
    for row in session.scalars(select(Enrolment)):
        row.status = EnrolmentStatus.ACCEPTED
    item = attendance.create_session(session, actor=world.teacher_actor,
                                     class_id=world.classes[0].id,
                                     starts_at=utcnow() - timedelta(minutes=5))
    return world, item.id


def test_face_matches_only_within_the_roster_and_needs_consent(session: Session) -> None:
    here = make_community(session, city=make_city(session))
    student = enrolled_retiree(session, face_seed=11, name="学员甲", community=here)
    other = enrolled_retiree(session, face_seed=12, name="学员乙", community=here)
    outsider = enrolled_retiree(session, face_seed=13, name="外人", community=here)
    world, session_id = _class_with(session, [student, other])
    teacher = world.teacher_actor
    row = attendance.check_in_by_face(session, actor=teacher, session_id=session_id,
                                      image_bytes=jpeg(11))
    assert row is not None and row.retiree_id == student.id
    assert row.method == AttendanceMethod.FACE and row.evidence["distance"] <= \
        row.evidence["thresholds"]["accept"]
    # Face attendance is a life signal for silent certification.
    assert session.scalar(select(LifeSignal.id).where(LifeSignal.retiree_id == student.id))
    # Someone with a template but not on the roster: matched to nobody.
    assert attendance.check_in_by_face(session, actor=teacher, session_id=session_id,
                                       image_bytes=jpeg(13)) is None
    assert outsider.id not in {a.retiree_id for a in session.scalars(select(Attendance))}
    # A student who withdrew consent is not searched.
    enrollment.withdraw_consent(session, actor=admin_actor(), retiree_id=other.id)
    assert attendance.check_in_by_face(session, actor=teacher, session_id=session_id,
                                       image_bytes=jpeg(12)) is None


def test_qr_rotates_and_roll_call_marks_only_students(session: Session) -> None:
    here = make_community(session, city=make_city(session))
    student = enrolled_retiree(session, face_seed=21, name="学员丙", community=here)
    stranger = enrolled_retiree(session, face_seed=22, name="路人", community=here)
    world, session_id = _class_with(session, [student])
    code = attendance.current_qr(session, actor=world.teacher_actor, session_id=session_id)
    later = utcnow() + timedelta(seconds=3 * attendance.QR_WINDOW_S)
    with pytest.raises(InvalidInput):  # a code forwarded to chat expires
        attendance.check_in_by_qr(session, retiree=student, session_id=session_id, code=code,
                                  now=later)
    row = attendance.check_in_by_qr(session, retiree=student, session_id=session_id, code=code)
    assert row.method == AttendanceMethod.QR
    with pytest.raises(NotFound):
        attendance.roll_call(session, actor=world.teacher_actor, session_id=session_id,
                             present=[stranger.id])


def test_certificates_for_students_who_came_three_times_in_four(session: Session) -> None:
    here = make_community(session, city=make_city(session))
    keen = enrolled_retiree(session, face_seed=31, name="常来", community=here)
    rare = enrolled_retiree(session, face_seed=32, name="少来", community=here)
    world, first = _class_with(session, [keen, rare])
    sessions = [first] + [attendance.create_session(
        session, actor=world.teacher_actor, class_id=world.classes[0].id,
        starts_at=utcnow() - timedelta(days=7 * k)).id for k in (1, 2, 3)]
    for k, session_id in enumerate(sessions):
        attendance.roll_call(session, actor=world.teacher_actor, session_id=session_id,
                             present=[keen.id] + ([rare.id] if k == 0 else []))
    _row, earned = reports.certificates(session, actor=world.actor,
                                        class_id=world.classes[0].id)
    assert [(p.id, came, held) for p, came, held in earned] == [(keen.id, 4, 4)]
