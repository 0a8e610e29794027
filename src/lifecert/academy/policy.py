"""Tenancy of the senior university: the one rule deciding which institution's rows a staff
member may see or change. Every academy row carries ``institution_id``; a row of another
institution answers "not found", exactly like a missing one (its existence is not revealed)."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.academy.models import AcademyClass, InstitutionRole, Membership
from lifecert.core.errors import NotFound, PermissionDenied
from lifecert.core.roles import Role
from lifecert.core.scoping import Actor

T = TypeVar("T")

MANAGERS = (InstitutionRole.ADMIN, InstitutionRole.REGISTRAR)
EVERYONE = tuple(InstitutionRole)


def roles_of(session: Session, actor: Actor) -> dict[int, InstitutionRole]:
    """Institution id → the actor's role there (platform admins: none needed)."""
    if actor.role not in (Role.ACADEMY_STAFF, Role.PLATFORM_ADMIN):
        return {}
    rows = session.execute(
        select(Membership.institution_id, Membership.role)
        .where(Membership.staff_id == actor.staff_id)
    ).all()
    return {int(i): r for i, r in rows}


def visible_institutions(session: Session, actor: Actor) -> list[int] | None:
    """Ids the actor may read; None: every institution (platform admin)."""
    if actor.role == Role.PLATFORM_ADMIN:
        return None
    return sorted(roles_of(session, actor))


def require_role(
    session: Session, actor: Actor, institution_id: int,
    roles: tuple[InstitutionRole, ...] = EVERYONE,
) -> InstitutionRole | None:
    """The actor's role in the institution, if it is one of ``roles``. Not a member: not found;
    a member whose role may not do this: refused."""
    if actor.role == Role.PLATFORM_ADMIN:
        return None
    role = roles_of(session, actor).get(institution_id)
    if role is None:
        raise NotFound("No such record.")
    if role not in roles:
        raise PermissionDenied("Your role may not do this.")
    return role


def scoped(
    session: Session, actor: Actor, model: type[T], row_id: int,
    roles: tuple[InstitutionRole, ...] = EVERYONE,
) -> T:
    """One academy row, checked against the actor's institutions."""
    row: Any = session.get(model, row_id)
    if row is None:
        raise NotFound("No such record.")
    require_role(session, actor, int(row.institution_id), roles)
    return row


def teaching_class(session: Session, actor: Actor, class_id: int) -> AcademyClass:
    """A class the actor may run (sessions, attendance, lessons): its teacher, or the
    institution's admin or registrar."""
    row = scoped(session, actor, AcademyClass, class_id)
    role = require_role(session, actor, row.institution_id)
    if role == InstitutionRole.TEACHER and row.teacher_id != actor.staff_id:
        raise PermissionDenied("Only the class's teacher or the registrar may do this.")
    return row
