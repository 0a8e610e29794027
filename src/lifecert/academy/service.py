"""Institutions, their staff roles, campuses, rooms, terms, courses and classes.

Enrolment and the lottery: ``academy.enrolment``; attendance: ``academy.attendance``; recorded
lessons: ``academy.lessons``. Every function checks the caller's institution (``policy``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.academy import policy
from lifecert.academy.lottery import check_priorities
from lifecert.academy.models import (
    AcademyClass,
    Campus,
    Course,
    Institution,
    InstitutionRole,
    Membership,
    Room,
    Term,
    TermStatus,
)
from lifecert.audit import service as audit
from lifecert.core.errors import Conflict, InvalidInput, NotFound
from lifecert.core.roles import Permission, Role
from lifecert.core.scoping import Actor
from lifecert.organisation.models import Region, Staff

DEFAULT_PRIORITIES: list[dict[str, Any]] = [{"rule": "continuing"}, {"rule": "new_student"}]


def _audit(session: Session, actor: Actor, action: str, row: Any, **details: Any) -> None:
    audit.record(session, actor=actor, action=f"academy.{action}",
                 target_type=type(row).__tablename__, target_id=row.id, details=details)


def create_institution(
    session: Session, *, actor: Actor, code: str, name: str, region_id: int
) -> Institution:
    actor.require(Permission.MANAGE_REGIONS)  # the platform admin registers tenants
    if session.get(Region, region_id) is None:
        raise NotFound("No such region.")
    if session.scalar(select(Institution.id).where(Institution.code == code)) is not None:
        raise Conflict("An institution with this code exists.")
    row = Institution(code=code[:32], name=name[:200], region_id=region_id)
    session.add(row)
    session.flush()
    _audit(session, actor, "institution_created", row, code=row.code)
    return row


def add_member(
    session: Session, *, actor: Actor, institution_id: int, staff_id: int, role: InstitutionRole
) -> Membership:
    policy.require_role(session, actor, institution_id, (InstitutionRole.ADMIN,))
    staff = session.get(Staff, staff_id)
    if staff is None or staff.role != Role.ACADEMY_STAFF:
        raise InvalidInput("Only senior-university staff accounts can join an institution.")
    row = session.scalar(select(Membership).where(
        Membership.institution_id == institution_id, Membership.staff_id == staff_id))
    if row is None:
        row = Membership(institution_id=institution_id, staff_id=staff_id, role=role)
        session.add(row)
    row.role = role
    session.flush()
    _audit(session, actor, "member_set", row, staff_id=staff_id, role=role.value)
    return row


def my_institutions(session: Session, *, actor: Actor) -> Sequence[Institution]:
    ids = policy.visible_institutions(session, actor)
    query = select(Institution).order_by(Institution.id)
    if ids is not None:
        query = query.where(Institution.id.in_(ids))
    return session.scalars(query).all()


def get_institution(session: Session, *, actor: Actor, institution_id: int) -> Institution:
    return _inst(session, actor, institution_id)


def _inst(session: Session, actor: Actor, institution_id: int,
          roles: tuple[InstitutionRole, ...] = policy.EVERYONE) -> Institution:
    row = session.get(Institution, institution_id)
    if row is None:
        raise NotFound("No such record.")
    policy.require_role(session, actor, row.id, roles)
    return row


def create_campus(session: Session, *, actor: Actor, institution_id: int, name: str,
                  address: str = "") -> Campus:
    _inst(session, actor, institution_id, policy.MANAGERS)
    row = Campus(institution_id=institution_id, name=name[:100], address=address[:255])
    session.add(row)
    session.flush()
    _audit(session, actor, "campus_created", row)
    return row


def create_room(session: Session, *, actor: Actor, campus_id: int, name: str,
                capacity: int) -> Room:
    campus = policy.scoped(session, actor, Campus, campus_id, policy.MANAGERS)
    if capacity < 1:
        raise InvalidInput("A room holds at least one person.")
    row = Room(institution_id=campus.institution_id, campus_id=campus.id, name=name[:100],
               capacity=capacity)
    session.add(row)
    session.flush()
    _audit(session, actor, "room_created", row, capacity=capacity)
    return row


def create_term(
    session: Session, *, actor: Actor, institution_id: int, name: str, starts_on: date,
    ends_on: date, apply_from: date, apply_until: date, max_courses: int = 2,
    accept_days: int = 3, priorities: list[dict[str, Any]] | None = None,
) -> Term:
    _inst(session, actor, institution_id, policy.MANAGERS)
    if not apply_from <= apply_until <= starts_on <= ends_on:
        raise InvalidInput("The application window comes before the term, and each starts "
                           "before it ends.")
    if max_courses < 1 or accept_days < 1:
        raise InvalidInput("The course limit and the days to accept are at least 1.")
    chosen = DEFAULT_PRIORITIES if priorities is None else priorities
    try:
        check_priorities(chosen)
    except ValueError as exc:
        raise InvalidInput("Unknown priority rule.") from exc
    row = Term(institution_id=institution_id, name=name[:100], starts_on=starts_on,
               ends_on=ends_on, apply_from=apply_from, apply_until=apply_until,
               max_courses=max_courses, accept_days=accept_days, priorities=list(chosen))
    session.add(row)
    session.flush()
    _audit(session, actor, "term_created", row, priorities=row.priorities)
    return row


def set_term_status(session: Session, *, actor: Actor, term_id: int,
                    status: TermStatus) -> Term:
    term = policy.scoped(session, actor, Term, term_id, policy.MANAGERS)
    if status == TermStatus.DRAWN:
        raise InvalidInput("A term is drawn by running its lottery.")
    term.status = status
    _audit(session, actor, "term_status", term, status=status.value)
    return term


def create_course(session: Session, *, actor: Actor, institution_id: int, name: str,
                  category: str = "", level: int = 1, fee_yuan: int = 0,
                  description: str = "", prerequisite_id: int | None = None) -> Course:
    _inst(session, actor, institution_id, policy.MANAGERS)
    if prerequisite_id is not None:
        policy.scoped(session, actor, Course, prerequisite_id)
    if fee_yuan < 0:
        raise InvalidInput("A fee cannot be negative.")
    row = Course(institution_id=institution_id, name=name[:100], category=category[:32],
                 level=level, fee_yuan=fee_yuan, description=description,
                 prerequisite_id=prerequisite_id)
    session.add(row)
    session.flush()
    _audit(session, actor, "course_created", row)
    return row


def create_class(
    session: Session, *, actor: Actor, term_id: int, course_id: int, name: str, capacity: int,
    teacher_id: int | None = None, room_id: int | None = None, weekday: int = 1,
    start_time: str = "09:00", minutes: int = 90, min_age: int | None = None,
    max_age: int | None = None, continues_id: int | None = None,
) -> AcademyClass:
    term = policy.scoped(session, actor, Term, term_id, policy.MANAGERS)
    course = policy.scoped(session, actor, Course, course_id, policy.MANAGERS)
    if course.institution_id != term.institution_id:
        raise NotFound("No such record.")
    if room_id is not None:
        room = policy.scoped(session, actor, Room, room_id)
        if capacity > room.capacity:
            raise InvalidInput("The room holds {n} people.", params={"n": room.capacity})
    if teacher_id is not None and session.scalar(select(Membership.id).where(
            Membership.institution_id == term.institution_id,
            Membership.staff_id == teacher_id)) is None:
        raise InvalidInput("The teacher is not on this institution's staff.")
    if continues_id is not None:
        policy.scoped(session, actor, AcademyClass, continues_id)
    if capacity < 1 or not 1 <= weekday <= 7:
        raise InvalidInput("A class has at least one place and a weekday from 1 to 7.")
    row = AcademyClass(institution_id=term.institution_id, term_id=term.id, course_id=course.id,
                       name=name[:100], capacity=capacity, teacher_id=teacher_id,
                       room_id=room_id, weekday=weekday, start_time=start_time[:5],
                       minutes=minutes, min_age=min_age, max_age=max_age,
                       continues_id=continues_id)
    session.add(row)
    session.flush()
    _audit(session, actor, "class_created", row, capacity=capacity)
    return row


def classes_of_term(session: Session, *, actor: Actor, term_id: int) -> Sequence[AcademyClass]:
    term = policy.scoped(session, actor, Term, term_id)
    return session.scalars(select(AcademyClass).where(AcademyClass.term_id == term.id)
                           .order_by(AcademyClass.id)).all()


def terms_of(session: Session, *, actor: Actor, institution_id: int) -> Sequence[Term]:
    _inst(session, actor, institution_id)
    return session.scalars(select(Term).where(Term.institution_id == institution_id)
                           .order_by(Term.starts_on.desc())).all()


def courses_of(session: Session, *, actor: Actor, institution_id: int) -> Sequence[Course]:
    _inst(session, actor, institution_id)
    return session.scalars(select(Course).where(Course.institution_id == institution_id)
                           .order_by(Course.id)).all()
