"""The one place that decides which rows a caller may see or change.

Every query over people or records calls :func:`scope_filter` (or :func:`ensure_in_scope` for a
single row). Regions are a materialised path (``/1/4/9/``): a caller assigned a region sees its
whole subtree. Rows outside the scope answer "not found", so their existence is not revealed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, true
from sqlalchemy.orm import InstrumentedAttribute

from lifecert.core.errors import NotFound, PermissionDenied
from lifecert.core.roles import Permission, Role, role_can


@dataclass(frozen=True)
class Actor:
    """Who is calling: a staff member, with the regions they are assigned to."""

    staff_id: int
    username: str
    role: Role
    region_paths: tuple[str, ...]
    display_name: str = ""

    def can(self, permission: Permission) -> bool:
        return role_can(self.role, permission)

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise PermissionDenied("Your role may not do this.")

    def covers_path(self, path: str) -> bool:
        if self.role == Role.PLATFORM_ADMIN:
            return True
        return any(path.startswith(prefix) for prefix in self.region_paths)


def scope_filter(
    actor: Actor, permission: Permission, path_column: InstrumentedAttribute[str]
) -> ColumnElement[bool]:
    """SQL condition limiting rows to the actor's regions, after checking the role's permission."""
    actor.require(permission)
    if actor.role == Role.PLATFORM_ADMIN:
        return true()
    if not actor.region_paths:
        return false()
    return or_(*(path_column.startswith(prefix, autoescape=True) for prefix in actor.region_paths))


def ensure_in_scope(actor: Actor, permission: Permission, path: str) -> None:
    """Check one row's region path; out-of-scope rows look exactly like missing ones."""
    actor.require(permission)
    if not actor.covers_path(path):
        raise NotFound("No such record.")
