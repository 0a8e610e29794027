"""Dashboards: demand against places per class, attendance rates, students' age bands."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifecert.academy import policy
from lifecert.academy.enrolment import age_on
from lifecert.academy.models import (
    AcademyClass,
    Application,
    Attendance,
    ClassSession,
    Enrolment,
    EnrolmentStatus,
    Institution,
    Term,
)
from lifecert.core.db import utcnow
from lifecert.core.scoping import Actor
from lifecert.retirees.models import Retiree
from lifecert.system.clock import local_now

AGE_BANDS = ((0, 64, "-64"), (65, 69, "65-69"), (70, 74, "70-74"), (75, 79, "75-79"),
             (80, 200, "80+"))


def _count_by(session: Session, column: Any, *where: Any) -> dict[int, int]:
    rows = session.execute(select(column, func.count()).where(*where).group_by(column)).all()
    return {int(k): int(n) for k, n in rows}


def institution_dashboard(session: Session, *, actor: Actor, institution_id: int
                          ) -> dict[str, Any]:
    policy.require_role(session, actor, institution_id)
    inst = session.get(Institution, institution_id)
    term = session.scalar(select(Term).where(Term.institution_id == institution_id)
                          .order_by(Term.starts_on.desc()).limit(1))
    if inst is None or term is None:
        return {"institution": inst.name if inst else "", "term": None, "classes": [],
                "age_bands": {}}
    classes = session.scalars(select(AcademyClass).where(AcademyClass.term_id == term.id)
                              .order_by(AcademyClass.id)).all()
    ids = [c.id for c in classes]
    demand = _count_by(session, Application.class_id, Application.class_id.in_(ids))
    students = _count_by(session, Enrolment.class_id, Enrolment.class_id.in_(ids),
                         Enrolment.status == EnrolmentStatus.ACCEPTED)
    sessions = _count_by(session, ClassSession.class_id, ClassSession.class_id.in_(ids))
    present = dict(session.execute(
        select(ClassSession.class_id, func.count(Attendance.id))
        .join(Attendance, Attendance.session_id == ClassSession.id)
        .where(ClassSession.class_id.in_(ids)).group_by(ClassSession.class_id)).all())
    rows = []
    for c in classes:
        expected = sessions.get(c.id, 0) * students.get(c.id, 0)
        rows.append({"class_id": c.id, "name": c.name, "places": c.capacity,
                     "applications": demand.get(c.id, 0), "students": students.get(c.id, 0),
                     "sessions": sessions.get(c.id, 0),
                     "attendance_rate": round(int(present.get(c.id, 0)) / expected, 3)
                     if expected else None})
    return {"institution": inst.name, "term": term.name, "term_status": term.status.value,
            "classes": rows, "age_bands": _age_bands(session, ids)}


def _age_bands(session: Session, class_ids: list[int]) -> dict[str, int]:
    births = session.scalars(
        select(Retiree.birth_date).join(Enrolment, Enrolment.retiree_id == Retiree.id)
        .where(Enrolment.class_id.in_(class_ids), Enrolment.status == EnrolmentStatus.ACCEPTED)
        .distinct())
    today = local_now().date()
    bands: Counter[str] = Counter()
    for birth in births:
        age = age_on(birth, today)
        bands[next(label for low, high, label in AGE_BANDS if low <= age <= high)] += 1
    return {label: bands.get(label, 0) for _l, _h, label in AGE_BANDS}


CERTIFICATE_SHARE = 0.75  # attended at least three sessions in four


def certificates(session: Session, *, actor: Actor, class_id: int
                 ) -> tuple[AcademyClass, list[tuple[Retiree, int, int]]]:
    """End-of-term certificates: students who attended at least CERTIFICATE_SHARE of the
    class's past sessions, with their count (attendance by any route)."""
    row = policy.scoped(session, actor, AcademyClass, class_id)
    held = session.scalar(select(func.count()).select_from(ClassSession).where(
        ClassSession.class_id == row.id, ClassSession.starts_at <= utcnow())) or 0
    counts = dict(session.execute(
        select(Attendance.retiree_id, func.count()).join(
            ClassSession, ClassSession.id == Attendance.session_id)
        .where(ClassSession.class_id == row.id).group_by(Attendance.retiree_id)).all())
    people = session.scalars(select(Retiree).where(Retiree.id.in_(list(counts)))
                             .order_by(Retiree.name)).all()
    earned = [(p, int(counts[p.id]), held) for p in people
              if held and counts[p.id] >= CERTIFICATE_SHARE * held]
    return row, earned
