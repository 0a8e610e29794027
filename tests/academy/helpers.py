"""Builders for the academy tests: an institution with its staff, a term, courses, classes."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from lifecert.academy import service
from lifecert.academy.models import (
    AcademyClass,
    Campus,
    Course,
    Institution,
    InstitutionRole,
    Room,
    Term,
    TermStatus,
)
from lifecert.core.roles import Role
from lifecert.core.scoping import Actor
from lifecert.organisation.models import Region, Staff
from tests.builders import actor_of, admin_actor, make_staff

_n = itertools.count(1)


@dataclass
class World:
    institution: Institution
    admin: Staff
    teacher: Staff
    campus: Campus
    room: Room
    term: Term
    course: Course
    classes: list[AcademyClass] = field(default_factory=list)

    @property
    def actor(self) -> Actor:
        return actor_of(self.admin)

    @property
    def teacher_actor(self) -> Actor:
        return actor_of(self.teacher)


def make_world(session: Session, *, city: Region, name: str = "老年大学",
               capacities: tuple[int, ...] = (2, 2), max_courses: int = 2,
               status: TermStatus = TermStatus.APPLYING) -> World:
    n = next(_n)
    inst = service.create_institution(session, actor=admin_actor(), code=f"inst{n}",
                                      name=f"{name}{n}", region_id=city.id)
    admin = make_staff(session, role=Role.ACADEMY_STAFF, username=f"acadmin{n}")
    teacher = make_staff(session, role=Role.ACADEMY_STAFF, username=f"teacher{n}")
    service.add_member(session, actor=admin_actor(), institution_id=inst.id, staff_id=admin.id,
                       role=InstitutionRole.ADMIN)
    service.add_member(session, actor=admin_actor(), institution_id=inst.id,
                       staff_id=teacher.id, role=InstitutionRole.TEACHER)
    actor = actor_of(admin)
    campus = service.create_campus(session, actor=actor, institution_id=inst.id, name="本部")
    room = service.create_room(session, actor=actor, campus_id=campus.id, name="101",
                               capacity=40)
    term = service.create_term(session, actor=actor, institution_id=inst.id, name="2027春",
                               starts_on=date(2027, 3, 1), ends_on=date(2027, 6, 30),
                               apply_from=date(2027, 1, 1), apply_until=date(2027, 2, 1),
                               max_courses=max_courses)
    course = service.create_course(session, actor=actor, institution_id=inst.id, name="书法",
                                   fee_yuan=200)
    world = World(inst, admin, teacher, campus, room, term, course)
    for i, capacity in enumerate(capacities):
        world.classes.append(service.create_class(
            session, actor=actor, term_id=term.id, course_id=course.id, name=f"书法{i + 1}班",
            capacity=capacity, teacher_id=teacher.id, room_id=room.id))
    term.status = status
    session.flush()
    return world
