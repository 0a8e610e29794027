"""Who may watch a live session: one generic check over the audience kinds.

COMMUNITY: residents of the session's community. LIST: the LiveViewer rows. CLASS: the academy
decides (its enrolment list); the live domain knows nothing about classes, so the academy (or
the merger) registers a checker with :func:`register_class_audience`. Without one, nobody
watches a CLASS session: closed by default."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.live.models import AudienceKind, LiveSession, LiveViewer
from lifecert.retirees.models import Retiree

# (db session, audience_ref such as "academy_class:12", retiree id) -> may watch
ClassAudience = Callable[[Session, str, int], bool]
_CLASS_CHECKS: list[ClassAudience] = []


def register_class_audience(check: ClassAudience) -> None:
    if check not in _CLASS_CHECKS:
        _CLASS_CHECKS.append(check)


def may_watch(session: Session, live: LiveSession, retiree: Retiree) -> bool:
    if live.audience_kind == AudienceKind.COMMUNITY:
        return live.community_id is not None and retiree.community_id == live.community_id
    if live.audience_kind == AudienceKind.LIST:
        return session.scalar(
            select(LiveViewer.id).where(
                LiveViewer.session_id == live.id, LiveViewer.retiree_id == retiree.id
            )
        ) is not None
    return any(check(session, live.audience_ref, retiree.id) for check in _CLASS_CHECKS)
