"""Regions and staff: creation, lookup, and the actor built from a staff account."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifecert.audit.service import record
from lifecert.core.errors import Conflict, InvalidInput, NotFound
from lifecert.core.limits import clear_login_locks
from lifecert.core.roles import Permission, Role
from lifecert.core.scoping import Actor, ensure_in_scope, scope_filter
from lifecert.core.security import hash_password
from lifecert.organisation.models import LEVEL_ORDER, Region, RegionLevel, Staff

# Roles whose work is tied to regions; an admin covers everything without assignments.
_REGIONAL_ROLES = {Role.BUREAU_OFFICER, Role.COMMUNITY_WORKER}


def create_region(
    session: Session, *, name: str, code: str, level: RegionLevel, parent: Region | None = None
) -> Region:
    expected_parent = LEVEL_ORDER.index(level) - 1
    if (parent is None) != (expected_parent < 0):
        raise InvalidInput("A {level} must sit under the level above it.", params={"level": level})
    if parent is not None and LEVEL_ORDER.index(parent.level) != expected_parent:
        raise InvalidInput("A {level} must sit under the level above it.", params={"level": level})
    if session.scalar(select(Region.id).where(Region.code == code)) is not None:
        raise Conflict("Region code {code} already exists.", params={"code": code})
    region = Region(name=name, code=code, level=level, parent=parent, path="")
    session.add(region)
    session.flush()  # the id is needed for the path
    region.path = f"{parent.path if parent else '/'}{region.id}/"
    return region


def get_region(session: Session, *, actor: Actor, region_id: int) -> Region:
    region = session.get(Region, region_id)
    if region is None:
        raise NotFound("No such region.")
    ensure_in_scope(actor, Permission.READ_REGIONS, region.path)
    return region


def list_regions(
    session: Session, *, actor: Actor, level: RegionLevel | None = None
) -> Sequence[Region]:
    stmt = select(Region).where(scope_filter(actor, Permission.READ_REGIONS, Region.path))
    if level is not None:
        stmt = stmt.where(Region.level == level)
    return session.scalars(stmt.order_by(Region.path)).all()


def create_staff(
    session: Session,
    *,
    username: str,
    password: str,
    full_name: str,
    role: Role,
    regions: Sequence[Region] = (),
    organisation_name: str = "",
    phone: str = "",
    actor: Actor | None = None,
) -> Staff:
    """``actor`` None: the command line or the demo builder."""
    if len(password) < 10:
        raise InvalidInput("The password must have at least 10 characters.")
    if role in _REGIONAL_ROLES and not regions:
        raise InvalidInput("This role needs at least one region.")
    if role == Role.COMMUNITY_WORKER and any(r.level != RegionLevel.COMMUNITY for r in regions):
        raise InvalidInput("A community worker is assigned to communities only.")
    taken = session.scalar(select(func.count()).where(Staff.username == username))
    if taken:
        raise Conflict("The username {username} is taken.", params={"username": username})
    staff = Staff(
        username=username,
        password_hash=hash_password(password),
        full_name=full_name,
        role=role,
        regions=list(regions),
        organisation_name=organisation_name,
        phone=phone,
    )
    session.add(staff)
    session.flush()
    record(session, actor=actor, action="staff.created", target_type="staff", target_id=staff.id,
           details={"username": username, "role": role.value,
                    "regions": [r.code for r in regions]})
    return staff


def set_password(
    session: Session, *, staff: Staff, password: str, actor: Actor | None = None
) -> None:
    """``actor`` None: the command line (the admin recovery path)."""
    if len(password) < 10:
        raise InvalidInput("The password must have at least 10 characters.")
    staff.password_hash = hash_password(password)
    staff.session_version += 1  # log out every existing session
    clear_login_locks(session, staff.username)  # a reset account opens at once
    record(session, actor=actor, action="staff.password_changed", target_type="staff",
           target_id=staff.id, details={"username": staff.username})


def end_sessions(session: Session, *, staff_id: int, reason: str) -> None:
    """Every session cookie issued to this person so far stops working (logout, lost device).

    Cookies carry the session version they were issued with; bumping it refuses them all.
    """
    staff = session.get(Staff, staff_id)
    if staff is None:
        return
    staff.session_version += 1
    record(session, actor=actor_for(staff), action="staff.sessions_ended", target_type="staff",
           target_id=staff.id, details={"reason": reason})


def get_staff_by_username(session: Session, *, username: str) -> Staff | None:
    return session.scalar(select(Staff).where(Staff.username == username))


def actor_for(staff: Staff) -> Actor:
    return Actor(
        staff_id=staff.id,
        username=staff.username,
        role=staff.role,
        region_paths=tuple(sorted(r.path for r in staff.regions)),
        display_name=staff.full_name,
    )
