"""What a student sees on the phone: classes open for application near them, their
applications and offers, their classes with the next session, and their lessons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.academy.models import (
    AcademyClass,
    Application,
    ClassSession,
    Enrolment,
    EnrolmentStatus,
    Institution,
    Lesson,
    LessonStatus,
    Room,
    Term,
    TermStatus,
)
from lifecert.core.db import utcnow
from lifecert.organisation.models import Region
from lifecert.retirees.models import Retiree


@dataclass
class MyClass:
    enrolment: Enrolment
    row: AcademyClass
    institution: str
    room: str
    next_session: datetime | None
    lessons: list[Lesson]


def open_classes(session: Session, *, retiree: Retiree) -> list[tuple[AcademyClass, str]]:
    """Classes of terms taking applications at institutions of the elder's own area."""
    community = session.get_one(Region, retiree.community_id)
    ancestors = [int(p) for p in community.path.strip("/").split("/") if p]
    rows = session.execute(
        select(AcademyClass, Institution.name)
        .join(Term, Term.id == AcademyClass.term_id)
        .join(Institution, Institution.id == AcademyClass.institution_id)
        .where(Term.status == TermStatus.APPLYING, Institution.region_id.in_(ancestors))
        .order_by(Institution.name, AcademyClass.name)).all()
    return [(r, str(n)) for r, n in rows]


def my_classes(session: Session, *, retiree: Retiree) -> list[MyClass]:
    rows = session.execute(
        select(Enrolment, AcademyClass, Institution.name)
        .join(AcademyClass, AcademyClass.id == Enrolment.class_id)
        .join(Institution, Institution.id == Enrolment.institution_id)
        .where(Enrolment.retiree_id == retiree.id,
               Enrolment.status.in_((EnrolmentStatus.OFFERED, EnrolmentStatus.ACCEPTED)))
        .order_by(Enrolment.id)).all()
    out = []
    for enrolment, row, name in rows:
        nxt = session.scalar(select(ClassSession.starts_at).where(
            ClassSession.class_id == row.id, ClassSession.ends_at >= utcnow())
            .order_by(ClassSession.starts_at).limit(1))
        room = session.get(Room, row.room_id) if row.room_id else None
        ready = list(session.scalars(select(Lesson).where(
            Lesson.class_id == row.id, Lesson.status == LessonStatus.READY)))
        out.append(MyClass(enrolment, row, str(name), room.name if room else "", nxt,
                           ready if enrolment.status == EnrolmentStatus.ACCEPTED else []))
    return out


def my_applications(session: Session, *, retiree: Retiree
                    ) -> list[tuple[Application, AcademyClass]]:
    rows = session.execute(
        select(Application, AcademyClass).join(AcademyClass,
                                               AcademyClass.id == Application.class_id)
        .where(Application.retiree_id == retiree.id).order_by(Application.id.desc())).all()
    return [(a, c) for a, c in rows]
