"""Demo data for the senior university: two institutions in the city (each its own tenant and
staff), a spring term with courses and classes, a completed lottery with its published seed,
three past sessions with attendance, and one recorded lesson made from a real clip of
``../shared/data/video`` (skipped, with a message, where that folder is absent)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.academy import attendance, enrolment, lessons, service
from lifecert.academy.models import (
    AcademyClass,
    Enrolment,
    EnrolmentStatus,
    InstitutionRole,
    Term,
    TermStatus,
)
from lifecert.core.roles import Role
from lifecert.core.scoping import Actor
from lifecert.face_engine.shared_data import default_data_dir
from lifecert.organisation.models import Staff
from lifecert.organisation.service import actor_for, create_staff
from lifecert.retirees.models import Retiree, RetireeStatus

if TYPE_CHECKING:
    from lifecert.organisation.demo import DemoCity

log = logging.getLogger(__name__)
PLATFORM = Actor(staff_id=0, username="demo", role=Role.PLATFORM_ADMIN, region_paths=())
DEMO_CLIP = "grid_lwbsza.mpg"  # an older woman speaking: the recorded lesson
# (course, category, fee, [(class, capacity, weekday, start)])
CATALOGUE = [
    ("智能手机入门", "smartphone", 0, [("手机一班", 25, 2, "09:00")]),
    ("书法", "calligraphy", 300, [("书法周一班", 12, 1, "09:00"), ("书法周三班", 12, 3, "14:30")]),
    ("合唱", "singing", 200, [("合唱团", 20, 4, "09:30")]),
    ("国画", "painting", 350, [("国画花鸟班", 10, 5, "09:00")]),
]


def seed_demo_academy(session: Session, demo: DemoCity, *, today: date) -> None:
    teacher = create_staff(session, username="academy_teacher", password=_password(),
                           full_name="周老师", role=Role.ACADEMY_STAFF, regions=[demo.city])
    other = create_staff(session, username="academy2", password=_password(),
                         full_name="岳麓老年大学 李老师", role=Role.ACADEMY_STAFF,
                         regions=[demo.city])
    people = list(session.scalars(select(Retiree).where(Retiree.status == RetireeStatus.ACTIVE)
                                  .order_by(Retiree.community_id, Retiree.id).limit(90)))
    first = _institution(session, "csld", "长沙市老年大学", demo, demo.staff["academy"], teacher,
                         today)
    _institution(session, "ylld", "岳麓区老年大学", demo, other, other, today, catalogue=1)
    _run_term(session, first, people, today, teacher)


def _password() -> str:
    from lifecert.identity.service import DEMO_PASSWORD

    return DEMO_PASSWORD


@dataclass
class Setup:
    term: Term
    classes: list[AcademyClass]


def _institution(session: Session, code: str, name: str, demo: DemoCity, admin: Staff,
                 teacher: Staff, today: date, catalogue: int = len(CATALOGUE)) -> Setup:
    inst = service.create_institution(session, actor=PLATFORM, code=code, name=name,
                                      region_id=demo.city.id)
    for staff, role in ((admin, InstitutionRole.ADMIN), (teacher, InstitutionRole.TEACHER)):
        service.add_member(session, actor=PLATFORM, institution_id=inst.id,
                           staff_id=staff.id, role=role)
    campus = service.create_campus(session, actor=PLATFORM, institution_id=inst.id,
                                   name="本部", address="长沙市芙蓉区五一大道")
    room = service.create_room(session, actor=PLATFORM, campus_id=campus.id, name="多功能教室",
                               capacity=40)
    term = service.create_term(session, actor=PLATFORM, institution_id=inst.id, name="春季学期",
                               starts_on=today - timedelta(days=28), ends_on=today + timedelta(90),
                               apply_from=today - timedelta(days=60),
                               apply_until=today - timedelta(days=35), max_courses=2)
    classes = []
    for course_name, category, fee, rows in CATALOGUE[:catalogue]:
        course = service.create_course(session, actor=PLATFORM, institution_id=inst.id,
                                       name=course_name, category=category, fee_yuan=fee)
        for class_name, capacity, weekday, start in rows:
            classes.append(service.create_class(
                session, actor=PLATFORM, term_id=term.id, course_id=course.id, name=class_name,
                capacity=capacity, teacher_id=teacher.id, room_id=room.id,
                weekday=weekday, start_time=start))
    term.status = TermStatus.APPLYING
    return Setup(term, classes)


def _run_term(session: Session, first: Setup, people: list[Retiree], today: date,
              teacher: Staff) -> None:
    term, classes = first.term, first.classes
    phone_class, popular = classes[0], classes[1:]
    for i, person in enumerate(people):
        wanted = [phone_class] if i < 20 else [popular[i % len(popular)],
                                              popular[(i + 1) % len(popular)]]
        for choice, row in enumerate(wanted, 1):
            enrolment.apply(session, retiree=person, class_id=row.id, preference=choice)
    enrolment.run_draw(session, actor=PLATFORM, term_id=term.id,
                       seed="changsha-2026-spring-demo")
    for offer in session.scalars(select(Enrolment).where(Enrolment.status ==
                                                         EnrolmentStatus.OFFERED)):
        offer.status = EnrolmentStatus.ACCEPTED
    term.status = TermStatus.RUNNING
    staff_actor = actor_for(teacher)
    for row in classes:
        students = [r.id for r in attendance.roster(session, class_id=row.id)]
        for week in (3, 2, 1):
            day = today - timedelta(days=7 * week)
            starts = datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC)  # 09:00 local
            item = attendance.create_session(session, actor=staff_actor, class_id=row.id,
                                             starts_at=starts)
            present = [s for k, s in enumerate(students) if (k + week) % 5]  # ~80% came
            attendance.roll_call(session, actor=staff_actor, session_id=item.id,
                                 present=present)
        attendance.create_session(session, actor=staff_actor, class_id=row.id,
                                  starts_at=datetime(today.year, today.month, today.day, 1, 0,
                                                     tzinfo=UTC) + timedelta(days=7))
    _recorded_lesson(session, staff_actor, phone_class.id)


def _recorded_lesson(session: Session, actor: Actor, class_id: int) -> None:
    clip = default_data_dir() / "video" / DEMO_CLIP
    if not clip.exists():
        log.warning("Demo recorded lesson skipped: %s not found (the shared data folder).", clip)
        return
    with clip.open("rb") as stream:
        lesson = lessons.upload_lesson(session, actor=actor, class_id=class_id,
                                       title="第一课：认识智能手机", filename=clip.name,
                                       stream=stream)
    lessons.transcode(session, lesson_id=lesson.id)  # now: the demo shows it ready
