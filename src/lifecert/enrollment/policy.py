"""Who may look at faces (reference photos, template thumbnails, check frames).

Face images are sensitive personal information (PIPL): only the people who decide identity
questions see them (bureau officers who review, platform administrators). Everyone else,
community workers included, sees that templates exist (counts, model ids, dates), never the
face. Every page and route that shows a face asks this one function.
"""

from __future__ import annotations

from lifecert.core.errors import PermissionDenied
from lifecert.core.roles import Role
from lifecert.core.scoping import Actor

FACE_VIEWER_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.BUREAU_OFFICER})


def may_see_faces(actor: Actor) -> bool:
    return actor.role in FACE_VIEWER_ROLES


def require_face_access(actor: Actor) -> None:
    if not may_see_faces(actor):
        raise PermissionDenied("Only reviewers may see face pictures.")
